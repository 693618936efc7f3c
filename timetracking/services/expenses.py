"""Expense claims (issue 16 point 5).

- create / update / delete: the employee, or whoever may record their time (a manager of their
  office, their manager, owners, admins, OAuth clients); update and delete only while the claim is
  a draft or rejected (409 otherwise). People who left cannot file (the one "leavers" rule of
  time tracking, :func:`hr.selectors.employee_accrual_refusal`, for the expense's day);
- money: ``Decimal``; an expense in another currency than the organisation's carries the exchange
  rate the employee entered, and ``converted_amount = amount x rate`` rounded once, half up, to
  the cent (a converted amount the employee also sends must agree to the cent). The category's
  limit and "receipt required above" amount compare the converted amount;
- the receipt: a PNG, JPEG or PDF by content (``filetype``), at most ``UPLOAD_MAX_BYTES`` (413),
  stored privately at a path of ours (trackyoursheets/storage.py), never named after the upload;
- submit (``draft|rejected → submitted``): the same people; a receipt is required above the
  category's amount; approve / reject with a reason (``submitted → approved|rejected``): the
  employee's manager, a manager of their office, owners, admins; never the employee themself
  (:func:`timetracking.services.timesheets.can_approve`);
- reimbursed (``approved → reimbursed``, with a reference): owners, admins and organisation-wide
  credentials now, payroll's mark-paid later through :func:`mark_reimbursed` (bulk).

Each transition locks the expense row (two approvers racing: one wins, the other gets a 409) and
writes its audit row and outbox event (``time.expense.*``) in the same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hr import selectors as hr_selectors
from integrations.outbox import record_event, record_events
from organisations.actors import Actor
from organisations.audit import audit_change, audit_changes, audit_snapshot
from trackyoursheets import storage
from trackyoursheets.exceptions import Conflict, NotPermitted

from .. import events
from ..choices import ExpenseStatus
from ..models import (
    DESCRIPTION_MAX_LENGTH,
    REFERENCE_MAX_LENGTH,
    Expense,
    ExpenseCategory,
    employee_timezone,
    local_day_bounds,
)
from .common import _require_tracks_for
from .timesheets import _is_own, _reason, can_approve

__all__ = [
    "RECEIPT_TYPES",
    "convert",
    "expense_category_create",
    "expense_category_update",
    "expense_create",
    "expense_update",
    "expense_delete",
    "expense_receipt_set",
    "expense_submit",
    "expense_approve",
    "expense_reject",
    "expense_mark_reimbursed",
    "mark_reimbursed",
]

CENT = Decimal("0.01")
#: receipts: images and PDF only, decided by content
RECEIPT_TYPES = ("image/png", "image/jpeg", "application/pdf")
#: what an update may change
EXPENSE_UPDATE_FIELDS = (
    "category",
    "date",
    "amount",
    "currency",
    "exchange_rate",
    "converted_amount",
    "project",
    "client",
    "billable",
    "description",
)
EDITABLE = (ExpenseStatus.DRAFT, ExpenseStatus.REJECTED)


def convert(amount: Decimal, rate: Decimal) -> Decimal:
    """``amount x rate`` in the organisation's currency: rounded once, half up, to the cent."""
    return (Decimal(amount) * Decimal(rate)).quantize(CENT, rounding=ROUND_HALF_UP)


# =============================================================================
# Categories
# =============================================================================


def _require_category_admin(actor: Actor) -> None:
    if not actor.sees_whole_organisation:
        raise NotPermitted(_("Only owners and admins manage expense categories."))


def _save_category(actor: Actor, category: ExpenseCategory, before: dict | None, action: str) -> ExpenseCategory:
    category.name = (category.name or "").strip()
    category.full_clean()
    category.save()
    audit_change(actor=actor, action=action, obj=category, before=before, after=audit_snapshot(category))
    return category


@transaction.atomic
def expense_category_create(
    *,
    actor: Actor,
    name: str,
    expense_limit: Decimal | None = None,
    receipt_required_above: Decimal | None = None,
    archived: bool = False,
) -> ExpenseCategory:
    """A new category (owners and admins)."""
    _require_category_admin(actor)
    category = ExpenseCategory(
        organisation=actor.organisation,
        name=name,
        expense_limit=expense_limit,
        receipt_required_above=receipt_required_above,
        archived=archived,
    )
    return _save_category(actor, category, None, "expensecategory.create")


@transaction.atomic
def expense_category_update(*, actor: Actor, category: ExpenseCategory, data: dict) -> ExpenseCategory:
    """Rename, change the limits, archive (no new expenses) or restore a category."""
    _require_category_admin(actor)
    before = audit_snapshot(category)
    for key, value in data.items():
        if key not in ("name", "expense_limit", "receipt_required_above", "archived"):
            raise ValidationError({key: [_("Cannot be changed here.")]})
        setattr(category, key, value)
    return _save_category(actor, category, before, "expensecategory.update")


# =============================================================================
# Checks
# =============================================================================


def _check_money(expense: Expense, organisation, converted: Decimal | None) -> None:
    """Currency, exchange rate and the converted amount (see the module's docstring)."""
    expense.currency = (expense.currency or organisation.currency).upper()
    if expense.currency == organisation.currency:
        if expense.exchange_rate is not None and expense.exchange_rate != 1:
            raise ValidationError(
                {"exchange_rate": _("The expense is in the organisation's currency: no exchange rate.")}
            )
        expense.exchange_rate = None
        expense.converted_amount = expense.amount
    else:
        if expense.exchange_rate is None:
            raise ValidationError(
                {
                    "exchange_rate": _(
                        "The expense is in %(currency)s: enter the exchange rate to %(home)s you were charged."
                    )
                    % {"currency": expense.currency, "home": organisation.currency}
                }
            )
        if expense.exchange_rate <= 0:
            raise ValidationError({"exchange_rate": _("The exchange rate must be more than zero.")})
        expense.converted_amount = convert(expense.amount, expense.exchange_rate)
    if converted is not None and Decimal(converted).quantize(CENT) != expense.converted_amount:
        raise ValidationError(
            {
                "converted_amount": _("%(amount)s x %(rate)s is %(converted)s %(home)s, not %(given)s.")
                % {
                    "amount": expense.amount,
                    "rate": expense.exchange_rate or 1,
                    "converted": expense.converted_amount,
                    "home": organisation.currency,
                    "given": converted,
                }
            }
        )


def _check_rules(expense: Expense, *, category_changed: bool) -> None:
    """The category (not archived, its limit), project/client and billable, the day, leavers."""
    category = expense.category
    if category_changed and category.archived:
        raise ValidationError({"category_id": _("The category is archived and takes no new expenses.")})
    if category.expense_limit is not None and expense.converted_amount > category.expense_limit:
        raise ValidationError(
            {
                "amount": _("%(category)s expenses are limited to %(limit)s %(home)s; this one is %(amount)s.")
                % {
                    "category": category.name,
                    "limit": category.expense_limit,
                    "home": expense.organisation.currency,
                    "amount": expense.converted_amount,
                }
            }
        )
    if expense.project is not None and expense.client is None:
        expense.client = expense.project.client
    if expense.billable and expense.project is None and expense.client is None:
        raise ValidationError({"billable": _("A billable expense names the project or the client to bill.")})
    if len(expense.description or "") > DESCRIPTION_MAX_LENGTH:
        raise ValidationError({"description": _("At most %(max)s characters.") % {"max": DESCRIPTION_MAX_LENGTH}})
    zone = employee_timezone(expense.employee, expense.organisation)
    if expense.date > timezone.now().astimezone(zone).date():
        raise ValidationError({"date": _("An expense is for a day that has come: the date is in the future.")})
    start, _end = local_day_bounds(expense.date, expense.date, zone)
    refusal = hr_selectors.employee_accrual_refusal(employee=expense.employee, start=start)
    if refusal:
        raise ValidationError({"employee_id": refusal})


def _attach_receipt(actor: Actor, expense: Expense, receipt) -> str | None:
    """Validate and store a receipt; returns the replaced file's path (removed after commit)."""
    try:
        data, name, detected = storage.validate_upload(receipt)
    except ValidationError as error:
        raise ValidationError({"receipt": error.message_dict.get("file", error.messages)}) from error
    if detected not in RECEIPT_TYPES:
        raise ValidationError({"receipt": [_("A receipt is a PNG or JPEG image or a PDF file.")]})
    stored = storage.store(
        organisation_id=actor.organisation.pk, data=data, file_name=name, content_type=detected, area="expenses"
    )
    previous = expense.receipt_storage_path or None
    expense.receipt_file_name = stored.file_name
    expense.receipt_content_type = stored.content_type
    expense.receipt_size = stored.size
    expense.receipt_sha256 = stored.sha256
    expense.receipt_storage_path = stored.storage_path
    return previous


def _write(actor: Actor, expense: Expense, before: dict | None, action: str, topic: str | None) -> Expense:
    expense.full_clean(exclude=("organisation", "employee", "created_by", "decided_by"), validate_constraints=False)
    expense.save()
    audit_change(actor=actor, action=action, obj=expense, before=before, after=audit_snapshot(expense))
    if topic is not None:
        record_event(actor.organisation, topic, events.expense_payload(expense), actor=actor)
    return expense


def _stored_then(expense: Expense, previous: str | None, new_path: str | None) -> None:
    """After commit the replaced receipt goes; after a rollback the new one does."""
    if previous and previous != new_path:
        transaction.on_commit(lambda: storage.remove_stored(previous))


# =============================================================================
# Create, update, delete, receipt
# =============================================================================


@transaction.atomic
def expense_create(
    *,
    actor: Actor,
    employee,
    category: ExpenseCategory,
    date: datetime.date,
    amount: Decimal,
    currency: str | None = None,
    exchange_rate: Decimal | None = None,
    converted_amount: Decimal | None = None,
    project=None,
    client=None,
    billable: bool = False,
    description: str = "",
    receipt=None,
) -> Expense:
    """A draft expense (no event until it is submitted)."""
    _require_tracks_for(actor, employee)
    expense = Expense(
        organisation=actor.organisation,
        employee=employee,
        category=category,
        date=date,
        amount=amount,
        currency=currency or actor.organisation.currency,
        exchange_rate=exchange_rate,
        project=project,
        client=client,
        billable=billable,
        description=(description or "").strip(),
        created_by=actor.membership,
    )
    _check_money(expense, actor.organisation, converted_amount)
    _check_rules(expense, category_changed=True)
    if receipt is not None:
        _attach_receipt(actor, expense, receipt)
    try:
        return _write(actor, expense, None, "expense.create", None)
    except Exception:
        if expense.receipt_storage_path:
            storage.remove_stored(expense.receipt_storage_path)
        raise


def _locked(expense: Expense) -> Expense:
    fresh = Expense.objects.select_for_update().get(pk=expense.pk)
    for name in ("status", "submitted_at", "decided_at", "rejection_reason", "reimbursed_at", "receipt_storage_path"):
        setattr(expense, name, getattr(fresh, name))
    return expense


def _require_status(expense: Expense, allowed: Iterable[str], verb: str) -> None:
    if expense.status not in allowed:
        raise Conflict(
            _("A %(status)s expense cannot be %(verb)s.") % {"status": expense.status, "verb": verb},
            code="expense_status",
            expense_status=expense.status,
        )


@transaction.atomic
def expense_update(*, actor: Actor, expense: Expense, data: dict, receipt=None) -> Expense:
    """Change a draft or rejected expense (``EXPENSE_UPDATE_FIELDS``) and optionally its receipt."""
    _require_tracks_for(actor, expense.employee)
    _locked(expense)
    _require_status(expense, EDITABLE, _("changed"))
    before = audit_snapshot(expense)
    data = dict(data)
    converted = data.pop("converted_amount", None)
    category_changed = "category" in data and data["category"].pk != expense.category_id
    for key, value in data.items():
        if key not in EXPENSE_UPDATE_FIELDS:
            raise ValidationError({key: [_("Cannot be changed here.")]})
        setattr(expense, key, value.strip() if key == "description" and isinstance(value, str) else value)
    if "project" in data and "client" not in data:
        expense.client = None  # follows the new project
    if "currency" in data and "exchange_rate" not in data and data["currency"] == actor.organisation.currency:
        expense.exchange_rate = None
    _check_money(expense, actor.organisation, converted)
    _check_rules(expense, category_changed=category_changed)
    previous = _attach_receipt(actor, expense, receipt) if receipt is not None else None
    try:
        _write(actor, expense, before, "expense.update", None)
    except Exception:
        if receipt is not None:
            storage.remove_stored(expense.receipt_storage_path)
        raise
    _stored_then(expense, previous, expense.receipt_storage_path)
    return expense


@transaction.atomic
def expense_receipt_set(*, actor: Actor, expense: Expense, receipt) -> Expense:
    """Attach or replace the receipt of a draft or rejected expense."""
    return expense_update(actor=actor, expense=expense, data={}, receipt=receipt)


@transaction.atomic
def expense_delete(*, actor: Actor, expense: Expense) -> None:
    """Delete a draft or rejected expense, and its receipt after the commit."""
    _require_tracks_for(actor, expense.employee)
    _locked(expense)
    _require_status(expense, EDITABLE, _("deleted"))
    before, pk, path = audit_snapshot(expense), expense.pk, expense.receipt_storage_path
    expense.delete()
    audit_change(actor=actor, action="expense.delete", obj=expense, before=before, object_id=pk)
    if path:
        transaction.on_commit(lambda: storage.remove_stored(path))


# =============================================================================
# Workflow
# =============================================================================


@transaction.atomic
def expense_submit(*, actor: Actor, expense: Expense) -> Expense:
    """``draft|rejected → submitted`` (``time.expense.submitted``); a receipt is required above
    the category's amount; the rules are checked again (the category may have changed since)."""
    _require_tracks_for(actor, expense.employee)
    _locked(expense)
    _require_status(expense, EDITABLE, _("submitted"))
    before = audit_snapshot(expense)
    _check_rules(expense, category_changed=False)
    above = expense.category.receipt_required_above
    if above is not None and expense.converted_amount > above and not expense.has_receipt:
        raise ValidationError(
            {
                "receipt": _("%(category)s expenses above %(above)s %(home)s need a receipt.")
                % {"category": expense.category.name, "above": above, "home": actor.organisation.currency}
            }
        )
    expense.status = ExpenseStatus.SUBMITTED
    expense.submitted_at = timezone.now()
    expense.decided_at, expense.decided_by, expense.decided_by_label = None, None, ""
    return _write(actor, expense, before, "expense.submit", events.EXPENSE_SUBMITTED)


def _require_approver(actor: Actor, expense: Expense) -> None:
    if _is_own(actor, expense.employee):
        raise NotPermitted(_("You cannot approve or reject your own expense."))
    if not can_approve(actor, expense.employee):
        raise NotPermitted(
            _("Only the employee's manager, a manager of their office, owners and admins decide expenses.")
        )


def _decide(actor: Actor, expense: Expense, status: str, reason: str = "") -> None:
    expense.status = status
    expense.decided_at = timezone.now()
    expense.decided_by = actor.membership
    expense.decided_by_label = actor.label[:300]
    expense.rejection_reason = reason


@transaction.atomic
def expense_approve(*, actor: Actor, expense: Expense) -> Expense:
    """``submitted → approved`` (``time.expense.approved``): due for reimbursement."""
    _require_approver(actor, expense)
    _locked(expense)
    _require_status(expense, (ExpenseStatus.SUBMITTED,), _("approved"))
    before = audit_snapshot(expense)
    _decide(actor, expense, ExpenseStatus.APPROVED)
    return _write(actor, expense, before, "expense.approve", events.EXPENSE_APPROVED)


@transaction.atomic
def expense_reject(*, actor: Actor, expense: Expense, reason: str) -> Expense:
    """``submitted → rejected`` with a reason shown to the employee (``time.expense.rejected``)."""
    _require_approver(actor, expense)
    text = _reason(reason)
    _locked(expense)
    _require_status(expense, (ExpenseStatus.SUBMITTED,), _("rejected"))
    before = audit_snapshot(expense)
    _decide(actor, expense, ExpenseStatus.REJECTED, text)
    return _write(actor, expense, before, "expense.reject", events.EXPENSE_REJECTED)


def _reference(value: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({"reference": _("Give the payment's reference.")})
    if len(text) > REFERENCE_MAX_LENGTH:
        raise ValidationError({"reference": _("At most %(max)s characters.") % {"max": REFERENCE_MAX_LENGTH}})
    return text


@transaction.atomic
def mark_reimbursed(expenses: Iterable[Expense], reference: str, actor: Actor) -> list[Expense]:
    """``approved → reimbursed`` for many expenses at once, with one payment reference (payroll's
    mark-paid; an admin's button). All or nothing: any expense that is not approved is a 409.
    Owners, admins and organisation-wide credentials (system jobs included)."""
    if not actor.sees_whole_organisation:
        raise NotPermitted(_("Only owners and admins mark expenses reimbursed."))
    text = _reference(reference)
    ids = sorted({expense.pk for expense in expenses})
    rows = list(
        Expense.objects.select_for_update()
        .filter(organisation=actor.organisation, pk__in=ids)
        .select_related("organisation")
        .order_by("pk")
    )
    if len(rows) != len(ids):
        raise ValidationError({"expense_ids": _("Not found in this organisation.")})
    for row in rows:
        _require_status(row, (ExpenseStatus.APPROVED,), _("reimbursed"))
    now, changes = timezone.now(), []
    for row in rows:
        before = audit_snapshot(row)
        row.status, row.reimbursed_at, row.reimbursement_reference = ExpenseStatus.REIMBURSED, now, text
        row.updated_at = now
        changes.append((row, before, audit_snapshot(row)))
    Expense.objects.bulk_update(rows, ["status", "reimbursed_at", "reimbursement_reference", "updated_at"])
    audit_changes(actor=actor, action="expense.mark_reimbursed", changes=changes)
    record_events(
        actor.organisation, [(events.EXPENSE_REIMBURSED, events.expense_payload(row)) for row in rows], actor=actor
    )
    return rows


@transaction.atomic
def expense_mark_reimbursed(*, actor: Actor, expense: Expense, reference: str) -> Expense:
    """One approved expense paid back, with the payment's reference (``time.expense.reimbursed``)."""
    mark_reimbursed([expense], reference, actor)
    expense.refresh_from_db()
    return expense
