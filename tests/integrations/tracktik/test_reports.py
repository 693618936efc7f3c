"""The weekly billing report, the SCR match and the invoice reconciliation against
hand-computed figures (issue 19 points 4 and 5)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from .conftest import WEEK, sync


def test_the_weekly_billing_report_by_client(api, organisation, fake, connected):
    sync(api, organisation)

    report = api.get("/v1/reports/tracktik-billing", {"week": "2026-11-04"}).json()

    assert (report["week_start"], report["week_end"], report["currency"]) == (WEEK, "2026-11-08", "USD")
    amsterdam, new_york = report["clients"]
    assert (amsterdam["client_name"], amsterdam["hours"], amsterdam["amount"]) == (
        "Amsterdam Campus",
        "64.00",
        "2070.00",
    )
    lines = [
        (x["position"], x["pay_type"], x["hours"], x["rate"], x["factor"], x["amount"])
        for x in amsterdam["sites"][0]["lines"]
    ]
    # guard 101: 48 h at the front desk = 40 regular + 8 overtime (× 1.5); guard 102: 8 h patrol + 8 h holiday
    assert lines == [
        ("Front Desk", "overtime", "8.00", "30.00", "1.50", "360.00"),
        ("Front Desk", "regular", "40.00", "30.00", "1.00", "1200.00"),
        ("Patrol", "holiday", "8.00", "25.50", "1.50", "306.00"),
        ("Patrol", "regular", "8.00", "25.50", "1.00", "204.00"),
    ]
    assert amsterdam["sites"][0]["lines"][0]["shift_ids"] == [1004]
    # NY HQ: the client's bill item (40.00) prices the lobby's 15 h
    assert (new_york["client_name"], new_york["hours"], new_york["amount"]) == ("New York HQ", "15.00", "600.00")
    assert report["totals"] == {
        "hours": "79.00",
        "amount": "2670.00",
        "regular_hours": "63.00",
        "overtime_hours": "8.00",
        "holiday_hours": "8.00",
    }


def test_the_billing_report_needs_a_week(api, connected):
    assert api.get("/v1/reports/tracktik-billing").status_code == 422
    assert api.get("/v1/reports/tracktik-billing", {"week": WEEK, "client": "1"}).status_code == 422


SCR = b"""Building Code,Post Position Code,Date,Hours Requested
CA AMS,FD1,2026-11-02,12
CA AMS,FD1,2026-11-03,16
CA AMS,PT1,2026-11-02,4
NY HQ,LB1,2026-11-05,8
"""


def test_the_scr_match_per_post_and_day(api, organisation, fake, connected):
    sync(api, organisation)

    response = api.post(
        "/v1/integrations/tracktik/scr-matches",
        {"file": SimpleUploadedFile("scr.csv", SCR, content_type="text/csv")},
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    body = api.get(f"/v1/integrations/tracktik/scr-matches/{response.json()['id']}").json()
    assert body["summary"] == {
        "first_day": "2026-11-02",
        "last_day": "2026-11-05",
        "posts": 9,
        "covered": 1,
        "under": 2,
        "over": 1,
        "unrequested": 5,
    }
    lines = {(x["building_code"], x["post_position_code"], x["date"]): x for x in body["lines"]}
    assert lines[("CA AMS", "FD1", "2026-11-02")]["coverage"] == "covered"
    under = lines[("CA AMS", "FD1", "2026-11-03")]
    assert (under["coverage"], under["hours_requested"], under["hours_scheduled"], under["difference"]) == (
        "under",
        "16.00",
        "12.00",
        "-4.00",
    )
    assert under["shifts"] == [{"tracktik_id": 1002, "hours": "12.00"}]
    assert lines[("CA AMS", "PT1", "2026-11-02")]["coverage"] == "over"
    assert lines[("NY HQ", "LB1", "2026-11-05")]["hours_scheduled"] == "0.00"
    assert lines[("NY HQ", "LB1", "2026-11-02")]["coverage"] == "unrequested"


def test_a_bad_scr_file_names_its_lines(api, connected):
    bad = b"Building Code,Post Position Code,Date,Hours Requested\nCA AMS,FD1,02/11/2026,x\n"

    response = api.post(
        "/v1/integrations/tracktik/scr-matches", {"file": SimpleUploadedFile("scr.csv", bad)}, format="multipart"
    )

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["line 2"]


def test_the_invoice_reconciliation(api, organisation, fake, connected):
    sync(api, organisation)
    invoice = b"""client,week,hours,amount
Amsterdam Campus,2026-11-02,64,2070.00
New York HQ,2026-11-04,16,600.00
CA AMS,2026-11-02,64,2000.00
Unknown Co,2026-11-02,5,100
"""

    response = api.post(
        "/v1/integrations/tracktik/invoice-reconciliations",
        {"file": SimpleUploadedFile("invoice.csv", invoice)},
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["summary"] == {"lines": 4, "match": 1, "hours_differ": 1, "amount_differ": 1, "no_tracktik_hours": 1}
    assert [x["status"] for x in body["lines"]] == ["match", "hours_differ", "amount_differ", "no_tracktik_hours"]
    assert (body["lines"][1]["tracktik_hours"], body["lines"][1]["hours_difference"]) == ("15.00", "1.00")
    assert body["lines"][2]["amount_difference"] == "-70.00"


def test_an_scr_workbook_is_read_like_the_csv(api, organisation, fake, connected):
    import datetime
    import io

    from openpyxl import Workbook

    sync(api, organisation)
    book = Workbook()
    sheet = book.active
    sheet.append(["Building Code", "Post Position Code", "Date", "Hours Requested"])
    sheet.append(["CA AMS", "FD1", datetime.datetime(2026, 11, 2), 12])
    sheet.append(["NY HQ", "LB1", "2026-11-02", 7.5])
    data = io.BytesIO()
    book.save(data)

    response = api.post(
        "/v1/integrations/tracktik/scr-matches",
        {"file": SimpleUploadedFile("scr.xlsx", data.getvalue())},
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    summary = response.json()["summary"]
    assert (summary["covered"], summary["posts"]) == (2, 3)  # + CA AMS PT1 on 2026-11-02, unrequested
