"""GraphQL of the TrackTik connector: the same services and selectors as REST."""

from __future__ import annotations

from integrations.tracktik.models import TracktikSyncRun

from .conftest import WEEK, sync
from .factories import SyncRunFactory


def test_sync_runs_are_listed_for_the_callers_organisation_only(api, gql, organisation, other_organisation):
    ours = SyncRunFactory(organisation=organisation, created_count=3)
    SyncRunFactory(organisation=other_organisation)

    body = gql(api, "{ tracktikSyncRuns { totalCount edges { node { databaseId status created progress } } } }").json()

    assert body["data"]["tracktikSyncRuns"]["totalCount"] == 1
    node = body["data"]["tracktikSyncRuns"]["edges"][0]["node"]
    assert node == {"databaseId": ours.pk, "status": "succeeded", "created": 3, "progress": 100}


def test_the_billing_report_and_sync_mutation(api, gql, organisation, fake, connected):
    sync(api, organisation)

    report = gql(
        api,
        "query($w: Date!) { tracktikBillingReport(week: $w) { weekStart totals { hours amount overtimeHours } "
        "clients { clientName sites { customId lines { position payType hours amount } } } } }",
        {"w": WEEK},
    ).json()["data"]["tracktikBillingReport"]
    mutation = gql(api, "mutation { syncTracktik(full: true) { databaseId status full } }").json()

    assert report["totals"] == {"hours": "79.00", "amount": "2670.00", "overtimeHours": "8.00"}
    assert report["clients"][0]["sites"][0]["lines"][0] == {
        "position": "Front Desk",
        "payType": "overtime",
        "hours": "8.00",
        "amount": "360.00",
    }
    run = TracktikSyncRun.objects.filter(organisation=organisation).latest("id")
    assert mutation["data"]["syncTracktik"] == {"databaseId": run.pk, "status": "queued", "full": True}


def test_the_scopes_are_required(make_api_client, gql, organisation):
    reader = make_api_client(organisation, scopes=("time.read",))

    body = gql(reader, "{ tracktikSyncRuns { totalCount } }").json()

    assert body["errors"][0]["extensions"]["required_scope"] == "integrations.read"
