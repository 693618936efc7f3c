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
OVERRIDABLE_STATUSES = frozenset(
    {TransactionStatus.PENDING, TransactionStatus.RECONCILED, TransactionStatus.DISPUTED}
)


class TransactionSource(models.TextChoices):
    IMPORT = "import", _("Import")
    MANUAL = "manual", _("Manual")
    API = "api", _("API")


class OverrideKind(models.TextChoices):
    FLAT = "flat", _("Flat amount")
    PERCENT_OF_PREMIUM = "percent_of_premium", _("Percent of premium")
    SPLIT = "split", _("Split percent of gross commission")
