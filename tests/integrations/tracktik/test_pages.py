"""The TrackTik pages and admin: settings with test and sync, history, billing, SCR, invoices."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from integrations.tracktik.models import TracktikConnection, TracktikSyncRun
from organisations.choices import Role

from . import fake_server as fk
from .conftest import WEEK, connect, sync
from .test_contracts import seed_contracts
from .test_reports import SCR


def test_the_settings_page_saves_without_showing_secrets(session_client, make_member, organisation, fake):
    page = session_client(make_member(organisation, Role.OWNER))
    form = {
        "base_url": fake.url,
        "client_id": fk.CLIENT_ID,
        "client_secret": fk.CLIENT_SECRET,
        "username": fk.USERNAME,
        "password": fk.PASSWORD,
        "enabled": "on",
        "sync_interval_minutes": "60",
        "lookback_days": "14",
        "sync_from": "",
    }

    saved = page.post("/app/tracktik/", form)
    html = page.get("/app/tracktik/").content.decode()

    assert saved.status_code == 302
    assert fk.PASSWORD not in html and fk.CLIENT_SECRET not in html
    assert "Client secret: set" in html
    # the same form again with the secret fields empty (as the page renders them) changes nothing
    before = TracktikConnection.objects.values().get(organisation=organisation)
    page.post("/app/tracktik/", {**form, "client_secret": "", "password": ""})
    assert TracktikConnection.objects.values().get(organisation=organisation) == before
    tested = page.post("/app/tracktik/test", follow=True).content.decode()
    assert "Connected: TrackTik lists 3 employees." in tested


def test_sync_now_history_and_reports_pages(api, session_client, make_member, organisation, fake):
    connect(api, fake)
    run = sync(api, organisation)
    page = session_client(make_member(organisation, Role.ADMIN))

    assert page.post("/app/tracktik/sync").status_code == 302
    assert TracktikSyncRun.objects.filter(organisation=organisation, status="queued").count() == 1
    run_html = page.get(f"/app/tracktik/runs/{run['id']}").content.decode()
    billing = page.get("/app/tracktik/billing", {"week": WEEK}).content.decode()
    uploaded = page.post("/app/tracktik/scr", {"file": SimpleUploadedFile("scr.csv", SCR)}, follow=True)

    assert "Succeeded" in run_html and "<td>8</td>" in run_html
    assert "Time off imported as approved leave: 0 new, 0 replaced, 0 unchanged, 0 withdrawn." in run_html
    assert "Amsterdam Campus" in billing and "2670.00" in billing
    assert "under-covered 2" in uploaded.content.decode()
    assert page.get("/app/tracktik/invoices").status_code == 200


def test_employees_cannot_open_the_pages(session_client, make_member, organisation):
    page = session_client(make_member(organisation, Role.EMPLOYEE))

    assert page.get("/app/tracktik/").status_code in (403, 404)


def test_the_admin_shows_no_secret(admin_client, organisation, api, fake):
    connect(api, fake)
    connection = TracktikConnection.objects.get(organisation=organisation)

    html = admin_client.get(f"/admin/tracktik/tracktikconnection/{connection.pk}/change/").content.decode()

    assert "client secret" in html.lower() and "not set" not in html  # both are set: shown as "set"
    assert fk.PASSWORD not in html and fk.CLIENT_SECRET not in html and connection.password_encrypted not in html


def test_without_the_feature_the_pages_refuse_politely(session_client, make_member, organisation):
    organisation.feature_toggles = {"tracktik": False}
    organisation.save()
    page = session_client(make_member(organisation, Role.OWNER))

    assert page.get("/app/tracktik/").status_code == 403


def test_the_contracts_page_lists_what_the_sync_brought_and_filters_it(
    api, session_client, make_member, organisation, fake
):
    connect(api, fake)
    seed_contracts(fake)
    sync(api, organisation)
    page = session_client(make_member(organisation, Role.ADMIN))

    everything = page.get("/app/tracktik/contracts").content.decode()
    in_force = page.get("/app/tracktik/contracts", {"active_on": "2026-11-20", "status": "active"}).content.decode()
    refused = page.get("/app/tracktik/contracts", {"active_on": "not a day"})

    assert all(name in everything for name in ("AMS 2026", "AMS 2027", "CANCELLED", "21: 33.00"))
    assert "AMS 2027" in in_force and "AMS 2026" not in in_force and "CANCELLED" not in in_force
    assert refused.status_code == 200 and "Enter a valid date." in refused.content.decode()
    assert session_client(make_member(organisation, Role.MANAGER)).get("/app/tracktik/contracts").status_code == 403
