"""The webhook topic catalogue: one registry every app adds its topics to (issue 5 point 2).

Topic names follow ``<domain>.<entity>.<past verb>``. An app that records an event
registers its topic once, at import time of its ``events.py``::

    from integrations.events import register_topic

    TIMESHEET_APPROVED = register_topic("time.timesheet.approved", "A manager approved a timesheet.")

``record_event`` refuses a topic that is not registered, so the catalogue served at
``GET /v1/webhooks/topics`` is always the full list of what can be delivered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from organisations import events as organisation_events
from payroll import events as payroll_events

__all__ = [
    "ALL_TOPICS",
    "PING",
    "Topic",
    "register_topic",
    "is_registered",
    "topic_list",
    "IMPORT_BATCH_COMPLETED",
    "IMPORT_BATCH_FINALISED",
    "IMPORT_BATCH_ROLLED_BACK",
    "REPORT_EXPORT_READY",
    "PAYROLL_RUN_APPROVED",
    "HR_COMPLAINT_CREATED",
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


def is_registered(name: str) -> bool:
    return name in _CATALOGUE


def topic_list() -> list[Topic]:
    """Every registered topic, sorted by name."""
    return [_CATALOGUE[name] for name in sorted(_CATALOGUE)]


# =============================================================================
# The four topics of the public contract (API guide, "Webhooks"). The apps that
# emit them (payroll, hr, integrations imports and exports) record these names.
# =============================================================================

PAYROLL_RUN_APPROVED = register_topic(
    "payroll.run.approved", "A payroll run was approved (it moved from draft to ready or paid)."
)
HR_COMPLAINT_CREATED = register_topic("hr.complaint.created", "An employee filed a new HR ticket.")
IMPORT_BATCH_COMPLETED = register_topic(
    payroll_events.IMPORT_BATCH_COMPLETED, "An import finished mapping and reconciliation."
)
REPORT_EXPORT_READY = register_topic(
    "report.export.ready", "An asynchronous report bundle is ready to download."
)

# =============================================================================
# What the organisations app records today (organisations/events.py)
# =============================================================================

register_topic(organisation_events.WORKSPACE_CREATED, "A workspace was created.")
register_topic(
    organisation_events.WORKSPACE_UPDATED,
    "A workspace was renamed, moved, described, archived or re-activated, or its agents changed.",
)
register_topic(organisation_events.PRODUCER_CREATED, "A producer was created.")
register_topic(
    organisation_events.PRODUCER_UPDATED,
    "A producer changed (display name, portal access, status, workspace, ...).",
)
register_topic(organisation_events.MEMBER_INVITED, "Someone was invited to join the organisation.")

# =============================================================================
# The commission ledger (issue 6, payroll/events.py)
# =============================================================================

register_topic(payroll_events.TRANSACTION_CREATED, "A commission transaction was added to the ledger.")
register_topic(
    payroll_events.TRANSACTION_UPDATED,
    "A commission transaction changed (its fields, its status, or its amount through an override).",
)
register_topic(payroll_events.OVERRIDE_CREATED, "A producer's commission amount was overridden.")

# =============================================================================
# Statement imports (issue 6 point 3, payroll/services/imports.py). One event per
# batch, never one per imported line: a 100,000-row statement is one
# ``import.batch.completed``, not 100,000 ``payroll.transaction.created``.
# =============================================================================

IMPORT_BATCH_FINALISED = register_topic(
    payroll_events.IMPORT_BATCH_FINALISED, "A reviewed import was finalised: its rows are now reconciled ledger lines."
)
IMPORT_BATCH_ROLLED_BACK = register_topic(
    payroll_events.IMPORT_BATCH_ROLLED_BACK, "An import was rolled back: its ledger lines (if finalised) were removed."
)
