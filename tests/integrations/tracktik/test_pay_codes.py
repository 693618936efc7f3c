"""TrackTik pay codes mapped to ours (issue 19: ``pay-codes``/``payroll-codes``): matched by
external code, then code, then name; an unmapped code is reported on the run (flagged); a mapping
made by hand through ``PUT /v1/integrations/tracktik/pay-codes`` survives the next sync; shifts
(or their work sessions) keep their pay code."""

from __future__ import annotations

from integrations.tracktik.models import TracktikShift
from organisations.choices import Role
from timetracking.models import TimeEntry

from . import fake_server as fk
from .conftest import sync

URL = "/v1/integrations/tracktik/pay-codes"


def seed_codes(fake):
    fake.data["pay-codes"] = [
        fk.pay_code(1, "REG", "Regular time"),  # our external code REG
        fk.pay_code(2, "X-OT", "Overtime"),  # by name
        fk.pay_code(3, "STAT", "Statutory holiday premium"),  # nothing of ours
    ]
    fake.data["shifts"][0]["payCode"] = 1
    fake.data["work-sessions"] = [fk.work_session(1, 1002, 101, "2026-11-03T06:00:00", 600, payCode={"id": 3})]


def test_pay_codes_are_matched_and_unmapped_ones_are_reported(api, organisation, fake, connected):
    seed_codes(fake)

    run = sync(api, organisation)

    assert run["status"] == "succeeded"
    codes = {c["code"]: c for c in api.get(URL).json()}
    assert codes["REG"]["pay_code_code"] == "regular" and codes["X-OT"]["pay_code_code"] == "overtime"
    assert codes["STAT"]["pay_code_id"] is None and not codes["STAT"]["mapped_by_hand"]
    assert run["flagged"] == 1
    assert [e for e in run["errors"] if e["record_type"] == "pay_code"] == [
        {
            "record_type": "pay_code",
            "record_id": "3",
            "message": "TrackTik pay code STAT is not mapped to a pay code of ours: map it under Integrations → "
            "TrackTik (its shifts sync without one).",
        }
    ]
    shifts = {s.tracktik_id: s for s in TracktikShift.objects.filter(organisation=organisation)}
    assert shifts[1001].pay_code.code == "REG"  # the shift's own
    assert shifts[1002].pay_code.code == "STAT"  # its work session's
    assert shifts[1003].pay_code is None
    hints = dict(TimeEntry.objects.filter(organisation=organisation).values_list("external_id", "pay_code_hint"))
    assert (hints["1001"], hints["1002"], hints["1003"]) == ("regular", "", "")  # STAT is unmapped


def test_the_settings_page_shows_the_mappings(api, session_client, make_member, organisation, fake, connected):
    seed_codes(fake)
    sync(api, organisation)

    html = session_client(make_member(organisation, Role.OWNER)).get("/app/tracktik/").content.decode()

    assert "Pay codes" in html and "Regular (regular)" in html and "<strong>not mapped</strong>" in html


def test_a_mapping_by_hand_survives_the_next_sync(api, organisation, fake, connected):
    seed_codes(fake)
    sync(api, organisation)
    codes = {c["code"]: c for c in api.get(URL).json()}
    ours = {code: c["pay_code_id"] for code, c in codes.items()}

    response = api.put(URL, {"mappings": [{"id": codes["STAT"]["id"], "pay_code_id": ours["X-OT"]}]}, format="json")

    assert response.status_code == 200, response.json()
    mapped = {c["code"]: c for c in response.json()}
    assert mapped["STAT"]["pay_code_code"] == "overtime" and mapped["STAT"]["mapped_by_hand"]
    rerun = sync(api, organisation, full=True)
    assert rerun["flagged"] == 0 and not [e for e in rerun["errors"] if e["record_type"] == "pay_code"]
    assert {c["code"]: c["pay_code_code"] for c in api.get(URL).json()}["STAT"] == "overtime"
    # the new mapping reached the shift's time entry (its fingerprint changed with it)
    entry = TimeEntry.objects.get(organisation=organisation, external_id="1002")
    assert entry.pay_code_hint == "overtime" and rerun["updated"] == 1
    # null hands it back to the automatic match (nothing matches STAT)
    back = api.put(URL, {"mappings": [{"id": codes["STAT"]["id"], "pay_code_id": None}]}, format="json")
    assert {c["code"]: c["pay_code_id"] for c in back.json()}["STAT"] is None


def test_mapping_refuses_unknown_codes_another_organisations_and_needs_write_scope(
    api, other_api, make_api_client, organisation, fake, connected
):
    seed_codes(fake)
    sync(api, organisation)
    ours = api.get(URL).json()[0]["id"]

    refused = api.put(URL, {"mappings": [{"id": 999999, "pay_code_id": None}]}, format="json")
    not_theirs = other_api.put(URL, {"mappings": [{"id": ours, "pay_code_id": None}]}, format="json")
    reader = make_api_client(organisation, scopes=("integrations.read",))

    assert refused.status_code == 422 and not_theirs.status_code == 422
    assert other_api.get(URL).json() == []
    assert reader.get(URL).status_code == 200
    assert reader.put(URL, {"mappings": []}, format="json").status_code == 403
