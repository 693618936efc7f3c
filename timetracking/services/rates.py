"""Effective-dated rates (issue 15 point 5): a bill rate of a task, contract, project or client, or
a pay rate of a contract, in force from a local date. History is kept: a change is added, never
edited; one that has not taken effect yet may be deleted (a 409 otherwise)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.actors import Actor
from organisations.audit import audit_change, audit_snapshot
from trackyoursheets.exceptions import Conflict

from ..choices import RateKind
from ..models import Client, Contract, Project, RateChange, Task
from .common import _require_manager
from .reference import _require_contract_manager

__all__ = ["rate_change_create", "rate_change_delete"]


def _require_rate_manager(actor: Actor, contract: Contract | None) -> None:
    if contract is not None:
        _require_contract_manager(actor, contract.employee)
    else:
        _require_manager(actor)


@transaction.atomic
def rate_change_create(
    *,
    actor: Actor,
    kind: str,
    hourly_rate: Decimal,
    effective_from: datetime.date,
    task: Task | None = None,
    contract: Contract | None = None,
    project: Project | None = None,
    client: Client | None = None,
    notes: str = "",
) -> RateChange:
    """A rate in force from ``effective_from``: bill rates for exactly one of task, contract,
    project or client (owners, admins, managers; a contract's only for the employee's office
    manager); pay rates for a contract."""
    targets = [t for t in (task, contract, project, client) if t is not None]
    if len(targets) != 1:
        raise ValidationError({"target": _("Name exactly one of task_id, contract_id, project_id or client_id.")})
    if kind == RateKind.PAY and contract is None:
        raise ValidationError({"kind": _("A pay rate belongs to a contract: give contract_id.")})
    _require_rate_manager(actor, contract)
    exists = RateChange.objects.filter(
        organisation=actor.organisation,
        kind=kind,
        task=task,
        contract=contract,
        project=project,
        client=client,
        effective_from=effective_from,
    ).exists()
    if exists:
        raise Conflict(_("This rate already changes on that day."), code="rate_exists")
    change = RateChange(
        organisation=actor.organisation,
        kind=kind,
        task=task,
        contract=contract,
        project=project,
        client=client,
        hourly_rate=hourly_rate,
        effective_from=effective_from,
        notes=notes or "",
    )
    change.full_clean(exclude=("organisation", "task", "contract", "project", "client"), validate_constraints=False)
    change.save()
    audit_change(actor=actor, action="ratechange.create", obj=change, after=audit_snapshot(change))
    return change


@transaction.atomic
def rate_change_delete(*, actor: Actor, change: RateChange) -> None:
    """Only a change that has not taken effect yet (time already worked keeps its rate)."""
    _require_rate_manager(actor, change.contract)
    today = timezone.now().astimezone(datetime.UTC).date()
    if change.effective_from <= today:
        raise Conflict(
            _("This rate has been in force since %(day)s: history is kept. Add a new change instead.")
            % {"day": change.effective_from.isoformat()},
            code="rate_in_force",
        )
    pk, before = change.pk, audit_snapshot(change)
    change.delete()
    audit_change(actor=actor, action="ratechange.delete", obj=change, object_id=pk, before=before)
