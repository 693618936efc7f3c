"""Choices of the commission ledger (issue 6)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CategoryKind(models.TextChoices):
    LINE_OF_BUSINESS = "line_of_business", _("Line of business")
    REVENUE_STATUS = "revenue_status", _("Revenue status")


class DateFormat(models.TextChoices):
    """How a carrier writes dates in its statements (never guessed: D/M and M/D are distinct)."""

    ISO = "%Y-%m-%d", _("YYYY-MM-DD")
    US = "%m/%d/%Y", _("MM/DD/YYYY")
    EUROPEAN = "%d/%m/%Y", _("DD/MM/YYYY")
    US_DASHED = "%m-%d-%Y", _("MM-DD-YYYY")
    EUROPEAN_DOTTED = "%d.%m.%Y", _("DD.MM.YYYY")


class PolicyStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PENDING = "pending", _("Pending")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


class BusinessType(models.TextChoices):
    """Which business a commission rule applies to."""

    ANY = "any", _("Any")
    NEW = "new", _("New business")
    RENEWAL = "renewal", _("Renewal")


class CommissionBasis(models.TextChoices):
    PERCENT_OF_PREMIUM = "percent_of_premium", _("Percent of premium")
    PERCENT_OF_GROSS = "percent_of_gross", _("Percent of gross commission")
    FLAT = "flat", _("Flat amount")


class TransactionType(models.TextChoices):
    NEW = "new", _("New business")
    RENEWAL = "renewal", _("Renewal")
    CHARGEBACK = "chargeback", _("Chargeback")
    ADJUSTMENT = "adjustment", _("Adjustment")


class TransactionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RECONCILED = "reconciled", _("Reconciled")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    DISPUTED = "disputed", _("Disputed")


#: the ledger's state machine: status -> the statuses it may move to (``transaction_transition``)
TRANSACTION_TRANSITIONS: dict[str, frozenset[str]] = {
    TransactionStatus.PENDING: frozenset({TransactionStatus.RECONCILED, TransactionStatus.DISPUTED}),
    TransactionStatus.RECONCILED: frozenset(
        {TransactionStatus.APPROVED, TransactionStatus.DISPUTED, TransactionStatus.PENDING}
    ),
    TransactionStatus.APPROVED: frozenset({TransactionStatus.PAID, TransactionStatus.DISPUTED}),
    TransactionStatus.DISPUTED: frozenset({TransactionStatus.PENDING, TransactionStatus.RECONCILED}),
    TransactionStatus.PAID: frozenset(),
}

#: a transaction's fields may be edited only in these statuses
EDITABLE_STATUSES = frozenset({TransactionStatus.PENDING, TransactionStatus.DISPUTED})
#: overrides may be added until the line is approved
OVERRIDABLE_STATUSES = frozenset({TransactionStatus.PENDING, TransactionStatus.RECONCILED, TransactionStatus.DISPUTED})


class TransactionSource(models.TextChoices):
    IMPORT = "import", _("Import")
    MANUAL = "manual", _("Manual")
    API = "api", _("API")


class OverrideKind(models.TextChoices):
    FLAT = "flat", _("Flat amount")
    PERCENT_OF_PREMIUM = "percent_of_premium", _("Percent of premium")
    SPLIT = "split", _("Split percent of gross commission")


# =============================================================================
# Statement imports (issue 6 point 3)
# =============================================================================


class ImportSource(models.TextChoices):
    CSV = "csv", _("CSV file")
    XLSX = "xlsx", _("Excel workbook")
    JSON = "json", _("JSON payouts")


class ImportStatus(models.TextChoices):
    """Where a batch stands: queued -> processing -> review -> finalised or rolled back;
    failed when the file itself cannot be read; split when its rows went to one batch per carrier."""

    QUEUED = "queued", _("Queued")
    PROCESSING = "processing", _("Processing")
    REVIEW = "review", _("Ready for review")
    FINALISED = "finalised", _("Finalised")
    ROLLED_BACK = "rolled_back", _("Rolled back")
    FAILED = "failed", _("Failed")
    SPLIT = "split", _("Split by carrier")


class RowStatus(models.TextChoices):
    """The match status of one statement row."""

    MATCHED = "matched", _("Matched")
    UNMATCHED = "unmatched", _("Unmatched")  # waits in the exception queue
    DUPLICATE = "duplicate", _("Duplicate")  # already imported (or twice in the file): skipped
    ERROR = "error", _("Error")  # could not be read: the reasons name the line
    SKIPPED = "skipped", _("Skipped")  # a person left it out of the ledger


class MatchMethod(models.TextChoices):
    """How a row's producer was found (the confidence follows from it)."""

    NONE = "", _("Not matched")
    ALIAS = "alias", _("Learned alias")
    PRODUCER_CODE = "producer_code", _("Producer code")
    EMAIL = "email", _("Producer email")
    NAME = "name", _("Producer name")
    POLICY = "policy", _("Policy's writing producers")
    ONLY_PRODUCER = "only_producer", _("The workspace's only producer")
    PERSON = "person", _("Matched by a person")


class AliasKind(models.TextChoices):
    PRODUCER = "producer", _("Producer")
    POLICY = "policy", _("Policy")
    CARRIER = "carrier", _("Carrier")


#: statuses in which a batch can still change (rows matched, finalised or rolled back)
IMPORT_OPEN_STATUSES = frozenset({ImportStatus.REVIEW})
#: rows that stop a batch from being finalised until a person matches or skips them
ROW_NEEDS_ATTENTION = frozenset({RowStatus.UNMATCHED, RowStatus.ERROR})


# =============================================================================
# Payroll runs (issue 18)
# =============================================================================


class PayFrequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    BIWEEKLY = "biweekly", _("Every two weeks")
    SEMI_MONTHLY = "semi_monthly", _("Twice a month")
    MONTHLY = "monthly", _("Monthly")


class PayCodeKind(models.TextChoices):
    REGULAR = "regular", _("Regular")
    OVERTIME = "overtime", _("Overtime")
    DOUBLE_TIME = "double_time", _("Double time")
    HOLIDAY = "holiday", _("Holiday")
    SICK = "sick", _("Sick")
    VACATION = "vacation", _("Vacation")
    COMMISSION = "commission", _("Commission")
    REIMBURSEMENT = "reimbursement", _("Reimbursement")
    BONUS = "bonus", _("Bonus")
    DEDUCTION = "deduction", _("Deduction")
    CUSTOM = "custom", _("Custom")


class PayrollRunStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    READY = "ready", _("Ready")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


#: the run's state machine: status -> the statuses it may move to
RUN_TRANSITIONS: dict[str, frozenset[str]] = {
    PayrollRunStatus.DRAFT: frozenset({PayrollRunStatus.READY, PayrollRunStatus.CANCELLED}),
    PayrollRunStatus.READY: frozenset({PayrollRunStatus.PAID, PayrollRunStatus.CANCELLED}),
    PayrollRunStatus.PAID: frozenset(),
    PayrollRunStatus.CANCELLED: frozenset(),
}


class SourceKind(models.TextChoices):
    """What a payroll line is paid from; each kind has a source adapter
    (``payroll.services.sources`` and ``payroll.services.sources_more``)."""

    TIME_ENTRY = "time_entry", _("Approved time")
    SALARY = "salary", _("Salary")
    COMMISSION_LINE = "commission_line", _("Commission ledger line")
    ADJUSTMENT = "adjustment", _("Manual adjustment")
    LEAVE = "leave", _("Approved paid leave")
    EXPENSE = "expense", _("Approved expense")
    HOLIDAY = "holiday", _("Paid holiday")


class AdjustmentKind(models.TextChoices):
    BONUS = "bonus", _("Bonus")
    DEDUCTION = "deduction", _("Deduction")
    CORRECTION = "correction", _("Correction")
