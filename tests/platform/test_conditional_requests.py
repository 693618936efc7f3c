"""ETag on detail responses, If-None-Match -> 304, If-Match on writes -> 412 when stale."""

import pytest

from organisations.models import Workspace
from tests.organisations.factories import MembershipFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def workspace(office):
    return WorkspaceFactory(office=office, name="North")


def test_detail_has_an_etag_and_if_none_match_gives_304(api, workspace):
    first = api.get(f"/v1/workspaces/{workspace.pk}")

    again = api.get(f"/v1/workspaces/{workspace.pk}", HTTP_IF_NONE_MATCH=first["ETag"])
    weak = api.get(f"/v1/workspaces/{workspace.pk}", HTTP_IF_NONE_MATCH=f"W/{first['ETag']}")

    assert first["ETag"].startswith('"') and len(first["ETag"]) == 34
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert weak.status_code == 304


def test_etag_changes_when_the_representation_changes(api, workspace, organisation):
    before = api.get(f"/v1/workspaces/{workspace.pk}")["ETag"]
    api.post(
        f"/v1/workspaces/{workspace.pk}/agents",
        {"membership_ids": [MembershipFactory(organisation=organisation).pk]},
        format="json",
    )

    after = api.get(f"/v1/workspaces/{workspace.pk}", HTTP_IF_NONE_MATCH=before)

    assert after.status_code == 200
    assert after["ETag"] != before


def test_if_match_current_allows_the_write(api, workspace):
    etag = api.get(f"/v1/workspaces/{workspace.pk}")["ETag"]

    response = api.patch(f"/v1/workspaces/{workspace.pk}", {"name": "Renamed"}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 200
    assert response["ETag"] != etag


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [("patch", "", {"name": "Lost update"}), ("delete", "", None), ("post", "/agents", {"membership_ids": [0]})],
)
def test_stale_if_match_is_412_and_changes_nothing(api, workspace, method, suffix, body):
    stale = api.get(f"/v1/workspaces/{workspace.pk}")["ETag"]
    api.patch(f"/v1/workspaces/{workspace.pk}", {"description": "someone else"}, format="json")

    response = getattr(api, method)(f"/v1/workspaces/{workspace.pk}{suffix}", body, format="json", HTTP_IF_MATCH=stale)

    assert response.status_code == 412
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "https://docs.trackyoursheets.com/errors/precondition-failed"
    workspace.refresh_from_db()
    assert (workspace.name, workspace.status) == ("North", "active")


def test_if_match_star_matches_any_existing_object(api, workspace):
    response = api.delete(f"/v1/workspaces/{workspace.pk}", HTTP_IF_MATCH="*")

    assert response.status_code == 204
    assert Workspace.objects.get().status == "archived"
