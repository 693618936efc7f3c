"""Project viewers (issue 15 point 4): give a client contact some projects. The contact is invited
by link like a member (``organisations.services.viewer_invite``: the invitation, its email and the
acceptance page are the members'), with the ``viewer`` role. Owners, admins and managers."""

from __future__ import annotations

from django.db import transaction

from organisations import services as organisation_services
from organisations.actors import Actor
from organisations.audit import audit_change, audit_snapshot
from trackyoursheets.db import model_update

from ..models import Project, ProjectViewer
from .common import _require_manager, _save

PROJECT_VIEWER_UPDATE_FIELDS = ["can_see_amounts"]


@transaction.atomic
def project_viewer_create(
    *, actor: Actor, email: str, project: Project, can_see_amounts: bool = False, base_url: str
) -> ProjectViewer:
    """Give ``project`` to the viewer with ``email``, inviting them first when they are new (an
    email with the link); a member with another role is refused (422 on ``email``)."""
    _require_manager(actor)
    membership, _invited = organisation_services.viewer_invite(actor=actor, email=email, base_url=base_url)
    grant = ProjectViewer(
        organisation=actor.organisation, membership=membership, project=project, can_see_amounts=can_see_amounts
    )
    _save(grant)
    audit_change(actor=actor, action="projectviewer.create", obj=grant, after=audit_snapshot(grant))
    return grant


@transaction.atomic
def project_viewer_update(*, actor: Actor, grant: ProjectViewer, data: dict) -> ProjectViewer:
    """Only ``can_see_amounts`` changes; give another project with a new grant."""
    _require_manager(actor)
    grant, changes = model_update(instance=grant, fields=PROJECT_VIEWER_UPDATE_FIELDS, data=data)
    audit_change(actor=actor, action="projectviewer.update", obj=grant, changes=changes)
    return grant


@transaction.atomic
def project_viewer_delete(*, actor: Actor, grant: ProjectViewer) -> None:
    """Take the project away; the viewer's membership stays (with no project they see nothing)."""
    _require_manager(actor)
    pk, before = grant.pk, audit_snapshot(grant)
    grant.delete()
    audit_change(actor=actor, action="projectviewer.delete", obj=grant, object_id=pk, before=before)
