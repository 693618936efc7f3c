"""Rendering one export to a file: one report in one format, or a zip bundle of several with a
``manifest.json`` (issue 17 points 1 and 4)."""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from django.utils import timezone

from . import registry
from .pdf import write_deck_pdf, write_table_pdf
from .writers import write_csv
from .xlsx import write_xlsx

__all__ = ["Rendered", "render_export", "render_report"]

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "zip": "application/zip",
}


@dataclass(frozen=True)
class Rendered:
    extension: str
    content_type: str
    file_name: str
    rows: int


def _period(filters: dict) -> str:
    start = filters.get("start_date") or filters.get("date_from") or filters.get("period_start") or ""
    end = filters.get("end_date") or filters.get("date_to") or filters.get("period_end") or ""
    return f"{start} – {end}" if start or end else ""


def render_report(
    export, actor, report: registry.Report, fmt: str, filters: dict, columns: list, handle, progress, *, options: dict
) -> int:
    """Write one report to ``handle``; returns its row count."""
    chosen = [c for c in report.columns if not columns or c.name in columns]
    if fmt == "pdf" and report.deck is not None:
        deck = report.deck(actor, filters)
        write_deck_pdf(handle, deck, organisation=export.organisation.name, filters=filters, generated=_generated())
        return deck_rows(deck)
    rows = report.rows(actor, filters)
    if rows.visible is not None:
        chosen = [c for c in chosen if c.name in rows.visible]
    progress(0, rows.total)
    if fmt == "csv":
        return write_csv(
            handle,
            chosen,
            rows,
            progress=progress,
            bom=options.get("bom", False),
            delimiter=options.get("delimiter", ","),
        )
    if fmt == "xlsx":
        return write_xlsx(handle, chosen, rows, progress=progress, title=report.title)
    return write_table_pdf(
        handle,
        report.title,
        chosen,
        rows,
        organisation=export.organisation.name,
        filters=filters,
        generated=_generated(),
        period=_period(filters),
        progress=progress,
    )


def deck_rows(deck: registry.Deck) -> int:
    """A deck's row count: its pages (payslips), else the ledger lines (or entries) it
    summarises, as its builder says."""
    if deck.pages:
        return len(deck.pages)
    for label, value in deck.figures:
        if label.lower() in ("lines", "entries", "rows"):
            return int(str(value).replace(",", ""))
    return 0


def _generated() -> str:
    return timezone.now().strftime("%Y-%m-%d %H:%M UTC")


def _file_name(export, extension: str) -> str:
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    return f"{export.report}-{stamp}.{extension}"


def render_export(export, actor, handle, progress) -> Rendered:
    if export.format != "zip":
        report = registry.get_report(export.report)
        rows = render_report(
            export,
            actor,
            report,
            export.format,
            export.filters,
            export.columns,
            handle,
            progress,
            options=export.options,
        )
        return Rendered(export.format, CONTENT_TYPES[export.format], _file_name(export, export.format), rows)
    manifest = {
        "export_id": export.pk,
        "organisation": export.organisation.name,
        "generated_at": timezone.now().isoformat().replace("+00:00", "Z"),
        "requested_by": export.actor_label,
        "files": [],
    }
    total = 0
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for index, part in enumerate(export.parts, start=1):
            report = registry.get_report(part["report"])
            name = f"{index:02d}-{report.name}.{part['format']}"
            with tempfile.NamedTemporaryFile(prefix="export-part-", delete=False) as piece:
                try:
                    rows = render_report(
                        export,
                        actor,
                        report,
                        part["format"],
                        part["filters"],
                        part.get("columns") or [],
                        piece,
                        partial(_offset_progress, progress, total),
                        options=export.options,
                    )
                    piece.flush()
                    digest = _sha256(piece.name)
                    bundle.write(piece.name, name)
                finally:
                    piece.close()
                    Path(piece.name).unlink()
            total += rows
            manifest["files"].append(
                {
                    "file": name,
                    "report": report.name,
                    "title": report.title,
                    "format": part["format"],
                    "rows": rows,
                    "sha256": digest,
                    "filters": part["filters"],
                }
            )
        bundle.writestr("manifest.json", json.dumps(manifest, indent=2, sort_keys=True, default=str))
    return Rendered("zip", CONTENT_TYPES["zip"], _file_name(export, "zip"), total)


def _offset_progress(progress, offset: int, done: int, total: int | None = None) -> None:
    progress(offset + done)


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
