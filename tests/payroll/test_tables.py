"""The shared table on the commission ledger (issue 14 point 5) through the Django test client:
sorting, page size and jump, the totals row over the whole filtered list, the CSV export of the
current filter (its content and its tenancy), and money written one way."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest

from organisations.choices import Role
from tests.organisations.factories import MembershipFactory, ProducerFactory

from .factories import CarrierFactory, CommissionTransactionFactory

pytestmark = pytest.mark.django_db

D = Decimal
LEDGER = "/app/commissions/ledger"


@pytest.fixture
def producer(organisation):
    return ProducerFactory(organisation=organisation, display_name="Paula Producer")


@pytest.fixture
def carrier(organisation):
    return CarrierFactory(organisation=organisation, name="Acme Mutual", code="ACM")


@pytest.fixture
def lines(producer, carrier):
    """Three lines: premiums 100, 300 and 200 on the 1st, 2nd and 3rd of June."""
    return [
        CommissionTransactionFactory(
            producer=producer,
            carrier=carrier,
            premium=D(premium),
            gross_commission=D("10.00"),
            split_percent=D("50"),
            status=status,
            transaction_date=datetime.date(2026, 6, day),
        )
        for day, premium, status in ((1, "100.00", "pending"), (2, "300.00", "approved"), (3, "200.00", "pending"))
    ]


@pytest.fixture
def owner_client(organisation, make_member, session_client):
    return session_client(make_member(organisation, Role.OWNER))


def premiums(response) -> list[Decimal]:
    return [row.object.premium for row in response.context["table"].rows]


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="commission-ledger-')
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_columns_sort_both_ways_and_unknown_keys_are_ignored(owner_client, lines):
    ascending = owner_client.get(f"{LEDGER}?sort=premium")
    descending = owner_client.get(f"{LEDGER}?sort=-premium")
    unknown = owner_client.get(f"{LEDGER}?sort=token_hash")

    assert premiums(ascending) == [D("100.00"), D("200.00"), D("300.00")]
    assert premiums(descending) == [D("300.00"), D("200.00"), D("100.00")]
    # the default order (newest first) when the key is not a sortable column
    assert premiums(unknown) == [D("200.00"), D("300.00"), D("100.00")]
    page = ascending.content.decode()
    assert 'aria-sort="ascending"' in page
    assert 'href="?sort=-premium"' in page  # a second click sorts the other way


def test_page_size_and_page_jump(owner_client, producer, carrier):
    CommissionTransactionFactory.create_batch(23, producer=producer, carrier=carrier)

    ten = owner_client.get(f"{LEDGER}?per_page=10")
    last = owner_client.get(f"{LEDGER}?per_page=10&page=3")
    past_the_end = owner_client.get(f"{LEDGER}?per_page=10&page=99")
    odd_size = owner_client.get(f"{LEDGER}?per_page=7")

    assert len(ten.context["table"].rows) == 10
    assert len(last.context["table"].rows) == 3
    assert past_the_end.context["table"].pager.page.number == 3
    assert len(odd_size.context["table"].rows) == 23  # not a size on offer: the default 25
    page = ten.content.decode()
    assert '<option value="10" selected>' in page
    assert 'name="page" type="number" min="1" max="3" value="1"' in page


def test_totals_cover_the_whole_filtered_list_not_only_the_page(owner_client, lines, organisation):
    organisation.currency = "USD"
    organisation.save()

    one_per_page = owner_client.get(f"{LEDGER}?per_page=10&status=pending")
    table = one_per_page.context["table"]
    totals = {t["column"].key: t["text"] for t in table.totals}

    assert totals["premium"] == "$300.00"  # 100 + 200, the pending lines
    assert totals["gross"] == "$20.00"
    assert totals["split"] == ""
    assert '<tr class="totals-row">' in one_per_page.content.decode()


def test_money_is_written_one_way_with_the_currency(owner_client, lines, organisation):
    organisation.currency = "EUR"
    organisation.save()

    page = owner_client.get(LEDGER).content.decode()

    assert "€300.00" in page
    assert "€600.00" in page  # the premium total
    assert "EUR 300" not in page


def test_csv_export_is_the_ledger_report_of_the_current_filter(owner_client, lines):
    """The download is the commission_transactions report's file (issue 17 point 7): its
    columns (the API's names and values), the page's filter; no page, size or sort."""
    rows = read_csv(owner_client.get(f"{LEDGER}?status=pending&sort=premium&page=2&per_page=10&export=csv"))

    header, body = rows[0], rows[1:]
    assert header[0] == "id" and {"premium", "status", "transaction_date", "notes"} <= set(header)
    assert sorted(line[header.index("premium")] for line in body) == ["100.00", "200.00"]
    assert [line[header.index("status")] for line in body] == ["pending", "pending"]  # the API's codes
    assert sorted(line[header.index("transaction_date")] for line in body) == ["2026-06-01", "2026-06-03"]


def test_csv_export_never_holds_another_organisations_lines(owner_client, lines, other_organisation):
    stranger = ProducerFactory(organisation=other_organisation, display_name="Stranger Danger")
    CommissionTransactionFactory(producer=stranger, carrier=CarrierFactory(organisation=other_organisation))

    body = read_csv(owner_client.get(f"{LEDGER}?export=csv"))

    assert len(body) == 1 + len(lines)
    assert all("Stranger Danger" not in line for line in body)


def test_csv_export_keeps_the_page_roles(organisation, make_member, session_client, lines):
    employee = session_client(make_member(organisation, Role.EMPLOYEE))

    response = employee.get(f"{LEDGER}?export=csv")

    assert response.status_code == 403
    assert not response.get("Content-Disposition")


def test_csv_export_neutralises_formulas(owner_client, producer, carrier):
    CommissionTransactionFactory(producer=producer, carrier=carrier, notes="=HYPERLINK(1)")

    body = read_csv(owner_client.get(f"{LEDGER}?export=csv"))

    assert body[1][body[0].index("notes")] == "'=HYPERLINK(1)"


def test_the_portal_export_is_only_the_producers_own_lines(organisation, session_client, lines, carrier):
    login = MembershipFactory(organisation=organisation, role=Role.PRODUCER)
    me = ProducerFactory(organisation=organisation, membership=login, portal_access=True)
    mine = CommissionTransactionFactory(producer=me, carrier=carrier, premium=D("42.00"))

    response = session_client(login).get("/app/commissions/portal/sales?export=csv")

    body = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [line[body[0].index("premium")] for line in body[1:]] == [str(mine.premium)]
    assert {line[body[0].index("producer_id")] for line in body[1:]} == {str(me.pk)}
