"""The reader's zone beyond the pages (issue 14 point 3): a table's CSV export writes times in the
member's own zone (not the organisation's), the dashboard's "my week" counts the member's week,
and the API says which zone a member reads in (``GET /v1/me``, ``timezone`` on members)."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from organisations.choices import Role
from tests.hr.factories import EmployeeFactory
from tests.integrations.factories import WebhookSubscriptionFactory
from tests.timetracking.conftest import token_client
from tests.timetracking.factories import TimeEntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tokyo_owner(organisation, make_member):
    organisation.timezone = "America/New_York"
    organisation.save()
    return make_member(organisation, Role.OWNER, timezone="Asia/Tokyo")


def test_the_csv_export_writes_times_in_the_readers_zone(session_client, organisation, tokyo_owner):
    hook = WebhookSubscriptionFactory(organisation=organisation)
    type(hook).objects.filter(pk=hook.pk).update(created_at=datetime.datetime(2026, 3, 3, 20, 0, tzinfo=datetime.UTC))

    response = session_client(tokyo_owner).get("/app/webhooks/?export=csv")

    text = b"".join(response.streaming_content).decode()
    assert "2026-03-04T05:00:00+09:00" in text  # Tokyo; New York would be 2026-03-03T15:00-05:00
    assert "2026-03-03T15:00" not in text


def test_my_week_is_the_readers_week(session_client, organisation, office, make_member):
    """Wednesday 10 June 15:00 UTC; the member reads in Auckland (UTC+12), the office in New York.
    An entry on Sunday 7 June 13:00 UTC is Monday 01:00 in Auckland: this week for the reader."""
    office.timezone = "America/New_York"
    office.save()
    member = make_member(organisation, Role.EMPLOYEE, office=office, timezone="Pacific/Auckland")
    employee = EmployeeFactory(organisation=organisation, office=office, membership=member)
    TimeEntryFactory(employee=employee, start_time=datetime.datetime(2026, 6, 7, 13, 0, tzinfo=datetime.UTC))
    TimeEntryFactory(employee=employee, start_time=datetime.datetime(2026, 6, 7, 10, 0, tzinfo=datetime.UTC))

    with time_machine.travel(datetime.datetime(2026, 6, 10, 15, 0, tzinfo=datetime.UTC), tick=False):
        response = session_client(member).get("/app/")

    week = {item["card"].key: item["data"] for item in response.context["cards"]}["time.my-week"]
    assert (week["seconds"], week["timezone"], week["monday"]) == (3600, "Pacific/Auckland", datetime.date(2026, 6, 8))


def test_the_api_says_which_zone_a_member_reads_in(organisation, office, make_member, tokyo_owner):
    office.timezone = "Europe/London"
    office.save()
    by_office = make_member(organisation, Role.EMPLOYEE, office=office)
    by_organisation = make_member(organisation, Role.EMPLOYEE)
    api = token_client(tokyo_owner, scopes=("organisation.read",))

    me = api.get("/v1/me").json()
    members = {m["id"]: m["timezone"] for m in api.get("/v1/members").json()["results"]}
    one = api.get(f"/v1/members/{by_office.pk}").json()

    assert me["timezone"] == "Asia/Tokyo"
    assert members == {
        tokyo_owner.pk: "Asia/Tokyo",
        by_office.pk: "Europe/London",
        by_organisation.pk: "America/New_York",
    }
    assert one["timezone"] == "Europe/London"
    refused = api.patch(f"/v1/members/{by_office.pk}", {"timezone": "Asia/Tokyo"}, format="json")
    assert refused.status_code in (200, 400, 422)
    by_office.refresh_from_db()
    assert by_office.timezone == ""
