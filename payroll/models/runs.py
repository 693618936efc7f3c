"""Payroll runs (issue 18 point 3-5): a run, its entries (one per employee), its lines (each
with its source and computation), the source claims that keep any source from being paid twice,
manual adjustments and acknowledgements by finance integrations."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Q, Value
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation, TenantModel

from ..choices import AdjustmentKind, PayrollRunStatus, SourceKind
from .schedules import MULTIPLIER, PayCode, PayrollReadQuerySet, PaySchedule

__all__ = [
    "PayrollRun",
    "PayrollEntry",
    "PayrollLine",
    "PayrollSourceClaim",
    "PayrollAdjustment",
    "PayrollAcknowledgement",
    "NOTES_MAX_LENGTH",
]

NOTES_MAX_LENGTH = 1000
AMOUNT = {"max_digits": 14, "decimal_places": 2}
LIVE_CLAIM = Q(released=False)
#: claimed by employee and day(s) rather than by object (see :class:`PayrollSourceClaim`)
DAY_CLAIM_KINDS = [SourceKind.TIME_ENTRY, SourceKind.HOLIDAY]


class PostgresExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint on PostgreSQL; nothing elsewhere (SQLite, for development and the
    tests, has no such constraint: one writer at a time, the services' checks suffice there)."""

    def constraint_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().remove_sql(model, schema_editor)

    def validate(self, *args, **kwargs):
        """Checked by the database when the claims are written (they are written in bulk)."""


class Int8Range(Func):
    """``int8range``: the employee of payroll 0010's exclusion constraint (migrations name it)."""

    function = "int8range"


class DateRange(Func):
    function = "daterange"
    output_field = DateRangeField()


class PayrollRun(TenantModel):
    """One payroll run: ``draft → ready → paid`` (or cancelled from draft or ready). A scheduled
    run covers one period of its schedule (at most one live run per schedule and period, by the
    database); an off-cycle run names its employees and dates."""

    pay_schedule = models.ForeignKey(PaySchedule, on_delete=models.PROTECT, null=True, blank=True, related_name="runs")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    pay_date = models.DateField(_("pay date"))
    off_cycle = models.BooleanField(_("off-cycle"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=PayrollRunStatus.choices, default=PayrollRunStatus.DRAFT, db_index=True
    )
    stale = models.BooleanField(
        _("stale"), default=False, help_text=_("A source changed since the draft was computed: recalculate.")
    )
    notes = models.TextField(_("notes"), max_length=NOTES_MAX_LENGTH, blank=True)
    gross_total = models.DecimalField(_("gross total"), default=Decimal("0"), **AMOUNT)
    employee_count = models.PositiveIntegerField(_("employees"), default=0)
    #: the off-cycle run's employees (a scheduled run's come from its schedule)
    employee_ids = models.JSONField(_("employee ids"), default=list, blank=True)
    created_by_label = models.CharField(_("created by"), max_length=300, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by_label = models.CharField(_("approved by"), max_length=300, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    paid_by_label = models.CharField(_("marked paid by"), max_length=300, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    objects = PayrollReadQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "pay_schedule", "period_start"],
                condition=Q(off_cycle=False) & ~Q(status=PayrollRunStatus.CANCELLED),
                name="payroll_run_one_live_per_period",
                violation_error_message=_("A run of this schedule and period already exists."),
            ),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="payroll_run_dates"),
        ]
        indexes = [models.Index(fields=["organisation", "status", "-period_start"], name="payroll_run_org_status")]

    def __str__(self) -> str:
        return f"Payroll {self.period_start} – {self.period_end} ({self.status})"


class PayrollEntry(TenantModel):
    """One employee in a run: their gross pay, hours and amounts by pay code, and warnings."""

    run = models.ForeignKey(PayrollRun, on_delete=models.CASCADE, related_name="entries")
    employee = models.ForeignKey("hr.Employee", on_delete=models.PROTECT, related_name="+")
    gross = models.DecimalField(_("gross"), default=Decimal("0"), **AMOUNT)
    hours_by_code = models.JSONField(_("hours by pay code"), default=dict)
    amounts_by_code = models.JSONField(_("amounts by pay code"), default=dict)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)

    objects = PayrollReadQuerySet.as_manager()

    class Meta:
        ordering = ["run_id", "employee_id", "id"]
        constraints = [models.UniqueConstraint(fields=["run", "employee"], name="payroll_entry_one_per_employee")]


class PayrollLine(TenantModel):
    """One line of pay: ``hours × rate × multiplier`` (time) or an amount (salary, commission,
    adjustment), rounded half-up to the cent once; ``sources`` name what it pays."""

    run = models.ForeignKey(PayrollRun, on_delete=models.CASCADE, related_name="lines")
    entry = models.ForeignKey(PayrollEntry, on_delete=models.CASCADE, related_name="lines")
    pay_code = models.ForeignKey(PayCode, on_delete=models.PROTECT, related_name="+")
    source_kind = models.CharField(_("source kind"), max_length=30, choices=SourceKind.choices)
    seconds = models.PositiveIntegerField(_("seconds"), null=True, blank=True)
    rate = models.DecimalField(_("rate"), max_digits=14, decimal_places=4, null=True, blank=True)
    multiplier = models.DecimalField(_("multiplier"), default=Decimal("1"), **MULTIPLIER)
    amount = models.DecimalField(_("amount"), **AMOUNT)
    explanation = models.CharField(_("explanation"), max_length=500)
    #: what the line pays, as stored: ``{"kind": ..., "id": ..., "url": ...}`` items, or groups of
    #: one kind ``{"kind": ..., "ids": [...], "url": "/v1/.../{id}"}`` (a run's time and ledger
    #: lines: ~100,000 sources); read them with :attr:`source_refs`
    sources = models.JSONField(_("sources"), default=list)
    position = models.PositiveIntegerField(default=0)

    objects = PayrollReadQuerySet.as_manager()

    class Meta:
        ordering = ["entry_id", "position", "id"]

    @property
    def source_refs(self) -> list[dict]:
        """The sources one by one, ``{"kind", "id", "url"}``, as the API shows them."""
        return expand_sources(self.sources)


def expand_sources(sources: list[dict]) -> list[dict]:
    """:attr:`PayrollLine.sources` (items and groups of one kind) as one item per source."""
    refs = []
    for source in sources:
        ids = source.get("ids")
        if ids is None:
            refs.append(source)
            continue
        kind, url = source["kind"], source.get("url")
        if url is None:
            refs.extend({"kind": kind, "id": pk} for pk in ids)
        else:
            head, _sep, tail = url.partition("{id}")
            refs.extend({"kind": kind, "id": pk, "url": f"{head}{pk}{tail}"} for pk in ids)
    return refs


class PayrollSourceClaim(TenantModel):
    """A source belongs to at most one non-cancelled run, enforced by the database among live
    (not released) claims; cancelling a run releases its claims.

    - Ledger lines, leave requests, expenses and adjustments: one claim per object, a partial
      unique constraint on ``(organisation, kind, object_id)``.
    - Time (kind ``time_entry``): time is only paid through approved timesheets, so a run claims
      **days of a timesheet**: one claim per employee and timesheet (``object_id`` the timesheet,
      ``day``..``day_to`` the days of it the run pays), not one per entry. On PostgreSQL an
      exclusion constraint (``payroll_claim_time_days``) keeps the day ranges of
      one employee's live time claims from overlapping, so no entry of those days can be paid by
      two runs; on every database a partial unique constraint on ``(organisation, kind, employee,
      day)`` refuses two claims starting the same day.
    - Paid holidays (kind ``holiday``): one claim per employee and holiday date (``object_id``
      the holiday), by the same unique constraint.
    """

    # a run writes ~100,000 claims (one per ledger line): no index on the timestamps, nor one on
    # the organisation or the employee alone (the constraints' indexes lead with the organisation,
    # the (employee, day) index serves the employee). Claims are written only by their run's own
    # transaction (``payroll.services.runs._insert_claims``), with the run's id, organisation and
    # employees, so the database checks none of those keys row by row (each checked key costs
    # ~0.35-0.5 s of PostgreSQL per 100,000 claims at commit). What keeps a source from being paid
    # twice is the constraints below. Runs are never deleted (they are cancelled); deleting an
    # organisation, a run or an employee still deletes their claims (Django's CASCADE, which does
    # not need the database's constraint).
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("organisation"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    run = models.ForeignKey(PayrollRun, on_delete=models.CASCADE, related_name="claims", db_constraint=False)
    kind = models.CharField(_("kind"), max_length=30, choices=SourceKind.choices)
    object_id = models.BigIntegerField(_("object id"))
    #: whose and which local day (for the timesheet reopen guard and "my pay"); time: the first day
    employee = models.ForeignKey(
        "hr.Employee",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    day = models.DateField(_("day"), null=True, blank=True)
    #: time claims: the last day of the timesheet's days claimed (inclusive)
    day_to = models.DateField(_("last day"), null=True, blank=True)
    released = models.BooleanField(_("released"), default=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "object_id"],
                condition=LIVE_CLAIM & ~Q(kind__in=DAY_CLAIM_KINDS),
                name="payroll_claim_once",
            ),
            models.UniqueConstraint(
                fields=["organisation", "kind", "employee", "day"],
                condition=LIVE_CLAIM & Q(kind__in=DAY_CLAIM_KINDS),
                name="payroll_claim_employee_day_once",
            ),
            PostgresExclusionConstraint(
                name="payroll_claim_time_days",
                expressions=[
                    # btree_gist's equality on the employee (created by payroll 0012 and by
                    # ``payroll.apps.ensure_btree_gist``): half the cost of an int8range per claim
                    (F("employee"), RangeOperators.EQUAL),
                    (DateRange(F("day"), F("day_to"), Value("[]")), RangeOperators.OVERLAPS),
                ],
                condition=LIVE_CLAIM & Q(kind=SourceKind.TIME_ENTRY),
            ),
        ]
        indexes = [
            # only claims by day (time, holidays, leave, expenses): not the 100,000 ledger lines of a run
            models.Index(fields=["employee", "day"], name="payroll_claim_employee_day", condition=Q(day__isnull=False))
        ]


class PayrollAdjustment(TenantModel):
    """A manual bonus, deduction or correction for one employee of a run, with its reason."""

    run = models.ForeignKey(PayrollRun, on_delete=models.CASCADE, related_name="adjustments")
    employee = models.ForeignKey("hr.Employee", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=AdjustmentKind.choices)
    amount = models.DecimalField(
        _("amount"),
        validators=[MinValueValidator(Decimal("-1000000")), MaxValueValidator(Decimal("1000000"))],
        **AMOUNT,
    )
    reason = models.CharField(_("reason"), max_length=500)
    created_by_label = models.CharField(_("created by"), max_length=300, blank=True)

    class Meta:
        ordering = ["id"]


class PayrollAcknowledgement(TenantModel):
    """A finance system (an OAuth client) or a person said it synced the run."""

    run = models.ForeignKey(PayrollRun, on_delete=models.CASCADE, related_name="acknowledgements")
    notes = models.TextField(_("notes"), max_length=NOTES_MAX_LENGTH, blank=True)
    by_label = models.CharField(_("by"), max_length=300)
    client_id = models.CharField(_("OAuth client id"), max_length=100, blank=True)
    membership = models.ForeignKey(
        "organisations.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
