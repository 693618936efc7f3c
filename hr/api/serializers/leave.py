"""REST shapes of leave (issue 16): types, policies, holiday calendars, balances, the ledger,
adjustments and requests."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from organisations.choices import Role
from organisations.selectors import office_list
from trackyoursheets.api.fields import ChoiceField, ScopedPrimaryKeyRelatedField, actor_of

from ... import leave_selectors, selectors
from ...choices import AccrualMethod, LeaveKind, LeaveRequestStatus, LeaveUnit, LedgerKind
from ...models import (
    LEAVE_REASON_MAX_LENGTH,
    MAX_HOURS,
    HolidayGroup,
    LeaveAccount,
    LeaveLedgerEntry,
    LeavePolicy,
    LeaveRequest,
    LeaveType,
)


def _hours(**kwargs):
    kwargs.setdefault("min_value", Decimal("0"))
    kwargs.setdefault("max_value", MAX_HOURS)
    return serializers.DecimalField(max_digits=8, decimal_places=2, **kwargs)


def _signed_hours(**kwargs):
    return serializers.DecimalField(max_digits=8, decimal_places=2, min_value=-MAX_HOURS, max_value=MAX_HOURS, **kwargs)


# =============================================================================
# Types and policies
# =============================================================================


class LeaveTypeSerializer(serializers.ModelSerializer):
    kind = ChoiceField(choices=LeaveKind, required=False)

    class Meta:
        model = LeaveType
        fields = ["id", "name", "kind", "paid", "pay_code_name", "active", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"pay_code_name": {"max_length": 50}, "name": {"max_length": 100}}


class LeavePolicySerializer(serializers.ModelSerializer):
    leave_type_id = ScopedPrimaryKeyRelatedField(selector=leave_selectors.leave_type_list, source="leave_type")
    accrual_method = ChoiceField(choices=AccrualMethod, required=False)
    annual_hours = _hours(required=False, help_text="Annual grant, or the year's total of monthly accruals.")
    hours_per_period = _hours(required=False, help_text="Per approved timesheet period, or per paid pay period.")
    hours_per_hour_worked = serializers.DecimalField(
        max_digits=6, decimal_places=4, min_value=Decimal("0"), max_value=Decimal("1"), required=False
    )
    grant_month = serializers.IntegerField(min_value=1, max_value=12, required=False)
    grant_day = serializers.IntegerField(min_value=1, max_value=28, required=False)
    carry_over_cap_hours = _hours(required=False, allow_null=True, help_text="Null: everything carries over.")
    carry_over_expiry_months = serializers.IntegerField(
        min_value=1,
        max_value=12,
        required=False,
        allow_null=True,
        help_text="Carried hours unused by the end of this month of the new year lapse; null: never.",
    )
    max_balance_hours = _hours(required=False, allow_null=True)
    negative_limit_hours = _hours(required=False, help_text="With allow_negative: how far below zero.")
    office_ids = ScopedPrimaryKeyRelatedField(
        selector=office_list, source="offices", many=True, required=False, help_text="Assigned to these offices."
    )
    employee_ids = ScopedPrimaryKeyRelatedField(
        selector=selectors.employee_list, source="employees", many=True, required=False
    )
    roles = serializers.ListField(child=ChoiceField(choices=Role), required=False, max_length=len(Role.values))

    class Meta:
        model = LeavePolicy
        fields = [
            "id",
            "name",
            "leave_type_id",
            "accrual_method",
            "annual_hours",
            "grant_month",
            "grant_day",
            "hours_per_period",
            "hours_per_hour_worked",
            "prorate_joiners",
            "carry_over_cap_hours",
            "carry_over_expiry_months",
            "max_balance_hours",
            "allow_negative",
            "negative_limit_hours",
            "office_ids",
            "roles",
            "employee_ids",
            "starts_on",
            "active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"name": {"max_length": 200}}


# =============================================================================
# Holiday calendars
# =============================================================================


class HolidaySerializer(serializers.Serializer):
    date = serializers.DateField()
    name = serializers.CharField(max_length=200)
    half_day = serializers.BooleanField(required=False, default=False)


class HolidayGroupSerializer(serializers.ModelSerializer):
    office_ids = ScopedPrimaryKeyRelatedField(
        selector=office_list,
        source="offices",
        many=True,
        required=False,
        help_text="Offices that use it; none: the whole organisation.",
    )
    holidays = HolidaySerializer(many=True, required=False)

    class Meta:
        model = HolidayGroup
        fields = ["id", "name", "region", "office_ids", "holidays", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"name": {"max_length": 200}, "region": {"max_length": 100}}


# =============================================================================
# Balances and the ledger
# =============================================================================


class LeaveBalanceSerializer(serializers.ModelSerializer):
    employee_id = serializers.IntegerField(read_only=True)
    employee_name = serializers.SerializerMethodField()
    leave_type_id = serializers.IntegerField(read_only=True)
    leave_type_name = serializers.CharField(source="leave_type.name", read_only=True)
    accrued = serializers.SerializerMethodField(help_text="Accruals, adjustments, carry-over and expiry (hours).")
    used = serializers.SerializerMethodField(help_text="Approved leave net of cancellations (hours).")
    pending = serializers.SerializerMethodField(help_text="Requested, not yet decided (hours).")
    balance = serializers.SerializerMethodField(help_text="accrued − used: the ledger's sum (hours).")
    available = serializers.SerializerMethodField(help_text="balance − pending − approved leave after as_of (hours).")
    as_of = serializers.SerializerMethodField()

    class Meta:
        model = LeaveAccount
        fields = [
            "id",
            "employee_id",
            "employee_name",
            "leave_type_id",
            "leave_type_name",
            "accrued",
            "used",
            "pending",
            "balance",
            "available",
            "as_of",
        ]
        read_only_fields = fields

    def get_employee_name(self, account) -> str:
        return account.employee.display_name

    def get_accrued(self, account) -> Decimal:
        return _fmt(account.balance - account.used_net)

    def get_used(self, account) -> Decimal:
        return _fmt(-account.used_net)

    def get_pending(self, account) -> Decimal:
        return _fmt(account.pending)

    def get_balance(self, account) -> Decimal:
        return _fmt(account.balance)

    def get_available(self, account) -> Decimal:
        return _fmt(account.available)

    def get_as_of(self, account) -> str:
        return self.context["as_of"].isoformat()


def _fmt(value) -> str:
    return f"{Decimal(value):.2f}"


class LeaveLedgerEntrySerializer(serializers.ModelSerializer):
    kind = ChoiceField(choices=LedgerKind, read_only=True)
    leave_request_id = serializers.IntegerField(source="request_id", read_only=True, allow_null=True)
    created_by = serializers.CharField(source="created_by_label", read_only=True)

    class Meta:
        model = LeaveLedgerEntry
        fields = [
            "id",
            "kind",
            "hours",
            "effective_date",
            "reason",
            "leave_request_id",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class LeaveAdjustmentInputSerializer(serializers.Serializer):
    employee_id = ScopedPrimaryKeyRelatedField(selector=selectors.employee_list, source="employee")
    leave_type_id = ScopedPrimaryKeyRelatedField(selector=leave_selectors.leave_type_list, source="leave_type")
    hours = _signed_hours(help_text="Positive adds to the balance, negative takes from it.")
    reason = serializers.CharField(max_length=LEAVE_REASON_MAX_LENGTH)
    effective_date = serializers.DateField(required=False, help_text="Default: today.")


# =============================================================================
# Requests
# =============================================================================


class LeaveRequestSerializer(serializers.ModelSerializer):
    employee_id = serializers.IntegerField(read_only=True)
    employee_name = serializers.SerializerMethodField()
    leave_type_id = serializers.IntegerField(read_only=True)
    leave_type_name = serializers.CharField(source="leave_type.name", read_only=True)
    unit = ChoiceField(choices=LeaveUnit, read_only=True)
    status = ChoiceField(choices=LeaveRequestStatus, read_only=True)
    decided_by = serializers.CharField(source="decided_by_label", read_only=True)
    days = serializers.SerializerMethodField(help_text="The working days and their hours, as computed when requested.")

    class Meta:
        model = LeaveRequest
        fields = [
            "id",
            "employee_id",
            "employee_name",
            "leave_type_id",
            "leave_type_name",
            "unit",
            "start_date",
            "end_date",
            "hours_per_day",
            "working_days",
            "hours",
            "days",
            "notes",
            "status",
            "decided_at",
            "decided_by",
            "rejection_reason",
            "cancelled_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_employee_name(self, request) -> str:
        return request.employee.display_name

    def get_days(self, request) -> list[dict]:
        return [{"date": date, "hours": hours} for date, hours in request.days]


class LeaveRequestInputSerializer(serializers.Serializer):
    employee_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.employee_list,
        source="employee",
        required=False,
        help_text="Default: the employee record of the signed-in person.",
    )
    leave_type_id = ScopedPrimaryKeyRelatedField(selector=leave_selectors.leave_type_list, source="leave_type")
    unit = ChoiceField(choices=LeaveUnit, required=False, default=LeaveUnit.FULL_DAYS)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    hours_per_day = _hours(required=False, allow_null=True, help_text="For a request in hours (one day).")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=LEAVE_REASON_MAX_LENGTH)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if "employee" not in attrs:
            employee = selectors.employee_for_actor(actor=actor_of(self.context))
            if employee is None:
                raise serializers.ValidationError({"employee_id": "Say whose leave this is."})
            attrs["employee"] = employee
        return attrs


class LeavePreviewSerializer(serializers.Serializer):
    working_days = serializers.DecimalField(max_digits=6, decimal_places=2)
    hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    days = serializers.ListField(child=serializers.DictField())
    balance = serializers.DecimalField(max_digits=10, decimal_places=2)
    pending = serializers.DecimalField(max_digits=10, decimal_places=2)
    available = serializers.DecimalField(max_digits=10, decimal_places=2)
    available_after = serializers.DecimalField(max_digits=10, decimal_places=2)
    allowed = serializers.BooleanField(help_text="Whether the balance (and the policy) allows the request.")

    @staticmethod
    def payload(preview) -> dict:
        return {
            "working_days": preview.count.working_days,
            "hours": preview.count.hours,
            "days": [{"date": d.date.isoformat(), "hours": str(d.hours)} for d in preview.count.days],
            "balance": preview.balance,
            "pending": preview.pending,
            "available": preview.available,
            "available_after": preview.after,
            "allowed": preview.allowed,
        }


class LeaveRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=LEAVE_REASON_MAX_LENGTH)
