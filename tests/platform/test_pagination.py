"""The list envelope, pagination bounds, Link header and ``Prefer: return=minimal``."""

import pytest

from tests.organisations.factories import OfficeFactory, WorkspaceFactory
from tests.platform.test_query_counts import LISTS

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_workspaces(organisation):
    office = OfficeFactory(organisation=organisation)
    return [WorkspaceFactory(office=office, name=f"WS {i}") for i in range(5)]


def test_pages_are_stable_and_complete(api, five_workspaces):
    first = api.get("/v1/workspaces?page_size=2").json()
    second = api.get("/v1/workspaces?page=2&page_size=2").json()
    third = api.get("/v1/workspaces?page_size=2&page=3").json()

    names = [w["name"] for page in (first, second, third) for w in page["results"]]
    assert names == ["WS 0", "WS 1", "WS 2", "WS 3", "WS 4"]
    assert first["pagination"] == {
        "page": 1,
        "page_size": 2,
        "total": 5,
        "total_pages": 3,
        "next": "http://testserver/v1/workspaces?page=2&page_size=2",
        "previous": None,
    }
    assert second["pagination"]["previous"] == "http://testserver/v1/workspaces?page_size=2"
    assert third["pagination"]["next"] is None


def test_link_header_follows_rfc_8288(api, five_workspaces):
    response = api.get("/v1/workspaces?page=2&page_size=2")

    assert response["Link"] == (
        '<http://testserver/v1/workspaces?page=3&page_size=2>; rel="next", '
        '<http://testserver/v1/workspaces?page_size=2>; rel="prev", '
        '<http://testserver/v1/workspaces?page_size=2>; rel="first", '
        '<http://testserver/v1/workspaces?page=3&page_size=2>; rel="last"'
    )


def test_page_size_default_and_maximum(api, five_workspaces):
    assert api.get("/v1/workspaces").json()["pagination"]["page_size"] == 25
    assert api.get("/v1/workspaces?page_size=100").status_code == 200


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("page_size=101", "page_size", "Must be 100 or less."),
        ("page_size=0", "page_size", "Must be 1 or more."),
        ("page_size=ten", "page_size", "Must be a whole number."),
        ("page=0", "page", "Must be 1 or more."),
        ("page=-3", "page", "Must be 1 or more."),
        ("page=4&page_size=2", "page", "Page 4 is past the last page (3)."),
    ],
)
def test_out_of_bounds_paging_is_a_422(api, five_workspaces, query, field, message):
    response = api.get(f"/v1/workspaces?{query}")

    assert response.status_code == 422
    assert response.json()["errors"] == {field: [message]}


def test_empty_list_has_one_empty_page(api):
    body = api.get("/v1/producers").json()

    assert body["results"] == []
    assert body["pagination"]["total_pages"] == 1


def test_prefer_return_minimal_lists_ids_only(api, five_workspaces):
    response = api.get("/v1/workspaces?page_size=3", HTTP_PREFER="return=minimal")

    assert response.status_code == 200
    assert response["Preference-Applied"] == "return=minimal"
    assert response.json()["results"] == [{"id": w.pk} for w in five_workspaces[:3]]
    assert response.json()["pagination"]["total"] == 5


def test_prefer_return_minimal_on_create_returns_the_id(api, office):
    from organisations.models import Workspace

    response = api.post(
        "/v1/workspaces", {"name": "North", "office_id": office.pk}, format="json", HTTP_PREFER="return=minimal"
    )

    assert response.status_code == 201
    assert response.json() == {"id": Workspace.objects.get().pk}
    assert response["Preference-Applied"] == "return=minimal"


def test_without_prefer_there_is_no_preference_applied(api, five_workspaces):
    assert "Preference-Applied" not in api.get("/v1/workspaces")


def test_per_page_is_an_alias_of_page_size_and_links_keep_it(api, five_workspaces):
    """TimeTracker's ``per_page`` (issue 13 point 8): same bounds, and ``next``/``previous`` keep
    the name the client sent."""
    body = api.get("/v1/workspaces?per_page=2&page=2").json()

    assert [w["name"] for w in body["results"]] == ["WS 2", "WS 3"]
    assert body["pagination"]["page_size"] == 2
    assert body["pagination"]["next"] == "http://testserver/v1/workspaces?page=3&per_page=2"
    assert body["pagination"]["previous"] == "http://testserver/v1/workspaces?per_page=2"
    assert api.get("/v1/workspaces?per_page=2&page_size=3").json()["pagination"]["page_size"] == 3
    refused = api.get("/v1/workspaces?per_page=101")
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"per_page": ["Must be 100 or less."]}


@pytest.mark.parametrize(("url", "make"), LISTS, ids=[u for u, _ in LISTS])
def test_every_list_accepts_per_page(url, make, api, organisation):
    for n in range(3):
        make(organisation, n)

    response = api.get(f"{url}?per_page=2")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert len(body["results"]) == 2
    assert body["pagination"]["page_size"] == 2
    assert "per_page=2" in body["pagination"]["next"]
    assert "page=2" in body["pagination"]["next"]
