"""Outbox topics of the integrations app, registered from ``apps.py`` (``integrations.outbox``).

The catalogue itself (``register_topic``, ``topic_list``, ``ALL_TOPICS``, ``PING``) lives in
``integrations/outbox.py`` and is re-exported here for the webhook code. The statement-import
topics and their payload move to payroll with the imports (issue 12 point 1).
"""

from __future__ import annotations

from .outbox import (
    ALL_TOPICS,
    IMPORT_BATCH_COMPLETED,
    PING,
    SHARED_TOPICS,
    Topic,
    is_registered,
    register_topic,
    topic_list,
)

__all__ = [
    "ALL_TOPICS",
    "PING",
    "Topic",
    "register_topic",
    "is_registered",
    "topic_list",
    "TOPICS",
    "IMPORT_BATCH_COMPLETED",
    "IMPORT_BATCH_FINALISED",
    "IMPORT_BATCH_ROLLED_BACK",
    "import_batch_payload",
    "REPORT_EXPORT_READY",
]

REPORT_EXPORT_READY = "report.export.ready"
# =============================================================================
# Statement imports (issue 6 point 3, integrations/import_services.py). One event per
# batch, never one per imported line: a 100,000-row statement is one
# ``import.batch.completed``, not 100,000 ``payroll.transaction.created``.
# =============================================================================
IMPORT_BATCH_FINALISED = "import.batch.finalised"
IMPORT_BATCH_ROLLED_BACK = "import.batch.rolled_back"

TOPICS: dict[str, str] = {
    REPORT_EXPORT_READY: "An asynchronous report bundle is ready to download.",
    IMPORT_BATCH_COMPLETED: SHARED_TOPICS[IMPORT_BATCH_COMPLETED],
    IMPORT_BATCH_FINALISED: "A reviewed import was finalised: its rows are now reconciled ledger lines.",
    IMPORT_BATCH_ROLLED_BACK: "An import was rolled back: its ledger lines (if finalised) were removed.",
}


def import_batch_payload(batch, *, currency: str) -> dict:
    """Ids, status, counts and totals of a batch (money as decimal strings); no personal data."""
    return {
        "id": batch.pk,
        "parent_id": batch.parent_id,
        "carrier_id": batch.carrier_id,
        "workspace_id": batch.workspace_id,
        "source": batch.source,
        "status": batch.status,
        "statement_period": batch.statement_period.strftime("%Y-%m") if batch.statement_period else None,
        "url": f"/v1/imports/{batch.pk}",
        "counts": {
            "total": batch.total_rows,
            "matched": batch.matched_rows,
            "unmatched": batch.unmatched_rows,
            "duplicates": batch.duplicate_rows,
            "errors": batch.error_rows,
            "skipped": batch.skipped_rows,
            "chargebacks": batch.chargeback_rows,
            "transactions": batch.transaction_count,
        },
        "totals": {
            "premium": str(batch.premium_total),
            "gross_commission": str(batch.gross_total),
            "currency": currency,
        },
    }
