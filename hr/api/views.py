"""REST endpoints of the hr app (issue 8): thin, declarative, services do the work.

Scope ``hr.read`` for reads, ``hr.write`` for every write (acknowledging and filing a
ticket included). Roles decide the rest (hr/models/).
"""

from __future__ import annotations

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from trackyoursheets import storage
from trackyoursheets.api import viewsets as base
from trackyoursheets.api.filters import apply_filterset, reject_unknown_parameters, supported_parameters
from trackyoursheets.api.schema import filter_parameters
from trackyoursheets.exceptions import NotPermitted

from .. import selectors, services
from ..filters import AcknowledgementStateFilterSet, ComplaintFilterSet, EmployeeFilterSet, HRDocumentFilterSet
from ..models import sees_hr_portal
from .serializers import (
    AcknowledgementSerializer,
    AcknowledgementStatusSerializer,
    ComplaintAssignSerializer,
    ComplaintCreatedSerializer,
    ComplaintFollowSerializer,
    ComplaintFollowViewSerializer,
    ComplaintInputSerializer,
    ComplaintNoteInputSerializer,
    ComplaintSerializer,
    ComplaintTransitionSerializer,
    ComplaintUpdateSerializer,
    DashboardSerializer,
    EmployeeInputSerializer,
    EmployeeSerializer,
    EmployeeUpsertResultSerializer,
    EmployeeUpsertSerializer,
    HRDocumentInputSerializer,
    HRDocumentSerializer,
    HRDocumentUpdateSerializer,
    HRDocumentVersionInputSerializer,
    OnboardingSerializer,
    TerminateInputSerializer,
)
from .serializers.me import MeSerializer

SCOPE_AREA = "hr"


READ_ONLY = ["get", "head", "options"]


class MeView(APIView):
    """``GET /v1/me``: who the credential is. Any credential may ask (no scope needed)."""

    @extend_schema(
        summary="Who am I",
        description="The credential's kind, its person (user and employee record), organisation, "
        "role and scopes: what TimeTracker's `/api/v1/me` answers.",
        responses=MeSerializer,
        operation_id="me",
    )
    def get(self, request):
        actor = request.auth
        employee = selectors.employee_for_actor(actor=actor)
        return Response(MeSerializer(MeSerializer.payload(actor=actor, employee=employee)).data)


# =============================================================================
# Employees
# =============================================================================


@extend_schema_view(
    list=extend_schema(summary="List the employee directory (HR, owners, admins: all; managers: their office)"),
    create=extend_schema(summary="Add an employee (HR, owners, admins)", request=EmployeeInputSerializer),
    retrieve=extend_schema(summary="Get an employee"),
    partial_update=extend_schema(
        summary="Change an employee (HR, owners, admins); role changes follow the member rules",
        request=EmployeeInputSerializer,
    ),
)
class EmployeeViewSet(base.TenantModelViewSet):
    scope_area = SCOPE_AREA
    list_selector = selectors.employee_list
    serializer_class = EmployeeSerializer
    input_serializer_class = EmployeeInputSerializer
    filterset_class = EmployeeFilterSet

    def get_serializer(self, *args, **kwargs):
        if self.action == "partial_update":
            kwargs["partial"] = True
        return super().get_serializer(*args, **kwargs)

    def perform_create(self, serializer):
        employee = services.employee_create(actor=self.actor, **serializer.validated_data)
        return selectors.employee_get(actor=self.actor, pk=employee.pk)

    def perform_update(self, instance, serializer):
        services.employee_update(actor=self.actor, employee=instance, data=serializer.validated_data)
        return selectors.employee_get(actor=self.actor, pk=instance.pk)

    @extend_schema(
        summary="Terminate an employee (the record is kept; 409 when already terminated)",
        request=TerminateInputSerializer,
        responses=EmployeeSerializer,
    )
    @action(detail=True, methods=["post"], url_path="terminate")
    def terminate(self, request, pk=None):
        employee = self.get_object()
        serializer = TerminateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.employee_terminate(actor=self.actor, employee=employee, **serializer.validated_data)
        return self.output(selectors.employee_get(actor=self.actor, pk=employee.pk))

    @extend_schema(
        summary="Bulk upsert by external id (directory sync): all rows or none, idempotent",
        request=EmployeeUpsertSerializer,
        responses={200: EmployeeUpsertResultSerializer},
    )
    @action(detail=False, methods=["post"], url_path="upsert")
    def upsert(self, request):
        serializer = EmployeeUpsertSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        source = serializer.validated_data["source"]
        rows = [dict(row) for row in serializer.validated_data["employees"]]
        results = services.employee_upsert_many(actor=self.actor, source=source, rows=rows)
        body = {
            "created": sum(1 for _employee, created in results if created),
            "updated": sum(1 for _employee, created in results if not created),
            "results": [
                {"id": employee.pk, "external_id": row["external_id"], "created": created}
                for (employee, created), row in zip(results, rows, strict=True)
            ],
        }
        return Response(body, status=status.HTTP_200_OK)


@extend_schema_view(
    list=extend_schema(
        summary="The onboarding tracker: new employees with their five checks (HR, owners, admins)",
        responses=OnboardingSerializer(many=True),
    )
)
class OnboardingViewSet(base.ListModelMixin, base.TenantViewSet):
    """New employees (hired or added in the last 90 days), each with the onboarding checklist."""

    scope_area = SCOPE_AREA
    list_selector = selectors.onboarding_list
    serializer_class = OnboardingSerializer
    filterset_class = EmployeeFilterSet
    http_method_names = READ_ONLY

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.Employee.objects.none()
        return selectors.onboarding_list(actor=self.actor)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        if base.prefers_minimal(request):
            self._minimal_applied = True
            page = self.paginate_queryset(queryset.values("id"))
            return self.get_paginated_response([{"id": row["id"]} for row in page])
        page = self.paginate_queryset(queryset)
        rows = selectors.onboarding_for(employees=list(page), organisation_id=self.actor.organisation.pk)
        data = OnboardingSerializer(rows, many=True).data
        for item in data:
            item["id"] = item["employee_id"]
        return self.get_paginated_response(data)


# =============================================================================
# Documents
# =============================================================================


@extend_schema_view(
    list=extend_schema(summary="List HR documents (HR portal roles: all; others: published, for their audience)"),
    create=extend_schema(
        summary="Upload a policy document (multipart; HR, owners, admins)",
        request={"multipart/form-data": HRDocumentInputSerializer},
    ),
    retrieve=extend_schema(summary="Get an HR document"),
    partial_update=extend_schema(
        summary="Change a document's title, category, audience or publish date", request=HRDocumentUpdateSerializer
    ),
)
class HRDocumentViewSet(base.TenantModelViewSet):
    scope_area = SCOPE_AREA
    list_selector = selectors.document_list
    serializer_class = HRDocumentSerializer
    input_serializer_class = HRDocumentInputSerializer
    update_serializer_class = HRDocumentUpdateSerializer
    filterset_class = HRDocumentFilterSet
    #: the FilterSet of an action that lists other rows than documents (set per action)
    list_filterset_class = None
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        document = services.document_create(actor=self.actor, **data)
        return selectors.document_get(actor=self.actor, pk=document.pk)

    def perform_update(self, instance, serializer):
        services.document_update(actor=self.actor, document=instance, data=serializer.validated_data)
        return selectors.document_get(actor=self.actor, pk=instance.pk)

    @extend_schema(
        summary="Upload a new version (multipart): it becomes current and everyone acknowledges again",
        request={"multipart/form-data": HRDocumentVersionInputSerializer},
        responses={201: HRDocumentSerializer},
    )
    @action(detail=True, methods=["post"], url_path="versions")
    def versions(self, request, pk=None):
        document = self.get_object()
        serializer = HRDocumentVersionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.document_version_add(actor=self.actor, document=document, **serializer.validated_data)
        return self.output(selectors.document_get(actor=self.actor, pk=document.pk), status_code=201)

    @extend_schema(
        summary="Download the current version's file (its audience and HR portal roles only)",
        responses={
            (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file, as its type.")
            for content_type in storage.ALLOWED_TYPES
        },
    )
    @action(detail=True, methods=["get"], url_path="download")
    def download(self, request, pk=None):
        document = self.get_object()
        return file_response(document)

    @extend_schema(
        summary="Acknowledge the current version, as the employee behind the credential (once per version)",
        request=None,
        responses={201: AcknowledgementSerializer, 200: AcknowledgementSerializer},
    )
    @action(detail=True, methods=["post"], url_path="acknowledge")
    def acknowledge(self, request, pk=None):
        document = self.get_object()
        acknowledgement, created = services.document_acknowledge(actor=self.actor, document=document)
        return Response(
            AcknowledgementSerializer(acknowledgement).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="Who has and has not acknowledged the current version (HR, owners, admins)",
        parameters=filter_parameters(AcknowledgementStateFilterSet),
        responses=AcknowledgementStatusSerializer(many=True),
    )
    # the rows are employees, not documents: filtered here (``list_filterset_class`` names the
    # FilterSet for tests/platform/test_list_filters.py), not by the viewset's backend
    @action(
        detail=True,
        methods=["get"],
        url_path="acknowledgements",
        filterset_class=None,
        list_filterset_class=AcknowledgementStateFilterSet,
    )
    def acknowledgements(self, request, pk=None):
        document = self.get_object()
        rows = selectors.acknowledgement_status_list(actor=self.actor, document=document)
        reject_unknown_parameters(request.query_params, supported_parameters(AcknowledgementStateFilterSet))
        rows = apply_filterset(AcknowledgementStateFilterSet, request.query_params, rows, request)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(AcknowledgementStatusSerializer(page, many=True).data)


def file_response(document) -> FileResponse:
    """Stream the current version's file as an attachment (never rendered inline: no HTML/SVG
    can run from our origin), with its detected type."""
    version = document.current_version
    if version is None:
        raise Http404("No file.")
    try:
        handle = storage.open_stored(version.storage_path)
    except FileNotFoundError as exc:
        raise Http404("No file.") from exc
    response = FileResponse(handle, as_attachment=True, filename=version.file_name, content_type=version.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# =============================================================================
# Complaints
# =============================================================================


@extend_schema_view(
    list=extend_schema(summary="List HR tickets you may see (reporter, HR, assignee)"),
    create=extend_schema(
        summary="File an HR ticket (any member; optionally anonymous)",
        request=ComplaintInputSerializer,
        responses={201: ComplaintCreatedSerializer},
    ),
    retrieve=extend_schema(summary="Get an HR ticket"),
    partial_update=extend_schema(
        summary="Re-triage a ticket: category, priority, who it is about (HR, assignee)",
        request=ComplaintUpdateSerializer,
    ),
)
class ComplaintViewSet(base.TenantModelViewSet):
    scope_area = SCOPE_AREA
    list_selector = selectors.complaint_list
    serializer_class = ComplaintSerializer
    input_serializer_class = ComplaintInputSerializer
    update_serializer_class = ComplaintUpdateSerializer
    filterset_class = ComplaintFilterSet

    def create(self, request, *args, **kwargs):
        serializer = ComplaintInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        created = services.complaint_create(actor=self.actor, **serializer.validated_data)
        complaint = created.complaint
        if complaint.is_anonymous:  # audited by the service, naming nobody
            # the reporter cannot read it through the list (it is not linked to them): answer directly
            data = ComplaintCreatedSerializer(
                complaint, context={**self.get_serializer_context(), "follow_token": created.follow_token}
            ).data
            response = Response(data, status=status.HTTP_201_CREATED)
            response["Cache-Control"] = "no-store"
            return response
        complaint = selectors.complaint_get(actor=self.actor, pk=complaint.pk)
        location = request.build_absolute_uri(f"{request.path.rstrip('/')}/{complaint.pk}")
        return self.output(complaint, status_code=status.HTTP_201_CREATED, headers={"Location": location})

    def perform_update(self, instance, serializer):
        services.complaint_update(actor=self.actor, complaint=instance, data=serializer.validated_data)
        return selectors.complaint_get(actor=self.actor, pk=instance.pk)

    def _after(self, complaint):
        return self.output(selectors.complaint_get(actor=self.actor, pk=complaint.pk))

    @extend_schema(
        summary="Assign to an HR member (never the person the ticket is about)",
        request=ComplaintAssignSerializer,
        responses=ComplaintSerializer,
    )
    @action(detail=True, methods=["post"], url_path="assign")
    def assign(self, request, pk=None):
        complaint = self.get_object()
        services.complaint_require_handler(actor=self.actor, complaint=complaint)
        serializer = ComplaintAssignSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.complaint_assign(actor=self.actor, complaint=complaint, **serializer.validated_data)
        return self._after(complaint)

    @extend_schema(
        summary="Move along open → in_progress → waiting → resolved → closed (409 otherwise)",
        request=ComplaintTransitionSerializer,
        responses=ComplaintSerializer,
    )
    @action(detail=True, methods=["post"], url_path="transition")
    def transition(self, request, pk=None):
        complaint = self.get_object()
        services.complaint_require_handler(actor=self.actor, complaint=complaint)
        serializer = ComplaintTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.complaint_transition(actor=self.actor, complaint=complaint, **serializer.validated_data)
        return self._after(complaint)

    @extend_schema(
        summary="Add an internal note (HR and the assignee read it; the reporter never does)",
        request=ComplaintNoteInputSerializer,
        responses={201: ComplaintSerializer},
    )
    @action(detail=True, methods=["post"], url_path="notes")
    def notes(self, request, pk=None):
        complaint = self.get_object()
        services.complaint_require_handler(actor=self.actor, complaint=complaint)
        serializer = ComplaintNoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.complaint_note_add(actor=self.actor, complaint=complaint, **serializer.validated_data)
        return self.output(selectors.complaint_get(actor=self.actor, pk=complaint.pk), status_code=201)

    @extend_schema(
        summary="Follow an anonymous ticket with its private token (status and resolution, never notes)",
        request=ComplaintFollowSerializer,
        responses=ComplaintFollowViewSerializer,
    )
    @action(detail=False, methods=["post"], url_path="follow")
    def follow(self, request):
        serializer = ComplaintFollowSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        complaint = selectors.complaint_for_token(actor=self.actor, token=serializer.validated_data["token"])
        request._request.actor = None  # reading, not changing: no audit row linking a login to the ticket
        response = Response(ComplaintFollowViewSerializer(complaint).data)
        response["Cache-Control"] = "no-store"
        return response


# =============================================================================
# Dashboard
# =============================================================================


@extend_schema_view(
    list=extend_schema(
        summary="HR dashboard: headcount, open tickets by status and priority, acknowledgement coverage",
        responses=DashboardSerializer,
    )
)
class DashboardViewSet(base.TenantViewSet):
    scope_area = SCOPE_AREA
    serializer_class = DashboardSerializer
    http_method_names = READ_ONLY
    pagination_class = None
    list_returns_one_object = True  # the schema documents one object, not an array

    def get_queryset(self):
        return selectors.Employee.objects.none()

    def list(self, request):
        if not sees_hr_portal(self.actor):
            raise NotPermitted("Only HR, owners and admins see the HR dashboard.")
        return Response(selectors.hr_dashboard(actor=self.actor))
