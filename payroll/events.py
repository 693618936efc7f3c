"""Outbox topics of the commission ledger (``<domain>.<entity>.<past verb>``) and their payloads.

Registered in the outbox catalogue (``integrations/outbox.py``) from ``apps.py``.
"""

from __future__ import annotations

from integrations.outbox import IMPORT_BATCH_COMPLETED, SHARED_TOPICS

TRANSACTION_CREATED = "payroll.transaction.created"
TRANSACTION_UPDATED = "payroll.transaction.updated"
OVERRIDE_CREATED = "payroll.override.created"
#: part of the public contract (API guide, "Webhooks"); payroll runs record it
RUN_APPROVED = "payroll.run.approved"
RUN_CREATED = "payroll.run.created"
RUN_PAID = "payroll.run.paid"
RUN_CANCELLED = "payroll.run.cancelled"
#: statement imports: one event per batch, never one per imported line. ``import.batch.completed``
#: is shared with the time-entry importer (``integrations.outbox.SHARED_TOPICS``)
IMPORT_BATCH_FINALISED = "import.batch.finalised"
IMPORT_BATCH_ROLLED_BACK = "import.batch.rolled_back"

TOPICS: dict[str, str] = {
    RUN_APPROVED: (
        "A payroll run was approved (it moved from draft to ready or paid; its payload's status says which)."
    ),
    RUN_CREATED: "A payroll run was created (a draft computed from its sources).",
    RUN_PAID: "A payroll run was marked paid (its ledger lines and time are paid).",
    RUN_CANCELLED: "A payroll run was cancelled (its sources are released).",
    TRANSACTION_CREATED: "A commission transaction was added to the ledger.",
    TRANSACTION_UPDATED: (
        "A commission transaction changed (its fields, its status, or its amount through an override)."
    ),
    OVERRIDE_CREATED: "A producer's commission amount was overridden.",
    IMPORT_BATCH_COMPLETED: SHARED_TOPICS[IMPORT_BATCH_COMPLETED],
    IMPORT_BATCH_FINALISED: "A reviewed import was finalised: its rows are now reconciled ledger lines.",
    IMPORT_BATCH_ROLLED_BACK: "An import was rolled back: its ledger lines (if finalised) were removed.",
}


def transaction_payload(txn, *, currency: str) -> dict:
    """Money as decimal strings with the organisation's currency (DESIGN §8)."""
    return {
        "id": txn.pk,
        "policy_id": txn.policy_id,
        "producer_id": txn.producer_id,
        "carrier_id": txn.carrier_id,
        "workspace_id": txn.workspace_id,
        "statement_period": txn.statement_period.strftime("%Y-%m"),
        "transaction_date": txn.transaction_date.isoformat(),
        "type": txn.type,
        "status": txn.status,
        "source": txn.source,
        "external_id": txn.external_id,
        "premium": str(txn.premium),
        "gross_commission": str(txn.gross_commission),
        "split_percent": str(txn.split_percent),
        "producer_amount": str(txn.producer_amount),
        "currency": currency,
    }


def override_payload(override, *, currency: str) -> dict:
    return {
        "id": override.pk,
        "transaction_id": override.transaction_id,
        "kind": override.kind,
        "value": str(override.value),
        "reason": override.reason,
        "previous_amount": str(override.previous_amount),
        "resulting_amount": str(override.resulting_amount),
        "currency": currency,
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


def run_payload(run, *, currency: str) -> dict:
    """A run's id, status, period, totals (decimal strings with the currency) and links."""
    base = f"/v1/payroll/runs/{run.pk}"
    return {
        "id": run.pk,
        "status": run.status,
        "pay_schedule_id": run.pay_schedule_id,
        "off_cycle": run.off_cycle,
        "period": {"start": run.period_start.isoformat(), "end": run.period_end.isoformat()},
        "pay_date": run.pay_date.isoformat(),
        "totals": {"gross": str(run.gross_total), "employees": run.employee_count, "currency": currency},
        "links": {"self": base, "entries": f"{base}/entries", "diff": f"{base}/diff"},
    }
