"""REST endpoints of time tracking: thin, declarative, services do the work.

Scope ``time.read`` for GET, ``time.write`` for everything else. ``PUT`` on a client, project,
task or time entry behaves like ``PATCH`` (the TimeTracker API updates with PUT).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import parsers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from trackyoursheets import storage
from trackyoursheets.api import viewsets as base
from trackyoursheets.api.errors import ValidationFailed
from trackyoursheets.limits import MAX_WHOLE_NUMBER

from .. import expense_selectors, importer, selectors, services
from .. import search as time_search
from ..filters import ClientFilterSet, ContractFilterSet, ProjectFilterSet, TaskFilterSet, TimeEntryFilterSet
from .serializers import (
    ClientSerializer,
    ContractInputSerializer,
    ContractSerializer,
    ContractUpdateSerializer,
    ProjectInputSerializer,
    ProjectSerializer,
    TaskInputSerializer,
    TaskSerializer,
    TaskUpdateSerializer,
    TimeEntryBulkInputSerializer,
    TimeEntryBulkResultSerializer,
    TimeEntryInputSerializer,
    TimeEntryListPage,
    TimeEntrySerializer,
    TimeEntryUpdateSerializer,
    TimeImportCsvInputSerializer,
    TimeImportJobSerializer,
    TimeImportReportSerializer,
    TimerStartSerializer,
    TimerStatusSerializer,
    TimerStopSerializer,
    TimeSearchResponseSerializer,
    TimeSettingsSerializer,
    TimeSummaryQuerySerializer,
    TimeSummaryResponseSerializer,
)

SCOPE_AREA = "time"


#: time resources answer PUT as PATCH (the TimeTracker API updates with PUT) and DELETE
CRUD_METHODS = ["get", "post", "put", "patch", "delete", "head", "options"]


def _crud_schema(noun: str, *, request=None, update_request=None, delete: str | None = None, plural: str = ""):
    update_request = update_request or request
    views = {
        "list": extend_schema(summary=f"List {plural or noun + 's'}"),
        "create": extend_schema(summary=f"Create a {noun}", request=request),
        "retrieve": extend_schema(summary=f"Get a {noun}"),
        "partial_update": extend_schema(summary=f"Update a {noun}", request=update_request),
        "update": extend_schema(summary=f"Update a {noun} (same as PATCH)", request=update_request),
    }
    if delete:
        views["destroy"] = extend_schema(summary=delete)
    return extend_schema_view(**views)


@_crud_schema("client", delete="Archive a client (it is kept for its projects' history)")
class ClientViewSet(base.TenantModelViewSet):
    scope_area = SCOPE_AREA
    http_method_names = CRUD_METHODS
    list_selector = selectors.client_list
    serializer_class = ClientSerializer
    filterset_class = ClientFilterSet

    def perform_create(self, serializer):
        return services.client_create(actor=self.actor, **serializer.validated_data)

    def perform_update(self, instance, serializer):
        return services.client_update(actor=self.actor, client=instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.client_delete(actor=self.actor, client=instance)


@_crud_schema(
    "project",
    request=ProjectInputSerializer,
    delete="Archive a project (DELETE archives; its time is kept and it takes no new time)",
)
class ProjectViewSet(base.TenantModelViewSet):
    #: project viewers read their projects (and their tasks); writes stay closed to them
    viewer_access = True
    scope_area = SCOPE_AREA
    http_method_names = CRUD_METHODS
    list_selector = selectors.project_list
    serializer_class = ProjectSerializer
    input_serializer_class = ProjectInputSerializer
    filterset_class = ProjectFilterSet

    def get_serializer(self, *args, **kwargs):
        if self.action in ("update", "partial_update"):
            kwargs["partial"] = True
        return super().get_serializer(*args, **kwargs)

    def perform_create(self, serializer):
        return services.project_create(actor=self.actor, **serializer.validated_data)

    def perform_update(self, instance, serializer):
        return services.project_update(actor=self.actor, project=instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.project_archive(actor=self.actor, project=instance)


@_crud_schema("task", request=TaskInputSerializer, update_request=TaskUpdateSerializer, delete="Delete a task")
class TaskViewSet(base.TenantModelViewSet):
    #: project viewers read their projects (and their tasks); writes stay closed to them
    viewer_access = True
    scope_area = SCOPE_AREA
    http_method_names = CRUD_METHODS
    list_selector = selectors.task_list
    serializer_class = TaskSerializer
    input_serializer_class = TaskInputSerializer
    update_serializer_class = TaskUpdateSerializer
    filterset_class = TaskFilterSet

    def perform_create(self, serializer):
        return services.task_create(actor=self.actor, **serializer.validated_data)

    def perform_update(self, instance, serializer):
        return services.task_update(actor=self.actor, task=instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.task_delete(actor=self.actor, task=instance)


@_crud_schema(
    "contract", request=ContractInputSerializer, update_request=ContractUpdateSerializer, delete="Delete a contract"
)
class ContractViewSet(base.TenantModelViewSet):
    scope_area = SCOPE_AREA
    http_method_names = CRUD_METHODS
    list_selector = selectors.contract_list
    serializer_class = ContractSerializer
    input_serializer_class = ContractInputSerializer
    update_serializer_class = ContractUpdateSerializer
    filterset_class = ContractFilterSet

    def perform_create(self, serializer):
        return services.contract_create(actor=self.actor, **serializer.validated_data)

    def perform_update(self, instance, serializer):
        return services.contract_update(actor=self.actor, contract=instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.contract_delete(actor=self.actor, contract=instance)


@_crud_schema(
    "time entry",
    plural="time entries",
    request=TimeEntryInputSerializer,
    update_request=TimeEntryUpdateSerializer,
    delete="Delete a time entry",
)
class TimeEntryViewSet(base.TenantModelViewSet):
    scope_area = SCOPE_AREA
    http_method_names = CRUD_METHODS
    list_selector = selectors.time_entry_list
    serializer_class = TimeEntrySerializer
    input_serializer_class = TimeEntryInputSerializer
    update_serializer_class = TimeEntryUpdateSerializer
    filterset_class = TimeEntryFilterSet

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list" and not getattr(self, "swagger_fake_view", False):
            # a page reads plain columns (TimeEntryListPage), not the related rows; without the
            # joins the page's count is an index-only scan
            queryset = queryset.select_related(None)
        return queryset

    def list(self, request, *args, **kwargs):
        # the envelope of ListModelMixin, with the page read and rendered by TimeEntryListPage
        # (same JSON as TimeEntrySerializer, a fraction of the cost)
        if base.prefers_minimal(request):
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        return self.get_paginated_response(self.paginate_queryset(TimeEntryListPage(queryset)))

    def perform_create(self, serializer):
        # answered from the instance the service saved, with the employee (and login) and project
        # the serializer loaded: no query to read it back (issue 13 point 14)
        return services.time_entry_create(actor=self.actor, **serializer.validated_data)

    def perform_update(self, instance, serializer):
        services.time_entry_update(actor=self.actor, entry=instance, data=serializer.validated_data)
        return selectors.time_entry_get(actor=self.actor, pk=instance.pk)

    def perform_destroy(self, instance):
        services.time_entry_delete(actor=self.actor, entry=instance)


# =============================================================================
# Bulk actions and imports
# =============================================================================


class TimeAPIView(APIView):
    scope_area = SCOPE_AREA

    @property
    def actor(self):
        return self.request.auth

    #: the success status recorded on the audit rows this endpoint's services write (issue 12)
    audit_status_code = status.HTTP_200_OK

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        context = getattr(request.auth, "audit", None)
        if context is not None:
            context.status_code = self.audit_status_code


class TimeEntryBulkView(TimeAPIView):
    @extend_schema(
        summary="One action on many time entries (delete, set_billable, set_paid, add_tag, remove_tag)",
        request=TimeEntryBulkInputSerializer,
        responses=TimeEntryBulkResultSerializer,
    )
    def post(self, request):
        serializer = TimeEntryBulkInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        result = services.time_entry_bulk(actor=self.actor, **serializer.validated_data)
        return Response(
            {
                "action": result.action,
                "changed": result.changed,
                "changed_count": len(result.changed),
                "skipped": result.skipped,
                "skipped_count": len(result.skipped),
            }
        )


class CsvTextParser(parsers.BaseParser):
    """A raw CSV body (``text/csv`` or ``text/plain``), handed to the view as bytes."""

    media_type = "text/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return {"raw": stream.read() if stream is not None else b""}


DRY_RUN = OpenApiParameter(
    "dry_run", OpenApiTypes.BOOL, description="Validate and report, write nothing.", required=False
)


class TimeEntryImportView(TimeAPIView):
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser, CsvTextParser]

    @extend_schema(
        summary="Import time entries from CSV (multipart file, JSON {csv} or {data}, or a text/csv body)",
        parameters=[DRY_RUN],
        request={
            "multipart/form-data": TimeImportCsvInputSerializer,
            "application/json": TimeImportCsvInputSerializer,
            "text/csv": OpenApiTypes.STR,
        },
        responses={
            200: OpenApiResponse(TimeImportReportSerializer, description="A dry run's report."),
            201: OpenApiResponse(TimeImportReportSerializer, description="Every row was imported."),
            202: OpenApiResponse(TimeImportJobSerializer, description="A large file: follow `url` for progress."),
        },
    )
    def post(self, request):
        raw, filename = self._payload(request)
        text = importer.decode_csv(raw)
        dry_run = str(request.query_params.get("dry_run", "")).lower() in ("1", "true", "yes")
        rows = importer.count_rows(text)
        if rows > importer.async_threshold():
            job = importer.import_job_create(
                actor=self.actor, text=text, total_rows=rows, dry_run=dry_run, filename=filename
            )
            job = selectors.import_job_get(actor=self.actor, pk=job.pk)
            url = request.build_absolute_uri(f"/v1/time-entries/imports/{job.pk}")
            return Response(
                TimeImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED, headers={"Location": url}
            )
        report = importer.import_csv(actor=self.actor, text=text, dry_run=dry_run)
        code = status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED
        return Response(report.as_dict(), status=code)

    def _payload(self, request) -> tuple[bytes | str, str]:
        data = request.data
        upload = request.FILES.get("file") if hasattr(request, "FILES") else None
        if upload is not None:
            return storage.read_upload(upload), upload.name or ""
        if isinstance(data, dict) and "raw" in data and isinstance(data["raw"], bytes):
            return data["raw"], ""
        for key in ("csv", "data"):
            value = data.get(key) if hasattr(data, "get") else None
            if isinstance(value, str) and value.strip():
                return value, ""
        raise ValidationFailed(
            {
                "file": [
                    _('Send the CSV as a multipart file, as JSON {"csv": ...} or {"data": ...}, or as a text/csv body.')
                ]
            }
        )


class ImportJobView(TimeAPIView):
    @extend_schema(summary="Progress and result of a large CSV import", responses=TimeImportJobSerializer)
    def get(self, request, pk: int):
        job = selectors.import_job_get(actor=self.actor, pk=pk)
        return Response(TimeImportJobSerializer(job).data)


# =============================================================================
# Timers
# =============================================================================

#: an id in a query: a whole number within bigint (else a 422)
WHOLE_ID = {"type": "integer", "minimum": 1, "maximum": MAX_WHOLE_NUMBER}
EMPLOYEE_PARAMS = [
    OpenApiParameter("employee_id", WHOLE_ID, description="Whose timer (default: your own).", required=False),
    OpenApiParameter("user_id", WHOLE_ID, description="Whose timer, by login.", required=False),
]


def _entry(view, entry):
    return TimeEntrySerializer(
        selectors.time_entry_get(actor=view.actor, pk=entry.pk), context={"request": view.request}
    ).data


class TimerStatusView(TimeAPIView):
    @extend_schema(
        summary="The running timer of the employee", parameters=EMPLOYEE_PARAMS, responses=TimerStatusSerializer
    )
    def get(self, request):
        serializer = TimerStopSerializer(data=request.query_params, context={"request": request})
        serializer.is_valid(raise_exception=True)
        running = selectors.running_timer(actor=self.actor, employee=serializer.validated_data["employee"])
        timer = TimeEntrySerializer(running, context={"request": request}).data if running else None
        return Response({"active": running is not None, "timer": timer})


class TimerStartView(TimeAPIView):
    audit_status_code = status.HTTP_201_CREATED

    @extend_schema(
        summary="Start a timer (409 when one is already running)",
        request=TimerStartSerializer,
        responses={201: TimeEntrySerializer},
    )
    def post(self, request):
        serializer = TimerStartSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        entry = services.timer_start(actor=self.actor, **serializer.validated_data)
        return Response(_entry(self, entry), status=status.HTTP_201_CREATED)


class TimerStopView(TimeAPIView):
    @extend_schema(
        summary="Stop the running timer (409 when none is running)",
        request=TimerStopSerializer,
        responses=TimeEntrySerializer,
    )
    def post(self, request):
        serializer = TimerStopSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        entry = services.timer_stop(actor=self.actor, employee=serializer.validated_data["employee"])
        return Response(_entry(self, entry))


# =============================================================================
# Search, summary report, settings
# =============================================================================


class SearchView(TimeAPIView):
    @extend_schema(
        summary="Search projects, tasks, clients and time entries",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="At least 2 characters.", required=True),
            OpenApiParameter(
                "types", OpenApiTypes.STR, description="Comma-separated: project, task, client, entry.", required=False
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": 50},
                description="Per type, 1-50 (default 10).",
                required=False,
            ),
        ],
        responses=TimeSearchResponseSerializer,
    )
    def get(self, request):
        q = request.query_params.get("q", "").strip()
        errors = {}
        if len(q) < 2:
            errors["q"] = [_("Give at least 2 characters.")]
        raw_types = request.query_params.get("types", "")
        types = tuple(t.strip() for t in raw_types.split(",") if t.strip()) or time_search.SEARCH_TYPES
        unknown = [t for t in types if t not in time_search.SEARCH_TYPES]
        if unknown:
            errors["types"] = [
                _("Unknown: %(names)s. Use project, task, client, entry.") % {"names": ", ".join(unknown)}
            ]
        try:
            limit = int(request.query_params.get("limit", 10))
            if not 1 <= limit <= 50:
                raise ValueError
        except ValueError:
            errors["limit"] = [_("A whole number from 1 to 50.")]
            limit = 10
        if errors:
            raise ValidationFailed(errors)
        results = time_search.search(actor=self.actor, q=q, types=types, limit=limit)
        return Response({"results": results, "query": q, "count": len(results)})


class SummaryReportView(TimeAPIView):
    @extend_schema(
        summary="Hours, entries and amounts by project and by employee; billable expenses by project and client",
        parameters=[TimeSummaryQuerySerializer],
        responses=TimeSummaryResponseSerializer,
    )
    def get(self, request):
        query = TimeSummaryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        summary = selectors.summary_report(actor=self.actor, **query.validated_data)
        summary = expense_selectors.add_billable_expenses(summary, actor=self.actor, **query.validated_data)
        return Response(TimeSummaryResponseSerializer({"summary": summary}).data)


class TimeSettingsView(TimeAPIView):
    @extend_schema(summary="The organisation's time settings (overlaps, rounding)", responses=TimeSettingsSerializer)
    def get(self, request):
        return Response(TimeSettingsSerializer(selectors.time_settings_get(organisation=self.actor.organisation)).data)

    @extend_schema(
        summary="Change the time settings (owners and admins)",
        request=TimeSettingsSerializer,
        responses=TimeSettingsSerializer,
    )
    def patch(self, request):
        serializer = TimeSettingsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        settings = services.time_settings_update(actor=self.actor, data=serializer.validated_data)
        return Response(TimeSettingsSerializer(settings).data)

    @extend_schema(
        summary="Change the time settings (same as PATCH)",
        request=TimeSettingsSerializer,
        responses=TimeSettingsSerializer,
    )
    def put(self, request):
        return self.patch(request)
