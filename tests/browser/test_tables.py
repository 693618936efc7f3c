"""The shared table and the phone-sized app in headless Chromium (issue 14 points 5 and 7), on the
seeded demo organisation:

- the ledger sorts by a header, changes its page size, jumps to a page and exports the current
  filter as CSV; no list page clips a column at 1366 px;
- at 390 px every main page of every role fits the screen (no page-level horizontal scroll) and
  tables stack into cards;
- below 768 px the navigation folds behind a "Menu" button that works with the mouse and the
  keyboard (Enter opens it, Escape closes it and gives the focus back)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import log_in
from .demo import DEMO_PASSWORD, demo_members  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: every list page on the shared table an owner can open
OWNER_LISTS = (
    "/app/commissions/ledger",
    "/app/imports/",
    "/app/hr/directory",
    "/app/hr/documents",
    "/app/hr/my-tickets",
    "/app/team",
    "/app/producers",
    "/app/time/projects",
    "/app/webhooks/",
)
ROLES = ("owner", "admin", "manager", "hr", "producer", "employee")

CLIPPED = """() => [...document.querySelectorAll('.data-table-wrap, .table-wrap')]
  .filter(w => w.offsetParent !== null && w.scrollWidth > w.clientWidth + 1)
  .map(w => (w.querySelector('table') || w).className + ' ' + w.scrollWidth + '>' + w.clientWidth)"""


def nav_links(page) -> list[str]:
    return page.evaluate("() => [...document.querySelectorAll('.app-nav a')].map(a => a.getAttribute('href'))")


def test_ledger_sorts_pages_and_exports_the_current_filter(page, demo_members):  # noqa: F811
    log_in(page, demo_members["owner"], DEMO_PASSWORD)
    page.goto("/app/commissions/ledger")
    table = page.locator("table.data-table")

    table.get_by_role("link", name=re.compile("^Premium")).click()
    page.wait_for_url(re.compile(r"sort=premium"))
    expect(table.locator("th[aria-sort=ascending]")).to_contain_text("Premium")
    premiums = [
        float(re.sub(r"[^0-9.]", "", text)) for text in table.locator("tbody td[data-label=Premium]").all_inner_texts()
    ]
    assert premiums == sorted(premiums) and len(premiums) == 25

    page.get_by_label("Rows per page").select_option("10")
    page.get_by_role("button", name="Show").click()
    expect(table.locator("tbody tr")).to_have_count(10)
    page.get_by_label("Page", exact=True).fill("2")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".table-count")).to_contain_text("page 2 of")
    assert "sort=premium" in page.url  # the sort survives paging
    expect(table.locator("tfoot .totals-row")).to_contain_text("Total (all")

    page.get_by_label("Status").select_option("paid")
    page.get_by_role("button", name="Filter").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8-sig"))))
    # the page's download is the commission_transactions report's file (issue 17): API fields and values
    status = rows[0].index("status")
    assert len(rows) > 1 and {row[status] for row in rows[1:]} == {"paid"}


def test_no_list_page_clips_a_column_at_1366_px(page, demo_members):  # noqa: F811
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, demo_members["owner"], DEMO_PASSWORD)

    clipped = {}
    for path in OWNER_LISTS:
        response = page.goto(path)
        assert response.status == 200, path
        expect(page.locator("table.data-table").first).to_be_visible()
        if found := page.evaluate(CLIPPED):
            clipped[path] = found
    assert clipped == {}


@pytest.mark.parametrize("role", ROLES)
def test_every_main_page_fits_390_px(new_page, demo_members, role):  # noqa: F811
    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, demo_members[role], DEMO_PASSWORD)
    page.get_by_role("button", name="Menu").click()
    paths = nav_links(page)
    assert "/app/" in paths

    too_wide = {}
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            too_wide[path] = width
    assert too_wide == {}


def test_tables_stack_as_cards_on_a_phone(page, demo_members):  # noqa: F811
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, demo_members["owner"], DEMO_PASSWORD)
    page.goto("/app/commissions/ledger")

    first_row = page.locator("table.data-table tbody tr").first
    assert first_row.evaluate("tr => getComputedStyle(tr).display") == "block"
    assert page.locator("table.data-table thead").evaluate("h => h.getBoundingClientRect().height") <= 1
    label = first_row.locator("td").first.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"Date"'
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_navigation_folds_behind_a_menu_button_below_768_px(page, demo_members):  # noqa: F811
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, demo_members["employee"], DEMO_PASSWORD)
    menu = page.get_by_role("button", name="Menu")
    time_link = page.locator(".app-nav").get_by_role("link", name="Time")

    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(time_link).to_be_hidden()

    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(time_link).to_be_visible()
    page.keyboard.press("Tab")  # the keyboard reaches the links of the open menu
    assert page.evaluate("document.activeElement.closest('#app-menu') !== null")
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(time_link).to_be_hidden()

    menu.click()
    time_link.click()
    page.wait_for_url("**/app/time/")

    page.set_viewport_size({"width": 1366, "height": 900})  # a wide screen: no button, the menu shows
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.locator(".app-nav").get_by_role("link", name="Time")).to_be_visible()
