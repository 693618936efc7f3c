"""Public pages (issue 4 points 1-2): landing, API guide, changelog, API status and its feed."""

import html as html_lib
import json
import os
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.staticfiles import finders

from organisations import services
from organisations.models import StatusIncident
from organisations.plans import FEATURES, PLANS
from trackyoursheets.api.errors import DEFAULTS
from trackyoursheets.api.scopes import SCOPES
from trackyoursheets.exceptions import DomainError
from trackyoursheets.views import FEATURE_LABELS, pygments_css, render_markdown_file

pytestmark = pytest.mark.django_db

PAGES = ("/", "/api-guide", "/changelog", "/api-status")
GUIDE_SOURCE = Path(django_settings.BASE_DIR) / "docs" / "api-guide.md"


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Pages render without a prior `collectstatic` (the manifest storage needs one)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"] == "text/html; charset=utf-8"
    return response.content.decode()


def text_of(fragment: str) -> str:
    """The visible text of an HTML fragment, tags removed and entities decoded."""
    return html_lib.unescape(re.sub(r"<[^>]+>", "", fragment))


def between(html: str, start: str, end: str) -> str:
    head = html.index(start)
    return html[head : html.index(end, head)]


# =============================================================================
# Landing page
# =============================================================================


def test_landing_lists_every_plan_with_its_limits_and_features(client):
    html = page(client, "/")

    assert html.count('<article class="card plan"') == len(PLANS) == 3
    for plan in PLANS.values():
        card = between(html, f'id="plan-{plan.code}"', "</article>")
        assert f'<h3 id="plan-{plan.code}-name">{plan.name}</h3>' in card
        assert f'<span class="amount">${plan.price_per_seat}</span> per seat / month' in card
        assert f"<div><dt>Seats</dt><dd>{plan.max_seats}</dd></div>" in card
        assert f"<div><dt>Workspaces</dt><dd>{plan.max_workspaces}</dd></div>" in card
        assert f"<div><dt>Agents per workspace</dt><dd>{plan.max_agents_per_workspace}</dd></div>" in card
        included = re.findall(r"<li>(.*?)</li>", between(card, '<ul class="plan-features">', "</ul>"))
        assert included == [str(FEATURE_LABELS[f]) for f in FEATURES if f in plan.features]
        excluded = [str(FEATURE_LABELS[f]) for f in FEATURES if f not in plan.features]
        if excluded:
            assert f'<p class="plan-excluded">Not included: {", ".join(excluded)}</p>' in card
        else:
            assert "plan-excluded" not in card


def test_landing_shows_the_exact_starter_limits(client):
    card = between(page(client, "/"), 'id="plan-starter"', "</article>")

    assert '<span class="amount">$19.99</span>' in card
    assert "<dt>Seats</dt><dd>5</dd>" in card
    assert "<dt>Workspaces</dt><dd>3</dd>" in card
    assert "<dt>Agents per workspace</dt><dd>5</dd>" in card
    assert "Not included: Webhooks" in card


def test_every_plan_feature_has_a_label():
    assert set(FEATURE_LABELS) == set(FEATURES)


def test_landing_says_what_the_product_does_and_links_to_the_api(client):
    html = page(client, "/")

    hero = between(html, '<section class="hero">', "</section>")
    assert '<a class="button" href="/api-guide">Read the API guide</a>' in hero
    assert '<a class="button button-quiet" href="/api/docs">Open the API reference</a>' in hero
    assert "<h3>Insurance agencies</h3>" in html
    assert "<h3>Service businesses</h3>" in html
    for words in ("Commissions:", "Commission ledger:", "HR:", "Time tracking:", "Reports:"):
        assert f"<strong>{words}</strong>" in html


# =============================================================================
# API guide
# =============================================================================


def test_guide_renders_headings_with_ids_and_a_table_of_contents(client):
    html = page(client, "/api-guide")

    article = between(html, '<article class="doc">', "</article>")
    h2_ids = re.findall(r'<h2 id="([^"]+)">', article)
    toc = between(html, '<nav class="docs-toc" aria-label="On this page">', "</nav>")
    toc_top = re.findall(r'<li><a href="#([^"]+)">', toc)
    assert len(h2_ids) == len(re.findall(r"<h2\b", article)) >= 15
    assert [i for i in toc_top if i in h2_ids] == h2_ids  # every h2, in order
    assert set(re.findall(r'<h3 id="([^"]+)">', article)) <= set(toc_top)
    names = [text_of(n) for n in re.findall(r'<h2 id="[^"]+">(.*?)<a class="headerlink"', article)]
    for section in (
        "Getting started",
        "Authentication",
        "Scopes",
        "REST endpoints (v1)",
        "Lists, pagination and filters",
        "Conditional requests",
        "Errors",
        "Request ids",
        "Rate limits",
        "Idempotency",
        "Audit trail",
        "GraphQL",
        "Webhooks",
        "Security checklist",
        "Sample integration flow",
    ):
        assert section in names
    assert '<h1 id="trackyoursheets-api-guide">TrackYourSheets API guide' in html


def test_guide_highlights_code_with_our_pygments_stylesheet(client):
    html = page(client, "/api-guide")

    assert '<link rel="stylesheet" href="/static/css/pygments.css">' in html
    assert '<div class="codehilite"><pre tabindex="0"><span></span><code>' in html
    assert '<span class="s2">"http://127.0.0.1:8000/oauth/token"</span>' in html  # a bash string token
    assert '<span class="nt">"access_token"</span>' in html  # a JSON key token


def test_guide_contains_the_token_request_example(client):
    text = text_of(page(client, "/api-guide"))

    assert 'curl -X POST "http://127.0.0.1:8000/oauth/token" \\\n  -H "Content-Type: application/json" \\' in text
    assert '"grant_type": "client_credentials",\n        "scope": "workspaces.read producers.read"' in text


def token_example_body() -> dict:
    """The JSON body of the guide's first token request, exactly as a reader would copy it."""
    source = GUIDE_SOURCE.read_text()
    blocks = re.findall(r"```bash\n(.*?)\n```", source, re.DOTALL)
    example = next(b for b in blocks if "/oauth/token" in b and "application/json" in b)
    assert example.startswith('curl -X POST "http://127.0.0.1:8000/oauth/token" \\\n')
    return json.loads(re.search(r"-d '(.*?)'", example, re.DOTALL).group(1))


def test_guide_token_example_is_accepted_by_the_token_endpoint(client, organisation):
    created = services.api_client_create(
        organisation=organisation, name="Guide reader", scopes=["workspaces.read", "producers.read"]
    )
    body = token_example_body()
    assert body == {
        "client_id": "YOUR_CLIENT_ID",
        "client_secret": "YOUR_CLIENT_SECRET",
        "grant_type": "client_credentials",
        "scope": "workspaces.read producers.read",
    }

    body.update(client_id=created.application.client_id, client_secret=created.client_secret)
    response = client.post("/oauth/token", data=json.dumps(body), content_type="application/json")

    assert response.status_code == 200
    token = response.json()
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 3600
    assert token["scope"] == "workspaces.read producers.read"


def test_guide_documents_every_scope_and_error_type():
    source = GUIDE_SOURCE.read_text()
    scopes_section = between(source, "\n## Scopes", "\n## REST endpoints")
    errors_section = between(source, "\n## Errors", "\n## Request ids")

    for scope in SCOPES:
        assert f"`{scope}`" in scopes_section, scope

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    slugs = {slug for slug, _title in DEFAULTS.values()}
    slugs |= {DomainError.slug} | {c.slug for c in subclasses(DomainError)}
    # raised outside the exception handler: OAuth endpoints, idempotency middleware, scope checks
    slugs |= {
        "malformed-body",
        "missing-scope",
        "invalid-client",
        "invalid-idempotency-key",
        "idempotency-in-progress",
        "idempotency-key-reused",
    }
    for slug in slugs:
        assert f"| `{slug}` |" in errors_section, slug


def test_guide_is_rendered_from_markdown_and_cached_per_modification_time(tmp_path):
    source = tmp_path / "doc.md"
    source.write_text("# Title\n\n## First part\n\n```bash\necho one\n```\n")

    first = render_markdown_file(source)
    again = render_markdown_file(source)
    source.write_text("# Title\n\n## Second part\n\nText.\n")
    stat = source.stat()
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    changed = render_markdown_file(source)

    assert again is first
    assert first.title == "Title"
    assert first.heading.startswith('<h1 id="title">Title')
    assert [entry["id"] for entry in first.toc] == ["first-part"]
    assert '<div class="codehilite"><pre tabindex="0">' in first.html
    assert [entry["id"] for entry in changed.toc] == ["second-part"]
    assert "Second part" in changed.html


def test_document_page_escapes_headings_once(client, tmp_path, monkeypatch):
    (tmp_path / "api-guide.md").write_text("# Guide\n\n## Lists & `Prefer`\n\nText.\n")
    monkeypatch.setattr("trackyoursheets.views.DOCS_DIR", tmp_path)

    html = page(client, "/api-guide")

    assert '<li><a href="#lists-prefer">Lists &amp; Prefer</a>' in html
    assert '<h2 id="lists-prefer">Lists &amp; <code>Prefer</code>' in html
    assert "&amp;amp;" not in html
    assert "<title>Guide · TrackYourSheets</title>" in html


def test_committed_pygments_stylesheet_is_up_to_date():
    committed = (Path(django_settings.BASE_DIR) / "static" / "css" / "pygments.css").read_text()

    assert committed == pygments_css()
    assert committed.startswith("/* Generated from Pygments' github-dark style")
    assert ".codehilite .s2 {" in committed


@pytest.mark.parametrize("path", ["/docs/api", "/docs/api/", "/api", "/api/", "/api-docs", "/api-docs/", "/api-guide/"])
def test_legacy_docs_paths_redirect_permanently_to_the_guide(client, path):
    response = client.get(path)

    assert response.status_code == 301
    assert response["Location"] == "/api-guide"


def test_reference_docs_are_not_caught_by_the_legacy_redirects(client):
    assert client.get("/api/docs").status_code == 200
    assert client.get("/api/redoc").status_code == 200


# =============================================================================
# Changelog
# =============================================================================


def test_changelog_renders_todays_release_and_the_deprecation_policy(client):
    html = page(client, "/changelog")

    assert '<h1 id="changelog">Changelog' in html
    assert re.search(r'<h2 id="[^"]+">2026-11-22 — API platform v1 \(release 1.0.0\)', html)
    for part in ("Foundation", "API platform", "Credentials", "Audit trail"):
        assert re.search(rf'<h3 id="[^"]+">{part}<a class="headerlink"', html), part
    assert "<strong>at least 30 days before</strong> it is\n  deprecated" in html


# =============================================================================
# API status: page and RSS feed
# =============================================================================


@pytest.fixture
def incidents(db):
    now = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    older = StatusIncident.objects.create(
        title="Elevated error rates",
        body="Some requests answered 503.",
        severity=StatusIncident.Severity.DEGRADED,
        started_at=now,
        resolved_at=now + timedelta(minutes=22),
    )
    newer = StatusIncident.objects.create(
        title="Database <maintenance>",
        body='Read-only for 10 minutes.\n<script>alert("x")</script> & more',
        severity=StatusIncident.Severity.MAINTENANCE,
        started_at=now + timedelta(days=1),
    )
    draft = StatusIncident.objects.create(
        title="Draft nobody should see", body="Not yet.", started_at=now + timedelta(days=2), published=False
    )
    return older, newer, draft


def test_status_feed_is_rss_of_published_incidents_newest_first(client, incidents):
    older, newer, _draft = incidents

    response = client.get("/api-status.xml")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == "rss"
    assert root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel.findtext("title") == "TrackYourSheets API status"
    assert channel.findtext("link") == "http://testserver/api-guide"
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == [
        "[Planned maintenance] Database <maintenance>",
        "[Degraded performance] Elevated error rates",
    ]
    first, second = items
    assert first.findtext("link") == f"http://testserver/api-status#incident-{newer.pk}"
    assert first.findtext("guid") == f"urn:trackyoursheets:incident:{newer.pk}"
    assert first.findtext("pubDate") == "Sat, 21 Nov 2026 09:00:00 +0000"
    assert first.findtext("category") == "maintenance"
    assert first.findtext("description") == (
        "<p>Severity: Planned maintenance<br>Started: 2026-11-21 09:00 UTC<br>Resolved: ongoing</p>"
        "<p>Read-only for 10 minutes.<br>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more</p>"
    )
    assert second.findtext("description") == (
        "<p>Severity: Degraded performance<br>Started: 2026-11-20 09:00 UTC<br>Resolved: 2026-11-20 09:22 UTC</p>"
        "<p>Some requests answered 503.</p>"
    )
    assert b"<script" not in response.content
    assert b"Draft nobody should see" not in response.content


def test_status_feed_is_valid_when_empty(client):
    root = ET.fromstring(client.get("/api-status.xml").content)

    assert root.find("channel").findall("item") == []


def test_status_page_lists_published_incidents_escaped(client, incidents):
    older, newer, _draft = incidents

    html = page(client, "/api-status")

    assert "1 ongoing incident." in html
    assert html.index(f'id="incident-{newer.pk}"') < html.index(f'id="incident-{older.pk}"')
    assert "<h3>Database &lt;maintenance&gt;</h3>" in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in html
    assert "<script" not in html
    assert "Draft nobody should see" not in html


# =============================================================================
# Every public page
# =============================================================================


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_one_h1_and_a_language(client, path):
    html = page(client, path)

    assert len(re.findall(r"<h1\b", html)) == 1
    assert re.search(r'<html lang="en">', html)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


@pytest.mark.parametrize("path", PAGES)
def test_pages_load_scripts_and_styles_from_this_server_only(client, path):
    html = page(client, path)

    tags = re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", html)
    urls = [u for tag in tags for u in re.findall(r'(?:src|href)="([^"]*)"', tag)]
    assert any(u.startswith("/static/css/") for u in urls)
    assert all(not u.startswith(("http:", "https:", "//")) for u in urls), urls
    for url in urls:
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url


@pytest.mark.parametrize("path", PAGES)
def test_every_image_has_alternative_text(client, path):
    html = page(client, path)

    assert all(re.search(r'\balt="', img) for img in re.findall(r"<img\b[^>]*>", html))


def test_favicon_is_served_so_browsers_log_no_404(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b'<svg xmlns="http://www.w3.org/2000/svg"')


def test_the_public_pages_advertise_only_what_works_today(client):
    # issue 13 point 13: each issue adds its line to the landing page and the plan table when it
    # lands (timesheets: 15, leave and expenses: 16, exports: 17, payroll runs: 18, TrackTik: 19)
    html = page(client, "/").lower()

    assert "timesheets:" in html  # issue 15 landed: timesheets with approval and period locks
    assert "leave:" in html  # issue 16 landed: leave policies, balances and requests
    assert "expenses:" in html  # issue 16 landed expenses: claims, receipts, approval, reimbursement
    assert "report exports:" in html  # issue 17 landed: CSV, XLSX, PDF and zip report exports
    assert "payroll runs:" in html  # issue 18 landed: payroll runs and the sample integration flow
    assert "tracktik:" in html and "tracktik" in FEATURES  # issue 19 landed: the TrackTik connector
    assert "payroll" not in FEATURES
