"""Who may write what in payroll (role checks shared by the ledger, rules and imports)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from organisations.actors import Actor
from organisations.choices import Role
from organisations.models import Workspace
from trackyoursheets.exceptions import NotPermitted

# =============================================================================
# Role checks
# =============================================================================


def require_organisation_admin(actor: Actor) -> None:
    """Reference data and rule sets: owners, admins and organisation-wide credentials."""
    if not actor.sees_whole_organisation:
        raise NotPermitted(_("Your role does not allow this action."))


def require_ledger_access(actor: Actor, *workspaces: Workspace | None) -> None:
    """Ledger writes: the whole organisation, or a manager for workspaces of their office."""
    if actor.sees_whole_organisation:
        return
    office_id = actor.membership.office_id if actor.membership is not None else None
    if (
        actor.role == Role.MANAGER
        and office_id
        and workspaces
        and all(w is not None and w.office_id == office_id for w in workspaces)
    ):
        return
    raise NotPermitted(_("Your role does not allow changing commissions here."))


def stripped(data: dict, *names: str) -> dict:
    """``data`` with the text values of ``names`` stripped of surrounding whitespace."""
    return {key: value.strip() if key in names and isinstance(value, str) else value for key, value in data.items()}


def clean_save(obj) -> None:
    obj.full_clean()
    obj.save()


def workspace_access_checker(actor: Actor):
    """``check(workspace_ids)``: ``_require_ledger_access`` for each workspace, once per id."""
    checked: set[int | None] = set()

    def check(workspace_ids: set[int | None]) -> None:
        new = workspace_ids - checked
        if not new or actor.sees_whole_organisation:
            checked.update(new)
            return
        workspaces = list(
            Workspace.objects.for_organisation(actor.organisation).filter(pk__in={pk for pk in new if pk is not None})
        )
        if None in new or len(workspaces) != len(new - {None}):
            require_ledger_access(actor, None)
        require_ledger_access(actor, *workspaces)
        checked.update(new)

    return check


def chunks(items, size: int):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
