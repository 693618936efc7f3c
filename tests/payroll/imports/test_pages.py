"""The statement import pages (issue 6 point 3) through a signed-in browser session: upload ->
review -> match -> finalise, roll back, and who may open them."""

from __future__ import annotations

import csv
import io
import re

import pytest

from organisations.choices import Role
from organisations.models import AuditEvent
from payroll.models import CommissionTransaction, ImportBatch

from .conftest import csv_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(session_client, make_member, organisation):
    return session_client(make_member(organisation, Role.OWNER))


def upload_page(client, committed, text, **fields):
    with committed():
        return client.post("/app/imports/new", {"file": csv_file(text), **fields})


def test_upload_review_match_and_finalise(owner_client, committed, book, carrier):
    assert owner_client.get("/app/imports/").status_code == 200
    assert owner_client.get("/app/imports/new").status_code == 200
    text = "Policy,Agent,Commission,Date\nPOL-1001,,10.00,01/15/2026\nNEW-1,Stranger,5.00,01/16/2026\n"

    response = upload_page(owner_client, committed, text, carrier=carrier.pk)

    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/app/imports/{batch.pk}"
    page = owner_client.get(f"/app/imports/{batch.pk}").content.decode()
    assert "Ready for review" in page and "Exception queue" in page and "Match line 3" in page
    row = batch.rows.get(line=3)

    matched = owner_client.post(f"/app/imports/{batch.pk}/rows/{row.pk}/match", {"producer": book["bob"].pk})
    finalised = owner_client.post(f"/app/imports/{batch.pk}/finalise", {})

    assert matched.status_code == finalised.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.transaction_count) == ("finalised", 2)
    assert sorted(CommissionTransaction.objects.values_list("producer_id", flat=True)) == sorted(
        [book["alice"].pk, book["bob"].pk]
    )
    assert list(AuditEvent.objects.filter(source="page").values_list("action", flat=True).order_by("id")) == [
        "importbatch.create", "importrow.match", "importbatch.finalise",
    ]  # fmt: skip
    detail = owner_client.get(f"/app/imports/{batch.pk}").content.decode()
    assert "Import finalised: 2 reconciled ledger lines." in detail


def test_errors_are_listed_by_line_and_rows_can_be_skipped_then_rolled_back(owner_client, committed, book, carrier):
    upload_page(owner_client, committed, "Policy,Commission,Date\nPOL-1001,oops,01/15/2026\n", carrier=carrier.pk)
    batch = ImportBatch.objects.get()

    page = owner_client.get(f"/app/imports/{batch.pk}").content.decode()
    refused = owner_client.post(f"/app/imports/{batch.pk}/finalise", {}, follow=True).content.decode()
    owner_client.post(f"/app/imports/{batch.pk}/rows/{batch.rows.get().pk}/match", {"skip": "on"})
    owner_client.post(f"/app/imports/{batch.pk}/rollback")

    assert "Line 2" in page and "&quot;oops&quot; is not an amount." in page
    assert "1 rows are unmatched or in error" in refused
    batch.refresh_from_db()
    assert (batch.status, batch.rows.get().status) == ("rolled_back", "skipped")


def test_upload_errors_are_shown_on_the_form(owner_client, committed, carrier):
    response = upload_page(owner_client, committed, "Policy,Agent\nP,A\n", carrier=carrier.pk)

    assert response.status_code == 200
    assert "No commission or premium column was found" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_progress_answers_json(owner_client, committed, book, carrier):
    upload_page(owner_client, committed, "Policy,Commission,Date\nPOL-1001,1,01/15/2026\n", carrier=carrier.pk)
    batch = ImportBatch.objects.get()

    body = owner_client.get(f"/app/imports/{batch.pk}/progress").json()

    assert body == {
        "status": "review",
        "status_label": "Ready for review",
        "processed": 1,
        "expected": 1,
        "percent": 100,
    }


@pytest.mark.parametrize("role", [Role.PRODUCER, Role.HR, Role.EMPLOYEE])
def test_other_roles_get_the_403_page(session_client, make_member, organisation, role):
    client = session_client(make_member(organisation, role))

    assert client.get("/app/imports/").status_code == 403
    assert client.post("/app/imports/new", {}).status_code == 403


def test_another_tenants_batch_is_404(owner_client, other_organisation):
    from .factories import make_import

    theirs = make_import(other_organisation)

    assert owner_client.get(f"/app/imports/{theirs.pk}").status_code == 404
    assert owner_client.post(f"/app/imports/{theirs.pk}/rollback").status_code == 404
    assert owner_client.get(f"/app/imports/{theirs.pk}/progress").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "review"


def test_a_manager_sees_their_office_only(session_client, make_member, organisation, office, committed, book, carrier):
    from tests.organisations.factories import OfficeFactory

    manager = session_client(make_member(organisation, Role.MANAGER, office=office))
    upload_page(manager, committed, "Policy,Commission,Date\nPOL-1001,1,01/15/2026\n", carrier=carrier.pk)
    mine = ImportBatch.objects.get()
    other = make_member(organisation, Role.MANAGER, office=OfficeFactory(organisation=organisation))

    listing = manager.get("/app/imports/").content.decode()
    manager.logout()
    other_client = session_client(other)

    assert f"#{mine.pk}" in listing
    assert other_client.get(f"/app/imports/{mine.pk}").status_code == 404


def test_import_messages_never_name_api_parameters(owner_client, committed, book, carrier):
    """Issue 14 point 10: the page speaks of the carrier and the statement period, not of
    ``carrier_id`` or ``statement_period``."""
    no_carrier = upload_page(owner_client, committed, "Policy,Commission\nPOL-1001,10.00\n")
    no_date = upload_page(owner_client, committed, "Policy,Commission\nPOL-1001,10.00\n", carrier=carrier.pk)
    batch = ImportBatch.objects.get()
    detail = owner_client.get(f"/app/imports/{batch.pk}").content.decode()
    refused = owner_client.post(f"/app/imports/{batch.pk}/finalise", follow=True).content.decode()

    assert "Choose the carrier, or send a file with a carrier column" in no_carrier.content.decode()
    assert no_date.status_code == 302
    queue = detail.split('class="import-queue"', 1)[1].split("</table>", 1)[0]
    assert "give the statement period (YYYY-MM)" in queue and "statement_period" not in queue
    assert "or finalise skipping the unresolved rows" in refused
    for page in (no_carrier.content.decode(), detail, refused):
        # what the page says back: flash messages, form errors and row errors
        said = " ".join(re.findall(r'class="[^"]*(?:message|errorlist|row-error)[^"]*"[^>]*>(.*?)</', page, re.S))
        visible = re.sub(r"<[^>]+>", " ", said)
        for name in ("carrier_id", "statement_period", "skip_unresolved", "policy_id", "producer_id"):
            assert name not in visible, name


def test_the_rows_of_an_import_are_the_shared_table(owner_client, committed, book, carrier):
    """All rows: sortable, filtered by status, with the CSV of the filter (issue 14 point 5): the
    import_rows report's file of this batch (issue 17 point 7)."""
    text = "Policy,Agent,Commission,Date\nPOL-1001,,10.00,01/15/2026\nNEW-1,Stranger,5.00,01/16/2026\n"
    upload_page(owner_client, committed, text, carrier=carrier.pk)
    batch = ImportBatch.objects.get()

    page = owner_client.get(f"/app/imports/{batch.pk}?sort=-line").content.decode()
    unmatched = b"".join(
        owner_client.get(f"/app/imports/{batch.pk}?status=unmatched&export=csv").streaming_content
    ).decode()

    rows = page[page.index('id="rows-heading"') :]
    assert 'class="data-table' in rows and rows.index("NEW-1") < rows.index("POL-1001")
    lines = list(csv.reader(io.StringIO(unmatched)))
    assert lines[0][:4] == ["id", "batch_id", "line", "status"]
    assert [line[1:4] for line in lines[1:]] == [[str(batch.pk), "3", "unmatched"]]
    assert lines[1][lines[0].index("policy_number")] == "NEW-1"
    # the page lists every row, and so does its download: the matched row too, alone when filtered
    every = b"".join(owner_client.get(f"/app/imports/{batch.pk}?export=csv").streaming_content).decode()
    matched = b"".join(
        owner_client.get(f"/app/imports/{batch.pk}?status=matched&export=csv").streaming_content
    ).decode()
    assert sorted(line[2] for line in list(csv.reader(io.StringIO(every)))[1:]) == ["2", "3"]
    assert [line[2:4] for line in list(csv.reader(io.StringIO(matched)))[1:]] == [["2", "matched"]]
