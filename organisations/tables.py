"""The console pages' tables (issue 14 point 5) on the shared :class:`~trackyoursheets.web.tables.Table`."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from trackyoursheets.web.tables import BADGE, CHOICE, DATETIME, PERCENT, Column, Table


def _member_status_note(member) -> str:
    invitation = getattr(member, "invitation", None)
    if member.status == "invited" and invitation is not None and not invitation.is_open:
        return str(_("link expired"))
    return ""


class MemberTable(Table):
    name = "team"
    noun = _("members")
    empty_text = _("No members match.")
    default_sort = "email"
    columns = (
        Column(
            "email",
            _("Email"),
            accessor="user.email",
            sort="user__email",
            link=lambda m: reverse("app:team-member", args=[m.pk]),
        ),
        Column("name", _("Name"), accessor="user.full_name", sort="user__full_name"),
        Column("role", _("Role"), kind=CHOICE, sort="role"),
        Column("office", _("Office"), accessor="office.name", sort="office__name"),
        Column("status", _("Status"), kind=BADGE, sort="status", detail=_member_status_note),
        Column("created_at", _("Member since"), kind=DATETIME, sort="created_at", export_only=True),
    )


class ProducerTable(Table):
    name = "producers"
    noun = _("producers")
    empty_text = _("No producers match.")
    columns = (
        Column(
            "name",
            _("Name"),
            accessor="display_name",
            sort="display_name",
            link=lambda p: reverse("app:producer-detail", args=[p.pk]),
        ),
        Column("code", _("Code"), accessor="producer_code", sort="producer_code"),
        Column("email", _("Email"), sort="email"),
        Column("split", _("Split %"), accessor="default_split_percent", kind=PERCENT, sort="default_split_percent"),
        Column("portal_access", _("Portal"), sort="portal_access"),
        Column("status", _("Status"), kind=BADGE, sort="status"),
        Column("workspace", _("Workspace"), accessor="workspace.name", sort="workspace__name"),
        Column("member", _("Linked member"), accessor="membership.user.email", sort="membership__user__email"),
    )
