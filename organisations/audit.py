"""The audit trail (issue 3): who changed what, from where, with which request id.

Written by one middleware for every mutating REST call and GraphQL mutation, by
the admin (``trackyoursheets.admin.AuditedAdminMixin`` calls :func:`admin_change_audit`) and
by page forms (``audit_record``). Reads go through :func:`audit_event_list`.
"""

from __future__ import annotations

from django.db.models import QuerySet

from trackyoursheets.api.filters import apply_filterset
from trackyoursheets.api.request_id import current_request_id

from .actors import Actor
from .filters import AuditEventFilterSet
from .models import AuditEvent

MAX_CHANGE_VALUE = 500


def summarise_changes(before: dict | None, after: dict | None) -> dict:
    """``{field: [old, new]}`` for top-level fields whose value changed (long values shortened)."""
    before, after = before or {}, after or {}

    def short(value):
        text = value if isinstance(value, (int, float, bool)) or value is None else str(value)
        return text[:MAX_CHANGE_VALUE] if isinstance(text, str) else text

    changed = {}
    for key in sorted(set(before) | set(after)):
        if key in ("updated_at", "created_at"):
            continue
        if before.get(key) != after.get(key):
            changed[key] = [short(before.get(key)), short(after.get(key))]
    return changed


def audit_record(
    *,
    actor: Actor,
    source: str,
    method: str = "",
    path: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str | int | None = "",
    changes: dict | None = None,
    status_code: int | None = None,
    request_id: str | None = None,
) -> AuditEvent:
    """Write one audit row for a change made by ``actor``."""
    return AuditEvent.objects.create(
        organisation=actor.organisation,
        source=source,
        actor_user=actor.user if getattr(actor.user, "pk", None) else None,
        actor_label=actor.label[:255],
        application=actor.application,
        api_token=actor.api_token,
        impersonated_producer_id=actor.impersonated_producer_id,
        request_id=request_id or current_request_id() or "",
        method=method,
        path=path[:500],
        action=action[:100],
        object_type=object_type[:100],
        object_id="" if object_id is None else str(object_id)[:64],
        changes=changes or {},
        status_code=status_code,
    )


def audit_event_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[AuditEvent]:
    """The organisation's audit trail, newest first (owners and admins only; checked by the caller)."""
    qs = (
        AuditEvent.objects.for_organisation(actor.organisation)
        .select_related("actor_user", "application", "api_token")
        .order_by("-created_at", "-id")
    )
    return apply_filterset(AuditEventFilterSet, filters, qs) if filters else qs


def admin_change_audit(*, request, obj, action: str, changes: dict | None = None) -> None:
    """The Django admin's audit writer (registered with :func:`trackyoursheets.admin.register_admin_audit`
    by ``organisations.admin``): every add, change and delete of a tenant row lands in its trail."""
    organisation = getattr(obj, "organisation", None)
    if organisation is None and obj.__class__.__name__ == "Organisation":
        organisation = obj
    if organisation is None or organisation.pk is None:
        return
    actor = Actor(organisation=organisation, user=request.user, kind="session")
    audit_record(
        actor=actor,
        source=AuditEvent.Source.ADMIN,
        method=request.method,
        path=request.path,
        action=f"{obj._meta.model_name}.{action}",
        object_type=obj._meta.label,
        object_id=obj.pk,
        changes=changes,
        status_code=None,
    )
