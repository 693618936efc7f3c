"""The audit trail (issues 3 and 12): who changed what, from where, with which request id.

Services write the row inside the action's transaction (Zulip's pattern:
``zerver/actions/*`` write ``RealmAuditLog`` in the action) with :func:`audit_change`,
taking the actor and its :class:`~organisations.actors.AuditContext` (source, method,
path, request id, status) from the call, so REST, GraphQL, pages, admin and tasks write
identical rows and a change without its audit row cannot commit. Refused API requests
are recorded by :func:`audit_refusal`, called from the one place that turns errors into
problems. The admin audits through ``trackyoursheets.admin.AuditedAdminMixin``, which calls
the writers registered here (:func:`admin_change_audit`, :func:`admin_audit_operation`).
Reads go through :func:`audit_event_list`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import NamedTuple

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model, QuerySet

from trackyoursheets.api.filters import apply_filterset
from trackyoursheets.api.request_id import current_request_id

from .actors import Actor, AuditContext
from .filters import AuditEventFilterSet
from .models import AuditEvent

logger = logging.getLogger("trackyoursheets.audit")

MAX_CHANGE_VALUE = 500
MUTATING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: never in an audit row: bookkeeping, the tenant itself, and anything secret
_SKIPPED_FIELDS = frozenset({"id", "organisation", "created_at", "updated_at"})
_SECRET_MARKERS = ("secret", "password", "hash", "encrypted", "token_digest")


def audit_snapshot(obj: Model | None, *, exclude: tuple[str, ...] = (), only: tuple[str, ...] = ()) -> dict:
    """The audited values of ``obj``: its concrete fields (foreign keys as ``<name>_id``),
    without bookkeeping, secrets and anything in ``exclude`` (or only the fields in ``only``)."""
    if obj is None:
        return {}
    values = {}
    for field in obj._meta.concrete_fields:
        name = field.name
        if name in _SKIPPED_FIELDS or name in exclude or any(marker in name for marker in _SECRET_MARKERS):
            continue
        if only and name not in only:
            continue
        values[field.attname] = field.value_from_object(obj)
    return values


def _short(value):
    """A JSON value for the audit row (long text shortened)."""
    if isinstance(value, (list, tuple, dict)):
        return json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    text = value if isinstance(value, (int, float, bool)) or value is None else str(value)
    return text[:MAX_CHANGE_VALUE] if isinstance(text, str) else text


def summarise_changes(before: dict | None, after: dict | None) -> dict:
    """``{field: [old, new]}`` for top-level fields whose value changed (long values shortened)."""
    before, after = before or {}, after or {}
    short = _short

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
    row = _audit_row(
        actor=actor,
        source=source,
        method=method,
        path=path,
        action=action,
        object_type=object_type,
        object_id=object_id,
        changes=changes,
        status_code=status_code,
        request_id=request_id,
    )
    row.save(force_insert=True)
    return row


def _audit_row(
    *,
    actor: Actor,
    source: str,
    method: str,
    path: str,
    action: str,
    object_type: str,
    object_id: str | int | None,
    changes: dict | None,
    status_code: int | None,
    request_id: str | None,
) -> AuditEvent:
    """The unsaved audit row (:func:`audit_record` saves one, :func:`audit_changes` many together)."""
    return AuditEvent(
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


def _plain_changes(changes: dict) -> dict:
    """``{field: [old, new]}`` (as ``model_update`` returns it) in the audit row's JSON shape."""

    def plain(value):
        return _short(value.pk if isinstance(value, Model) else value)

    return {
        name: [plain(item) for item in value] if isinstance(value, (list, tuple)) else plain(value)
        for name, value in sorted(changes.items())
        if name not in ("updated_at", "created_at")
    }


def audit_change(
    *,
    actor: Actor,
    action: str,
    obj: Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
    changes: dict | None = None,
    object_type: str = "",
    object_id: str | int | None = None,
) -> AuditEvent | None:
    """Write the audit row of a change, inside the caller's (the service's) transaction.

    Every entry point gives its actor an :class:`AuditContext` (REST and GraphQL authentication,
    the page mixin, the admin, ``system_actor`` for tasks and commands); a service called with
    an actor that has none (a test's fixture, a shell) has no entry point to record and writes
    no row, as before issue 12.

    ``action`` is the service's name for the change (``workspace.update``); the entry point
    may name it as its public API does (see :meth:`AuditContext.action_for`). ``changes`` is
    ``{field: [old, new]}`` (as ``model_update`` returns it), else it is computed from the
    ``before``/``after`` snapshots (:func:`audit_snapshot`). If the row cannot be written
    the exception propagates and the change rolls back with it.
    """
    context = actor.audit
    if context is None:
        return None
    event = _change_row(actor, context, action, obj, before, after, changes, object_type, object_id)
    event.save(force_insert=True)
    context.rows += 1
    context.row_ids.append(event.pk)
    if context.method:
        logger.info("audit %s %s by %s -> %s", context.method, context.path, actor.label, context.status_code)
    return event


def _change_row(
    actor: Actor,
    context: AuditContext,
    action: str,
    obj: Model | None,
    before: dict | None,
    after: dict | None,
    changes: dict | None,
    object_type: str,
    object_id: str | int | None,
) -> AuditEvent:
    if changes is not None:
        changes = _plain_changes(changes)
    else:
        changes = summarise_changes(before, after)
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = obj.pk if object_id is None else object_id
    return _audit_row(
        actor=actor,
        source=context.source,
        method=context.method,
        path=context.path,
        action=context.action_for(action, obj),
        object_type=object_type,
        object_id=object_id,
        changes=changes,
        status_code=context.status_code,
        request_id=context.request_id,
    )


class AuditedChange(NamedTuple):
    """One change for :func:`audit_changes`: the object, its snapshots before and after, and its id
    when the object no longer has one (deleted)."""

    obj: Model
    before: dict | None
    after: dict | None
    object_id: str | int | None = None


def audit_changes(*, actor: Actor, action: str, changes: Iterable[AuditedChange | tuple]) -> int:
    """Many :func:`audit_change` rows of one action in one INSERT: ``changes`` holds
    ``(obj, before, after[, object_id])``; each row is the one ``audit_change(actor=actor,
    action=action, obj=obj, before=before, after=after, object_id=object_id)`` would write.
    Returns the number of rows written (none without an audit context, as ``audit_change``)."""
    context = actor.audit
    if context is None:
        return 0
    rows = [
        _change_row(actor, context, action, item.obj, item.before, item.after, None, "", item.object_id)
        for item in (AuditedChange(*change) for change in changes)
    ]
    if not rows:
        return 0
    created = AuditEvent.objects.bulk_create(rows)
    context.rows += len(created)
    context.row_ids.extend(row.pk for row in created if row.pk is not None)
    if context.method:
        logger.info(
            "audit %s %s by %s -> %s (%s rows)",
            context.method,
            context.path,
            actor.label,
            context.status_code,
            len(created),
        )
    return len(created)


def audit_refusal(*, actor: Actor | None, status_code: int, object_type: str = "") -> AuditEvent | None:
    """A refused mutating API call (a 4xx problem): one row with its status and no changes.

    Called by the DRF exception handler and the GraphQL error path, never for reads, for
    anonymous calls (nothing was attempted by anyone we know), or when a change of this call
    was recorded and committed (rows written by a service that then failed rolled back with it).
    """
    context = getattr(actor, "audit", None)
    if context is None or context.method not in MUTATING_METHODS or status_code < 400:
        return None
    if context.row_ids and AuditEvent.objects.filter(pk__in=context.row_ids).exists():
        return None
    event = audit_record(
        actor=actor,
        source=context.source,
        method=context.method,
        path=context.path,
        action=context.mutation,
        object_type=object_type,
        status_code=status_code,
        request_id=context.request_id,
    )
    context.rows += 1
    context.row_ids.append(event.pk)
    logger.info("audit %s %s by %s -> %s", context.method, context.path, actor.label, status_code)
    return event


def audit_impersonated_request(*, actor: Actor, status_code: int) -> AuditEvent | None:
    """Every request made with an impersonation token, reads included (issue 13 point 12).

    Acting as a producer shows what that person sees, so each look is on the trail: one row
    with the method, path, status and request id, written after the answer (by
    ``trackyoursheets.api.impersonation.ImpersonationAuditMiddleware``), unless the call's
    own audit rows (a refused change) already record it.
    """
    context = actor.audit
    if actor.kind != "impersonation" or context is None:
        return None
    if context.row_ids and AuditEvent.objects.filter(pk__in=context.row_ids).exists():
        return None
    event = audit_record(
        actor=actor,
        source=context.source,
        method=context.method,
        path=context.path,
        action="impersonation.read" if context.method not in MUTATING_METHODS else "impersonation.request",
        object_type=context.mutation[:100],
        status_code=status_code,
        request_id=context.request_id,
    )
    context.rows += 1
    context.row_ids.append(event.pk)
    logger.info("audit %s %s by %s -> %s", context.method, context.path, actor.label, status_code)
    return event


def audit_event_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[AuditEvent]:
    """The organisation's audit trail, newest first (owners and admins only; checked by the caller)."""
    qs = (
        AuditEvent.objects.for_organisation(actor.organisation)
        .select_related("actor_user", "application", "api_token")
        .order_by("-created_at", "-id")
    )
    return apply_filterset(AuditEventFilterSet, filters, qs) if filters else qs


def admin_audit_context(request) -> AuditContext:
    """The one audit context of an admin request, shared by the services it calls and the mixin."""
    context = getattr(request, "_audit_context", None)
    if context is None:
        context = request._audit_context = AuditContext.from_request(request, source=AuditEvent.Source.ADMIN)
    return context


def admin_audit_operation(*, request, operation: str) -> None:
    """Name the admin operation (``create`` / ``update`` / ``delete``) that the services this
    request calls record their rows under (``<model>.<operation>``)."""
    admin_audit_context(request).view_action = operation


def admin_audit_actor(request, organisation) -> Actor:
    """The signed-in admin user acting on ``organisation`` through the Django admin."""
    actor = Actor(organisation=organisation, user=request.user, kind="session")
    return actor.with_audit(admin_audit_context(request))


def admin_change_audit(*, request, obj, action: str, changes: dict | None = None) -> None:
    """The Django admin's audit writer (registered with :func:`trackyoursheets.admin.register_admin_audit`
    by ``organisations.admin``): every add, change and delete of a tenant row lands in its trail,
    inside the admin's transaction. When a form saved through a service, the service wrote the row
    and nothing is added here."""
    context = admin_audit_context(request)
    if context.rows > getattr(request, "_audit_mixin_rows", 0):
        return  # the services this admin called wrote the rows
    organisation = getattr(obj, "organisation", None)
    if organisation is None and obj.__class__.__name__ == "Organisation":
        organisation = obj
    if organisation is None or organisation.pk is None:
        return
    audit_change(
        actor=admin_audit_actor(request, organisation),
        action=f"{obj._meta.model_name}.{action}",
        obj=obj,
        changes=changes,
    )
    request._audit_mixin_rows = getattr(request, "_audit_mixin_rows", 0) + 1
