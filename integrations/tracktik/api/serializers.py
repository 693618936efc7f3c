"""REST shapes of the TrackTik connector. Secrets are write-only: the output says whether each
is set, never its value."""

from __future__ import annotations

from rest_framework import serializers

from trackyoursheets.api.fields import ChoiceField
from trackyoursheets.jobs import JobStatus
from trackyoursheets.limits import MAX_WHOLE_NUMBER

from ..models import (
    TracktikConnection,
    TracktikContract,
    TracktikInvoiceReconciliation,
    TracktikPayCode,
    TracktikScrMatch,
    TracktikSyncRun,
)


class TracktikPayCodeSerializer(serializers.ModelSerializer):
    # a TrackTik pay code and the pay code of ours it maps to (null: unmapped)

    pay_code_code = serializers.CharField(source="pay_code.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = TracktikPayCode
        fields = ["id", "tracktik_id", "code", "name", "pay_code_id", "pay_code_code", "mapped_by_hand", "updated_at"]
        read_only_fields = fields


class TracktikContractSerializer(serializers.ModelSerializer):
    # a TrackTik contract as last synced: read-only here, TrackTik is where contracts are edited

    site_name = serializers.CharField(source="site.name", read_only=True, allow_null=True, default=None)
    client_id = serializers.IntegerField(source="site.client_id", read_only=True, allow_null=True, default=None)
    position_rates = serializers.DictField(
        child=serializers.DecimalField(max_digits=12, decimal_places=2),
        read_only=True,
        help_text="Bill rate per TrackTik position id (from the contract's bill items); they come before bill_rate.",
    )

    class Meta:
        model = TracktikContract
        fields = [
            "id",
            "tracktik_id",
            "custom_id",
            "name",
            "site_id",
            "site_name",
            "client_id",
            "start_date",
            "end_date",
            "status",
            "bill_rate",
            "position_rates",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "site_id": {"help_text": "The TrackTik client/site (our id); null when TrackTik's site is not synced."},
            "end_date": {"help_text": "Null: open-ended."},
            "status": {"help_text": "TrackTik's status, upper case (ACTIVE, EXPIRED, CANCELLED, ...)."},
            "bill_rate": {"help_text": "The client rate of the contract's bill items; null when it has none."},
        }


class TracktikPayCodeMappingSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, max_value=MAX_WHOLE_NUMBER)
    pay_code_id = serializers.IntegerField(
        min_value=1,
        max_value=MAX_WHOLE_NUMBER,
        allow_null=True,
        help_text="Our pay code (an active one); null hands the code back to the automatic match.",
    )


class TracktikPayCodeMapInputSerializer(serializers.Serializer):
    mappings = TracktikPayCodeMappingSerializer(many=True, max_length=500)


class TracktikConnectionSerializer(serializers.ModelSerializer):
    # the organisation's TrackTik connection (no docstring: it would become the OpenAPI description)

    client_secret = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=500,
        help_text="Write-only; stored encrypted. Empty clears it, absent or null keeps it.",
    )
    password = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=500,
        help_text="Write-only; stored encrypted. Empty clears it, absent or null keeps it.",
    )
    client_secret_set = serializers.BooleanField(read_only=True)
    password_set = serializers.BooleanField(read_only=True)
    sync_interval_minutes = serializers.IntegerField(
        required=False, min_value=0, max_value=10080, help_text="0: only on demand."
    )
    lookback_days = serializers.IntegerField(required=False, min_value=1, max_value=366)
    updated_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Null until the connection is first saved."
    )

    class Meta:
        model = TracktikConnection
        fields = [
            "base_url",
            "client_id",
            "client_secret",
            "client_secret_set",
            "username",
            "password",
            "password_set",
            "enabled",
            "sync_interval_minutes",
            "trust_approval",
            "lookback_days",
            "sync_from",
            "watermark",
            "last_sync_at",
            "updated_at",
        ]
        read_only_fields = ["client_secret_set", "password_set", "watermark", "last_sync_at", "updated_at"]
        extra_kwargs = {
            "base_url": {"required": False, "allow_blank": True},
            "client_id": {"required": False},
            "username": {"required": False},
        }


class TracktikConnectionTestSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    detail = serializers.CharField()
    employees = serializers.IntegerField(required=False, help_text="Employees TrackTik reports.")


class TracktikSyncInputSerializer(serializers.Serializer):
    full = serializers.BooleanField(
        default=False, help_text="Re-read every shift from the connection's first day instead of the last sync."
    )


class TracktikSyncErrorSerializer(serializers.Serializer):
    record_type = serializers.CharField()
    record_id = serializers.CharField()
    message = serializers.CharField()


class TracktikSyncRunSerializer(serializers.ModelSerializer):
    status = ChoiceField(choices=JobStatus.choices, read_only=True)
    progress = serializers.IntegerField(source="progress_percent", read_only=True, min_value=0, max_value=100)
    done = serializers.IntegerField(source="progress_done", read_only=True, min_value=0, max_value=MAX_WHOLE_NUMBER)
    total = serializers.IntegerField(source="progress_total", read_only=True, min_value=0, max_value=MAX_WHOLE_NUMBER)
    created = serializers.IntegerField(source="created_count", read_only=True)
    updated = serializers.IntegerField(source="updated_count", read_only=True)
    unchanged = serializers.IntegerField(source="unchanged_count", read_only=True)
    removed = serializers.IntegerField(source="removed_count", read_only=True)
    flagged = serializers.IntegerField(source="flagged_count", read_only=True)
    leave_created = serializers.IntegerField(
        source="leave_created_count", read_only=True, help_text="Off-periods imported as approved leave."
    )
    leave_updated = serializers.IntegerField(
        source="leave_updated_count", read_only=True, help_text="Changed off-periods whose leave was replaced."
    )
    leave_unchanged = serializers.IntegerField(source="leave_unchanged_count", read_only=True)
    leave_withdrawn = serializers.IntegerField(
        source="leave_withdrawn_count", read_only=True, help_text="Imported leave cancelled: gone from TrackTik."
    )
    errors = TracktikSyncErrorSerializer(many=True, read_only=True, help_text="The first 200 record errors.")
    reason = serializers.CharField(source="error", read_only=True, help_text="Why the run failed.")

    class Meta:
        model = TracktikSyncRun
        fields = [
            "id",
            "status",
            "full",
            "window_start",
            "progress",
            "done",
            "total",
            "created",
            "updated",
            "unchanged",
            "removed",
            "flagged",
            "leave_created",
            "leave_updated",
            "leave_unchanged",
            "leave_withdrawn",
            "error_count",
            "errors",
            "reason",
            "duration_ms",
            "started_at",
            "finished_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8) or XLSX, with a header row.")


class TracktikScrMatchSerializer(serializers.ModelSerializer):
    summary = serializers.JSONField(
        read_only=True, help_text="first_day, last_day, posts and the count of each coverage."
    )
    lines = serializers.JSONField(
        read_only=True,
        help_text="Per building code, post position code and date: hours_requested, hours_scheduled, difference, "
        "coverage (covered, under, over, unrequested) and the shifts (TrackTik ids and hours).",
    )

    class Meta:
        model = TracktikScrMatch
        fields = ["id", "filename", "first_day", "last_day", "summary", "lines", "created_at", "updated_at"]
        read_only_fields = fields


class TracktikInvoiceReconciliationSerializer(serializers.ModelSerializer):
    summary = serializers.JSONField(read_only=True, help_text="lines and the count of each status.")
    lines = serializers.JSONField(
        read_only=True,
        help_text="Per invoice line: invoiced and TrackTik hours and amounts, their differences and a status "
        "(match, hours_differ, amount_differ, no_tracktik_hours).",
    )

    class Meta:
        model = TracktikInvoiceReconciliation
        fields = ["id", "filename", "summary", "lines", "created_at", "updated_at"]
        read_only_fields = fields


class BillingLineSerializer(serializers.Serializer):
    position_id = serializers.IntegerField(allow_null=True)
    position = serializers.CharField()
    post_position_code = serializers.CharField()
    pay_type = serializers.CharField(help_text="regular, overtime or holiday.")
    hours = serializers.DecimalField(max_digits=12, decimal_places=2)
    rate = serializers.DecimalField(max_digits=12, decimal_places=2)
    factor = serializers.DecimalField(max_digits=4, decimal_places=2)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    shift_ids = serializers.ListField(child=serializers.IntegerField(), help_text="TrackTik shift ids.")


class BillingSiteSerializer(serializers.Serializer):
    site_id = serializers.IntegerField()
    tracktik_id = serializers.IntegerField()
    custom_id = serializers.CharField()
    name = serializers.CharField()
    hours = serializers.DecimalField(max_digits=12, decimal_places=2)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    lines = BillingLineSerializer(many=True)


class BillingClientSerializer(serializers.Serializer):
    client_id = serializers.IntegerField()
    client_name = serializers.CharField()
    hours = serializers.DecimalField(max_digits=12, decimal_places=2)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    sites = BillingSiteSerializer(many=True)


class BillingTotalsSerializer(serializers.Serializer):
    hours = serializers.DecimalField(max_digits=12, decimal_places=2)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    regular_hours = serializers.DecimalField(max_digits=12, decimal_places=2)
    overtime_hours = serializers.DecimalField(max_digits=12, decimal_places=2)
    holiday_hours = serializers.DecimalField(max_digits=12, decimal_places=2)


class BillingReportSerializer(serializers.Serializer):
    week_start = serializers.DateField()
    week_end = serializers.DateField()
    currency = serializers.CharField()
    clients = BillingClientSerializer(many=True)
    totals = BillingTotalsSerializer()


class BillingQuerySerializer(serializers.Serializer):
    week = serializers.DateField(help_text="A day of the week (YYYY-MM-DD); the week starts on its Monday.")
