"""REST endpoints of statement imports (issue 6 point 3): thin, the services do the work.

- ``POST /v1/transactions/import``: a CSV/XLSX upload (multipart) or JSON payouts -> 202 + Location;
- ``GET /v1/imports``, ``GET /v1/imports/{id}``: status, progress, counts, totals, errors;
- ``POST /v1/imports/{id}/finalise``, ``POST /v1/imports/{id}/rollback``;
- ``GET /v1/imports/{id}/rows`` (the exception queue with ``?needs_attention=true``),
  ``GET /v1/imports/{id}/rows/{row_id}``, ``POST /v1/imports/{id}/rows/{row_id}/match``.

Scope ``transactions.read`` / ``transactions.write``; roles as in the services: owners, admins
and OAuth clients import anything, managers for their office; everyone else sees no batch.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser

from trackyoursheets.api import viewsets as base

from ... import selectors, services
from ...filters import ImportBatchFilterSet, ImportRowFilterSet
from ...models import ImportRow
from ..serializers import (
    ImportBatchDetailSerializer,
    ImportBatchSerializer,
    ImportFinaliseSerializer,
    ImportPayoutsSerializer,
    ImportRowMatchSerializer,
    ImportRowSerializer,
    ImportUploadSerializer,
)

SCOPE_AREA = "transactions"


@extend_schema_view(
    create=extend_schema(
        summary="Import a commission statement (CSV/XLSX upload or JSON payouts); processed in the background",
        description=(
            "Send `multipart/form-data` with `file` (CSV or XLSX) and options, or `application/json` with "
            "`payouts` (a bare array of payout objects is accepted too). The header must give a commission or "
            "premium column (default names or `column_mapping`), and the carrier comes from `carrier_id` or from a "
            "`carrier` column (one batch per carrier). Answers **202** with the batch and `Location`; follow "
            "`GET /v1/imports/{id}` until `status` is `review`, then finalise or roll it back."
        ),
        request={
            "multipart/form-data": ImportUploadSerializer,
            "application/json": ImportPayoutsSerializer,
        },
        responses={202: ImportBatchDetailSerializer},
    ),
)
class TransactionImportViewSet(base.TenantViewSet):
    """``POST /v1/transactions/import``."""

    scope_area = SCOPE_AREA
    serializer_class = ImportBatchDetailSerializer
    parser_classes = [JSONParser, MultiPartParser]
    http_method_names = ["post", "options"]
    list_selector = selectors.import_batch_list
    #: an upload is accepted (processed after commit): its audit row says 202, as the response
    audit_status_codes = {"create": status.HTTP_202_ACCEPTED}

    def create(self, request, *args, **kwargs):
        data = request.data
        if isinstance(data, list):
            data = {"payouts": data}
        upload = hasattr(data, "getlist") and "file" in request.FILES
        serializer_class = ImportUploadSerializer if upload else ImportPayoutsSerializer
        serializer = serializer_class(data=data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        options = dict(serializer.validated_data)
        if upload:
            options["upload"] = options.pop("file")
        batch = services.import_batch_create(actor=self.actor, **options)
        batch = selectors.import_batch_get(actor=self.actor, pk=batch.pk)
        location = request.build_absolute_uri(f"/v1/imports/{batch.pk}")
        return self.output(batch, status_code=status.HTTP_202_ACCEPTED, headers={"Location": location})


@extend_schema_view(
    list=extend_schema(summary="List statement imports, newest first"),
    retrieve=extend_schema(
        summary="One import: status, progress, counts, totals and the rows in error (by line)",
        responses=ImportBatchDetailSerializer,
    ),
    finalise=extend_schema(
        summary="Finalise an import in review: its matched rows become reconciled ledger lines, all or nothing",
        description=(
            "409 while rows are unmatched or in error (the problem's `rows` names them, up to 50), unless "
            "`skip_unresolved` is true; 409 when the import is not in review. A split upload finalises every "
            "carrier's batch together. Records `import.batch.finalised` once per batch."
        ),
        request=ImportFinaliseSerializer,
        responses=ImportBatchDetailSerializer,
    ),
    rollback=extend_schema(
        summary="Roll an import back (and delete its ledger lines if it was finalised)",
        description=(
            "409 when any of its ledger lines was approved or paid, carries an override, or is reversed by a "
            "chargeback of another import: nothing is undone then. The statement can be imported again after."
        ),
        request=None,
        responses=ImportBatchDetailSerializer,
    ),
)
class ImportBatchViewSet(base.ListModelMixin, base.RetrieveModelMixin, base.TenantViewSet):
    """``/v1/imports``."""

    scope_area = SCOPE_AREA
    list_selector = selectors.import_batch_list
    serializer_class = ImportBatchSerializer
    filterset_class = ImportBatchFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def represent(self, instance) -> dict:
        return ImportBatchDetailSerializer(instance, context=self.get_serializer_context()).data

    def _fresh(self, batch):
        return selectors.import_batch_get(actor=self.actor, pk=batch.pk)

    @action(detail=True, methods=["post"], url_path="finalise")
    def finalise(self, request, pk=None):
        batch = self.get_object()
        serializer = ImportFinaliseSerializer(data=request.data or {}, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.import_batch_finalise(actor=self.actor, batch=batch, **serializer.validated_data)
        return self.output(self._fresh(batch))

    @action(detail=True, methods=["post"], url_path="rollback")
    def rollback(self, request, pk=None):
        batch = self.get_object()
        services.import_batch_rollback(actor=self.actor, batch=batch)
        return self.output(self._fresh(batch))


_IMPORT_ID = OpenApiParameter("import_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The import batch.")


@extend_schema_view(
    list=extend_schema(
        summary="An import's rows by line; `?needs_attention=true` is the exception queue",
        parameters=[_IMPORT_ID],
    ),
    retrieve=extend_schema(summary="One row of an import", parameters=[_IMPORT_ID]),
    match=extend_schema(
        summary="Match a row by hand (policy and/or producer), or skip it; learns the alias",
        description=(
            "Only while the import is in review (else 409). A duplicate cannot be matched and a row in error can "
            "only be skipped. The row's producer text and policy number are remembered, and the import's other "
            "unmatched rows with the same producer text are matched at once."
        ),
        parameters=[_IMPORT_ID],
        request=ImportRowMatchSerializer,
        responses={200: ImportRowSerializer, 409: OpenApiResponse(description="The import is not in review.")},
    ),
)
class ImportRowViewSet(base.ListModelMixin, base.RetrieveModelMixin, base.TenantViewSet):
    """``/v1/imports/{import_id}/rows``."""

    scope_area = SCOPE_AREA
    serializer_class = ImportRowSerializer
    filterset_class = ImportRowFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def get_batch(self):
        if not hasattr(self, "_batch"):
            try:
                self._batch = selectors.import_batch_get(actor=self.actor, pk=self.kwargs["import_id"])
            except ObjectDoesNotExist:
                raise exceptions.NotFound("Not found.") from None
        return self._batch

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ImportRow.objects.none()
        return selectors.import_row_list(actor=self.actor, batch=self.get_batch())

    @action(detail=True, methods=["post"], url_path="match")
    def match(self, request, import_id=None, pk=None):
        row = self.get_object()
        serializer = ImportRowMatchSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.import_row_match(actor=self.actor, row=row, **serializer.validated_data)
        return self.output(selectors.import_row_get(actor=self.actor, batch=self.get_batch(), pk=row.pk))
