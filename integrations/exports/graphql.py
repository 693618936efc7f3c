"""GraphQL of report exports (issue 17 point 6): ``reportExports`` (a connection, the same
selector as ``GET /v1/reports/exports``) and ``requestReportExport(input)`` (the same service as
``POST /v1/reports/export``). Scope ``reports.export`` plus the report's own read scope."""

from __future__ import annotations

import graphene
from graphene import relay

from trackyoursheets.api.errors import ValidationFailed
from trackyoursheets.api.graphql import (
    CountableConnection,
    TenantConnectionField,
    TenantMutation,
    TenantObjectField,
    TenantObjectType,
)
from trackyoursheets.exceptions import DomainError

from . import selectors, services
from .models import ExportStatus, ReportExport
from .selectors import ReportExportFilterSet

__all__ = ["Mutation", "Query", "ReportExportType"]

SCOPE = "reports.export"


class ReportExportType(TenantObjectType):
    """A report export: status, progress and its file (scope `reports.export`)."""

    read_scope = SCOPE
    list_selector = selectors.export_list

    rows = graphene.Int(required=True)
    progress_done = graphene.Int(required=True)
    progress_total = graphene.Int(required=True)
    progress_percent = graphene.Int(required=True)
    filters = graphene.JSONString(required=True)
    download_url = graphene.String(description="A signed link that needs no token; null until ready.")
    requested_by = graphene.String(required=True)

    class Meta:
        model = ReportExport
        name = "ReportExport"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "database_id",
            "report",
            "format",
            "status",
            "size",
            "checksum",
            "file_name",
            "content_type",
            "error",
            "expires_at",
            "created_at",
            "started_at",
            "finished_at",
            "updated_at",
        )

    @staticmethod
    def resolve_rows(export, info):
        return export.row_count

    @staticmethod
    def resolve_progress_percent(export, info):
        return export.progress_percent

    @staticmethod
    def resolve_requested_by(export, info):
        return export.actor_label

    @staticmethod
    def resolve_download_url(export, info):
        if export.status != ExportStatus.READY:
            return None
        return info.context.build_absolute_uri(services.export_download_path(export, signed=True))


class Query(graphene.ObjectType):
    report_exports = TenantConnectionField(
        ReportExportType, filterset_class=ReportExportFilterSet, description="Report exports, newest first."
    )
    report_export = TenantObjectField(ReportExportType, description="One report export; null when not found.")


class ReportExportPartInput(graphene.InputObjectType):
    report = graphene.String(required=True)
    format = graphene.String(description="csv (default), xlsx or pdf.")
    filters = graphene.JSONString()
    columns = graphene.List(graphene.NonNull(graphene.String))


class ReportExportRequestInput(graphene.InputObjectType):
    report = graphene.String(description="The report (for a zip: the bundle's name).")
    format = graphene.String(required=True, description="csv, xlsx, pdf or zip.")
    filters = graphene.JSONString(description="The list endpoint's query parameters.")
    columns = graphene.List(graphene.NonNull(graphene.String))
    parts = graphene.List(graphene.NonNull(ReportExportPartInput), description="The reports of a zip bundle.")
    bom = graphene.Boolean()
    delimiter = graphene.String(description='"," (default) or ";".')


class ReportExportRequest(TenantMutation):
    """Queue a report export (REST: `POST /v1/reports/export`); follow it in `reportExports`."""

    required_scope = SCOPE

    class Arguments:
        input = ReportExportRequestInput(required=True)

    Output = graphene.NonNull(ReportExportType)

    @classmethod
    def perform_mutate(cls, info, actor, input):
        if input.format not in ("csv", "xlsx", "pdf", "zip"):
            raise DomainError("Choose a format: csv, xlsx, pdf or zip.", errors={"format": ["csv, xlsx, pdf or zip."]})
        parts = [
            {
                "report": part.report,
                "format": part.get("format") or "csv",
                "filters": part.get("filters") or {},
                "columns": part.get("columns") or [],
            }
            for part in input.get("parts") or []
        ]
        try:
            export = services.export_request(
                actor=actor,
                report=input.get("report") or "",
                format=input.format,
                filters=input.get("filters") or {},
                columns=input.get("columns") or [],
                parts=parts,
                bom=bool(input.get("bom")),
                delimiter=input.get("delimiter") or ",",
                base_url=info.context.build_absolute_uri("/"),
            )
        except ValidationFailed as exc:
            raise DomainError(str(exc.detail), errors=exc.errors) from None
        return selectors.export_get(actor=actor, pk=export.pk)


class Mutation(graphene.ObjectType):
    request_report_export = ReportExportRequest.Field()
