"""The TrackTik connection of an organisation, its sync runs, our copy of TrackTik's sites,
positions and approved shifts (the sources of the billing and SCR reports), and the uploaded
SCR matches and invoice reconciliations."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import TenantModel, TenantQuerySet
from trackyoursheets.jobs import BackgroundJob, JobFields

from .choices import ShiftState

RATE = {"max_digits": 12, "decimal_places": 2}
HOURS = {"max_digits": 9, "decimal_places": 2}


class TracktikConnection(TenantModel):
    """How an organisation reaches its TrackTik server. The client secret and the password are
    stored encrypted (``integrations.crypto``) and never leave the server: the API shows them as
    set or not set. One row per organisation."""

    unbounded_text_fields = ("client_secret_encrypted", "password_encrypted")

    base_url = models.URLField(_("base URL"), max_length=300, blank=True)
    client_id = models.CharField(_("client id"), max_length=200, blank=True)
    client_secret_encrypted = models.TextField(_("client secret (encrypted)"), blank=True, editable=False)
    username = models.CharField(_("username"), max_length=200, blank=True)
    password_encrypted = models.TextField(_("password (encrypted)"), blank=True, editable=False)
    enabled = models.BooleanField(_("enabled"), default=False)
    sync_interval_minutes = models.PositiveIntegerField(
        _("sync every (minutes)"),
        default=0,
        validators=[MaxValueValidator(10080)],
        help_text=_("0: only when someone presses Sync now."),
    )
    trust_approval = models.BooleanField(
        _("trust TrackTik's approval"),
        default=False,
        help_text=_("On: synced shifts are approved on our timesheets. Off: they wait for our approval."),
    )
    lookback_days = models.PositiveSmallIntegerField(
        _("incremental look-back (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
        help_text=_("An incremental sync re-reads shifts starting this many days before the last successful sync."),
    )
    sync_from = models.DateField(
        _("sync shifts from"), null=True, blank=True, help_text=_("A full resync reads shifts from this day on.")
    )
    watermark = models.DateTimeField(_("last successful sync started at"), null=True, blank=True, editable=False)
    last_sync_at = models.DateTimeField(_("last sync finished at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("TrackTik connection")
        constraints = [
            models.UniqueConstraint(fields=["organisation"], name="tracktik_tracktikconnection_unique_organisation"),
        ]

    def __str__(self) -> str:
        return f"TrackTik connection of organisation {self.organisation_id}"

    @property
    def client_secret_set(self) -> bool:
        return bool(self.client_secret_encrypted)

    @property
    def password_set(self) -> bool:
        return bool(self.password_encrypted)


class TracktikSyncRun(BackgroundJob, TenantModel):
    """One sync (incremental or full): its progress, counts and the errors of single records
    (each with the TrackTik record id); a failure reason when the run itself failed."""

    job_fields = JobFields()

    full = models.BooleanField(_("full resync"), default=False)
    window_start = models.DateField(_("shifts from"), null=True, blank=True)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    removed_count = models.PositiveIntegerField(_("removed"), default=0)
    flagged_count = models.PositiveIntegerField(_("flagged"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    #: TrackTik's approved off-periods imported as approved leave (``services.off_periods``)
    leave_created_count = models.PositiveIntegerField(_("leave created"), default=0)
    leave_updated_count = models.PositiveIntegerField(_("leave replaced"), default=0)
    leave_unchanged_count = models.PositiveIntegerField(_("leave unchanged"), default=0)
    leave_withdrawn_count = models.PositiveIntegerField(_("leave withdrawn"), default=0)
    errors = models.JSONField(_("record errors"), default=list, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("TrackTik sync run")

    def __str__(self) -> str:
        return f"TrackTik sync #{self.pk} ({self.status})"


class TracktikSite(TenantModel):
    """A TrackTik client/site: its time client and the project its shifts go to (created on
    first sight, named after the site's ``customId``). ``building_code`` defaults to the
    ``customId``; an admin may map it to another SCR building code."""

    tracktik_id = models.PositiveBigIntegerField(_("TrackTik id"))
    custom_id = models.CharField(_("custom id"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=200)
    region = models.CharField(_("region"), max_length=200, blank=True)
    building_code = models.CharField(_("building code"), max_length=100, blank=True)
    client = models.ForeignKey("timetracking.Client", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("timetracking.Project", on_delete=models.PROTECT, related_name="+")
    bill_rate = models.DecimalField(_("bill rate"), null=True, blank=True, **RATE)

    class Meta:
        ordering = ["custom_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "tracktik_id"], name="tracktik_tracktiksite_unique_tracktik_id"
            ),
        ]

    def __str__(self) -> str:
        return self.custom_id or self.name

    @property
    def code(self) -> str:
        return self.building_code or self.custom_id


class TracktikPosition(TenantModel):
    """A TrackTik position (security post) with its ``postPositionCode`` and bill rate."""

    tracktik_id = models.PositiveBigIntegerField(_("TrackTik id"))
    name = models.CharField(_("name"), max_length=200)
    post_position_code = models.CharField(_("post position code"), max_length=100, blank=True)
    site = models.ForeignKey(TracktikSite, on_delete=models.SET_NULL, null=True, blank=True, related_name="positions")
    bill_rate = models.DecimalField(_("bill rate"), null=True, blank=True, **RATE)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "tracktik_id"], name="tracktik_tracktikposition_unique_tracktik_id"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TracktikContract(TenantModel):
    """A TrackTik client contract (``/contracts``; fields assumed, docs/api-guide.md): its site
    (the client it is for), dates and status, and the bill rates its bill items give it:
    ``bill_rate`` for the whole client and ``position_rates`` (TrackTik position id → rate as a
    string) per position. The billing report prices a week with the contract in force on it."""

    tracktik_id = models.PositiveBigIntegerField(_("TrackTik id"))
    custom_id = models.CharField(_("custom id"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    site = models.ForeignKey(TracktikSite, on_delete=models.SET_NULL, null=True, blank=True, related_name="contracts")
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=50, blank=True)
    bill_rate = models.DecimalField(_("bill rate"), null=True, blank=True, **RATE)
    position_rates = models.JSONField(_("bill rates per position"), default=dict, blank=True)

    class Meta:
        ordering = ["site_id", "start_date", "id"]
        verbose_name = _("TrackTik contract")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "tracktik_id"], name="tracktik_tracktikcontract_unique_tracktik_id"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.custom_id or str(self.tracktik_id)


class TracktikPayCode(TenantModel):
    """A TrackTik pay code (``/pay-codes``, else ``/payroll-codes``) and our pay code it maps to:
    matched on sync by external code, then code, then name, unless an admin chose by hand
    (``mapped_by_hand``: later syncs keep that choice). The payroll app is referred to by name
    only (the connector reads it through ``payroll.selectors``)."""

    tracktik_id = models.PositiveBigIntegerField(_("TrackTik id"))
    code = models.CharField(_("code"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    pay_code = models.ForeignKey(
        "payroll.PayCode",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("our pay code"),
    )
    mapped_by_hand = models.BooleanField(_("mapped by hand"), default=False)

    class Meta:
        ordering = ["code", "id"]
        verbose_name = _("TrackTik pay code")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "tracktik_id"], name="tracktik_tracktikpaycode_unique_tracktik_id"
            ),
        ]

    def __str__(self) -> str:
        return self.code or self.name or str(self.tracktik_id)


class TracktikShiftQuerySet(TenantQuerySet):
    def billable(self) -> TracktikShiftQuerySet:
        return self.exclude(state=ShiftState.REMOVED)


class TracktikShift(TenantModel):
    """Our copy of an approved TrackTik shift and the time entry it became. ``start``, ``end``
    and ``hours`` are the **scheduled** shift (the billing and SCR reports' hours);
    ``clock_in``/``clock_out`` its work sessions (null without any) and ``worked_hours`` the
    time entry's net worked hours after ``unpaid_break_hours``. ``fingerprint``
    detects a changed shift without comparing every field; ``state`` says whether it is synced,
    removed (gone or no longer approved) or flagged (changed or gone inside a locked period)."""

    tracktik_id = models.PositiveBigIntegerField(_("TrackTik id"))
    employee = models.ForeignKey("hr.Employee", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(TracktikSite, on_delete=models.PROTECT, related_name="shifts")
    position = models.ForeignKey(
        TracktikPosition, on_delete=models.SET_NULL, null=True, blank=True, related_name="shifts"
    )
    start = models.DateTimeField(_("started on"))
    end = models.DateTimeField(_("ended on"))
    hours = models.DecimalField(_("hours"), default=Decimal("0"), **HOURS)
    holiday = models.BooleanField(_("holiday"), default=False)
    clock_in = models.DateTimeField(_("clocked in"), null=True, blank=True)
    clock_out = models.DateTimeField(_("clocked out"), null=True, blank=True)
    worked_hours = models.DecimalField(
        _("worked hours"),
        default=Decimal("0"),
        help_text=_("Net of unpaid breaks: the time entry's hours (the payroll source)."),
        **HOURS,
    )
    unpaid_break_hours = models.DecimalField(_("unpaid break hours"), default=Decimal("0"), **HOURS)
    pay_code = models.ForeignKey(
        TracktikPayCode,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shifts",
        help_text=_("The TrackTik pay code of the shift (or of its work session), when it has one."),
    )
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    state = models.CharField(_("state"), max_length=10, choices=ShiftState.choices, default=ShiftState.SYNCED)
    flag_reason = models.CharField(_("why flagged"), max_length=300, blank=True)
    time_entry_id = models.PositiveBigIntegerField(_("time entry"), null=True, blank=True)

    objects = TracktikShiftQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "tracktik_id"], name="tracktik_tracktikshift_unique_tracktik_id"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "start"], name="tracktik_shift_org_start")]

    def __str__(self) -> str:
        return f"TrackTik shift {self.tracktik_id}"


class TracktikScrMatch(TenantModel):
    """An uploaded Security Coverage Request matched against the synced shifts: per post and
    day covered / under / over / unrequested, with the hours and the shifts behind each."""

    filename = models.CharField(_("file name"), max_length=255, blank=True)
    first_day = models.DateField(_("first day"), null=True, blank=True)
    last_day = models.DateField(_("last day"), null=True, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    lines = models.JSONField(_("lines"), default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("SCR match")
        verbose_name_plural = _("SCR matches")

    def __str__(self) -> str:
        return f"SCR match #{self.pk}"


class TracktikInvoiceReconciliation(TenantModel):
    """Uploaded invoice lines (client, week, hours, amount) compared with TrackTik's hours."""

    filename = models.CharField(_("file name"), max_length=255, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    lines = models.JSONField(_("lines"), default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invoice reconciliation")

    def __str__(self) -> str:
        return f"Invoice reconciliation #{self.pk}"
