"""Writes of the TrackTik connector: the connection, sync runs, SCR matches and invoice
reconciliations. Callers say ``from integrations.tracktik import services``."""

from .connection import client_for, connection_test, connection_update
from .pay_codes import pay_code_map
from .reports import invoice_reconciliation_create, scr_match_create
from .sync import sync_due_start, sync_run_execute, sync_start

__all__ = [
    "client_for",
    "connection_test",
    "connection_update",
    "invoice_reconciliation_create",
    "pay_code_map",
    "scr_match_create",
    "sync_due_start",
    "sync_run_execute",
    "sync_start",
]
