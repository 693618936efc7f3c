"""The audit trail as a report export (issue 17), registered from ``apps.py``: ``GET
/v1/audit-events`` (owners, admins and organisation-wide credentials, scope ``organisation.read``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from integrations.exports.registry import Column, queryset_report, serializer_renderer
from trackyoursheets.exceptions import NotPermitted

from .api.serializers import AuditEventSerializer
from .audit import audit_event_list
from .filters import AuditEventFilterSet

__all__ = ["REPORTS"]

_TYPES = {
    "id": "int",
    "created_at": "datetime",
    "actor_user_id": "int",
    "impersonated_producer_id": "int",
    "status_code": "int",
}


def _audit_events(*, actor):
    if not actor.sees_whole_organisation or actor.kind == "impersonation":
        raise NotPermitted(_("Only owners and admins can read the audit trail."))
    return audit_event_list(actor=actor)


AUDIT_EVENTS = queryset_report(
    name="audit_events",
    title=_("Audit trail"),
    area="organisation",
    read_scope="organisation.read",
    columns=[Column(n, type=_TYPES.get(n, "text")) for n in AuditEventSerializer.Meta.fields],
    selector=_audit_events,
    filterset=AuditEventFilterSet,
    renderer=serializer_renderer(AuditEventSerializer),
    chunk=1000,
    description=_("GET /v1/audit-events: who changed what (owners and admins)."),
)

REPORTS = (AUDIT_EVENTS,)
