"""A list filtered by local days reads the offices' time zones from a per-process cache keyed by
the organisation's ``offices_version`` (issue 13 point 14): no query for them per request, and an
office's change counts from the next request, in this process and in any other."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organisations import office_zones
from organisations.models import Office, Organisation

from .factories import TimeEntryFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


@pytest.fixture
def late_evening(employee, project):
    """22:00 on 1 January in New York: 03:00 on 2 January in UTC, the organisation's zone."""
    start = datetime.datetime(2026, 1, 2, 3, 0, tzinfo=UTC)
    return TimeEntryFactory(
        employee=employee, project=project, start_time=start, end_time=start + datetime.timedelta(hours=1)
    )


def listed(api, day: str) -> list[int]:
    response = api.get(f"/v1/time-entries?start_date={day}&end_date={day}")
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def test_the_offices_time_zones_are_not_read_per_request(api, organisation, late_evening):
    assert organisation.timezone == "UTC"
    assert listed(api, "2026-01-01") == [late_evening.pk]  # the employee's New York day

    with CaptureQueriesContext(connection) as queries:
        assert listed(api, "2026-01-01") == [late_evening.pk]

    assert not [q["sql"] for q in queries if '"organisations_office"' in q["sql"].split(" WHERE ")[0]]


def test_an_office_moved_to_another_time_zone_counts_from_the_next_request(api, ny_office, late_evening):
    assert listed(api, "2026-01-01") == [late_evening.pk]

    moved = api.patch(f"/v1/offices/{ny_office.pk}", {"timezone": "UTC"}, format="json")

    assert moved.status_code == 200, moved.json()
    assert listed(api, "2026-01-01") == []
    assert listed(api, "2026-01-02") == [late_evening.pk]


def test_a_process_that_did_not_make_the_change_reads_the_offices_again(api, organisation, ny_office, late_evening):
    assert listed(api, "2026-01-01") == [late_evening.pk]
    held_elsewhere = dict(office_zones._ZONES)  # what another worker process still holds

    api.patch(f"/v1/offices/{ny_office.pk}", {"timezone": "UTC"}, format="json")
    office_zones._ZONES.update(held_elsewhere)  # this process now holds the same: the old zones

    assert listed(api, "2026-01-01") == []  # the organisation row carries a new offices_version
    assert listed(api, "2026-01-02") == [late_evening.pk]


def test_a_new_office_and_a_deleted_one_change_the_version(organisation):
    before = Organisation.objects.get(pk=organisation.pk).offices_version
    office = Office.objects.create(organisation=organisation, name="Tokyo", timezone="Asia/Tokyo")
    created = Organisation.objects.get(pk=organisation.pk).offices_version
    assert office_zones.office_time_zones(Organisation.objects.get(pk=organisation.pk))["Asia/Tokyo"] == (office.pk,)

    office.delete()

    deleted = Organisation.objects.get(pk=organisation.pk).offices_version
    assert len({before, created, deleted}) == 3
    assert "Asia/Tokyo" not in office_zones.office_time_zones(Organisation.objects.get(pk=organisation.pk))


def test_saving_an_organisation_read_earlier_keeps_the_offices_version(organisation, ny_office):
    read_earlier = Organisation.objects.get(pk=organisation.pk)
    ny_office.timezone = "Europe/Paris"
    ny_office.save()
    current = Organisation.objects.get(pk=organisation.pk).offices_version
    assert current != read_earlier.offices_version

    read_earlier.name = "Renamed"
    read_earlier.save()

    saved = Organisation.objects.get(pk=organisation.pk)
    assert (saved.name, saved.offices_version) == ("Renamed", current)
