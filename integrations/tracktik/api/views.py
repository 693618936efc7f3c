"""REST endpoints of the TrackTik connector (issue 19 point 6): the connection
(``GET|PUT /v1/integrations/tracktik`` and ``…/test``), ``POST …/sync``, the runs, the synced
contracts (read-only), the weekly billing report, SCR matches and invoice reconciliations.
Thin: services and selectors decide.
Scope ``integrations.read`` for GET, ``integrations.write`` otherwise; owners and admins only."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from trackyoursheets.api import viewsets as base
from trackyoursheets.api.errors import ValidationFailed
from trackyoursheets.api.filters import reject_unknown_parameters

from .. import selectors, services
from ..filters import (
    TracktikContractFilterSet,
    TracktikInvoiceReconciliationFilterSet,
    TracktikScrMatchFilterSet,
    TracktikSyncRunFilterSet,
)
from .serializers import (
    BillingQuerySerializer,
    BillingReportSerializer,
    TracktikConnectionSerializer,
    TracktikConnectionTestSerializer,
    TracktikContractSerializer,
    TracktikInvoiceReconciliationSerializer,
    TracktikPayCodeMapInputSerializer,
    TracktikPayCodeSerializer,
    TracktikScrMatchSerializer,
    TracktikSyncInputSerializer,
    TracktikSyncRunSerializer,
    UploadSerializer,
)

SCOPE_AREA = "integrations"


class TracktikAPIView(APIView):
    scope_area = SCOPE_AREA

    @property
    def actor(self):
        return self.request.auth

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        context = getattr(request.auth, "audit", None)
        if context is not None:
            context.status_code = getattr(self, "audit_status_code", status.HTTP_200_OK)


class TracktikConnectionView(TracktikAPIView):
    @extend_schema(
        summary="The organisation's TrackTik connection (secrets shown as set or not set)",
        responses=TracktikConnectionSerializer,
    )
    def get(self, request):
        return Response(TracktikConnectionSerializer(selectors.connection_get(actor=self.actor)).data)

    @extend_schema(
        summary="Change the TrackTik connection (secrets are write-only and stored encrypted)",
        description="Partial: fields not sent stay. `client_secret` and `password` are encrypted at rest and never "
        "returned; send an empty string to clear one. Enabling needs the base URL, client id and username.",
        request=TracktikConnectionSerializer,
        responses=TracktikConnectionSerializer,
    )
    def put(self, request):
        serializer = TracktikConnectionSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        connection = services.connection_update(actor=self.actor, data=serializer.validated_data)
        return Response(TracktikConnectionSerializer(connection).data)


class TracktikConnectionTestView(TracktikAPIView):
    @extend_schema(
        summary="Test the TrackTik connection: authenticate and read one page of employees",
        request=None,
        responses=TracktikConnectionTestSerializer,
    )
    def post(self, request):
        return Response(services.connection_test(actor=self.actor))


class TracktikPayCodesView(TracktikAPIView):
    @extend_schema(
        summary="TrackTik's pay codes and the pay code of ours each maps to (null: unmapped)",
        responses=TracktikPayCodeSerializer(many=True),
    )
    def get(self, request):
        codes = selectors.pay_code_list(actor=self.actor)
        return Response(TracktikPayCodeSerializer(codes, many=True).data)

    @extend_schema(
        summary="Map TrackTik pay codes to ours by hand",
        description="Each mapping names a TrackTik pay code (`id` from the GET) and our pay code; later syncs keep "
        "a choice made by hand. `pay_code_id: null` hands the code back to the automatic match (external code, "
        "then code, then name). Answers the whole list.",
        request=TracktikPayCodeMapInputSerializer,
        responses=TracktikPayCodeSerializer(many=True),
    )
    def put(self, request):
        serializer = TracktikPayCodeMapInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        codes = services.pay_code_map(actor=self.actor, mappings=serializer.validated_data["mappings"])
        return Response(TracktikPayCodeSerializer(codes, many=True).data)


class TracktikSyncView(TracktikAPIView):
    audit_status_code = status.HTTP_202_ACCEPTED

    @extend_schema(
        summary="Sync now: queue a TrackTik sync run (incremental, or full with full=true)",
        description="Answers 202 with the run; poll `GET /v1/integrations/tracktik/runs/{id}` for its progress. "
        "409 while another run is queued or running, or when the connection is not enabled.",
        request=TracktikSyncInputSerializer,
        responses={202: TracktikSyncRunSerializer},
    )
    def post(self, request):
        serializer = TracktikSyncInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = services.sync_start(actor=self.actor, **serializer.validated_data)
        location = request.build_absolute_uri(f"/v1/integrations/tracktik/runs/{run.pk}")
        return Response(
            TracktikSyncRunSerializer(run).data, status=status.HTTP_202_ACCEPTED, headers={"Location": location}
        )


@extend_schema_view(
    list=extend_schema(summary="List TrackTik sync runs, newest first"),
    retrieve=extend_schema(summary="Get a TrackTik sync run: progress, counts, record errors, failure reason"),
)
class TracktikSyncRunViewSet(base.TenantModelViewSet):
    scope_area = SCOPE_AREA
    http_method_names = ["get", "head", "options"]
    list_selector = selectors.sync_run_list
    serializer_class = TracktikSyncRunSerializer
    filterset_class = TracktikSyncRunFilterSet


@extend_schema_view(
    list=extend_schema(
        summary="List TrackTik contracts as last synced, by site and start date",
        description="Read-only: contracts are edited in TrackTik and come in with each sync. The billing report "
        "prices a week with the site's contract in force on it (not cancelled, draft or void).",
    ),
    retrieve=extend_schema(summary="Get a TrackTik contract: its site, dates, status and bill rates"),
)
class TracktikContractViewSet(base.TenantModelViewSet):
    scope_area = SCOPE_AREA
    http_method_names = ["get", "head", "options"]
    list_selector = selectors.contract_list
    serializer_class = TracktikContractSerializer
    filterset_class = TracktikContractFilterSet


class _UploadViewSet(base.TenantModelViewSet):
    scope_area = SCOPE_AREA
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [MultiPartParser, FormParser]
    input_serializer_class = UploadSerializer
    service = None

    def perform_create(self, serializer):
        return type(self).service(actor=self.actor, upload=serializer.validated_data["file"])


@extend_schema_view(
    list=extend_schema(summary="List SCR matches, newest first"),
    retrieve=extend_schema(summary="Get an SCR match: per post and day covered, under, over or unrequested"),
    create=extend_schema(
        summary="Upload a Security Coverage Request (CSV/XLSX) and match it against the TrackTik shifts",
        description="Columns: building code, post position code, date (YYYY-MM-DD), hours requested. Shifts match by "
        "the site's building code (its customId unless mapped) + the position's postPositionCode and the day "
        "the shift starts.",
        request={"multipart/form-data": UploadSerializer},
        responses={201: TracktikScrMatchSerializer},
    ),
)
class TracktikScrMatchViewSet(_UploadViewSet):
    list_selector = selectors.scr_match_list
    serializer_class = TracktikScrMatchSerializer
    filterset_class = TracktikScrMatchFilterSet
    service = staticmethod(services.scr_match_create)


@extend_schema_view(
    list=extend_schema(summary="List invoice reconciliations, newest first"),
    retrieve=extend_schema(summary="Get an invoice reconciliation: each invoice line against TrackTik's hours"),
    create=extend_schema(
        summary="Upload invoice lines (CSV/XLSX: client, week, hours, amount) and compare them with TrackTik",
        request={"multipart/form-data": UploadSerializer},
        responses={201: TracktikInvoiceReconciliationSerializer},
    ),
)
class TracktikInvoiceReconciliationViewSet(_UploadViewSet):
    list_selector = selectors.invoice_reconciliation_list
    serializer_class = TracktikInvoiceReconciliationSerializer
    filterset_class = TracktikInvoiceReconciliationFilterSet
    service = staticmethod(services.invoice_reconciliation_create)


class TracktikBillingReportView(TracktikAPIView):
    @extend_schema(
        summary="Weekly billing by client: approved TrackTik hours per client/site, position and pay type × bill rate",
        description="Regular up to 40 hours per employee in the week, Overtime beyond, Holiday for shifts TrackTik "
        "marks as holiday; Overtime and Holiday are billed at 1.5 × the rate. The rate is the position's bill "
        "rate, else the site's, else the project's hourly rate, else the client's default rate.",
        parameters=[OpenApiParameter("week", OpenApiTypes.DATE, required=True, description="A day of the week.")],
        responses=BillingReportSerializer,
    )
    def get(self, request):
        reject_unknown_parameters(request.query_params, {"week"})
        query = BillingQuerySerializer(data=request.query_params)
        if not query.is_valid():
            raise ValidationFailed(query.errors)
        report = selectors.billing_report(actor=self.actor, week=query.validated_data["week"])
        return Response(BillingReportSerializer(report).data)
