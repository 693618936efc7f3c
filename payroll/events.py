"""Outbox topics of the commission ledger (``<domain>.<entity>.<past verb>``) and their payloads.

Registered in the outbox catalogue (``integrations/outbox.py``) from ``apps.py``.
"""

from __future__ import annotations

TRANSACTION_CREATED = "payroll.transaction.created"
TRANSACTION_UPDATED = "payroll.transaction.updated"
OVERRIDE_CREATED = "payroll.override.created"
#: part of the public contract (API guide, "Webhooks"); payroll runs record it
RUN_APPROVED = "payroll.run.approved"

TOPICS: dict[str, str] = {
    RUN_APPROVED: "A payroll run was approved (it moved from draft to ready or paid).",
    TRANSACTION_CREATED: "A commission transaction was added to the ledger.",
    TRANSACTION_UPDATED: (
        "A commission transaction changed (its fields, its status, or its amount through an override)."
    ),
    OVERRIDE_CREATED: "A producer's commission amount was overridden.",
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
