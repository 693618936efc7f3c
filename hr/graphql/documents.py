"""GraphQL of HR documents: the document type and the acknowledge mutation."""

from __future__ import annotations

import graphene
from graphene import relay

from trackyoursheets.api.graphql import (
    CountableConnection,
    DateTime,
    TenantMutation,
    TenantObjectType,
    scoped_target,
)

from .. import selectors, services
from ..models import HRDocument
from .scopes import READ, WRITE


class HRDocumentType(TenantObjectType):
    """A policy document. Scope `hr.read`. HR, owners and admins see all (drafts included);
    others the published documents addressed to them."""

    read_scope = READ
    list_selector = selectors.document_list

    category = graphene.String(required=True)
    audience = graphene.String(required=True, description="everyone, offices or roles.")
    office_ids = graphene.List(graphene.NonNull(graphene.Int), required=True)
    roles = graphene.List(graphene.NonNull(graphene.String), required=True)
    version = graphene.String(description="The current version's label.")
    version_number = graphene.Int()
    is_published = graphene.Boolean(required=True)
    download_url = graphene.String(required=True, description="REST download of the current version.")

    class Meta:
        model = HRDocument
        name = "HRDocument"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "database_id",
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
            "version_number",
            "download_url",
            "created_at",
            "updated_at",
        )

    @staticmethod
    def resolve_category(document, info):
        return document.category

    @staticmethod
    def resolve_audience(document, info):
        return document.audience

    @staticmethod
    def resolve_office_ids(document, info):
        return [office.pk for office in document.audience_offices.all()]

    @staticmethod
    def resolve_roles(document, info):
        return document.roles

    @staticmethod
    def resolve_version(document, info):
        return document.current_version.label if document.current_version_id else None

    @staticmethod
    def resolve_version_number(document, info):
        return document.current_version.number if document.current_version_id else None

    @staticmethod
    def resolve_is_published(document, info):
        return document.is_published

    @staticmethod
    def resolve_download_url(document, info):
        return f"/v1/hr/documents/{document.pk}/download"


class HRDocumentAcknowledgementType(graphene.ObjectType):
    """An acknowledgement of one version of a document."""

    class Meta:
        name = "HRDocumentAcknowledgement"

    database_id = graphene.Int(required=True)
    document = graphene.Field(HRDocumentType, required=True)
    version = graphene.String(required=True)
    version_number = graphene.Int(required=True)
    employee_id = graphene.Int(required=True)
    acknowledged_at = DateTime(required=True)
    created = graphene.Boolean(required=True, description="False when this version was already acknowledged.")


class HRDocumentAckInput(graphene.InputObjectType):
    document_id = graphene.ID(required=True, description="Integer id or global id of the document.")


class AcknowledgeHRDocument(TenantMutation):
    """Acknowledge the current version of a document as the employee behind the credential
    (scope `hr.write`); once per version (REST: `POST /v1/hr/documents/{id}/acknowledge`)."""

    required_scope = WRITE

    class Arguments:
        input = HRDocumentAckInput(required=True)

    Output = graphene.NonNull(HRDocumentAcknowledgementType)

    @classmethod
    def perform_mutate(cls, info, actor, input):
        document = scoped_target(actor, input.document_id, "HRDocument", selectors.document_list)
        acknowledgement, created = services.document_acknowledge(actor=actor, document=document)
        return HRDocumentAcknowledgementType(
            database_id=acknowledgement.pk,
            document=document,
            version=acknowledgement.version.label,
            version_number=acknowledgement.version.number,
            employee_id=acknowledgement.employee_id,
            acknowledged_at=acknowledgement.acknowledged_at,
            created=created,
        )
