"""One action on many time entries at once (delete, billable/paid flags, tags)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hr import selectors as hr_selectors
from integrations.outbox import record_events
from organisations.actors import Actor
from organisations.audit import audit_changes, audit_snapshot

from .. import events, selectors
from ..choices import BulkAction
from ..models import (
    TimeEntry,
    normalise_tags,
    tag_list,
)
from .locks import PeriodLocks

MAX_BULK = 500
#: the fields a bulk action other than delete may change
BULK_FIELDS = ("billable", "paid", "tags")

#: checks run before ``set_paid`` changes entries; each raises (a ``Conflict``) to refuse. Payroll
#: registers one (issue 18): time that belongs to a payroll run takes its ``paid`` flag from the run.
_PAID_GUARDS: list[Callable[..., None]] = []


def register_paid_guard(guard: Callable[..., None]) -> None:
    """``guard(*, actor, entry_ids)`` runs inside the bulk action's transaction before any change."""
    if guard not in _PAID_GUARDS:
        _PAID_GUARDS.append(guard)


@transaction.atomic
def time_entries_mark_paid(*, actor: Actor, entry_ids: list[int], paid: bool = True) -> int:
    """Set the ``paid`` flag of entries a payroll run paid (or released): one UPDATE, one audit row
    per entry and one ``time.entry.updated`` event each (issue 18: the flag is derived from the run)."""
    entries = list(
        TimeEntry.objects.for_organisation(actor.organisation)
        .filter(pk__in=entry_ids)
        .exclude(paid=paid)
        .select_related("employee__office")
    )
    if not entries:
        return 0
    TimeEntry.objects.filter(pk__in=[e.pk for e in entries]).update(paid=paid, updated_at=timezone.now())
    audited, payloads = [], []
    for entry in entries:
        before = audit_snapshot(entry, only=("paid",))
        entry.paid = paid
        audited.append((entry, before, audit_snapshot(entry, only=("paid",)), None))
        payloads.append((events.ENTRY_UPDATED, events.entry_payload(entry)))
    audit_changes(actor=actor, action="timeentry.payroll_paid", changes=audited)
    record_events(actor.organisation, payloads, actor=actor)
    return len(entries)


# =============================================================================
# Bulk actions
# =============================================================================


@dataclass
class BulkResult:
    action: str
    changed: list[int] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)


@transaction.atomic
def time_entry_bulk(*, actor: Actor, entry_ids: list[int], action: str, value=None) -> BulkResult:
    """One action on many entries: ``delete``, ``set_billable``/``set_paid`` (a boolean value),
    ``add_tag``/``remove_tag`` (a tag). Running entries are skipped; people other than owners,
    admins and organisation-wide clients may change only their own entries; ids the actor cannot
    see are skipped as not found. Each change records its event and its own audit row (the
    entry's id, its changed fields), as the same change made one entry at a time would."""
    if action not in BulkAction.values:
        raise ValidationError({"action": _("One of: %(values)s.") % {"values": ", ".join(BulkAction.values)}})
    if action in (BulkAction.SET_BILLABLE, BulkAction.SET_PAID) and not isinstance(value, bool):
        raise ValidationError({"value": _("Must be true or false for %(action)s.") % {"action": action}})
    tag = ""
    if action in (BulkAction.ADD_TAG, BulkAction.REMOVE_TAG):
        tag = normalise_tags(value if isinstance(value, str) else "")
        if not tag or "," in tag:
            raise ValidationError({"value": _("Give one tag for %(action)s.") % {"action": action}})
    if len(entry_ids) > MAX_BULK:
        raise ValidationError({"entry_ids": _("At most %(max)s ids at once.") % {"max": MAX_BULK}})

    result = BulkResult(action=action)
    wanted = list(dict.fromkeys(entry_ids))
    # the employees' locks first (the order of every time write, see time_entry_create), then the rows
    visible = selectors.time_entry_list(actor=actor).filter(pk__in=wanted)
    employee_ids = sorted(set(visible.order_by().values_list("employee_id", flat=True)))
    list(
        hr_selectors.employee_queryset(organisation=actor.organisation)
        .select_for_update()
        .filter(pk__in=employee_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    found = {
        e.pk: e
        for e in selectors.time_entry_list(actor=actor)
        .select_related("employee__office")
        .select_for_update(of=("self",))
        .filter(pk__in=wanted)
    }
    if action == BulkAction.SET_PAID:
        for guard in _PAID_GUARDS:
            guard(actor=actor, entry_ids=list(found))
    own = selectors.actor_employee(actor=actor)
    locks = PeriodLocks(actor.organisation)
    audit_action = f"timeentry.bulk_{action}"
    audited: list[tuple] = []  # written together after the loop: one INSERT of audit rows, one of events
    payloads: list[tuple[str, dict]] = []
    for pk in wanted:
        entry = found.get(pk)
        if entry is None:
            result.skipped.append({"id": pk, "reason": "not_found"})
            continue
        if not actor.sees_whole_organisation and (own is None or entry.employee_id != own.pk):
            result.skipped.append({"id": pk, "reason": "not_permitted"})
            continue
        if entry.end_time is None:
            result.skipped.append({"id": pk, "reason": "running"})
            continue
        # an entry in a locked period refuses the whole action (409, nothing changes: issue 15 point 2)
        locks.check(entry.employee, [entry.start_time])
        if action == BulkAction.DELETE:
            payload, before = events.entry_payload(entry), audit_snapshot(entry)
            entry.delete()
            audited.append((entry, before, None, pk))
            payloads.append((events.ENTRY_DELETED, payload))
            result.changed.append(pk)
            continue
        before = audit_snapshot(entry, only=BULK_FIELDS)
        if action == BulkAction.SET_BILLABLE:
            unchanged = entry.billable == value
            entry.billable = value
        elif action == BulkAction.SET_PAID:
            unchanged = entry.paid == value
            entry.paid = value
        else:
            tags = tag_list(entry.tags)
            if action == BulkAction.ADD_TAG:
                unchanged = tag in tags
                tags = tags if unchanged else [*tags, tag]
            else:
                unchanged = tag not in tags
                tags = [t for t in tags if t != tag]
            entry.tags = ",".join(tags)
        if unchanged:
            result.skipped.append({"id": pk, "reason": "unchanged"})
            continue
        entry.full_clean(validate_constraints=False)
        entry.save(update_fields=[*BULK_FIELDS, "updated_at"])
        audited.append((entry, before, audit_snapshot(entry, only=BULK_FIELDS), None))
        payloads.append((events.ENTRY_UPDATED, events.entry_payload(entry)))
        result.changed.append(pk)
    audit_changes(actor=actor, action=audit_action, changes=audited)
    record_events(actor.organisation, payloads, actor=actor)
    return result
