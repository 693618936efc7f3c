"""Commission rule sets and their rules (issue 6): which business a rule matches and how it
computes the commission. Evaluation (which rule applies to a line) is a service:
``payroll.services.rules``."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import TenantModel, TenantQuerySet

from ..choices import BusinessType, CategoryKind, CommissionBasis
from .ledger import (
    HUNDRED,
    MONEY,
    PERCENT,
    Carrier,
    Category,
    _check_kind,
    _commission_readers,
    money,
    percent_validators,
)

__all__ = ["CommissionRuleSet", "CommissionRule"]

# =============================================================================
# Commission rules
# =============================================================================


class CommissionRuleSetQuerySet(TenantQuerySet):
    def restrict_to(self, actor) -> CommissionRuleSetQuerySet:
        """Rates are sensitive (STYLE §3.8): owners, admins and managers only."""
        return self if _commission_readers(actor) else self.none()


class CommissionRuleSet(TenantModel):
    """A versioned set of commission rules, in force from ``effective_from`` to ``effective_to``
    (inclusive; open-ended when empty) while active. (name, version) is unique per organisation."""

    name = models.CharField(_("name"), max_length=200)
    version = models.PositiveIntegerField(_("version"), default=1, validators=[MinValueValidator(1)])
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True, db_index=True)

    objects = CommissionRuleSetQuerySet.as_manager()

    class Meta:
        ordering = ["name", "-version", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name", "version"],
                name="payroll_commissionruleset_unique_name_version",
                violation_error_message=_("A rule set with this name and version already exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=models.F("effective_from")),
                name="payroll_commissionruleset_to_after_from",
                violation_error_message=_("effective_to cannot be before effective_from."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def clean(self) -> None:
        super().clean()
        if self.effective_to and self.effective_from and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": _("effective_to cannot be before effective_from.")})


class CommissionRule(TenantModel):
    """One rule of a rule set: which business it matches (line of business, new/renewal,
    carrier; empty means any) and how it computes commission (a rate of the premium or of
    the gross commission, or a flat amount). Lower ``priority`` wins."""

    rule_set = models.ForeignKey(CommissionRuleSet, on_delete=models.CASCADE, related_name="rules")
    line_of_business = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("line of business"),
        help_text=_("Empty matches any line of business."),
    )
    business_type = models.CharField(
        _("new or renewal"), max_length=10, choices=BusinessType.choices, default=BusinessType.ANY
    )
    carrier = models.ForeignKey(
        Carrier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty matches any carrier."),
    )
    basis = models.CharField(_("basis"), max_length=20, choices=CommissionBasis.choices)
    rate = models.DecimalField(_("rate %"), null=True, blank=True, validators=percent_validators(), **PERCENT)
    amount = models.DecimalField(_("flat amount"), null=True, blank=True, **MONEY)
    priority = models.PositiveIntegerField(_("priority"), default=100, help_text=_("Lower is evaluated first."))

    class Meta:
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return f"{self.get_basis_display()} (priority {self.priority})"

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(
            rule_set=getattr(self, "rule_set", None), line_of_business=self.line_of_business, carrier=self.carrier
        )
        _check_kind(errors, "line_of_business", self.line_of_business, CategoryKind.LINE_OF_BUSINESS)
        if self.basis == CommissionBasis.FLAT:
            if self.amount is None:
                errors["amount"] = _("A flat rule needs an amount.")
            if self.rate is not None:
                errors["rate"] = _("A flat rule has no rate.")
        elif self.basis:
            if self.rate is None:
                errors["rate"] = _("A percentage rule needs a rate.")
            if self.amount is not None:
                errors["amount"] = _("A percentage rule has no flat amount.")
        if errors:
            raise ValidationError(errors)

    def compute(self, *, premium: Decimal | None, gross_commission: Decimal | None) -> Decimal | None:
        """This rule's commission, or None when the basis it needs is unknown."""
        if self.basis == CommissionBasis.FLAT:
            return money(self.amount)
        base = premium if self.basis == CommissionBasis.PERCENT_OF_PREMIUM else gross_commission
        if base is None:
            return None
        return money(base * self.rate / HUNDRED)
