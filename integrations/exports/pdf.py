"""PDF exports with ReportLab (issue 17 point 4; no system libraries).

A report with a ``deck`` gets a leadership deck: headline figures, bar charts and tables (the
commissions deck: premium and commission by period, top producers, carrier mix; the time deck:
hours by project, billable ratio). Any other report is printed as its table. Every page carries
the organisation's name, the period, the filters and the generation time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .registry import Column, Deck, Rows
from .writers import PROGRESS_EVERY, cell_text

__all__ = ["write_deck_pdf", "write_table_pdf"]

#: a table PDF lists at most this many rows and columns (the CSV and XLSX formats have them all)
MAX_TABLE_ROWS = 5000
MAX_TABLE_COLUMNS = 12
_STYLES = getSampleStyleSheet()
_GRID = TableStyle(
    [
        ("FONTSIZE", (0, 0), (-1, -1), 7),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1f3a5f")),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


def _page_decoration(organisation: str, period: str, filters: dict, generated: str) -> Callable:
    filter_text = ", ".join(f"{k}={v}" for k, v in sorted((filters or {}).items())) or "none"

    def draw(canvas, doc) -> None:
        width, height = doc.pagesize
        canvas.saveState()
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawString(1.5 * cm, height - 1.1 * cm, organisation)
        canvas.setFont("Helvetica", 7)
        canvas.drawRightString(width - 1.5 * cm, height - 1.1 * cm, f"Period: {period or 'all'}")
        canvas.drawString(1.5 * cm, 0.9 * cm, f"Filters: {filter_text}"[:160])
        canvas.drawRightString(width - 1.5 * cm, 0.9 * cm, f"Generated {generated} · page {doc.page}")
        canvas.restoreState()

    return draw


def _document(handle, title: str):
    return SimpleDocTemplate(
        handle,
        pagesize=landscape(A4),
        title=title,
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.8 * cm,
        bottomMargin=1.6 * cm,
    )


def _bar_chart(title: str, series: Sequence[tuple[str, float]]) -> list:
    drawing = Drawing(24 * cm, 7 * cm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 1.5 * cm, 1.2 * cm, 21 * cm, 5.2 * cm
    values = [float(v) for _, v in series] or [0.0]
    chart.data = [values]
    chart.categoryAxis.categoryNames = [label[:14] for label, _ in series] or [""]
    chart.categoryAxis.labels.fontSize = 6
    chart.categoryAxis.labels.angle = 30 if len(series) > 8 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(series) > 8 else "n"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 6
    chart.bars[0].fillColor = colors.HexColor("#2e6da4")
    drawing.add(chart)
    return [Paragraph(title, _STYLES["Heading3"]), drawing]


def _deck_body(deck: Deck) -> list:
    story: list = []
    if deck.figures:
        table = Table([[label for label, _ in deck.figures], [value for _, value in deck.figures]])
        table.setStyle(_GRID)
        story += [table, Spacer(1, 0.4 * cm)]
    for title, series in deck.charts:
        story += _bar_chart(title, series)
    for title, header, rows in deck.tables:
        table = Table([list(header), *[list(r) for r in rows]], repeatRows=1)
        table.setStyle(_GRID)
        story += [Paragraph(title, _STYLES["Heading3"]), table, Spacer(1, 0.3 * cm)]
    return story


def write_deck_pdf(handle, deck: Deck, *, organisation: str, filters: dict, generated: str) -> None:
    """The deck, then each of its ``pages`` on a page of its own (its title a heading)."""
    story: list = [Paragraph(deck.title, _STYLES["Title"]), *_deck_body(deck)]
    for index, page in enumerate(deck.pages):
        if index or len(story) > 1:
            story.append(PageBreak())
        story += [Paragraph(_escape(page.title), _STYLES["Heading1"]), *_deck_body(page)]
    decorate = _page_decoration(organisation, deck.period, filters, generated)
    _document(handle, deck.title).build(story, onFirstPage=decorate, onLaterPages=decorate)


def write_table_pdf(
    handle,
    title: str,
    columns: Sequence[Column],
    rows: Rows,
    *,
    organisation: str,
    filters: dict,
    generated: str,
    period: str = "",
    progress: Callable[[int], None],
) -> int:
    shown = list(columns)[:MAX_TABLE_COLUMNS]
    names = [c.name for c in shown]
    body: list[list] = []
    done = 0
    small = _STYLES["BodyText"].clone("cell", fontSize=6, leading=7)
    for row in rows:
        done += 1
        if done <= MAX_TABLE_ROWS:
            body.append([Paragraph(_escape(_short(row.get(name))), small) for name in names])
        if done % PROGRESS_EVERY == 0:
            progress(done)
    story: list = [Paragraph(title, _STYLES["Title"])]
    if done > MAX_TABLE_ROWS:
        story.append(Paragraph(f"The first {MAX_TABLE_ROWS} of {done} rows; CSV and XLSX have them all.", small))
    if len(columns) > len(shown):
        story.append(Paragraph(f"The first {len(shown)} of {len(columns)} columns; CSV and XLSX have them all.", small))
    header = [Paragraph(f"<b>{_escape(c.heading)}</b>", small) for c in shown]
    width = landscape(A4)[0] - 3 * cm
    table = Table([header, *body], repeatRows=1, colWidths=[width / max(len(shown), 1)] * len(shown))
    table.setStyle(_GRID)
    table.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)]))
    story.append(table)
    decorate = _page_decoration(organisation, period, filters, generated)
    _document(handle, title).build(story, onFirstPage=decorate, onLaterPages=decorate)
    return done


def _short(value) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value)[:120]
    return cell_text(value)[:300]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
