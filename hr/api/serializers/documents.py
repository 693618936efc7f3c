"""REST shapes of HR documents, their versions and acknowledgements."""

from __future__ import annotations

from rest_framework import serializers

from organisations import selectors as organisation_selectors
from organisations.choices import Role
from trackyoursheets.api.fields import ChoiceField, ScopedPrimaryKeyRelatedField
from trackyoursheets.limits import FREE_TEXT_MAX_LENGTH

from ...choices import (
    Audience,
    DocumentCategory,
)
from ...models import HRDocument, HRDocumentVersion


class HRDocumentVersionSerializer(serializers.ModelSerializer):
    version = serializers.CharField(source="label", read_only=True)

    class Meta:
        model = HRDocumentVersion
        fields = ["number", "version", "file_name", "content_type", "size", "sha256", "notes", "created_at"]
        read_only_fields = fields


class HRDocumentSerializer(serializers.ModelSerializer):
    category = ChoiceField(DocumentCategory, read_only=True)
    audience = ChoiceField(Audience, read_only=True)
    office_ids = serializers.SerializerMethodField()
    roles = serializers.ListField(child=serializers.CharField(), read_only=True)
    version = serializers.SerializerMethodField(help_text="The current version's label.")
    current_version = HRDocumentVersionSerializer(read_only=True, allow_null=True)
    is_published = serializers.BooleanField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = HRDocument
        fields = [
            "id",
            "title",
            "category",
            "summary",
            "audience",
            "office_ids",
            "roles",
            "requires_acknowledgement",
            "published_at",
            "is_published",
            "version",
            "current_version",
            "download_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_office_ids(self, obj) -> list[int]:
        return [office.pk for office in obj.audience_offices.all()]

    def get_version(self, obj) -> str | None:
        return obj.current_version.label if obj.current_version_id else None

    def get_download_url(self, obj) -> str:
        return f"/v1/hr/documents/{obj.pk}/download"


class HRDocumentInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PDF, DOCX, PNG, JPEG or TXT; checked by content; size-limited.")
    title = serializers.CharField(max_length=200)
    version = serializers.CharField(max_length=50, required=False, default="1")
    category = ChoiceField(DocumentCategory, required=False, default=DocumentCategory.POLICY)
    summary = serializers.CharField(allow_blank=True, required=False, default="")
    audience = ChoiceField(Audience, required=False, default=Audience.EVERYONE)
    office_ids = serializers.ListField(
        child=ScopedPrimaryKeyRelatedField(selector=organisation_selectors.office_list),
        required=False,
        source="offices",
        help_text="With audience=offices.",
    )
    roles = serializers.ListField(child=ChoiceField(Role), required=False, help_text="With audience=roles.")
    requires_acknowledgement = serializers.BooleanField(required=False, default=True)
    published_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Defaults to now; a future time schedules it."
    )
    publish = serializers.BooleanField(required=False, default=True, help_text="false keeps it a draft.")

    def to_internal_value(self, data):
        # multipart forms repeat a key for a list (office_ids=1&office_ids=2)
        if hasattr(data, "getlist"):
            plain = {key: data.get(key) for key in data}
            for key in ("office_ids", "roles"):
                if key in data:
                    plain[key] = [v for v in data.getlist(key) if v != ""]
            data = plain
        return super().to_internal_value(data)


class HRDocumentUpdateSerializer(HRDocumentInputSerializer):
    file = None
    version = None
    publish = None
    title = serializers.CharField(max_length=200, required=False)
    category = ChoiceField(DocumentCategory, required=False)
    summary = serializers.CharField(allow_blank=True, required=False)
    audience = ChoiceField(Audience, required=False)
    requires_acknowledgement = serializers.BooleanField(required=False)


class HRDocumentVersionInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PDF, DOCX, PNG, JPEG or TXT; checked by content; size-limited.")
    version = serializers.CharField(max_length=50, required=False, default="", help_text="Defaults to the number.")
    notes = serializers.CharField(
        allow_blank=True, required=False, default="", max_length=FREE_TEXT_MAX_LENGTH, help_text="What changed."
    )


class AcknowledgementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    document_id = serializers.IntegerField()
    version = serializers.CharField(source="version.label")
    version_number = serializers.IntegerField(source="version.number")
    employee_id = serializers.IntegerField()
    acknowledged_at = serializers.DateTimeField()


class AcknowledgementStatusSerializer(serializers.Serializer):
    employee_id = serializers.IntegerField(source="pk")
    display_name = serializers.CharField()
    email = serializers.CharField()
    office_id = serializers.IntegerField(allow_null=True)
    acknowledged = serializers.SerializerMethodField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)

    def get_acknowledged(self, obj) -> bool:
        return obj.acknowledged_at is not None
