"""Services: organisations, members, offices, workspaces and producers (role checks and plan limits)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from integrations.outbox import record_event
from trackyoursheets.db import model_update
from trackyoursheets.exceptions import LimitExceeded, NotPermitted

from .. import events
from ..actors import Actor, system_actor
from ..audit import audit_change, audit_snapshot
from ..choices import MembershipStatus, Role, WorkspaceStatus
from ..currencies import NOT_A_CURRENCY, is_currency
from ..models import (
    Membership,
    Office,
    Organisation,
    Producer,
    User,
    Workspace,
    WorkspaceAgent,
)
from ..plans import PlanCode

# =============================================================================
# Role checks
# =============================================================================


def currency_clean(currency: str) -> str:
    """An ISO 4217 code (issue 14 point 10): ``" eur "`` becomes ``EUR``; ``dollars`` is refused
    (it used to be saved as ``DOL``)."""
    code = (currency or "").strip().upper()
    if not is_currency(code):
        raise ValidationError({"currency": [NOT_A_CURRENCY]})
    return code


def require_role(actor: Actor, *roles: str) -> None:
    """Owners, admins and organisation-wide credentials pass; others need one of ``roles``."""
    if not actor.has_role(*roles):
        raise NotPermitted(_("Your role does not allow this action."))


def _require_office_access(actor: Actor, office: Office) -> None:
    """Managers act only inside their own office."""
    if actor.sees_whole_organisation:
        return
    if actor.role == Role.MANAGER and actor.membership is not None and actor.membership.office_id == office.pk:
        return
    raise NotPermitted(_("Your role does not allow changes in this office."))


# =============================================================================
# Organisations and members
# =============================================================================


def _lock_organisation(organisation: Organisation) -> None:
    """Serialise plan-limit checks of one organisation (a row lock until the transaction ends)."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()


def _unique_slug(name: str) -> str:
    base = slugify(name)[:60] or "organisation"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


#: the office every new organisation starts with
HEAD_OFFICE_NAME = "Head office"


@dataclass(frozen=True)
class OrganisationCreated:
    organisation: Organisation
    owner: User
    membership: Membership


@transaction.atomic
def organisation_create(
    *,
    name: str,
    owner_email: str,
    owner_password: str | None,
    plan: str = PlanCode.STARTER,
    rate_limit_per_minute: int | None = None,
    slug: str | None = None,
    timezone: str = "UTC",
    currency: str = "USD",
    head_office: str = HEAD_OFFICE_NAME,
    head_office_address: str = "",
) -> OrganisationCreated:
    """A new tenant with its owner and a head office (issue 13 point 11: the first workspace
    needs an office). An existing user becomes the owner without a password change."""
    organisation = Organisation(
        name=name.strip(),
        slug=slug or _unique_slug(name),
        plan=plan,
        timezone=timezone,
        currency=currency_clean(currency),
    )
    if rate_limit_per_minute is not None:
        organisation.api_rate_limit_per_minute = rate_limit_per_minute
    organisation.full_clean()
    organisation.save()
    head_office_ensure(organisation=organisation, name=head_office, address=head_office_address)
    email = User.objects.normalize_email(owner_email).lower()
    owner = User.objects.filter(email__iexact=email).first()
    if owner is None:
        owner = User(email=email)
        owner.set_password(owner_password)
        owner.full_clean()
        owner.save()
    membership = membership_add(organisation=organisation, user=owner, role=Role.OWNER)
    return OrganisationCreated(organisation=organisation, owner=owner, membership=membership)


@transaction.atomic
def head_office_ensure(*, organisation: Organisation, name: str = HEAD_OFFICE_NAME, address: str = "") -> Office | None:
    """An organisation without an office gets its head office, in the organisation's timezone
    (also called by the admin after a new organisation's inlines are saved); None if it has one."""
    if Office.objects.for_organisation(organisation).exists():
        return None
    return office_create(actor=system_actor(organisation), name=name, timezone=organisation.timezone, address=address)


@transaction.atomic
def membership_add(*, organisation: Organisation, user: User, role: str, office: Office | None = None) -> Membership:
    """Add an active member; the plan's seat limit is a hard cap."""
    plan = organisation.plan_details
    _lock_organisation(organisation)  # two concurrent adds cannot both take the last seat
    used = (
        Membership.objects.for_organisation(organisation)
        .filter(status__in=(MembershipStatus.ACTIVE, MembershipStatus.INVITED))
        .count()
    )
    if used >= plan.max_seats:
        raise LimitExceeded(
            _("The %(plan)s plan includes %(limit)s seats and all are in use.")
            % {"plan": plan.name, "limit": plan.max_seats},
            limit=plan.max_seats,
            used=used,
        )
    membership = Membership(organisation=organisation, user=user, role=role, office=office)
    membership.full_clean()
    membership.save()
    return membership


# =============================================================================
# Offices
# =============================================================================


#: what an office update may change (issue 12: an explicit field list, not ``**fields``)
OFFICE_UPDATE_FIELDS = ["name", "timezone", "address"]


@transaction.atomic
def office_create(*, actor: Actor, name: str, timezone: str = "UTC", address: str = "") -> Office:
    require_role(actor)
    office = Office(organisation=actor.organisation, name=name.strip(), timezone=timezone, address=address)
    office.full_clean()
    office.save()
    audit_change(actor=actor, action="office.create", obj=office, after=audit_snapshot(office))
    return office


@transaction.atomic
def office_update(*, actor: Actor, office: Office, data: dict) -> Office:
    """Rename an office, move its timezone or address (the fields in ``OFFICE_UPDATE_FIELDS``)."""
    require_role(actor)
    office, changes = model_update(instance=office, fields=OFFICE_UPDATE_FIELDS, data=data)
    audit_change(actor=actor, action="office.update", obj=office, changes=changes)
    return office


# =============================================================================
# Workspaces
# =============================================================================


def _check_workspace_limit(organisation: Organisation) -> None:
    plan = organisation.plan_details
    used = Workspace.objects.for_organisation(organisation).filter(status=WorkspaceStatus.ACTIVE).count()
    if used >= plan.max_workspaces:
        raise LimitExceeded(
            _("The %(plan)s plan allows %(limit)s active workspaces; archive one or change plan.")
            % {"plan": plan.name, "limit": plan.max_workspaces},
            limit=plan.max_workspaces,
            used=used,
        )


@transaction.atomic
def workspace_create(*, actor: Actor, office: Office | None = None, name: str, description: str = "") -> Workspace:
    """A new active workspace in one of the organisation's offices, within the plan's limit. An
    organisation with exactly one office may leave ``office`` out (issue 13 point 11)."""
    office = office or _only_office(actor.organisation)
    _require_office_access(actor, office)
    _lock_organisation(actor.organisation)
    _check_workspace_limit(actor.organisation)
    workspace = Workspace(organisation=actor.organisation, office=office, name=name.strip(), description=description)
    workspace.full_clean()
    workspace.save()
    audit_change(actor=actor, action="workspace.create", obj=workspace, after=audit_snapshot(workspace))
    record_event(actor.organisation, events.WORKSPACE_CREATED, events.workspace_payload(workspace), actor=actor)
    return workspace


def _only_office(organisation: Organisation) -> Office:
    """The organisation's one office; with none or several, ``office_id`` is required."""
    offices = list(Office.objects.for_organisation(organisation)[:2])
    if len(offices) != 1:
        message = _("This field is required.") if not offices else _("Required: the organisation has several offices.")
        raise ValidationError({"office_id": message})
    return offices[0]


#: what a workspace update may change (issue 12: an explicit field list, not ``**fields``)
WORKSPACE_UPDATE_FIELDS = ["name", "description", "office", "status"]


def workspace_update(*, actor: Actor, workspace: Workspace, data: dict) -> Workspace:
    """Rename, move to another office, describe, archive or re-activate a workspace."""
    return _workspace_update(actor=actor, workspace=workspace, data=data, action="workspace.update")


@transaction.atomic
def _workspace_update(*, actor: Actor, workspace: Workspace, data: dict, action: str) -> Workspace:
    _require_office_access(actor, workspace.office)
    if "office" in data:
        _require_office_access(actor, data["office"])
    reactivating = data.get("status") == WorkspaceStatus.ACTIVE and workspace.status != WorkspaceStatus.ACTIVE
    if reactivating:
        _lock_organisation(actor.organisation)
        _check_workspace_limit(actor.organisation)
    if isinstance(data.get("name"), str):
        data = {**data, "name": data["name"].strip()}
    workspace, changes = model_update(instance=workspace, fields=WORKSPACE_UPDATE_FIELDS, data=data)
    audit_change(actor=actor, action=action, obj=workspace, changes=changes)
    record_event(actor.organisation, events.WORKSPACE_UPDATED, events.workspace_payload(workspace), actor=actor)
    return workspace


def workspace_archive(*, actor: Actor, workspace: Workspace) -> Workspace:
    """Workspaces are archived, never deleted: their history stays."""
    return _workspace_update(
        actor=actor, workspace=workspace, data={"status": WorkspaceStatus.ARCHIVED}, action="workspace.archive"
    )


def workspace_reactivate(*, actor: Actor, workspace: Workspace) -> Workspace:
    """An archived workspace becomes active again, within the plan's limit."""
    return _workspace_update(
        actor=actor, workspace=workspace, data={"status": WorkspaceStatus.ACTIVE}, action="workspace.reactivate"
    )


@transaction.atomic
def workspace_assign_agents(*, actor: Actor, workspace: Workspace, memberships: list[Membership]) -> Workspace:
    """Add members as agents of a workspace (already-assigned ones are left as they are)."""
    _require_office_access(actor, workspace.office)
    if workspace.status != WorkspaceStatus.ACTIVE:
        raise LimitExceeded(_("Agents cannot be assigned to an archived workspace."))
    inactive = [m.pk for m in memberships if m.status != MembershipStatus.ACTIVE]
    if inactive:
        raise LimitExceeded(
            _("Only active members can be agents."), errors={"membership_ids": [str(pk) for pk in inactive]}
        )
    Workspace.objects.select_for_update().filter(pk=workspace.pk).first()
    current = set(WorkspaceAgent.objects.filter(workspace=workspace).values_list("membership_id", flat=True))
    new = [m for m in {m.pk: m for m in memberships}.values() if m.pk not in current]
    limit = actor.organisation.plan_details.max_agents_per_workspace
    if len(current) + len(new) > limit:
        raise LimitExceeded(
            _("A workspace on the %(plan)s plan can have %(limit)s agents; it has %(used)s.")
            % {"plan": actor.organisation.plan_details.name, "limit": limit, "used": len(current)},
            limit=limit,
            used=len(current),
        )
    WorkspaceAgent.objects.bulk_create(
        [WorkspaceAgent(organisation=actor.organisation, workspace=workspace, membership=m) for m in new]
    )
    audit_change(
        actor=actor,
        action="workspace.assign_agents",
        obj=workspace,
        changes={"agent_membership_ids": [sorted(current), sorted(current | {m.pk for m in new})]} if new else {},
    )
    if new:
        record_event(actor.organisation, events.WORKSPACE_UPDATED, events.workspace_payload(workspace), actor=actor)
    return workspace


# =============================================================================
# Producers
# =============================================================================


def _require_producer_access(actor: Actor, workspace: Workspace | None) -> None:
    if actor.sees_whole_organisation:
        return
    if (
        actor.role == Role.MANAGER
        and workspace is not None
        and actor.membership is not None
        and workspace.office_id == actor.membership.office_id
    ):
        return
    raise NotPermitted(_("Your role does not allow managing producers here."))


@transaction.atomic
def producer_create(
    *,
    actor: Actor,
    display_name: str,
    email: str = "",
    producer_code: str = "",
    default_split_percent: Decimal = Decimal("100.00"),
    portal_access: bool = False,
    status: str = "active",
    workspace: Workspace | None = None,
    membership: Membership | None = None,
) -> Producer:
    _require_producer_access(actor, workspace)
    producer = Producer(
        organisation=actor.organisation,
        display_name=display_name.strip(),
        email=email,
        producer_code=producer_code.strip(),
        default_split_percent=default_split_percent,
        portal_access=portal_access,
        status=status,
        workspace=workspace,
        membership=membership,
    )
    producer.full_clean()
    producer.save()
    audit_change(actor=actor, action="producer.create", obj=producer, after=audit_snapshot(producer))
    record_event(actor.organisation, events.PRODUCER_CREATED, events.producer_payload(producer), actor=actor)
    return producer


#: what a producer update may change (issue 12: an explicit field list, not ``**fields``)
PRODUCER_UPDATE_FIELDS = [
    "display_name",
    "email",
    "producer_code",
    "default_split_percent",
    "portal_access",
    "status",
    "workspace",
    "membership",
]


@transaction.atomic
def producer_update(*, actor: Actor, producer: Producer, data: dict) -> Producer:
    """Change a producer's fields listed in ``PRODUCER_UPDATE_FIELDS`` (names and codes trimmed)."""
    _require_producer_access(actor, producer.workspace)
    if "workspace" in data:
        _require_producer_access(actor, data["workspace"])
    data = {
        key: value.strip() if key in ("display_name", "producer_code") and isinstance(value, str) else value
        for key, value in data.items()
    }
    producer, changes = model_update(instance=producer, fields=PRODUCER_UPDATE_FIELDS, data=data)
    audit_change(actor=actor, action="producer.update", obj=producer, changes=changes)
    record_event(actor.organisation, events.PRODUCER_UPDATED, events.producer_payload(producer), actor=actor)
    return producer


def producer_upsert(*, actor: Actor, producer: Producer | None, **fields) -> tuple[Producer, bool]:
    """Update ``producer`` if given, else the one with the same producer code, else create.

    ``fields`` are ``producer_create``'s keywords; an update changes only those of them in
    ``PRODUCER_UPDATE_FIELDS`` (``model_update`` ignores the rest).
    """
    if producer is None and fields.get("producer_code"):
        producer = (
            Producer.objects.for_organisation(actor.organisation)
            .filter(producer_code=fields["producer_code"].strip())
            .first()
        )
    if producer is None:
        return producer_create(actor=actor, **fields), True
    return producer_update(actor=actor, producer=producer, data=fields), False
