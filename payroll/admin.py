"""Django admin for the commission ledger (issue 6); tenancy rules come from ``TenantAdmin``.

Reference data, policies and rule sets are edited here. Ledger lines are not added here
(they come from imports, manual entry and the API, which derive the producer's amount);
staff may change only a line's notes and category. Overrides are append-only: view only.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from trackyoursheets.admin import ReadOnlyAdminMixin, TenantAdmin, TenantInline, TenantInlineFormSet

from . import admin_runs  # noqa: F401  (the payroll runs' admin, issue 18)
from .models import (
    HUNDRED,
    Carrier,
    Category,
    CommissionOverride,
    CommissionRule,
    CommissionRuleSet,
    CommissionTransaction,
    ImportAlias,
    ImportBatch,
    ImportRow,
    Policy,
    PolicyProducer,
)


@admin.register(Category)
class CategoryAdmin(TenantAdmin):
    list_display = ("name", "kind", "organisation", "is_default", "created_at")
    list_select_related = ("organisation",)
    list_filter = ("kind", "is_default", "organisation")
    search_fields = ("name", "organisation__name")


@admin.register(Carrier)
class CarrierAdmin(TenantAdmin):
    list_display = ("name", "code", "organisation", "statement_date_format", "default_rule_set", "created_at")
    list_select_related = ("organisation", "default_rule_set")
    list_filter = ("statement_date_format", "organisation")
    search_fields = ("name", "code", "organisation__name")


class CommissionRuleInline(TenantInline, admin.TabularInline):
    model = CommissionRule
    fk_name = "rule_set"
    fields = ("priority", "line_of_business", "business_type", "carrier", "basis", "rate", "amount")


@admin.register(CommissionRuleSet)
class CommissionRuleSetAdmin(TenantAdmin):
    list_display = ("name", "version", "organisation", "effective_from", "effective_to", "active", "created_at")
    list_select_related = ("organisation",)
    list_filter = ("active", "organisation")
    search_fields = ("name", "organisation__name")
    inlines = (CommissionRuleInline,)


@admin.register(CommissionRule)
class CommissionRuleAdmin(TenantAdmin):
    list_display = ("__str__", "rule_set", "organisation", "line_of_business", "business_type", "carrier", "priority")
    list_select_related = ("organisation", "rule_set", "line_of_business", "carrier")
    list_filter = ("basis", "business_type", "organisation")
    search_fields = ("rule_set__name", "carrier__name", "line_of_business__name")


class PolicyProducerFormSet(TenantInlineFormSet):
    """The writing producers' splits must total 100 (as ``policy_create`` requires)."""

    def clean(self):
        super().clean()
        splits = [
            form.cleaned_data.get("split_percent") or Decimal("0")
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
        ]
        if splits and sum(splits) != HUNDRED:
            raise forms.ValidationError(
                _("The splits must total 100; they total %(total)s.") % {"total": format(sum(splits).normalize(), "f")}
            )


class PolicyProducerInline(TenantInline, admin.TabularInline):
    model = PolicyProducer
    formset = PolicyProducerFormSet
    fields = ("producer", "split_percent")
    verbose_name = _("writing producer")
    verbose_name_plural = _("writing producers")


@admin.register(Policy)
class PolicyAdmin(TenantAdmin):
    list_display = ("number", "carrier", "customer_name", "organisation", "premium", "status", "effective_date")
    list_select_related = ("organisation", "carrier")
    list_filter = ("status", "organisation")
    search_fields = ("number", "customer_name", "carrier__name", "organisation__name")
    date_hierarchy = "effective_date"
    inlines = (PolicyProducerInline,)


@admin.register(PolicyProducer)
class PolicyProducerAdmin(ReadOnlyAdminMixin, TenantAdmin):
    """Edited on the policy's page, where the splits are checked together."""

    list_display = ("policy", "producer", "split_percent", "organisation")
    list_select_related = ("organisation", "policy", "producer")
    search_fields = ("policy__number", "producer__display_name")


class CommissionOverrideInline(admin.TabularInline):
    model = CommissionOverride
    fk_name = "transaction"
    formset = TenantInlineFormSet
    fields = ("kind", "value", "reason", "previous_amount", "resulting_amount", "created_by_label", "created_at")
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CommissionTransaction)
class CommissionTransactionAdmin(TenantAdmin):
    """Only ``notes`` and ``category`` are editable: amounts are derived, status has a state machine."""

    list_display = (
        "id",
        "transaction_date",
        "producer",
        "carrier",
        "organisation",
        "gross_commission",
        "producer_amount",
        "type",
        "status",
    )
    list_select_related = ("organisation", "producer", "carrier")
    list_filter = ("status", "type", "source", "organisation")
    search_fields = ("producer__display_name", "carrier__name", "policy__number", "external_id")
    date_hierarchy = "transaction_date"
    readonly_fields = (
        "organisation",
        "policy",
        "producer",
        "carrier",
        "workspace",
        "line_of_business",
        "statement_period",
        "transaction_date",
        "premium",
        "gross_commission",
        "split_percent",
        "producer_amount",
        "type",
        "status",
        "source",
        "external_id",
        "commission_rule",
        "latest_override",
        "created_at",
        "updated_at",
    )
    fields = (*readonly_fields[:-2], "category", "notes", "created_at", "updated_at")
    inlines = (CommissionOverrideInline,)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CommissionOverride)
class CommissionOverrideAdmin(ReadOnlyAdminMixin, TenantAdmin):
    list_display = (
        "transaction",
        "kind",
        "value",
        "resulting_amount",
        "created_by_label",
        "organisation",
        "created_at",
    )
    list_select_related = ("organisation", "transaction")
    list_filter = ("kind", "organisation")
    search_fields = ("reason", "created_by_label", "transaction__producer__display_name")


# =============================================================================
# Statement imports (issue 6 point 3): batches and rows are written by the pipeline
# (view only: finalise and roll back through the pages or the API); aliases are editable.
# =============================================================================


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdminMixin, TenantAdmin):
    list_display = (
        "id", "original_filename", "carrier", "organisation", "status", "total_rows", "matched_rows",
        "unmatched_rows", "error_rows", "gross_total", "created_at",
    )  # fmt: skip
    list_select_related = ("organisation", "carrier")
    list_filter = ("status", "source", "organisation")
    search_fields = ("original_filename", "carrier__name", "created_by_label", "organisation__name")
    date_hierarchy = "created_at"
    exclude = ("payload",)


@admin.register(ImportRow)
class ImportRowAdmin(ReadOnlyAdminMixin, TenantAdmin):
    list_display = ("line", "batch", "organisation", "status", "policy_number", "producer_ref", "gross_commission")
    list_select_related = ("organisation", "batch")
    list_filter = ("status", "type", "organisation")
    search_fields = ("policy_number", "producer_ref", "customer_name", "external_id", "batch__original_filename")
    raw_id_fields = ("batch", "policy", "producer", "duplicate_of", "line_of_business", "commission_rule")


@admin.register(ImportAlias)
class ImportAliasAdmin(TenantAdmin):
    """What people taught the matcher; fix or delete a wrong alias here."""

    list_display = ("text", "kind", "organisation", "producer", "policy", "carrier", "target_carrier", "created_at")
    list_select_related = ("organisation", "producer", "policy", "carrier", "target_carrier")
    list_filter = ("kind", "organisation")
    search_fields = ("text", "producer__display_name", "policy__number", "target_carrier__name", "organisation__name")
    fields = ("organisation", "kind", "text", "carrier", "producer", "policy", "target_carrier", "created_by_label")
    readonly_fields = ("created_by_label", "created_at", "updated_at")
