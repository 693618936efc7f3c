"""Browser tests (issue 4 point 6): Playwright (sync API) driving Debian's Chromium against
pytest-django's ``live_server``.

- The browser is ``/usr/bin/chromium`` (``TYS_CHROMIUM`` overrides it); nothing is ever downloaded
  (never run ``playwright install``). When it is missing, the tests *fail* in CI (``CI`` or
  ``TYS_REQUIRE_SERVICES=1`` set, as ``.ci/run`` does) and skip, saying why, on a developer machine.
- They need PostgreSQL (``requires_postgres``): CI runs them once, on its PostgreSQL pass.
- One browser for all browser tests; a fresh context (cookies, storage) per test and per
  :func:`new_page` call, so two people can be signed in side by side.
- Every page collects console errors and uncaught exceptions; any the test did not declare with
  ``console.allow(pattern)`` fails the test.
- A failing test leaves ``test-results/screenshots/<test>.png`` (git-ignored), one per open page.

Playwright's sync API keeps an asyncio loop registered in this thread, which Django's ORM takes
for an async context; so the browser lives for this package only (not the whole session) and
``DJANGO_ALLOW_ASYNC_UNSAFE`` is set only while it is open. The ORM calls made meanwhile are
the tests' own set-up and checks, in this one thread.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("TYS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
#: how long one action or expectation may take before the test fails
TIMEOUT_MS = 10_000
REQUIRED = os.environ.get("TYS_REQUIRE_SERVICES") == "1" or bool(os.environ.get("CI"))


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            # once per CI run, on the PostgreSQL pass (the brief: browser tests and schemathesis
            # once); the SQLite pass skips them, as a machine without PostgreSQL does
            item.add_marker(pytest.mark.requires_postgres)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


# =============================================================================
# The browser
# =============================================================================


@pytest.fixture(scope="package")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium; never `playwright install`)"
        if REQUIRED:
            pytest.fail(f"{message}, and CI forbids skipping the browser tests")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    """The live server serves static files from the finders, by their plain names (no collectstatic)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


# =============================================================================
# Console errors
# =============================================================================


@dataclass
class ConsoleErrors:
    """Console errors and uncaught exceptions of every page of the test."""

    errors: list[str] = field(default_factory=list)
    allowed: list[re.Pattern] = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        """Declare an error the test expects (e.g. the browser reporting a 403 document)."""
        self.allowed.append(re.compile(pattern))

    def watch(self, page) -> None:
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(f"console: {msg.text} ({page.url})"))
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc} ({page.url})"))

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in self.allowed)]


@pytest.fixture
def console():
    return ConsoleErrors()


# =============================================================================
# Pages: a fresh context each
# =============================================================================


@pytest.fixture
def new_page(request, browser, live_server, console):
    """``new_page()`` -> a page in a fresh browser context (its own cookies) on the live server."""
    contexts, pages = [], []

    def make():
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        console.watch(page)
        pages.append(page)
        return page

    yield make

    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    unexpected = console.unexpected()
    if failed or unexpected:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        for n, page in enumerate(pages, start=1):
            path = SCREENSHOTS / (f"{name}.png" if n == 1 else f"{name}-{n}.png")
            try:
                page.screenshot(path=str(path), full_page=True)
            except Exception as error:  # a crashed page must not hide the test's own failure
                print(f"could not save {path}: {error}")
    for context in contexts:
        context.close()
    if unexpected:
        pytest.fail("Console errors in the browser:\n" + "\n".join(unexpected), pytrace=False)


@pytest.fixture
def page(new_page):
    return new_page()


# =============================================================================
# Helpers
# =============================================================================


def log_in(page, email: str, password: str) -> None:
    """Log in through the form and wait for the dashboard."""
    page.goto("/app/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/app/")


def assert_basic_accessibility(page) -> None:
    """One h1; every visible form control has a label (or an aria-label); images have alt text.

    A click that navigates can return once the new document is committed but before it is
    parsed, so the check first waits for the page to finish loading.
    """
    page.wait_for_load_state("load")
    page.wait_for_function("() => document.readyState === 'complete' && document.documentElement !== null")
    problems = page.evaluate(
        """() => {
          const problems = [];
          const h1s = document.querySelectorAll('h1');
          if (h1s.length !== 1) problems.push(`${h1s.length} h1 elements`);
          for (const el of document.querySelectorAll('input, select, textarea')) {
            if (el.type === 'hidden' || el.offsetParent === null) continue;
            const labelled = (el.labels && el.labels.length) || el.getAttribute('aria-label')
              || el.getAttribute('aria-labelledby');
            if (!labelled) problems.push(`unlabelled ${el.tagName.toLowerCase()} name=${el.name}`);
          }
          for (const img of document.querySelectorAll('img:not([alt])')) problems.push(`img without alt: ${img.src}`);
          if (!document.documentElement.lang) problems.push('no lang on <html>');
          if (!document.title) problems.push('no <title>');
          return problems;
        }"""
    )
    assert problems == [], f"{page.url}: {problems}"
