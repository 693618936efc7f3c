"""REST shapes of payroll runs, pay schedules, pay codes and overtime rules (issue 18). Money is a
decimal string with the organisation's ``currency``; hours are decimal strings (two places; each
line also gives its exact ``seconds``)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from organisations import selectors as organisation_selectors
from trackyoursheets.api.fields import ChoiceField, ScopedPrimaryKeyRelatedField, actor_of
from trackyoursheets.limits import MAX_WHOLE_NUMBER

from ... import selectors
from ...choices import AdjustmentKind, PayCodeKind, PayFrequency, PayrollRunStatus, SourceKind
from ...models import NOTES_MAX_LENGTH, OvertimeRule, PayCode, PaySchedule
from ...services.sources import hours_text

MAX_EMPLOYEES = 5000
WHOLE = {"min_value": 1, "max_value": MAX_WHOLE_NUMBER}


def _money(**kwargs):
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class CurrencyMixin:
    def get_currency(self, obj) -> str:
        actor = actor_of(self.context)
        return actor.organisation.currency if actor is not None else "USD"


# =============================================================================
# Pay schedules, pay codes, overtime rules
# =============================================================================


class PayPeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    pay_date = serializers.DateField()


class PayScheduleSerializer(serializers.ModelSerializer):
    frequency = ChoiceField(PayFrequency)
    employee_ids = serializers.SerializerMethodField()
    upcoming_periods = serializers.SerializerMethodField()

    class Meta:
        model = PaySchedule
        fields = [
            "id",
            "name",
            "frequency",
            "anchor_date",
            "pay_date_offset_days",
            "active",
            "employee_ids",
            "upcoming_periods",
            "created_at",
            "updated_at",
        ]

    def get_employee_ids(self, obj) -> list[int]:
        return [a.employee_id for a in obj.assignments.all()]

    @extend_schema_field(PayPeriodSerializer(many=True))
    def get_upcoming_periods(self, obj) -> list[dict]:
        """The current period and the next two."""
        periods = obj.periods(datetime.date.today(), 3)
        return [{"start": p.start, "end": p.end, "pay_date": p.pay_date} for p in periods]


class PayScheduleInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    frequency = ChoiceField(PayFrequency)
    anchor_date = serializers.DateField()
    pay_date_offset_days = serializers.IntegerField(min_value=0, max_value=60, required=False)
    active = serializers.BooleanField(required=False)
    employee_ids = serializers.ListField(
        child=serializers.IntegerField(**WHOLE), max_length=MAX_EMPLOYEES, required=False
    )


class PayCodeSerializer(serializers.ModelSerializer):
    kind = ChoiceField(PayCodeKind)

    class Meta:
        model = PayCode
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "multiplier",
            "external_code",
            "is_default",
            "active",
            "created_at",
            "updated_at",
        ]


class PayCodeInputSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=40)
    name = serializers.CharField(max_length=100)
    multiplier = serializers.DecimalField(max_digits=6, decimal_places=3, min_value=0, max_value=10, required=False)
    external_code = serializers.CharField(max_length=50, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


class OvertimeRuleSerializer(serializers.ModelSerializer):
    office_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = OvertimeRule
        fields = [
            "id",
            "office_id",
            "weekly_threshold_hours",
            "daily_threshold_hours",
            "daily_double_threshold_hours",
            "overtime_multiplier",
            "double_time_multiplier",
            "seventh_day",
            "holiday_multiplier",
            "paid_holidays",
            "created_at",
            "updated_at",
        ]


def _hours(**kwargs):
    return serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=168, allow_null=True, required=False, **kwargs
    )


def _multiplier():
    return serializers.DecimalField(max_digits=6, decimal_places=3, min_value=0, max_value=10, required=False)


class OvertimeRuleInputSerializer(serializers.Serializer):
    office_id = ScopedPrimaryKeyRelatedField(
        selector=organisation_selectors.office_list, source="office", required=False, allow_null=True
    )
    weekly_threshold_hours = _hours()
    daily_threshold_hours = _hours()
    daily_double_threshold_hours = _hours()
    overtime_multiplier = _multiplier()
    double_time_multiplier = _multiplier()
    seventh_day = serializers.BooleanField(required=False)
    holiday_multiplier = serializers.DecimalField(
        max_digits=6, decimal_places=3, min_value=0, max_value=10, allow_null=True, required=False
    )
    paid_holidays = serializers.BooleanField(required=False)


# =============================================================================
# Runs
# =============================================================================


class SourceRefSerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField()
    url = serializers.CharField(required=False)


class WarningSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class PayrollLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    pay_code = serializers.CharField(source="pay_code.code")
    pay_code_name = serializers.CharField(source="pay_code.name")
    external_code = serializers.CharField(source="pay_code.external_code")
    source_kind = ChoiceField(SourceKind)
    hours = serializers.SerializerMethodField()
    seconds = serializers.IntegerField(allow_null=True)
    rate = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    multiplier = serializers.DecimalField(max_digits=6, decimal_places=3)
    amount = _money()
    explanation = serializers.CharField()
    sources = SourceRefSerializer(many=True, source="source_refs")

    def get_hours(self, obj) -> str | None:
        return hours_text(obj.seconds) if obj.seconds is not None else None


class PayrollEntrySerializer(CurrencyMixin, serializers.Serializer):
    id = serializers.IntegerField()
    employee_id = serializers.IntegerField()
    employee_name = serializers.CharField(source="employee.display_name")
    employee_number = serializers.CharField(source="employee.employee_number")
    gross = _money()
    currency = serializers.SerializerMethodField()
    hours_by_code = serializers.DictField(child=serializers.CharField())
    amounts_by_code = serializers.DictField(child=serializers.CharField())
    warnings = WarningSerializer(many=True)
    lines = PayrollLineSerializer(many=True, source="lines.all")


class PayrollAcknowledgementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    notes = serializers.CharField()
    by = serializers.CharField(source="by_label")
    client_id = serializers.CharField()
    acknowledged_at = serializers.DateTimeField(source="created_at")


class PayrollAdjustmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employee_id = serializers.IntegerField()
    kind = ChoiceField(AdjustmentKind)
    amount = _money()
    reason = serializers.CharField()
    created_by = serializers.CharField(source="created_by_label")


class RunLinksSerializer(serializers.Serializer):
    self = serializers.CharField()
    entries = serializers.CharField()
    diff = serializers.CharField()


class PayrollRunSerializer(CurrencyMixin, serializers.Serializer):
    id = serializers.IntegerField()
    status = ChoiceField(PayrollRunStatus)
    pay_schedule_id = serializers.IntegerField(allow_null=True)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    pay_date = serializers.DateField()
    off_cycle = serializers.BooleanField()
    stale = serializers.BooleanField()
    gross_total = _money()
    currency = serializers.SerializerMethodField()
    employee_count = serializers.IntegerField()
    notes = serializers.CharField()
    created_by = serializers.CharField(source="created_by_label")
    approved_at = serializers.DateTimeField(allow_null=True)
    approved_by = serializers.CharField(source="approved_by_label")
    paid_at = serializers.DateTimeField(allow_null=True)
    paid_by = serializers.CharField(source="paid_by_label")
    cancelled_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    links = serializers.SerializerMethodField()

    @extend_schema_field(RunLinksSerializer)
    def get_links(self, obj) -> dict:
        base = f"/v1/payroll/runs/{obj.pk}"
        return {"self": base, "entries": f"{base}/entries", "diff": f"{base}/diff"}


class PayrollRunDetailSerializer(PayrollRunSerializer):
    """The run with ALL its entries (per employee: lines, hours by pay code, gross), its
    acknowledgements and adjustments, and the totals by pay code."""

    totals_by_code = serializers.SerializerMethodField()
    entries = PayrollEntrySerializer(many=True, source="entries.all")
    acknowledgements = PayrollAcknowledgementSerializer(many=True, source="acknowledgements.all")
    adjustments = PayrollAdjustmentSerializer(many=True, source="adjustments.all")

    def get_totals_by_code(self, obj) -> dict[str, str]:
        totals: dict = {}
        for entry in obj.entries.all():
            for code, amount in entry.amounts_by_code.items():
                totals[code] = totals.get(code, Decimal("0.00")) + Decimal(amount)
        return {code: str(amount) for code, amount in sorted(totals.items())}


class AdjustmentInputSerializer(serializers.Serializer):
    employee_id = serializers.IntegerField(**WHOLE)
    kind = ChoiceField(AdjustmentKind)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=-1000000, max_value=1000000)
    reason = serializers.CharField(max_length=500)


class PayrollRunInputSerializer(serializers.Serializer):
    pay_schedule_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.pay_schedule_list, source="pay_schedule", required=False, allow_null=True
    )
    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False, help_text="Off-cycle runs only.")
    pay_date = serializers.DateField(required=False)
    employee_ids = serializers.ListField(
        child=serializers.IntegerField(**WHOLE), max_length=MAX_EMPLOYEES, required=False, help_text="Off-cycle runs."
    )
    adjustments = AdjustmentInputSerializer(many=True, required=False, max_length=MAX_EMPLOYEES)
    notes = serializers.CharField(max_length=NOTES_MAX_LENGTH, required=False, allow_blank=True)

    def validate(self, attrs):
        if attrs.get("pay_schedule") is None and not attrs.get("employee_ids"):
            raise serializers.ValidationError(
                {"pay_schedule_id": [_("Give a pay schedule, or employee_ids with period_start and period_end.")]}
            )
        return attrs


class AcknowledgeInputSerializer(serializers.Serializer):
    notes = serializers.CharField(max_length=NOTES_MAX_LENGTH, required=False, allow_blank=True)


class AcknowledgeResultSerializer(PayrollAcknowledgementSerializer):
    run_id = serializers.IntegerField()


class DiffRowSerializer(serializers.Serializer):
    employee_id = serializers.IntegerField()
    employee_name = serializers.CharField()
    gross = serializers.CharField()
    previous_gross = serializers.CharField()
    change = serializers.CharField()
    status = serializers.ChoiceField(choices=["added", "removed", "changed", "unchanged"])


class PayrollRunDiffSerializer(serializers.Serializer):
    run_id = serializers.IntegerField()
    previous_run_id = serializers.IntegerField(allow_null=True)
    employees = DiffRowSerializer(many=True)
