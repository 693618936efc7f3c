"""Public pages (issue 4 points 1-2): the landing page, the hosted API guide, the
changelog, the API status page and its RSS feed, and the legacy docs redirects.

The guide and the changelog are Markdown files in ``docs/``, rendered on the server
with python-markdown (``toc``, ``tables``, ``fenced_code``, ``codehilite`` + Pygments)
and cached per file modification time. Only those repository files are ever
rendered as Markdown: it is trusted content, so its raw HTML passes through, and
nothing a user sends reaches the renderer (status incidents are shown escaped).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC
from functools import lru_cache
from pathlib import Path

import markdown
from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from pygments.formatters import HtmlFormatter

from organisations.models import StatusIncident
from organisations.plans import FEATURES, PLANS

__all__ = [
    "DOCS_DIR",
    "FEATURE_LABELS",
    "ApiStatusFeed",
    "RenderedDocument",
    "api_guide",
    "api_status",
    "changelog",
    "favicon",
    "landing",
    "legacy_docs_redirect",
    "pygments_css",
    "render_markdown_file",
]

DOCS_DIR = Path(settings.BASE_DIR) / "docs"

# =============================================================================
# Landing page
# =============================================================================

#: How the landing page names each feature toggle of organisations.plans.FEATURES.
FEATURE_LABELS: dict[str, str] = {
    "api": _("REST API"),
    "graphql": _("GraphQL API"),
    "webhooks": _("Webhooks"),
    "producer_portal": _("Producer portal"),
    "time_tracking": _("Time tracking"),
    "hr": _("HR: directory, documents, tickets"),
    "tracktik": _("TrackTik connector"),
}


def _plan_rows() -> list[dict]:
    """Every plan of the plan table with its limits and features, cheapest first."""
    rows = []
    for plan in sorted(PLANS.values(), key=lambda p: p.price_per_seat):
        rows.append(
            {
                "plan": plan,
                "included": [FEATURE_LABELS[f] for f in FEATURES if f in plan.features],
                "excluded": [FEATURE_LABELS[f] for f in FEATURES if f not in plan.features],
            }
        )
    return rows


def landing(request):
    return render(request, "landing.html", {"plan_rows": _plan_rows()})


#: Browsers ask for /favicon.ico on every site; answering it keeps their consoles free of 404s.
FAVICON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    '<rect width="32" height="32" rx="7" fill="#0b5cad"/>'
    '<path d="M8 8h16v4.5h-5.7V25h-4.6V12.5H8z" fill="#fff"/></svg>'
)


def favicon(request):
    response = HttpResponse(FAVICON_SVG, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


# =============================================================================
# Markdown documents (docs/*.md)
# =============================================================================

MARKDOWN_EXTENSIONS = ["toc", "tables", "fenced_code", "codehilite"]
MARKDOWN_CONFIG = {
    "toc": {"toc_depth": "2-3", "permalink": True, "permalink_title": "Link to this section"},
    # no guessing: a block without a language stays plain text
    "codehilite": {"css_class": "codehilite", "guess_lang": False},
}
PYGMENTS_STYLE = "github-dark"
_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
_H1_HTML = re.compile(r"\A\s*(<h1\b.*?</h1>)\s*", re.DOTALL)


@dataclass(frozen=True)
class RenderedDocument:
    title: str
    heading: str  # the document's <h1>, shown above the table of contents and the text
    html: str  # the rest; trusted: rendered from a file in the repository
    toc: list[dict]  # python-markdown's toc_tokens for h2/h3: level, id, name, children


def _post_process(html: str) -> str:
    """Small accessibility fixes the extensions do not make.

    Wide tables scroll inside their own box on a phone instead of widening the page,
    and a scrollable code block can be reached with the keyboard.
    """
    html = html.replace("<table>", '<div class="table-scroll" tabindex="0"><table>').replace(
        "</table>", "</table></div>"
    )
    return html.replace('<div class="codehilite"><pre>', '<div class="codehilite"><pre tabindex="0">')


@lru_cache(maxsize=16)
def _render(path: str, mtime_ns: int, size: int) -> RenderedDocument:
    """Render once per (file, modification time, size); an edited file is rendered afresh."""
    text = Path(path).read_text(encoding="utf-8")
    converter = markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, extension_configs=MARKDOWN_CONFIG)
    html = converter.convert(text)
    title_match = _H1.search(text)
    title = title_match.group(1) if title_match else Path(path).stem
    heading = ""
    heading_match = _H1_HTML.match(html)
    if heading_match:  # the title leads the page, also on a phone where the contents come first
        heading, html = heading_match.group(1), html[heading_match.end() :]
    return RenderedDocument(title=title, heading=heading, html=_post_process(html), toc=converter.toc_tokens)


def render_markdown_file(path: Path) -> RenderedDocument:
    """The rendered document at ``path`` (a trusted repository file, never user input)."""
    stat = path.stat()
    return _render(str(path), stat.st_mtime_ns, stat.st_size)


def _document_page(request, name: str, *, template: str, extra: dict | None = None):
    path = DOCS_DIR / f"{name}.md"
    if not path.is_file():
        raise Http404(f"No document {name}")
    document = render_markdown_file(path)
    # trusted: rendered from a repository file, never from anything a user sent
    context = {
        "document": document,
        "heading": mark_safe(document.heading),
        "content": mark_safe(document.html),
        **(extra or {}),
    }
    return render(request, template, context)


def api_guide(request):
    """``/api-guide``: docs/api-guide.md with a table of contents."""
    return _document_page(request, "api-guide", template="public/api_guide.html")


def changelog(request):
    """``/changelog``: docs/changelog.md."""
    return _document_page(request, "changelog", template="public/changelog.html")


def pygments_css() -> str:
    """The code highlighting rules in ``static/css/pygments.css``, scoped to ``.codehilite``.

    Regenerate after changing ``PYGMENTS_STYLE`` or the Pygments pin:
    ``python -c "from trackyoursheets.views import pygments_css; print(pygments_css(), end='')" >
    static/css/pygments.css`` (with ``DJANGO_SETTINGS_MODULE`` set); a test keeps the two equal.
    """
    formatter = HtmlFormatter(style=PYGMENTS_STYLE)
    rules = [
        f"/* Generated from Pygments' {PYGMENTS_STYLE} style by trackyoursheets.views.pygments_css(); "
        "do not edit by hand. */",
        *formatter.get_background_style_defs(".codehilite"),
        *formatter.get_token_style_defs(".codehilite"),
        # the GraphQL lexer does not know SDL (`type Query { ... }`): no red "errors" in schema excerpts
        ".codehilite .err { color: inherit; background: none; border: 0 }",
    ]
    return "\n".join(rules) + "\n"


#: Old documentation addresses that answer 301 to the guide (issue 4; contract "Hosting the public API docs").
LEGACY_DOCS_PATHS = ("docs/api", "api", "api-docs")

legacy_docs_redirect = RedirectView.as_view(pattern_name="api-guide", permanent=True)


# =============================================================================
# API status: a page and an RSS 2.0 feed of published incidents
# =============================================================================

FEED_ITEMS = 50


def published_incidents(limit: int = FEED_ITEMS):
    """Published incidents, newest first (drafts never leave the admin)."""
    return StatusIncident.objects.filter(published=True).order_by("-started_at", "-id")[:limit]


def api_status(request):
    """``/api-status``: the incidents of the feed, for people; each RSS item links here."""
    incidents = list(published_incidents())
    ongoing = [i for i in incidents if i.resolved_at is None]
    return render(request, "public/api_status.html", {"incidents": incidents, "ongoing": ongoing})


def _utc(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


class ApiStatusFeed(Feed):
    """``/api-status.xml``: published ``StatusIncident`` rows, newest first (RSS 2.0)."""

    feed_type = Rss201rev2Feed
    title = "TrackYourSheets API status"
    description = (
        "Outages, degraded performance and planned maintenance of the TrackYourSheets API, "
        "newest first. The API guide is at /api-guide."
    )
    language = "en"
    ttl = 5

    def link(self) -> str:
        return reverse("api-guide")

    def feed_url(self) -> str:
        return reverse("api-status-feed")

    def items(self):
        return published_incidents()

    def item_title(self, item: StatusIncident) -> str:
        return f"[{item.get_severity_display()}] {item.title}"

    def item_description(self, item: StatusIncident) -> str:
        """HTML for feed readers; the body is plain text, so it is escaped (never markup)."""
        resolved = _utc(item.resolved_at) if item.resolved_at else "ongoing"
        return (
            f"<p>Severity: {escape(item.get_severity_display())}<br>"
            f"Started: {_utc(item.started_at)}<br>Resolved: {escape(resolved)}</p>"
            f"<p>{linebreaksbr(escape(item.body))}</p>"
        )

    def item_link(self, item: StatusIncident) -> str:
        return f"{reverse('api-status')}#incident-{item.pk}"

    def item_guid(self, item: StatusIncident) -> str:
        return f"urn:trackyoursheets:incident:{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: StatusIncident):
        return item.started_at

    def item_updateddate(self, item: StatusIncident):
        return item.updated_at

    def item_categories(self, item: StatusIncident):
        return (item.severity,)
