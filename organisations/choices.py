from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    MANAGER = "manager", _("Manager")
    HR = "hr", _("HR")
    PRODUCER = "producer", _("Producer")
    EMPLOYEE = "employee", _("Employee")
    #: a client contact who sees only the projects given to them (issue 15 point 4)
    VIEWER = "viewer", _("Project viewer")


#: Roles that see the whole organisation.
ORGANISATION_WIDE_ROLES = frozenset({Role.OWNER, Role.ADMIN})
#: The only scopes a project viewer's credential ever holds: they read their projects' time, nothing
#: else (every other scope is refused whatever the token says; DESIGN §3).
VIEWER_SCOPES = frozenset({"time.read"})
#: ``allowed_roles`` of pages for owners and admins (page classes declare their roles once).
OWNER_ADMIN = (Role.OWNER, Role.ADMIN)


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INVITED = "invited", _("Invited")
    DEACTIVATED = "deactivated", _("Deactivated")


class WorkspaceStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ARCHIVED = "archived", _("Archived")


class ProducerStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
