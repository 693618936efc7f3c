"""The commission ledger (issue 6): carriers, categories, policies, commission transactions
and their append-only overrides (rule sets live in ``rules.py``, statement imports in ``imports.py``).

Money is ``Decimal`` with two places (``DecimalField(max_digits=14, decimal_places=2)``);
every percentage (rates, splits, override percents) has four places
(``max_digits=7, decimal_places=4``), so thirds split exactly enough (33.3333 + 33.3333 +
33.3334 = 100). A producer's amount is never typed: ``payroll.services`` derives it from
the gross commission, the split and the latest override.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from organisations.choices import Role
from organisations.models import Organisation, Producer, TenantModel, TenantQuerySet, User, Workspace
from trackyoursheets.statement_keys import CheckedForeignKey

from ..choices import (
    CategoryKind,
    DateFormat,
    OverrideKind,
    PolicyStatus,
    TransactionSource,
    TransactionStatus,
    TransactionType,
)

__all__ = [
    "MONEY",
    "PERCENT",
    "money",
    "Carrier",
    "Category",
    "Policy",
    "PolicyProducer",
    "CommissionTransaction",
    "CommissionOverride",
]

#: field options of every amount of money
MONEY = {"max_digits": 14, "decimal_places": 2}
#: field options of every percentage (0-100 with four places)
PERCENT = {"max_digits": 7, "decimal_places": 4}
CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def money(value: Decimal) -> Decimal:
    """Round to cents, half up (the way statements round)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def percent_validators() -> list:
    return [MinValueValidator(Decimal("0")), MaxValueValidator(HUNDRED)]


def _commission_readers(actor) -> bool:
    """Owners, admins, managers and organisation-wide credentials see rates and rule sets."""
    return actor.sees_whole_organisation or actor.role == Role.MANAGER


def _producer_filter(actor) -> dict | None:
    """Lookups naming the actor's own producer, with portal access on; None when the actor is no producer."""
    if actor.impersonated_producer_id:
        return {"pk": actor.impersonated_producer_id, "portal_access": True}
    if actor.role == Role.PRODUCER and actor.membership is not None:
        return {"membership": actor.membership, "portal_access": True}
    return None


# =============================================================================
# Reference data: categories, carriers
# =============================================================================


class Category(TenantModel):
    """A tag of the organisation: a line of business (Auto, Home, ...) or a revenue status
    (Raw, Existing, Renewal, ...). Names are unique per organisation and kind."""

    kind = models.CharField(_("kind"), max_length=20, choices=CategoryKind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        ordering = ["kind", "name", "id"]
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "name"],
                name="payroll_category_unique_kind_name",
                violation_error_message=_("A category of this kind with this name already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Carrier(TenantModel):
    """An insurance carrier that pays commissions: its statement date format, the rule set
    that computes commission when a statement lacks it, and the column mapping saved for
    its statement imports. The code is unique per organisation."""

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=50)
    statement_date_format = models.CharField(
        _("statement date format"), max_length=20, choices=DateFormat.choices, default=DateFormat.ISO
    )
    default_rule_set = models.ForeignKey(
        "payroll.CommissionRuleSet",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carriers",
        verbose_name=_("default rule set"),
    )
    column_mapping = models.JSONField(
        _("column mapping"),
        default=dict,
        blank=True,
        help_text=_('Statement column header -> ledger field, e.g. {"Comm Amt": "gross_commission"}.'),
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"],
                name="payroll_carrier_unique_code",
                violation_error_message=_("A carrier with this code already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(default_rule_set=self.default_rule_set)
        mapping = self.column_mapping
        if not isinstance(mapping, dict) or any(
            not isinstance(k, str) or not isinstance(v, str) for k, v in mapping.items()
        ):
            errors["column_mapping"] = _("Must be an object of column header to field name (both strings).")
        if errors:
            raise ValidationError(errors)


def _check_kind(errors: dict, field: str, category, kind: str) -> None:
    if category is not None and category.kind != kind:
        errors.setdefault(field, _("Must be a category of kind %(kind)s.") % {"kind": kind})


# =============================================================================
# Policies and their writing producers
# =============================================================================


class PolicyQuerySet(TenantQuerySet):
    def restrict_to(self, actor) -> PolicyQuerySet:
        """Whole organisation: all; managers: policies written by a producer of their office;
        producers: their own policies, only with portal access; everyone else: none."""
        if actor.sees_whole_organisation:
            return self
        links = PolicyProducer.objects.filter(policy=OuterRef("pk"))
        if actor.role == Role.MANAGER and actor.membership.office_id:
            return self.filter(Exists(links.filter(producer__workspace__office_id=actor.membership.office_id)))
        producer = _producer_filter(actor)
        if producer is None:
            return self.none()
        return self.filter(Exists(links.filter(**{f"producer__{k}": v for k, v in producer.items()})))


class Policy(TenantModel):
    """An insurance policy of the book of business, written by one or more producers whose
    splits total 100%. The number is unique per organisation and carrier; the expiry date
    is on or after the effective date."""

    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, related_name="policies")
    number = models.CharField(_("policy number"), max_length=100)
    customer_name = models.CharField(_("customer name"), max_length=200, blank=True)
    line_of_business = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("line of business"),
    )
    premium = models.DecimalField(_("premium"), default=Decimal("0.00"), **MONEY)
    effective_date = models.DateField(_("effective date"))
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PolicyStatus.choices, default=PolicyStatus.ACTIVE, db_index=True
    )
    producers = models.ManyToManyField(Producer, through="PolicyProducer", related_name="policies", blank=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        ordering = ["number", "id"]
        verbose_name_plural = _("policies")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "carrier", "number"],
                name="payroll_policy_unique_carrier_number",
                violation_error_message=_("This carrier already has a policy with this number."),
            ),
            models.CheckConstraint(
                condition=models.Q(expiry_date__isnull=True) | models.Q(expiry_date__gte=models.F("effective_date")),
                name="payroll_policy_expiry_after_effective",
                violation_error_message=_("The expiry date cannot be before the effective date."),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(
            carrier=getattr(self, "carrier", None), line_of_business=self.line_of_business
        )
        _check_kind(errors, "line_of_business", self.line_of_business, CategoryKind.LINE_OF_BUSINESS)
        if self.expiry_date and self.effective_date and self.expiry_date < self.effective_date:
            errors["expiry_date"] = _("The expiry date cannot be before the effective date.")
        if errors:
            raise ValidationError(errors)


class PolicyProducer(TenantModel):
    """A writing producer of a policy and their split (the splits of a policy total 100%,
    checked by ``policy_create``/``policy_update``)."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="producer_links")
    producer = models.ForeignKey(Producer, on_delete=models.PROTECT, related_name="policy_links")
    split_percent = models.DecimalField(_("split %"), default=HUNDRED, validators=percent_validators(), **PERCENT)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "producer"], name="payroll_policyproducer_unique_producer"),
        ]

    def __str__(self) -> str:
        return f"{self.producer} ({self.split_percent}%)"

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(
            policy=getattr(self, "policy", None), producer=getattr(self, "producer", None)
        )
        if errors:
            raise ValidationError(errors)


# =============================================================================
# The ledger
# =============================================================================


class CommissionTransactionQuerySet(TenantQuerySet):
    def restrict_to(self, actor) -> CommissionTransactionQuerySet:
        """Whole organisation: all; managers: lines of their office's workspaces; a producer:
        their own lines, and only while their portal access is on; HR and employees: none."""
        if actor.sees_whole_organisation:
            return self
        if actor.role == Role.MANAGER and actor.membership.office_id:
            return self.filter(workspace__office_id=actor.membership.office_id)
        producer = _producer_filter(actor)
        if producer is None:
            return self.none()
        return self.filter(**{f"producer__{k}": v for k, v in producer.items()})


class CommissionTransaction(TenantModel):
    """One ledger line: what a carrier paid on a policy for a statement period, and the
    producer's share. ``producer_amount`` is derived by the services (gross commission x
    split, or the latest override), never typed. Status moves pending -> reconciled ->
    approved -> paid (or disputed) through ``transaction_transition`` only."""

    # no index of its own (issue 13 point 14, payroll 0009): every query of the ledger filters
    # by organisation first and the composite indexes in Meta lead with it. The keys every
    # imported line carries (organisation, policy, producer, carrier, workspace, import row) are
    # checked once per statement, not per row (trackyoursheets.statement_keys, payroll 0014).
    organisation = CheckedForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("organisation")
    )
    policy = CheckedForeignKey(Policy, on_delete=models.PROTECT, null=True, blank=True, related_name="transactions")
    producer = CheckedForeignKey(Producer, on_delete=models.PROTECT, related_name="commission_transactions")
    carrier = CheckedForeignKey(Carrier, on_delete=models.PROTECT, related_name="transactions")
    workspace = CheckedForeignKey(
        Workspace, on_delete=models.PROTECT, null=True, blank=True, related_name="commission_transactions"
    )
    # Indexes are chosen for what the ledger is asked (every index is paid on each imported
    # line): lists and reports filter by organisation first, so the composite indexes in Meta
    # serve period and date ranges; categories, rules and overrides are never looked up from
    # here in bulk (deleting one of them is rare, and a scan then is fine).
    line_of_business = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("line of business"),
        db_index=False,
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Revenue status."),
        db_index=False,
    )
    statement_period = models.DateField(
        _("statement period"), help_text=_("The first day of the statement's month (YYYY-MM).")
    )
    transaction_date = models.DateField(_("transaction date"))
    premium = models.DecimalField(_("premium"), default=Decimal("0.00"), **MONEY)
    gross_commission = models.DecimalField(_("gross commission"), **MONEY)
    split_percent = models.DecimalField(_("split %"), validators=percent_validators(), **PERCENT)
    producer_amount = models.DecimalField(
        _("producer amount"), editable=False, help_text=_("Derived: gross x split, or the latest override."), **MONEY
    )
    type = models.CharField(_("type"), max_length=20, choices=TransactionType.choices, default=TransactionType.NEW)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=TransactionStatus.choices,
        default=TransactionStatus.PENDING,
        editable=False,
    )
    source = models.CharField(
        _("source"), max_length=20, choices=TransactionSource.choices, default=TransactionSource.MANUAL
    )
    external_id = models.CharField(_("external id"), max_length=200, blank=True)
    commission_rule = models.ForeignKey(
        "payroll.CommissionRule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        help_text=_("The rule that computed the gross commission, when the line did not carry one."),
        db_index=False,
    )
    latest_override = models.ForeignKey(
        "CommissionOverride",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        db_index=False,
    )
    notes = models.TextField(_("notes"), blank=True)
    # issue 6 point 3 (statement imports): the statement row a line came from, and the line a
    # chargeback takes back (issue 13 point 5: or the paid line an adjustment corrects).
    # PROTECT: a batch whose lines exist cannot be deleted, and a line that a later
    # chargeback reverses cannot be rolled back from under it.
    import_row = CheckedForeignKey(
        "payroll.ImportRow",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transactions",
        editable=False,
        help_text=_("The statement row this line was imported from."),
    )
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chargebacks",
        editable=False,
        db_index=False,  # the partial index below: most lines reverse nothing
        help_text=_(
            "For a chargeback: the line whose commission it takes back; for an adjustment: the line it corrects."
        ),
    )

    objects = CommissionTransactionQuerySet.as_manager()

    class Meta:
        ordering = ["-transaction_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=~models.Q(external_id=""),
                name="payroll_commissiontransaction_unique_external_id",
                violation_error_message=_("A transaction with this external id already exists."),
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "statement_period"], name="payroll_txn_org_period"),
            models.Index(fields=["organisation", "transaction_date"], name="payroll_txn_org_date"),
            # issue 6 point 3: the chargebacks of a line (rollback checks), without indexing every NULL
            models.Index(fields=["reverses"], condition=models.Q(reverses__isnull=False), name="payroll_txn_reverses"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.gross_commission} ({self.transaction_date})"

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(
            policy=self.policy,
            producer=getattr(self, "producer", None),
            carrier=getattr(self, "carrier", None),
            workspace=self.workspace,
            line_of_business=self.line_of_business,
            category=self.category,
        )
        _check_kind(errors, "line_of_business", self.line_of_business, CategoryKind.LINE_OF_BUSINESS)
        _check_kind(errors, "category", self.category, CategoryKind.REVENUE_STATUS)
        if self.statement_period and self.statement_period.day != 1:
            errors["statement_period"] = _("Use the first day of the month (YYYY-MM).")
        carrier = getattr(self, "carrier", None)
        if self.policy is not None and carrier is not None and self.policy.carrier_id != carrier.pk:
            errors.setdefault("policy", _("The policy belongs to another carrier."))
        if (
            self.type in (TransactionType.NEW, TransactionType.RENEWAL)
            and self.gross_commission is not None
            and self.gross_commission < 0
        ):
            errors["gross_commission"] = _("Negative commission is a chargeback.")
        if self.type == TransactionType.CHARGEBACK and self.gross_commission is not None and self.gross_commission > 0:
            errors["gross_commission"] = _("A chargeback's commission cannot be positive.")
        if errors:
            raise ValidationError(errors)


class CommissionOverride(TenantModel):
    """An append-only correction of a producer's amount: a flat amount, a percent of the
    premium or another split of the gross commission. The gross is never overwritten; the
    transaction's amount is derived from its base and the latest override, so repeating an
    override cannot compound. ``resulting_amount`` records what the amount became."""

    transaction = models.ForeignKey(CommissionTransaction, on_delete=models.PROTECT, related_name="overrides")
    kind = models.CharField(_("kind"), max_length=20, choices=OverrideKind.choices)
    value = models.DecimalField(
        _("value"),
        max_digits=14,
        decimal_places=4,
        help_text=_("An amount for flat; a percentage (0-100) for percent_of_premium and split."),
    )
    reason = models.TextField(_("reason"), error_messages={"blank": _("Say why the amount is overridden.")})
    previous_amount = models.DecimalField(_("previous amount"), **MONEY)
    resulting_amount = models.DecimalField(_("resulting amount"), **MONEY)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by_label = models.CharField(_("created by"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(transaction=getattr(self, "transaction", None))
        if self.value is not None:
            if self.kind == OverrideKind.FLAT and self.value != self.value.quantize(CENT):
                errors["value"] = _("A flat amount has at most two decimal places.")
            if self.kind in (OverrideKind.PERCENT_OF_PREMIUM, OverrideKind.SPLIT) and not (
                Decimal("0") <= self.value <= HUNDRED
            ):
                errors["value"] = _("A percentage is between 0 and 100.")
        if errors:
            raise ValidationError(errors)
