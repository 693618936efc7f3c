"""Django admin for people, tenancy and OAuth clients (issue 2 point 11).

- :mod:`.people`      users, organisations, offices, memberships, workspaces, producers;
- :mod:`.credentials` OAuth clients, API and impersonation tokens, audit events, idempotency
  records, invitations, status incidents;
- :mod:`.helpers`     ``staff_actor``, ``pretty_json``, ``warn_if_over_plan``.

The bases every app's admin uses (``TenantAdmin``, ``TenantInline``, ``TenantAdminForm``,
``TenantInlineFormSet``, ``ReadOnlyAdminMixin``, ``AuditedAdminMixin``) live in
:mod:`trackyoursheets.admin` (issue 12); OAuth clients are created by
:func:`organisations.services.api_client_create` (the secret is shown once, stored hashed).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

# compat: payroll until the issue-12 merge — payroll/admin.py imports the admin bases
# (ReadOnlyAdminMixin ... TimezoneChoiceMixin) from here; register_admin_audit is used below
from trackyoursheets.admin import (
    ReadOnlyAdminMixin,
    TenantAdmin,
    TenantAdminForm,
    TenantInline,
    TenantInlineFormSet,
    TimezoneChoiceMixin,
    register_admin_audit,
)

from ..audit import admin_audit_operation, admin_change_audit
from .credentials import OAuthApplicationAdmin
from .helpers import pretty_json, staff_actor, warn_if_over_plan
from .people import OrganisationAdmin, UserAdmin

__all__ = [
    "OAuthApplicationAdmin",
    "OrganisationAdmin",
    "ReadOnlyAdminMixin",
    "TenantAdmin",
    "TenantAdminForm",
    "TenantInline",
    "TenantInlineFormSet",
    "TimezoneChoiceMixin",
    "UserAdmin",
    "pretty_json",
    "staff_actor",
    "warn_if_over_plan",
]

# The admin bases live in the project package, which imports no app; the audit trail is this
# app's, so it hands the admin its writer here (the admin autodiscovers this module at startup).
register_admin_audit(admin_change_audit, operation=admin_audit_operation)

admin.site.site_header = _("TrackYourSheets administration")
admin.site.site_title = _("TrackYourSheets admin")
admin.site.index_title = _("Platform administration")
