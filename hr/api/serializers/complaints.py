"""REST shapes of HR tickets: reporter null when anonymous, internal notes only for HR and the
assignee."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from organisations import selectors as organisation_selectors
from trackyoursheets.api.fields import ChoiceField, ScopedPrimaryKeyRelatedField, actor_of
from trackyoursheets.limits import FREE_TEXT_MAX_LENGTH

from ... import selectors
from ...choices import (
    ComplaintCategory,
    ComplaintPriority,
    ComplaintStatus,
)
from ...models import Complaint, ComplaintNote, Employee


class PersonSerializer(serializers.Serializer):
    membership_id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="user.get_full_name")
    email = serializers.CharField(source="user.email")


class ComplaintNoteSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author_label")

    class Meta:
        model = ComplaintNote
        fields = ["id", "author", "body", "created_at"]
        read_only_fields = fields


class ComplaintSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    category = ChoiceField(ComplaintCategory, read_only=True)
    priority = ChoiceField(ComplaintPriority, read_only=True)
    status = ChoiceField(ComplaintStatus, read_only=True)
    anonymous = serializers.BooleanField(source="is_anonymous", read_only=True)
    reporter = serializers.SerializerMethodField(help_text="Null for an anonymous ticket, for everyone.")
    assignee = serializers.SerializerMethodField()
    about_employee_id = serializers.IntegerField(read_only=True, allow_null=True)
    notes = ComplaintNoteSerializer(
        many=True, required=False, help_text="Internal notes: only for HR and the assignee; absent otherwise."
    )

    class Meta:
        model = Complaint
        fields = [
            "id",
            "reference",
            "subject",
            "category",
            "priority",
            "status",
            "description",
            "anonymous",
            "reporter",
            "about_employee_id",
            "assignee",
            "resolution",
            "resolved_at",
            "closed_at",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [f for f in fields if f != "notes"]

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_reporter(self, obj):
        if obj.is_anonymous or obj.reporter_id is None:
            return None
        return PersonSerializer(obj.reporter).data

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_assignee(self, obj):
        return PersonSerializer(obj.assignee).data if obj.assignee_id else None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        actor = actor_of(self.context)
        if actor is None or not selectors.complaint_can_handle(actor=actor, complaint=instance):
            data.pop("notes", None)
        return data


class ComplaintCreatedSerializer(ComplaintSerializer):
    follow_token = serializers.CharField(
        required=False,
        help_text="Anonymous tickets only, shown once: follow the ticket with POST /v1/hr/complaints/follow.",
    )

    class Meta(ComplaintSerializer.Meta):
        fields = [*ComplaintSerializer.Meta.fields, "follow_token"]
        read_only_fields = [f for f in fields if f not in ("notes", "follow_token")]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        token = self.context.get("follow_token")
        if token:
            data["follow_token"] = token
        else:
            data.pop("follow_token", None)
        return data


class ComplaintInputSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=FREE_TEXT_MAX_LENGTH)
    category = ChoiceField(ComplaintCategory, required=False, default=ComplaintCategory.OTHER)
    priority = ChoiceField(ComplaintPriority, required=False, default=ComplaintPriority.NORMAL)
    anonymous = serializers.BooleanField(
        required=False, default=False, help_text="Store no reporter; you get a private follow token instead."
    )
    about_employee_id = serializers.PrimaryKeyRelatedField(
        queryset=Employee.objects.none(),
        source="about_employee",
        required=False,
        allow_null=True,
        help_text="The employee the ticket is about (any employee of your organisation).",
    )

    def get_fields(self):
        fields = super().get_fields()
        actor = actor_of(self.context)
        if actor is not None:
            fields["about_employee_id"].queryset = selectors.employee_choices(actor=actor)
        return fields


class ComplaintUpdateSerializer(serializers.Serializer):
    category = ChoiceField(ComplaintCategory, required=False)
    priority = ChoiceField(ComplaintPriority, required=False)
    about_employee_id = serializers.PrimaryKeyRelatedField(
        queryset=Employee.objects.none(), source="about_employee", required=False, allow_null=True
    )

    def get_fields(self):
        fields = super().get_fields()
        actor = actor_of(self.context)
        if actor is not None:
            fields["about_employee_id"].queryset = selectors.employee_choices(actor=actor)
        return fields


class ComplaintAssignSerializer(serializers.Serializer):
    assignee_id = ScopedPrimaryKeyRelatedField(
        selector=organisation_selectors.membership_list,
        source="assignee",
        help_text="An active HR member (membership id); never the person the ticket is about.",
    )


class ComplaintTransitionSerializer(serializers.Serializer):
    status = ChoiceField(ComplaintStatus)
    resolution = serializers.CharField(required=False, allow_blank=True, max_length=FREE_TEXT_MAX_LENGTH)


class ComplaintNoteInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=FREE_TEXT_MAX_LENGTH)


class ComplaintFollowSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200, help_text="The follow token you were given when you filed it.")


class ComplaintFollowViewSerializer(serializers.ModelSerializer):
    """What an anonymous reporter reads through their token: the ticket, never the notes."""

    reference = serializers.CharField(read_only=True)
    category = ChoiceField(ComplaintCategory, read_only=True)
    priority = ChoiceField(ComplaintPriority, read_only=True)
    status = ChoiceField(ComplaintStatus, read_only=True)
    assigned = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "id",
            "reference",
            "subject",
            "category",
            "priority",
            "status",
            "description",
            "assigned",
            "resolution",
            "resolved_at",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_assigned(self, obj) -> bool:
        return obj.assignee_id is not None
