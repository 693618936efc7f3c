"""REST shapes of the organisation's time settings, clients, projects, tasks and contracts."""

from __future__ import annotations

from rest_framework import serializers

from trackyoursheets.api.fields import ChoiceField, ScopedPrimaryKeyRelatedField
from trackyoursheets.limits import FREE_TEXT_MAX_LENGTH

from ... import selectors
from ...choices import ProjectStatus, RoundingMode, RoundingStep, TaskPriority, TaskStatus
from ...models import Client, Contract, Project, Task, TimeSettings
from .common import CurrencyMixin, Hours, Rate, RateMaskMixin

# =============================================================================
# Settings
# =============================================================================


class TimeSettingsSerializer(serializers.ModelSerializer):
    allow_overlapping = serializers.BooleanField(required=False)
    rounding_mode = ChoiceField(RoundingMode, required=False)
    rounding_minutes = ChoiceField(RoundingStep, required=False)

    class Meta:
        model = TimeSettings
        fields = ["allow_overlapping", "rounding_mode", "rounding_minutes"]


# =============================================================================
# Clients, projects, tasks, contracts
# =============================================================================


class ClientSerializer(RateMaskMixin, CurrencyMixin, serializers.ModelSerializer):
    rate_fields = ("default_rate",)
    default_rate = Rate(required=False)
    archived = serializers.BooleanField(required=False)

    class Meta:
        model = Client
        fields = [
            "id",
            "name",
            "email",
            "company",
            "phone",
            "default_rate",
            "currency",
            "archived",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class ProjectSerializer(RateMaskMixin, CurrencyMixin, serializers.ModelSerializer):
    rate_fields = ("hourly_rate", "budget")
    client_id = serializers.IntegerField(read_only=True, allow_null=True)
    client_name = serializers.SerializerMethodField()
    status = ChoiceField(ProjectStatus, read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "description",
            "client_id",
            "client_name",
            "hourly_rate",
            "estimated_hours",
            "budget",
            "currency",
            "status",
            "billable",
            "created_at",
            "updated_at",
        ]

    def get_client_name(self, project) -> str | None:
        return project.client.name if project.client_id else None


class ProjectInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    client_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.client_list, source="client", required=False, allow_null=True
    )
    hourly_rate = Rate(required=False)
    estimated_hours = Hours(required=False)
    budget = Rate(required=False)
    status = ChoiceField(ProjectStatus, required=False)
    billable = serializers.BooleanField(required=False)


class TaskSerializer(RateMaskMixin, serializers.ModelSerializer):
    rate_fields = ("hourly_rate",)
    project_id = serializers.IntegerField(read_only=True)
    project_name = serializers.SerializerMethodField()
    assignee_id = serializers.IntegerField(read_only=True, allow_null=True)
    status = ChoiceField(TaskStatus, read_only=True)
    priority = ChoiceField(TaskPriority, read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "project_id",
            "project_name",
            "name",
            "description",
            "status",
            "priority",
            "assignee_id",
            "estimated_hours",
            "hourly_rate",
            "created_at",
            "updated_at",
        ]

    def get_project_name(self, task) -> str:
        return task.project.name


class TaskInputSerializer(serializers.Serializer):
    project_id = ScopedPrimaryKeyRelatedField(selector=selectors.project_list, source="project")
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    status = ChoiceField(TaskStatus, required=False)
    priority = ChoiceField(TaskPriority, required=False, help_text="1 (lowest) to 5 (urgent).")
    assignee_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.time_employee_list, source="assignee", required=False, allow_null=True
    )
    estimated_hours = Hours(required=False)
    hourly_rate = Rate(required=False, help_text="When set, the first choice of the effective rate.")


class TaskUpdateSerializer(TaskInputSerializer):
    project_id = ScopedPrimaryKeyRelatedField(selector=selectors.project_list, source="project", required=False)
    name = serializers.CharField(max_length=200, required=False)


class ContractSerializer(CurrencyMixin, serializers.ModelSerializer):
    employee_id = serializers.IntegerField(read_only=True)
    project_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "employee_id",
            "project_id",
            "hourly_rate",
            "pay_rate",
            "weekly_hours_limit",
            "daily_hours_limit",
            "currency",
            "notes",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "hourly_rate": {"help_text": "Bill rate (charged to the client) before any dated change in /v1/rates."},
            "pay_rate": {"help_text": "Hourly pay rate before any dated change; empty: the HR record's."},
        }


class ContractInputSerializer(serializers.Serializer):
    employee_id = ScopedPrimaryKeyRelatedField(selector=selectors.time_employee_list, source="employee")
    project_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.project_list,
        source="project",
        required=False,
        allow_null=True,
        help_text="Empty: the employee's rate for every project.",
    )
    hourly_rate = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, help_text="The bill rate (charged to the client)."
    )
    pay_rate = Rate(required=False, help_text="The hourly pay rate (earned); empty: the HR record's.")
    weekly_hours_limit = Hours(required=False, help_text="Hours per week the contract covers at most.")
    daily_hours_limit = Hours(required=False, help_text="Hours per day the contract covers at most.")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=FREE_TEXT_MAX_LENGTH)


class ContractUpdateSerializer(ContractInputSerializer):
    employee_id = ScopedPrimaryKeyRelatedField(selector=selectors.time_employee_list, source="employee", required=False)
    hourly_rate = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
