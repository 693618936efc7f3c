"""The HR reports of report exports (issue 17), registered from ``apps.py``.

``hr_directory`` is ``GET /v1/hr/employees`` (HR, owners and admins: everyone with pay fields;
a manager their office without them; anyone else themselves); ``hr_acknowledgements`` is
``GET /v1/hr/documents/{document_id}/acknowledgements`` (HR portal roles only). Confidential HR
tickets are not exported.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from integrations.exports.registry import Column, Report, Rows, actor_request, query_dict, serializer_renderer
from integrations.exports.registry import queryset_report as _queryset_report
from trackyoursheets.api.errors import ValidationFailed
from trackyoursheets.api.filters import apply_filterset, reject_unknown_parameters, supported_parameters

from . import selectors
from .api.serializers import PAY_FIELDS, EmployeeSerializer
from .api.serializers.documents import AcknowledgementStatusSerializer
from .filters import AcknowledgementStateFilterSet, EmployeeFilterSet
from .policies import can_see_pay

__all__ = ["REPORTS"]

AREA = "hr"
_TYPES = {
    "id": "int",
    "office_id": "int",
    "manager_id": "int",
    "membership_id": "int",
    "employee_id": "int",
    "hire_date": "date",
    "termination_date": "date",
    "pay_rate": "money",
    "acknowledged": "bool",
    "acknowledged_at": "datetime",
    "created_at": "datetime",
    "updated_at": "datetime",
}
_DIRECTORY_COLUMNS = tuple(Column(n, type=_TYPES.get(n, "text")) for n in EmployeeSerializer.Meta.fields)


def _directory_visible(actor) -> frozenset[str] | None:
    """Pay fields only for HR, owners, admins and integrations (absent from the API otherwise)."""
    if can_see_pay(actor):
        return None
    return frozenset(c.name for c in _DIRECTORY_COLUMNS if c.name not in PAY_FIELDS)


HR_DIRECTORY = _queryset_report(
    name="hr_directory",
    title=_("Employee directory"),
    area=AREA,
    columns=_DIRECTORY_COLUMNS,
    selector=selectors.employee_list,
    filterset=EmployeeFilterSet,
    renderer=serializer_renderer(EmployeeSerializer),
    visible=_directory_visible,
    chunk=1000,
    description=_("GET /v1/hr/employees; pay fields only for HR, owners and admins."),
)


_ACK_FILTERS = supported_parameters(AcknowledgementStateFilterSet) - {"page", "page_size", "per_page"}


def _acknowledgement_rows_qs(actor, filters):
    reject_unknown_parameters(filters, _ACK_FILTERS | {"document_id"})
    try:
        document = selectors.document_get(actor=actor, pk=int(filters.get("document_id") or 0))
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise ValidationFailed({"document_id": [_("Name a document you may see.")]}) from None
    rows = selectors.acknowledgement_status_list(actor=actor, document=document)
    wanted = {k: v for k, v in filters.items() if k != "document_id"}
    return apply_filterset(AcknowledgementStateFilterSet, query_dict(wanted), rows, actor_request(actor))


def _acknowledgement_rows(actor, filters) -> Rows:
    queryset = _acknowledgement_rows_qs(actor, filters)
    rows = [dict(r) for r in AcknowledgementStatusSerializer(list(queryset), many=True).data]
    return Rows(total=len(rows), chunks=[rows])


HR_ACKNOWLEDGEMENTS = Report(
    name="hr_acknowledgements",
    title=_("Document acknowledgements"),
    area=AREA,
    columns=tuple(Column(n, type=_TYPES.get(n, "text")) for n in AcknowledgementStatusSerializer().fields),
    rows=_acknowledgement_rows,
    validate=lambda actor, filters: _acknowledgement_rows_qs(actor, filters).exists() or None,
    description=_("Who has and has not acknowledged a document (document_id required; HR portal roles)."),
    filter_names=tuple(sorted(_ACK_FILTERS | {"document_id"})),
)

REPORTS = (HR_DIRECTORY, HR_ACKNOWLEDGEMENTS)
