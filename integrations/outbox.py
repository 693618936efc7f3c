"""The event outbox: ``record_event`` and the topic catalogue (DESIGN §2, issue 12 point 2).

Every app may import this module, and it imports no domain app (nor the rest of
``integrations``): it is the one thing from ``integrations`` that ``organisations``,
``hr``, ``timetracking`` and ``payroll`` use. The import-linter contracts in
``pyproject.toml`` hold it to that.

Topics. Names follow ``<domain>.<entity>.<past verb>``. Each app declares its topics in
its ``events.py`` (a ``TOPICS`` mapping of name to description) and registers them from
its ``apps.py``::

    class HrConfig(AppConfig):
        def ready(self):
            outbox.register_topics(events.TOPICS)

``record_event`` refuses a topic that is not registered, so the catalogue served at
``GET /v1/webhooks/topics`` is always the full list of what can be delivered. Topic names
that several apps record (an import's completion) are constants here.

Delivery. ``record_event`` writes an ``OutboxEvent`` row (the model lives in
``integrations/models.py`` and is looked up through the app registry, so importing this
module loads no models) inside the caller's transaction; once that commits, every
dispatcher registered with :func:`register_dispatcher` is called with the event id and
the organisation id. ``integrations`` registers its webhook fan-out from its ``apps.py``;
with no dispatcher the row simply waits (the webhook sweep picks undispatched rows up).
:func:`record_events` writes many events in one INSERT and hands them to each dispatcher's
batch form once (a bulk approval of 500 timesheets: one fan-out task, not 500).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from trackyoursheets.api.request_id import current_request_id
from trackyoursheets.bulk import bulk_insert

__all__ = [
    "ALL_TOPICS",
    "PING",
    "Topic",
    "register_topic",
    "register_topics",
    "is_registered",
    "topic_list",
    "register_dispatcher",
    "record_event",
    "record_events",
    "IMPORT_BATCH_COMPLETED",
    "SHARED_TOPICS",
]

TOPIC_PATTERN = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
#: subscribe to every topic (present and future)
ALL_TOPICS = "*"
#: sent by ``POST /v1/webhooks/{id}/test`` to that subscription only; never subscribed to
PING = "ping"


@dataclass(frozen=True)
class Topic:
    name: str
    description: str

    @property
    def domain(self) -> str:
        return self.name.split(".", 1)[0]


_CATALOGUE: dict[str, Topic] = {}


def register_topic(name: str, description: str) -> str:
    """Add a topic to the catalogue and return its name (registering twice is harmless)."""
    if not TOPIC_PATTERN.match(name):
        raise ValueError(f"Topic {name!r} does not follow <domain>.<entity>.<past verb>.")
    existing = _CATALOGUE.get(name)
    if existing is not None and existing.description != description:
        raise ValueError(f"Topic {name!r} is already registered with another description.")
    _CATALOGUE[name] = Topic(name=name, description=description)
    return name


def register_topics(topics: Mapping[str, str]) -> None:
    """Register an app's ``events.TOPICS`` (name → description); called from ``AppConfig.ready()``."""
    for name, description in topics.items():
        register_topic(name, description)


def is_registered(name: str) -> bool:
    return name in _CATALOGUE


def topic_list() -> list[Topic]:
    """Every registered topic, sorted by name."""
    return [_CATALOGUE[name] for name in sorted(_CATALOGUE)]


# =============================================================================
# Topics recorded by more than one app (each of them registers it with this description)
# =============================================================================

#: one event per import (statement imports in payroll, CSV time imports), never one per row
IMPORT_BATCH_COMPLETED = "import.batch.completed"

SHARED_TOPICS: dict[str, str] = {
    IMPORT_BATCH_COMPLETED: "An import finished mapping and reconciliation.",
}

# =============================================================================
# Dispatchers: who is told, after commit, that an event was recorded
# =============================================================================

Dispatcher = Callable[[int, int], object]
BatchDispatcher = Callable[[list[int], int], object]
_DISPATCHERS: list[Dispatcher] = []
#: a dispatcher's batch form (``dispatcher(event_ids, organisation_id)``), when it has one
_BATCH_DISPATCHERS: dict[Dispatcher, BatchDispatcher] = {}


def register_dispatcher(dispatcher: Dispatcher, *, batch: BatchDispatcher | None = None) -> None:
    """Call ``dispatcher(event_id, organisation_id)`` after each recorded event commits.

    ``batch(event_ids, organisation_id)``, when given, is called instead, once, for the events
    recorded together by :func:`record_events` (it must treat each event as ``dispatcher`` would).
    Registered from ``AppConfig.ready()`` (``integrations`` registers the webhook fan-out);
    registering the same callable twice is harmless.
    """
    if dispatcher not in _DISPATCHERS:
        _DISPATCHERS.append(dispatcher)
    if batch is not None:
        _BATCH_DISPATCHERS[dispatcher] = batch


def _dispatch(event_id: int, organisation_id: int) -> None:
    for dispatcher in _DISPATCHERS:
        dispatcher(event_id, organisation_id)


def _dispatch_batch(event_ids: list[int], organisation_id: int) -> None:
    for dispatcher in _DISPATCHERS:
        batch = _BATCH_DISPATCHERS.get(dispatcher)
        if batch is not None:
            batch(list(event_ids), organisation_id)
        else:
            for event_id in event_ids:
                dispatcher(event_id, organisation_id)


# =============================================================================
# Recording
# =============================================================================


def record_event(organisation, topic: str, payload: dict, *, actor=None):
    """Write a domain event to the outbox inside the caller's transaction; returns the ``OutboxEvent``.

    If the caller's transaction rolls back, the event goes with it: no event for a change
    that did not happen, and no change without its event. Once it commits, the event is
    handed to the registered dispatchers (webhook delivery). ``topic`` must be registered.
    """
    _require_registered(topic)
    body = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    outbox_event = apps.get_model("integrations", "OutboxEvent")
    # no savepoint of its own inside the caller's transaction (one INSERT has nothing to undo
    # on its own; issue 13 point 14); alone, still its own transaction
    with transaction.atomic(savepoint=False):
        event = outbox_event.objects.create(
            organisation=organisation,
            topic=topic,
            payload=body,
            request_id=current_request_id() or "",
            actor_label=actor.label if actor is not None else "",
        )
        transaction.on_commit(partial(_dispatch, event.pk, organisation.pk))
    return event


def _require_registered(topic: str) -> None:
    if not is_registered(topic):
        raise ValueError(f"Unknown event topic {topic!r}: register it with integrations.outbox.register_topic().")


#: a batch of at least this many events is written by ``COPY`` (a sync's thousand entries, issue 19)
COPY_FROM = 200


def _copy_events(model, rows: list) -> list:
    """``bulk_create(rows)`` by ``trackyoursheets.bulk`` (``COPY`` on PostgreSQL): the rows get
    their ids and timestamps as ``bulk_create`` would give them."""
    now = timezone.now()
    ids = bulk_insert(
        model,
        [
            {
                "organisation_id": row.organisation_id,
                "topic": row.topic,
                "payload": row.payload,
                "request_id": row.request_id,
                "actor_label": row.actor_label,
                "dispatched_at": None,
                "created_at": now,
                "updated_at": now,
            }
            for row in rows
        ],
        returning_ids=True,
    )
    for row, pk in zip(rows, ids or [], strict=True):
        row.pk, row.created_at, row.updated_at = pk, now, now
        row._state.adding, row._state.db = False, "default"
    return rows


def record_events(organisation, events: Iterable[tuple[str, dict]], *, actor=None) -> list:
    """Many events (``(topic, payload)`` pairs) of one organisation, as :func:`record_event` would
    write them one by one: one INSERT for all, in the caller's transaction, and after commit one
    call of each dispatcher's batch form for all of them (the webhook fan-out runs once for the
    batch; each event still reaches each matching subscription once). Returns the ``OutboxEvent``
    rows, in order."""
    pairs = list(events)
    for topic, _payload in pairs:
        _require_registered(topic)
    if not pairs:
        return []
    outbox_event = apps.get_model("integrations", "OutboxEvent")
    request_id = current_request_id() or ""
    label = actor.label if actor is not None else ""
    rows = [
        outbox_event(
            organisation=organisation,
            topic=topic,
            payload=json.loads(json.dumps(payload, cls=DjangoJSONEncoder)),
            request_id=request_id,
            actor_label=label,
        )
        for topic, payload in pairs
    ]
    with transaction.atomic(savepoint=False):
        if len(rows) >= COPY_FROM:
            created = _copy_events(outbox_event, rows)
        else:
            created = outbox_event.objects.bulk_create(rows)
        ids = [row.pk for row in created]
        if None in ids:  # a backend that cannot return the ids of a bulk insert
            raise RuntimeError("record_events needs a database that returns the ids of a bulk insert.")
        transaction.on_commit(partial(_dispatch_batch, ids, organisation.pk))
    return created
