"""A crawl of the app as every demo role (issue 14): the demo organisation is seeded with the
``seed_demo`` command, each role logs in and follows every ``/app/`` link it can see, breadth
first; every page must answer 2xx and log no console error (the ``new_page`` fixture fails the
test on any). Pages of one shape (``/app/hr/employees/<id>``) are visited twice at most, and
downloads (CSV exports, document files) are checked by status only."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urlsplit

import pytest

from organisations.management.commands.seed_demo import DEMO_PASSWORD

from .conftest import log_in
from .demo import demo_members  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: pages of one shape visited at most this often (e.g. /app/hr/employees/<id>)
PER_SHAPE = 2
#: a role's crawl stops after this many pages (the demo has far fewer shapes)
MAX_PAGES = 80
DOWNLOAD = re.compile(r"(\.csv$|/download$|[?&][a-z_]*export=)")
ROLES = ("owner", "admin", "manager", "hr", "producer", "employee")


def app_links(page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll('a[href]')]
             .map(a => a.getAttribute('href'))
             .filter(h => h.startsWith('/app/') || h.startsWith('?'))"""
    )


def shape(path: str) -> str:
    return re.sub(r"/\d+(?=/|$)", "/<id>", path)


def crawl(page, start: str = "/app/") -> dict[str, int]:
    """``{url: status}`` of every /app/ page reachable from ``start`` through links."""
    seen_urls: set[str] = set()
    seen_paths: set[str] = set()
    shapes: dict[str, int] = {}
    statuses: dict[str, int] = {}
    queue = deque([start])
    while queue and len(statuses) < MAX_PAGES:
        url = queue.popleft()
        path = urlsplit(url).path
        if url in seen_urls or path in seen_paths or shapes.get(shape(path), 0) >= PER_SHAPE:
            continue
        seen_urls.add(url)
        seen_paths.add(path)
        shapes[shape(path)] = shapes.get(shape(path), 0) + 1
        if DOWNLOAD.search(url):
            response = page.request.get(url)
            statuses[url] = response.status
            continue
        response = page.goto(url)
        statuses[url] = response.status if response else 0
        here = urlsplit(page.url).path
        for href in app_links(page):
            target = here + href if href.startswith("?") else href
            target = target.split("#")[0]
            if "/logout" in target:
                continue
            queue.append(target)
    return statuses


@pytest.mark.parametrize("role", ROLES)
def test_every_app_link_a_demo_role_can_see_answers(page, demo_members, role):  # noqa: F811
    log_in(page, demo_members[role], DEMO_PASSWORD)

    statuses = crawl(page)

    failures = {url: status for url, status in statuses.items() if not 200 <= status < 300}
    assert failures == {}, f"{role}: {failures}"
    assert len(statuses) >= 3, statuses  # the crawl got somewhere
