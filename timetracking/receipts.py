"""The download of an expense's receipt, shared by REST (``GET /v1/expenses/{id}/receipt``) and
the pages (``time:expense-receipt``); the caller has already found the expense through the
actor's scoped selector (another tenant's or a stranger's expense is a 404 before this)."""

from __future__ import annotations

from django.http import FileResponse, Http404

from trackyoursheets import storage

__all__ = ["receipt_response"]


def receipt_response(expense) -> FileResponse:
    """The receipt as an attachment (never rendered inline), with its detected type."""
    if not expense.has_receipt:
        raise Http404("No receipt.")
    try:
        handle = storage.open_stored(expense.receipt_storage_path)
    except FileNotFoundError as exc:
        raise Http404("No receipt.") from exc
    response = FileResponse(
        handle, as_attachment=True, filename=expense.receipt_file_name, content_type=expense.receipt_content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
