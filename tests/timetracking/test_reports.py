"""Bulk actions, search, the summary report (against hand-computed figures) and DST-correct
day boundaries."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from integrations.models import OutboxEvent
from organisations.models import AuditEvent
from timetracking.models import TimeEntry

from .factories import ClientFactory, ContractFactory, ProjectFactory, TaskFactory, TimeEntryFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def entry(employee, project, start: str, minutes: int, **kwargs):
    start_time = at(start)
    return TimeEntryFactory(
        employee=employee,
        project=project,
        start_time=start_time,
        end_time=start_time + datetime.timedelta(minutes=minutes),
        duration_seconds=minutes * 60,
        **kwargs,
    )


# =============================================================================
# Bulk actions
# =============================================================================


def test_bulk_by_an_employee_changes_only_their_finished_entries(as_employee, employee, colleague, project):
    mine = entry(employee, project, "2026-01-12T14:00:00Z", 60)
    running = TimeEntryFactory(employee=employee, project=project, end_time=None, duration_seconds=None)
    theirs = entry(colleague, project, "2026-01-12T14:00:00Z", 60)

    response = as_employee.post(
        "/v1/time-entries/bulk",
        {"entry_ids": [mine.pk, running.pk, theirs.pk, 999999], "action": "set_billable", "value": False},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json() == {
        "action": "set_billable",
        "changed": [mine.pk],
        "changed_count": 1,
        "skipped": [
            {"id": running.pk, "reason": "running"},
            {"id": theirs.pk, "reason": "not_found"},
            {"id": 999999, "reason": "not_found"},
        ],
        "skipped_count": 3,
    }
    assert list(TimeEntry.objects.filter(billable=False).values_list("pk", flat=True)) == [mine.pk]
    assert list(OutboxEvent.objects.values_list("topic", flat=True)) == ["time.entry.updated"]


def test_bulk_by_a_manager_skips_entries_that_are_not_theirs(as_manager, manager, colleague, project):
    own = entry(manager, project, "2026-01-12T14:00:00Z", 60)
    office = entry(colleague, project, "2026-01-12T14:00:00Z", 60)

    body = as_manager.post(
        "/v1/time-entries/bulk",
        {"entry_ids": [own.pk, office.pk], "action": "set_paid", "value": True},
        format="json",
    ).json()

    assert body["changed"] == [own.pk]
    assert body["skipped"] == [{"id": office.pk, "reason": "not_permitted"}]


def test_bulk_by_an_admin_covers_everyone(as_admin, employee, colleague, project):
    a = entry(employee, project, "2026-01-12T14:00:00Z", 60, tags="x")
    b = entry(colleague, project, "2026-01-12T14:00:00Z", 60, tags="y")

    added = as_admin.post(
        "/v1/time-entries/bulk", {"entry_ids": [a.pk, b.pk], "action": "add_tag", "value": " Y "}, format="json"
    ).json()
    removed = as_admin.post(
        "/v1/time-entries/bulk", {"entry_ids": [a.pk, b.pk], "action": "remove_tag", "value": "x"}, format="json"
    ).json()
    deleted = as_admin.post(
        "/v1/time-entries/bulk", {"entry_ids": [a.pk, b.pk], "action": "delete"}, format="json"
    ).json()

    assert (added["changed"], added["skipped"]) == ([a.pk], [{"id": b.pk, "reason": "unchanged"}])
    assert (removed["changed"], removed["skipped"]) == ([a.pk], [{"id": b.pk, "reason": "unchanged"}])
    assert deleted["changed"] == [a.pk, b.pk]
    assert TimeEntry.objects.count() == 0
    assert sorted(OutboxEvent.objects.values_list("topic", flat=True)) == [
        "time.entry.deleted",
        "time.entry.deleted",
        "time.entry.updated",
        "time.entry.updated",
    ]


def test_bulk_actions_audit_one_row_per_entry_with_its_own_changes(as_admin, employee, colleague, project):
    a = entry(employee, project, "2026-01-12T14:00:00Z", 60)
    b = entry(colleague, project, "2026-01-12T14:00:00Z", 60, paid=True)
    c = entry(colleague, project, "2026-01-13T14:00:00Z", 60)

    paid = as_admin.post(
        "/v1/time-entries/bulk", {"entry_ids": [a.pk, b.pk, c.pk], "action": "set_paid", "value": True}, format="json"
    )
    assert paid.json()["changed"] == [a.pk, c.pk]
    rows = AuditEvent.objects.filter(action__contains="set_paid").order_by("id")
    assert [(r.object_type, r.object_id, r.changes) for r in rows] == [
        ("timetracking.TimeEntry", str(a.pk), {"paid": [False, True]}),
        ("timetracking.TimeEntry", str(c.pk), {"paid": [False, True]}),
    ]
    assert {r.request_id for r in rows} == {paid["X-TrackYourSheets-Request-Id"]}

    as_admin.post("/v1/time-entries/bulk", {"entry_ids": [a.pk, b.pk], "action": "delete"}, format="json")
    deleted = AuditEvent.objects.filter(action__contains="delete").order_by("id")
    assert [r.object_id for r in deleted] == [str(a.pk), str(b.pk)]
    assert all(r.changes["paid"] == [True, None] for r in deleted)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"entry_ids": [1], "action": "archive"}, "action"),
        ({"entry_ids": [], "action": "delete"}, "entry_ids"),
        ({"entry_ids": [1], "action": "set_paid", "value": "yes"}, "value"),
        ({"entry_ids": [1], "action": "add_tag"}, "value"),
        ({"entry_ids": [1], "action": "add_tag", "value": "a,b"}, "value"),
        ({"entry_ids": list(range(1, 502)), "action": "delete"}, "entry_ids"),
    ],
)
def test_bulk_validation(as_admin, body, field):
    response = as_admin.post("/v1/time-entries/bulk", body, format="json")

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]


# =============================================================================
# Search
# =============================================================================


def test_search_rules(organisation, employee, colleague, as_employee, api):
    acme = ClientFactory(organisation=organisation, name="Acme", email="billing@website.test", company="Acme")
    live = ProjectFactory(client=acme, name="Website Redesign", description="overhaul")
    ProjectFactory(client=acme, name="Old website", status="archived")
    live_task = TaskFactory(project=live, name="Update homepage", description="hero for website")
    TaskFactory(project=ProjectFactory(client=acme, name="Gone", status="archived"), name="website cleanup")
    mine = entry(employee, live, "2026-01-12T14:00:00Z", 60, notes="Website copy")
    tagged = entry(employee, live, "2026-01-13T14:00:00Z", 60, notes="", tags="website")
    theirs = entry(colleague, live, "2026-01-12T14:00:00Z", 60, notes="website bugs")

    def found(client, query):
        response = client.get(f"/v1/search?{query}")
        assert response.status_code == 200, response.json()
        return [(r["type"], r["id"]) for r in response.json()["results"]]

    assert found(as_employee, "q=website") == [
        ("project", live.pk),
        ("task", live_task.pk),
        ("client", acme.pk),
        ("entry", tagged.pk),
        ("entry", mine.pk),
    ]
    assert ("entry", theirs.pk) in found(api, "q=website&types=entry")
    assert found(as_employee, "q=website&types=project,client") == [("project", live.pk), ("client", acme.pk)]
    assert found(as_employee, "q=website&types=entry&limit=1") == [("entry", tagged.pk)]
    result = as_employee.get("/v1/search?q=redesign").json()
    assert result == {
        "results": [
            {
                "type": "project",
                "category": "project",
                "id": live.pk,
                "title": "Website Redesign",
                "description": "overhaul",
                "url": f"/v1/projects/{live.pk}",
                "badge": "Project",
            },
        ],
        "query": "redesign",
        "count": 1,
    }
    assert found(as_employee, "q=ACME&types=client") == [("client", acme.pk)]


@pytest.mark.parametrize(
    ("query", "field"),
    [("q=a", "q"), ("", "q"), ("q=ab&types=invoice", "types"), ("q=ab&limit=51", "limit"), ("q=ab&limit=x", "limit")],
)
def test_search_validation(api, query, field):
    response = api.get(f"/v1/search?{query}")

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert list(response.json()["errors"]) == [field]


# =============================================================================
# Summary report
# =============================================================================


@pytest.fixture
def ledger(organisation, employee, colleague):
    """Seven finished entries in January with hand-computed amounts (see each line), one running
    timer and one entry in February, neither of which counts."""
    acme = ClientFactory(organisation=organisation, name="Acme", default_rate=Decimal("80.00"))
    beacon = ClientFactory(organisation=organisation, name="Beacon", default_rate=Decimal("60.00"))
    website = ProjectFactory(client=acme, name="Website", hourly_rate=Decimal("100.00"))
    audit = ProjectFactory(client=beacon, name="Audit", hourly_rate=None)
    internal = ProjectFactory(client=None, organisation=organisation, name="Internal", hourly_rate=None)
    premium = TaskFactory(project=website, name="Premium", hourly_rate=Decimal("120.00"))
    ContractFactory(employee=employee, hourly_rate=Decimal("50.00"))
    ContractFactory(employee=employee, project=website, hourly_rate=Decimal("70.00"))
    entry(employee, website, "2026-01-05T14:00:00Z", 120, task=premium)  # task rate 120 x 2 = 240.00
    entry(employee, website, "2026-01-06T14:00:00Z", 90)  # Eli's Website contract 70 x 1.5 = 105.00
    entry(employee, audit, "2026-01-07T14:00:00Z", 60)  # Eli's general contract 50 x 1 = 50.00
    entry(colleague, website, "2026-01-05T14:00:00Z", 30)  # project rate 100 x 0.5 = 50.00
    entry(colleague, audit, "2026-01-06T14:00:00Z", 120)  # client rate 60 x 2 = 120.00
    entry(colleague, website, "2026-01-07T14:00:00Z", 60, billable=False)  # not billable: 0
    entry(colleague, internal, "2026-01-08T14:00:00Z", 15)  # no rate anywhere: 0
    TimeEntryFactory(
        employee=employee, project=website, start_time=at("2026-01-09T14:00:00Z"), end_time=None, duration_seconds=None
    )
    entry(employee, website, "2026-02-02T14:00:00Z", 60)
    return {"website": website, "audit": audit, "internal": internal}


def test_summary_totals_match_hand_computed_figures(api, ledger, employee, colleague):
    response = api.get("/v1/reports/summary?start_date=2026-01-01&end_date=2026-01-31")

    assert response.status_code == 200, response.json()
    summary = response.json()["summary"]
    assert {
        k: summary[k]
        for k in ("start_date", "end_date", "total_hours", "billable_hours", "total_entries", "amount", "currency")
    } == {
        "start_date": "2026-01-01",
        "end_date": "2026-01-31",
        "total_hours": "8.25",
        "billable_hours": "7.25",
        "total_entries": 7,
        "amount": "565.00",
        "currency": "USD",
    }
    assert [
        (p["project_name"], p["hours"], p["billable_hours"], p["entries"], p["amount"]) for p in summary["by_project"]
    ] == [
        ("Audit", "3.00", "3.00", 2, "170.00"),
        ("Internal", "0.25", "0.25", 1, "0.00"),
        ("Website", "5.00", "4.00", 4, "395.00"),
    ]
    assert [
        (e["employee_id"], e["user_id"], e["hours"], e["billable_hours"], e["entries"], e["amount"])
        for e in summary["by_employee"]
    ] == [
        (colleague.pk, colleague.membership.user_id, "3.75", "2.75", 4, "170.00"),
        (employee.pk, employee.membership.user_id, "4.50", "4.50", 3, "395.00"),
    ]


def test_summary_filters_and_role_visibility(api, as_employee, ledger, employee):
    by_project = api.get(
        f"/v1/reports/summary?start_date=2026-01-01&end_date=2026-01-31&project_id={ledger['website'].pk}"
    ).json()["summary"]
    by_user = api.get(f"/v1/reports/summary?end_date=2026-01-31&user_id={employee.membership.user_id}").json()[
        "summary"
    ]
    by_employee = api.get(f"/v1/reports/summary?employee_id={employee.pk}").json()["summary"]
    own = as_employee.get("/v1/reports/summary?start_date=2026-01-01&end_date=2026-01-31").json()["summary"]

    assert (by_project["total_hours"], by_project["amount"]) == ("5.00", "395.00")
    assert (by_user["total_hours"], by_user["amount"]) == ("4.50", "395.00")
    assert (by_employee["total_hours"], by_employee["total_entries"]) == ("5.50", 4)  # February too
    assert (own["total_hours"], own["amount"]) == ("4.50", "395.00")
    assert [e["employee_id"] for e in own["by_employee"]] == [employee.pk]
    bad = api.get("/v1/reports/summary?start_date=2026-02-01&end_date=2026-01-01")
    assert bad.status_code == 422
    assert list(bad.json()["errors"]) == ["end_date"]
    assert api.get("/v1/reports/summary?start_date=soon").status_code == 422


def test_summary_sums_in_the_database(api, ledger, count_queries):
    def fetch():
        assert api.get("/v1/reports/summary").status_code == 200

    before = count_queries(fetch)
    for n in range(20):
        entry(TimeEntry.objects.first().employee, ledger["audit"], f"2025-06-{n + 1:02d}T14:00:00Z", 60)

    assert count_queries(fetch) == before


# =============================================================================
# Days across a DST change
# =============================================================================


@pytest.fixture
def dst_week(employee, londoner, project):
    """New York moves to UTC-4 on Sunday 8 March 2026 (London only on 29 March)."""
    return {
        "before_monday": entry(employee, project, "2026-03-02T04:59:00Z", 30),  # Sun 1 Mar 23:59 EST
        "monday": entry(employee, project, "2026-03-02T05:00:00Z", 60),  # Mon 2 Mar 00:00 EST
        "sunday_late": entry(employee, project, "2026-03-09T03:30:00Z", 30),  # Sun 8 Mar 23:30 EDT
        "next_monday": entry(employee, project, "2026-03-09T04:00:00Z", 45),  # Mon 9 Mar 00:00 EDT
        "london_monday": entry(londoner, project, "2026-03-02T00:30:00Z", 15),  # Mon 2 Mar 00:30 GMT
        "london_next": entry(londoner, project, "2026-03-09T03:30:00Z", 15),  # Mon 9 Mar 03:30 GMT
    }


def test_week_filters_use_local_midnights_across_the_dst_change(api, dst_week):
    listed = api.get("/v1/time-entries?start_date=2026-03-02&end_date=2026-03-08&page_size=100").json()["results"]

    assert sorted(r["id"] for r in listed) == sorted(dst_week[k].pk for k in ("monday", "sunday_late", "london_monday"))
    summary = api.get("/v1/reports/summary?start_date=2026-03-02&end_date=2026-03-08").json()["summary"]
    assert (summary["total_entries"], summary["total_hours"]) == (3, "1.75")


def test_week_grid_puts_entries_on_their_local_days(session_client, employee, dst_week):
    browser = session_client(employee.membership)

    html = browser.get("/app/time/week?week=2026-03-05").content.decode()

    assert "Week of 2026-03-02" in html
    totals = re.search(r'<tr class="week-totals">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', totals)
    assert cells == ["1:00", "0:00", "0:00", "0:00", "0:00", "0:00", "0:30", "1:30"]
    assert html.count("<tbody>") == 1
    assert "Mon 2 Mar" in html and "Sun 8 Mar" in html
