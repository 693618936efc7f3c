"""``/v1/reports/export`` and ``/v1/reports/exports`` (issue 17 point 2). Thin: services decide.

Scope ``reports.export`` for every call, plus the report's own read scope (checked by the
service). ``GET …/{id}/download`` streams the file to an authenticated caller who may see the
export, or to anyone holding its signed ``download_url`` until ``expires_at`` (no token)."""

from __future__ import annotations

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from trackyoursheets.api import viewsets as base

from . import selectors, services
from .models import ExportStatus, ReportExport
from .selectors import ReportExportFilterSet
from .serializers import ReportExportInputSerializer, ReportExportSerializer

SCOPE = "reports.export"


class ReportExportRequestView(APIView):
    required_scope = SCOPE

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        context = getattr(request.auth, "audit", None)
        if context is not None:  # the status its audit row records (issue 12)
            context.status_code = status.HTTP_202_ACCEPTED

    @extend_schema(
        summary="Request a report export (CSV, XLSX, PDF or a zip bundle)",
        description="Queues an export of `report` in `format`, filtered by `filters` (the query parameters of the "
        "report's list endpoint, checked now: a bad filter is a 422). The file holds exactly what the caller sees "
        "through the API. Answers 202 with the export; poll `url` (or wait for the `report.export.ready` webhook) "
        "until `status` is `ready`, then fetch `download_url`. For `zip`, `parts` lists the bundled reports.",
        request=ReportExportInputSerializer,
        responses={202: ReportExportSerializer},
    )
    def post(self, request):
        serializer = ReportExportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        export = services.export_request(
            actor=request.auth,
            report=data.get("report", ""),
            format=data["format"],
            filters=data.get("filters") or {},
            columns=data.get("columns") or [],
            parts=data.get("parts") or [],
            bom=data.get("bom", False),
            delimiter=data.get("delimiter", ","),
            base_url=request.build_absolute_uri("/"),
        )
        export = selectors.export_get(actor=request.auth, pk=export.pk)
        body = ReportExportSerializer(export, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


@extend_schema_view(
    list=extend_schema(
        summary="Report exports, newest first",
        description="Your exports (owners, admins and OAuth clients: the organisation's), with status, progress, "
        "size, checksum, download link and expiry.",
    ),
    retrieve=extend_schema(summary="One report export: status and progress"),
    destroy=extend_schema(summary="Delete a report export and its file (a running one is a 409)"),
    download=extend_schema(
        summary="Download an export's file",
        description="With a token that may see the export, or with `?signature=` from its `download_url` (no token "
        "needed) until `expires_at`. 409 while it is not ready; 410 once it has expired.",
        parameters=[OpenApiParameter("signature", OpenApiTypes.STR, required=False, description="From download_url.")],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")},
    ),
)
class ReportExportViewSet(base.ListModelMixin, base.RetrieveModelMixin, base.DestroyModelMixin, base.TenantViewSet):
    required_scope = SCOPE
    list_selector = selectors.export_list
    serializer_class = ReportExportSerializer
    filterset_class = ReportExportFilterSet
    http_method_names = ["get", "delete", "head", "options"]

    def _signed_download(self) -> bool:
        """A download through the signed link: no credential, no scope, no rate limit of a token."""
        request = getattr(self, "request", None)
        if request is None or not request.GET.get("signature"):
            return False
        return request.path.endswith("/download")

    def get_authenticators(self):
        return [] if self._signed_download() else super().get_authenticators()

    def get_permissions(self):
        return [AllowAny()] if self._signed_download() else super().get_permissions()

    def get_throttles(self):
        return [] if self._signed_download() else super().get_throttles()

    def perform_destroy(self, instance):
        services.export_delete(actor=self.actor, export=instance)

    @action(detail=True, methods=["get"], url_path="download", filterset_class=None)
    def download(self, request, pk=None):
        signature = request.GET.get("signature")
        if signature:
            export = ReportExport.objects.filter(pk=pk).select_related(None).first()
            if export is None or not services.signature_valid(export, signature):
                raise Http404
        else:
            export = self.get_object()
        if export.status == ExportStatus.EXPIRED:
            raise _Gone()
        if export.status != ExportStatus.READY:
            raise _NotReady()
        handle = services.export_storage().open(export.file.name, "rb")
        response = FileResponse(handle, as_attachment=True, filename=export.file_name, content_type=export.content_type)
        response["Content-Length"] = str(export.size)
        response["Digest"] = f"sha-256={export.checksum}"
        response["Cache-Control"] = "private, no-store"
        return response


class _Gone(exceptions.APIException):
    status_code = 410
    default_detail = "The export has expired and its file was deleted; request it again."


class _NotReady(exceptions.APIException):
    status_code = 409
    default_detail = "The export is not ready yet; poll it until its status is ready."
