"""REST shapes of time requests and rate history (issue 15 points 3 and 5)."""

from __future__ import annotations

from rest_framework import serializers

from trackyoursheets.api.fields import ChoiceField, ScopedPrimaryKeyRelatedField
from trackyoursheets.limits import FREE_TEXT_MAX_LENGTH

from ... import selectors
from ...choices import RateKind, TimeRequestStatus
from ...models import REASON_MAX_LENGTH, RateChange, TimeRequest
from .common import CurrencyMixin, TagsField
from .entries import EmployeeInputMixin


class TimeRequestSerializer(serializers.ModelSerializer):
    # a manual time request (no docstring: it would become the OpenAPI description)

    employee_id = serializers.IntegerField(read_only=True)
    user_id = serializers.SerializerMethodField(help_text="The employee's login, if any.")
    employee_name = serializers.SerializerMethodField()
    project_id = serializers.IntegerField(read_only=True)
    task_id = serializers.IntegerField(read_only=True, allow_null=True)
    tags = TagsField(read_only=True)
    duration_seconds = serializers.SerializerMethodField(help_text="end_time - start_time, unrounded.")
    status = ChoiceField(choices=TimeRequestStatus.choices, read_only=True)
    decided_by = serializers.CharField(
        source="decided_by_label", read_only=True, help_text="Who approved, rejected or cancelled it."
    )
    time_entry_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The entry its approval created."
    )

    class Meta:
        model = TimeRequest
        fields = [
            "id",
            "employee_id",
            "user_id",
            "employee_name",
            "project_id",
            "task_id",
            "start_time",
            "end_time",
            "duration_seconds",
            "notes",
            "tags",
            "billable",
            "reason",
            "status",
            "decided_at",
            "decided_by",
            "rejection_reason",
            "time_entry_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_user_id(self, request) -> int | None:
        membership = request.employee.membership
        return membership.user_id if membership is not None else None

    def get_employee_name(self, request) -> str:
        return str(request.employee)

    def get_duration_seconds(self, request) -> int:
        return int((request.end_time - request.start_time).total_seconds())


class TimeRequestInputSerializer(EmployeeInputMixin):
    project_id = ScopedPrimaryKeyRelatedField(selector=selectors.project_list, source="project")
    task_id = ScopedPrimaryKeyRelatedField(selector=selectors.task_list, source="task", required=False, allow_null=True)
    start_time = serializers.DateTimeField()
    end_time = serializers.DateTimeField(help_text="In the past: a request adds time already worked.")
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, help_text="Why the time was not recorded.")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    tags = TagsField(required=False)
    billable = serializers.BooleanField(required=False, help_text="Default: the project's billable flag.")


class TimeRequestRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, help_text="Shown to the employee.")


class RateChangeSerializer(CurrencyMixin, serializers.ModelSerializer):
    # an hourly rate in force from a day (no docstring: it would become the OpenAPI description)

    kind = ChoiceField(choices=RateKind.choices, read_only=True)
    task_id = serializers.IntegerField(read_only=True, allow_null=True)
    contract_id = serializers.IntegerField(read_only=True, allow_null=True)
    project_id = serializers.IntegerField(read_only=True, allow_null=True)
    client_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = RateChange
        fields = [
            "id",
            "kind",
            "task_id",
            "contract_id",
            "project_id",
            "client_id",
            "hourly_rate",
            "currency",
            "effective_from",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class RateChangeInputSerializer(serializers.Serializer):
    kind = ChoiceField(choices=RateKind.choices, help_text="bill (charged to the client) or pay (earned).")
    task_id = ScopedPrimaryKeyRelatedField(selector=selectors.task_list, source="task", required=False)
    contract_id = ScopedPrimaryKeyRelatedField(selector=selectors.contract_list, source="contract", required=False)
    project_id = ScopedPrimaryKeyRelatedField(selector=selectors.project_list, source="project", required=False)
    client_id = ScopedPrimaryKeyRelatedField(selector=selectors.client_list, source="client", required=False)
    hourly_rate = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    effective_from = serializers.DateField(help_text="The first local day the rate applies.")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=FREE_TEXT_MAX_LENGTH)


__all__ = [
    "TimeRequestSerializer",
    "TimeRequestInputSerializer",
    "TimeRequestRejectSerializer",
    "RateChangeSerializer",
    "RateChangeInputSerializer",
]
