"""Outbox topics of the integrations app, registered from ``apps.py`` (``integrations.outbox``).

The catalogue itself (``register_topic``, ``topic_list``, ``ALL_TOPICS``, ``PING``) lives in
``integrations/outbox.py`` and is re-exported here for the webhook code. The statement-import
topics and their payload live with the imports in ``payroll/events.py``.
"""

from __future__ import annotations

from .outbox import ALL_TOPICS, PING, Topic, is_registered, register_topic, topic_list

__all__ = [
    "ALL_TOPICS",
    "PING",
    "Topic",
    "register_topic",
    "is_registered",
    "topic_list",
    "TOPICS",
    "REPORT_EXPORT_READY",
]

REPORT_EXPORT_READY = "report.export.ready"

TOPICS: dict[str, str] = {
    REPORT_EXPORT_READY: "An asynchronous report bundle is ready to download.",
}
