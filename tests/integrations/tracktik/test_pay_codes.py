"""TrackTik pay codes mapped to ours (issue 19: ``pay-codes``/``payroll-codes``): matched by
external code, then code, then name; an unmapped code is reported on the run (flagged); a mapping
made by hand through ``PUT /v1/integrations/tracktik/pay-codes`` survives the next sync; shifts
(or their work sessions) keep their pay code."""

from __future__ import annotations

from decimal import Decimal

from hr.models import Employee
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


def test_a_payroll_run_pays_synced_time_on_its_mapped_pay_code(api, organisation, fake, connected):
    """Guard 101's 4 × 12 h: shift 1001 on TrackTik REG (our Regular: worked time, split as
    usual), 1002 and 1003 without a code, 1004 on NGT (our custom Night code, × 1.25): Night
    is paid on its code and stays out of the overtime split, so the 36 h left are all Regular
    (40 h a week) where the same 48 h without codes would be 40 Regular + 8 Overtime."""
    night = api.post(
        "/v1/payroll/pay-codes",
        {"code": "night", "name": "Night shift", "multiplier": "1.25", "external_code": "NGT"},
        format="json",
    )
    assert night.status_code == 201, night.json()
    fake.data["pay-codes"] = [fk.pay_code(1, "REG", "Regular time"), fk.pay_code(4, "NGT", "Nights")]
    fake.data["shifts"][0]["payCode"] = 1
    fake.data["shifts"][3]["payCode"] = 4
    api.put("/v1/integrations/tracktik", {"trust_approval": True}, format="json")  # approved timesheets
    assert sync(api, organisation)["status"] == "succeeded"
    entries = {e.external_id: e for e in TimeEntry.objects.filter(organisation=organisation)}
    assert (entries["1001"].pay_code_hint, entries["1002"].pay_code_hint, entries["1004"].pay_code_hint) == (
        "regular",
        "",
        "night",
    )
    guard = entries["1001"].employee
    Employee.objects.filter(pk=guard.pk).update(pay_type="hourly", pay_rate=Decimal("20.00"))

    body = {"employee_ids": [guard.pk], "period_start": "2026-11-02", "period_end": "2026-11-08"}
    created = api.post("/v1/payroll/runs", body, format="json")
    assert created.status_code == 201, created.json()
    run = api.get(f"/v1/payroll/runs/{created.json()['id']}").json()

    (entry,) = run["entries"]
    assert entry["hours_by_code"] == {"regular": "36.00", "night": "12.00"}
    assert entry["amounts_by_code"] == {"regular": "720.00", "night": "300.00"}  # 12 h × 20.00 × 1.25
    assert entry["gross"] == "1020.00" and run["gross_total"] == "1020.00"
    lines = {line["pay_code"]: line for line in entry["lines"]}
    assert lines["night"]["explanation"] == "12.00 h × 20.00 × 1.250 (1 entry, pay code from the entries (TrackTik))"
    assert {s["id"] for s in lines["night"]["sources"] if s["kind"] == "time_entry"} == {entries["1004"].pk}
    assert lines["regular"]["explanation"] == "36.00 h × 20.00 × 1 (3 entries)"
