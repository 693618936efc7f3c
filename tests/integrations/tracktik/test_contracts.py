"""TrackTik contracts (issue 19: ``contracts`` and ``bill-items`` → bill rates per client and
position): synced idempotently, their bill items price only the weeks they are in force, a
server without ``/contracts`` still syncs, another organisation sees none of it, and they are read
(with their filters) over REST and GraphQL."""

from __future__ import annotations

import json

from integrations.tracktik.models import TracktikContract
from tests.organisations.factories import OrganisationFactory

from . import fake_server as fk
from .conftest import sync

REPORT = "/v1/reports/tracktik-billing"


def seed_contracts(fake):
    """The front desk (position 21, CA AMS) at 31.00 until 8 Nov, 33.00 from 9 Nov; NY HQ's
    client rate 41.00 for the week of 2 Nov only; a cancelled contract never prices."""
    fake.data["contracts"] = [
        fk.contract(1, 11, "2026-10-01", "2026-11-08", name="AMS 2026"),
        fk.contract(2, 11, "2026-11-09", None, name="AMS 2027"),
        fk.contract(3, {"id": 12}, "2026-11-02", "2026-11-08"),
        fk.contract(4, 12, "2026-11-02", None, status="CANCELLED"),
    ]
    fake.data["bill-items"] += [
        {"id": 10, "contract": 1, "position": 21, "client": 11, "billRate": "31.00"},
        {"id": 11, "contract": {"id": 2}, "position": 21, "client": 11, "billRate": "33.00"},
        {"id": 12, "contract": 3, "client": 12, "billRate": "41.00"},
        {"id": 13, "contract": 4, "client": 12, "billRate": "99.00"},
    ]
    # guard 101 works the front desk the next week as well: 10 h on Monday 9 Nov
    fake.data["shifts"].append(fk.shift(1010, 101, 11, 21, "2026-11-09T06:00:00", 10))


def _line(report, client_name, position, pay_type):
    client = next(c for c in report["clients"] if c["client_name"] == client_name)
    return next(
        (x["rate"], x["amount"])
        for s in client["sites"]
        for x in s["lines"]
        if (x["position"], x["pay_type"]) == (position, pay_type)
    )


def test_contracts_are_synced_once_and_price_their_own_weeks(api, organisation, fake, connected):
    seed_contracts(fake)

    run = sync(api, organisation)
    again = sync(api, organisation)

    assert (run["status"], again["status"]) == ("succeeded", "succeeded")
    contracts = {c.tracktik_id: c for c in TracktikContract.objects.filter(organisation=organisation)}
    assert sorted(contracts) == [1, 2, 3, 4]
    first = contracts[1]
    assert (first.site.custom_id, str(first.start_date), str(first.end_date), first.status, first.name) == (
        "CA AMS",
        "2026-10-01",
        "2026-11-08",
        "ACTIVE",
        "AMS 2026",
    )
    assert contracts[2].end_date is None and contracts[2].position_rates == {"21": "33.00"}
    assert (contracts[3].site.custom_id, str(contracts[3].bill_rate)) == ("NY HQ", "41.00")
    updated = {c.pk: c.updated_at for c in contracts.values()}
    assert {c.pk: c.updated_at for c in TracktikContract.objects.filter(organisation=organisation)} == updated

    week1 = api.get(REPORT, {"week": "2026-11-02"}).json()
    week2 = api.get(REPORT, {"week": "2026-11-09"}).json()

    # week of 2 Nov: contract 1 (31.00) for the front desk: 40 h regular + 8 h overtime × 1.5
    assert _line(week1, "Amsterdam Campus", "Front Desk", "regular") == ("31.00", "1240.00")
    assert _line(week1, "Amsterdam Campus", "Front Desk", "overtime") == ("31.00", "372.00")
    # the patrol is in no contract's rates: its standing bill item (25.50) as before
    assert _line(week1, "Amsterdam Campus", "Patrol", "regular") == ("25.50", "204.00")
    # NY HQ: contract 3's client rate, not the cancelled contract's 99.00
    assert _line(week1, "New York HQ", "Lobby", "regular") == ("41.00", "615.00")
    # week of 9 Nov: contract 2 (33.00) for the front desk's 10 h
    assert _line(week2, "Amsterdam Campus", "Front Desk", "regular") == ("33.00", "330.00")
    assert week2["totals"]["amount"] == "330.00"


def test_a_contract_bill_item_leaves_the_standing_rate_alone(api, organisation, fake, connected):
    seed_contracts(fake)
    # NY HQ's contract 3 ended 8 Nov (and contract 4 is cancelled): none is in force on 16 Nov
    fake.data["shifts"].append(fk.shift(1011, 103, 12, 23, "2026-11-16T09:00:00", 8))
    sync(api, organisation)

    report = api.get(REPORT, {"week": "2026-11-16"}).json()

    # the client's standing bill item (40.00), not contract 3's 41.00 (ended 8 Nov)
    assert _line(report, "New York HQ", "Lobby", "regular") == ("40.00", "320.00")


def test_a_server_without_contracts_still_syncs(api, organisation, fake, connected):
    del fake.data["contracts"]
    fake.data["bill-items"].append({"id": 10, "contract": 1, "position": 21, "client": 11, "billRate": "31.00"})

    run = sync(api, organisation)

    assert run["status"] == "succeeded", run
    assert not TracktikContract.objects.filter(organisation=organisation).exists()
    report = api.get(REPORT, {"week": "2026-11-02"}).json()
    # an item naming an unknown contract is a standing rate, as bill items always were
    assert _line(report, "Amsterdam Campus", "Front Desk", "regular") == ("31.00", "1240.00")


def test_contracts_stay_in_their_organisation(api, organisation, fake, connected):
    seed_contracts(fake)
    sync(api, organisation)
    other = OrganisationFactory()

    assert TracktikContract.objects.filter(organisation=organisation).count() == 4
    assert not TracktikContract.objects.for_organisation(other).exists()
    assert not TracktikContract.objects.filter(organisation=other).exists()


CONTRACTS = "/v1/integrations/tracktik/contracts"


def test_synced_contracts_are_read_over_rest_and_graphql_with_their_filters(
    api, gql, make_api_client, organisation, fake, connected
):
    """What the sync brought in, as TrackTik had it: site, dates, status and bill rates, read-only."""
    seed_contracts(fake)
    sync(api, organisation)
    ams = TracktikContract.objects.get(organisation=organisation, tracktik_id=2)

    listed = api.get(CONTRACTS).json()

    assert listed["pagination"]["total"] == 4
    row = next(r for r in listed["results"] if r["tracktik_id"] == 2)
    assert row == {
        "id": ams.pk,
        "tracktik_id": 2,
        "custom_id": "C-2",
        "name": "AMS 2027",
        "site_id": ams.site_id,
        "site_name": "Amsterdam Campus",
        "client_id": ams.site.client_id,
        "start_date": "2026-11-09",
        "end_date": None,
        "status": "ACTIVE",
        "bill_rate": None,
        "position_rates": {"21": "33.00"},
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
    assert api.get(f"{CONTRACTS}/{ams.pk}").json() == row

    def ids(query: str) -> list[int]:
        response = api.get(f"{CONTRACTS}?{query}")
        assert response.status_code == 200, response.json()
        return sorted(r["tracktik_id"] for r in response.json()["results"])

    assert ids("status=cancelled") == [4]
    assert ids("active_on=2026-11-05") == [1, 3, 4]  # 3 ended 8 Nov; 4 is open-ended (but cancelled)
    assert ids("active_on=2026-11-20") == [2, 4]
    assert ids(f"site_id={ams.site_id}") == [1, 2]
    assert ids(f"client_id={ams.site.client_id}&active_on=2026-11-20") == [2]
    assert api.get(f"{CONTRACTS}?active_on=someday").status_code == 422
    # read-only: contracts are edited in TrackTik
    assert api.post(CONTRACTS, {"name": "x"}, format="json").status_code == 405
    assert api.delete(f"{CONTRACTS}/{ams.pk}").status_code == 405
    assert make_api_client(organisation, scopes=("time.read",)).get(CONTRACTS).status_code == 403

    body = gql(
        api,
        '{ tracktikContracts(filter: {status: "active", activeOn: "2026-11-20"}) { totalCount edges { node { '
        "databaseId tracktikId name siteId siteName clientId startDate endDate status billRate positionRates } } } }",
    ).json()
    assert body["data"]["tracktikContracts"]["totalCount"] == 1
    node = body["data"]["tracktikContracts"]["edges"][0]["node"]
    assert {**node, "positionRates": json.loads(node["positionRates"])} == {
        "databaseId": ams.pk,
        "tracktikId": 2,
        "name": "AMS 2027",
        "siteId": ams.site_id,
        "siteName": "Amsterdam Campus",
        "clientId": ams.site.client_id,
        "startDate": "2026-11-09",
        "endDate": None,
        "status": "ACTIVE",
        "billRate": None,
        "positionRates": {"21": "33.00"},
    }
