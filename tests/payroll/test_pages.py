"""Commission pages (issue 6 points 4-6) through the Django test client as signed-in members:
who may open what, tenancy (404), overrides that never compound, manual sale entry with the
rule set, the producer portal and its portal-access switch. Nothing of ours is mocked."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from organisations.choices import Role
from organisations.models import AuditEvent
from payroll.models import CommissionOverride, CommissionTransaction
from tests.organisations.factories import DEFAULT_PASSWORD, MembershipFactory, ProducerFactory, WorkspaceFactory

from .factories import CarrierFactory, CommissionRuleFactory, CommissionTransactionFactory, PolicyProducerFactory

pytestmark = pytest.mark.django_db

D = Decimal
FORBIDDEN_TEXT = "You can't open this page"
BASE = "/app/commissions"
STAFF = {Role.OWNER, Role.ADMIN, Role.MANAGER}


@pytest.fixture
def workspace(office):
    return WorkspaceFactory(office=office, name="Personal Lines")


@pytest.fixture
def paula(organisation, workspace):
    """A producer with a login and portal access, in the Head Office."""
    login = MembershipFactory(organisation=organisation, role=Role.PRODUCER)
    return ProducerFactory(
        workspace=workspace,
        membership=login,
        portal_access=True,
        display_name="Paula Producer",
        default_split_percent=D("80.00"),
    )


@pytest.fixture
def carrier(organisation):
    return CarrierFactory(organisation=organisation, name="Acme Mutual", code="ACM")


@pytest.fixture
def txn(paula, carrier):
    return CommissionTransactionFactory(
        producer=paula,
        carrier=carrier,
        premium=D("1234.56"),
        gross_commission=D("200.00"),
        split_percent=D("80"),
        transaction_date=datetime.date(2026, 6, 10),
        statement_period=datetime.date(2026, 6, 1),
    )


@pytest.fixture
def as_role(organisation, office, make_member, session_client):
    """``as_role(role)`` -> a client signed in as a new member; managers get the Head Office."""

    def make(role, **kwargs):
        kwargs.setdefault("office", office if role == Role.MANAGER else None)
        return session_client(make_member(organisation, role, **kwargs))

    return make


def as_member(membership) -> Client:
    client = Client()
    client.login(username=membership.user.email, password=DEFAULT_PASSWORD)
    return client


def text(response) -> str:
    return response.content.decode()


# =============================================================================
# Who may open what
# =============================================================================

STAFF_PAGES = [
    "/",
    "/leaderboard",
    "/ledger",
    "/analytics",
    "/sales/new",
    "/producers/{producer}",
    "/transactions/{txn}",
]
PORTAL_PAGES = ["/portal/", "/portal/sales", "/portal/policies", "/portal/statements", "/portal/statements/2026-06"]


@pytest.mark.parametrize("page", STAFF_PAGES)
@pytest.mark.parametrize("role", Role.values)
def test_staff_pages_open_for_owners_admins_and_managers_only(as_role, txn, page, role):
    url = BASE + page.format(producer=txn.producer_id, txn=txn.pk)

    response = as_role(role).get(url)

    if role in STAFF:
        assert response.status_code == 200, url
        assert FORBIDDEN_TEXT not in text(response)
    elif role == Role.VIEWER:  # a project viewer opens only their portal: every other page does not exist
        assert response.status_code == 404, url
    else:
        assert response.status_code == 403, url
        assert FORBIDDEN_TEXT in text(response)


@pytest.mark.parametrize("page", PORTAL_PAGES)
@pytest.mark.parametrize("role", Role.values)
def test_portal_pages_open_for_the_producer_only(as_role, paula, txn, page, role):
    client = as_member(paula.membership) if role == Role.PRODUCER else as_role(role)

    response = client.get(BASE + page)

    assert response.status_code == (200 if role == Role.PRODUCER else 404 if role == Role.VIEWER else 403), page


def test_anonymous_is_sent_to_log_in(client, txn):
    for page in ("/", "/portal/", f"/producers/{txn.producer_id}"):
        response = client.get(BASE + page)
        assert response.status_code == 302
        assert response["Location"].startswith("/app/login")


def test_navigation_links_the_dashboard_and_the_portal_by_role(as_role, paula):
    owner_nav = text(as_role(Role.OWNER).get(BASE + "/"))
    producer_nav = text(as_member(paula.membership).get(BASE + "/portal/"))

    assert f'href="{BASE}/"' in owner_nav and f'href="{BASE}/portal/"' not in owner_nav
    assert f'href="{BASE}/portal/"' in producer_nav and 'href="/app/commissions/"' not in producer_nav


# =============================================================================
# Tenancy and office scoping
# =============================================================================


def test_another_tenants_producer_and_transaction_are_404(as_role, other_organisation):
    their_txn = CommissionTransactionFactory(producer__workspace__office__organisation=other_organisation)
    client = as_role(Role.OWNER)

    responses = [
        client.get(f"{BASE}/producers/{their_txn.producer_id}"),
        client.get(f"{BASE}/transactions/{their_txn.pk}"),
        client.post(f"{BASE}/transactions/{their_txn.pk}", {"kind": "flat", "value": "1", "reason": "x"}),
        client.post(
            f"{BASE}/producers/{their_txn.producer_id}/transactions/{their_txn.pk}/override",
            {"kind": "flat", "value": "1", "reason": "x"},
        ),
        client.post(
            f"{BASE}/producers/{their_txn.producer_id}/overrides",
            {"kind": "flat", "value": "1", "reason": "x", "transaction_ids": [their_txn.pk]},
        ),
    ]

    assert [r.status_code for r in responses] == [404] * 5
    assert not CommissionOverride.objects.exists()


def test_manager_of_another_office_gets_404_for_producers_outside_it(organisation, make_member, session_client, txn):
    from tests.organisations.factories import OfficeFactory

    manager = make_member(organisation, Role.MANAGER, office=OfficeFactory(organisation=organisation))
    client = session_client(manager)

    assert client.get(f"{BASE}/producers/{txn.producer_id}").status_code == 404
    assert client.get(f"{BASE}/transactions/{txn.pk}").status_code == 404
    assert "Paula Producer" not in text(client.get(f"{BASE}/ledger"))


def test_a_line_of_another_producer_is_404_on_the_per_row_form(as_role, txn, workspace):
    other = ProducerFactory(workspace=workspace)

    response = as_role(Role.OWNER).post(
        f"{BASE}/producers/{other.pk}/transactions/{txn.pk}/override", {"kind": "flat", "value": "1", "reason": "x"}
    )

    assert response.status_code == 404


# =============================================================================
# Overrides
# =============================================================================


def test_per_row_override_twice_does_not_compound(as_role, txn):
    client = as_role(Role.OWNER)
    url = f"{BASE}/producers/{txn.producer_id}/transactions/{txn.pk}/override"
    form = {"kind": "split", "value": "50", "reason": "Shared with a colleague", "return_query": "status=pending"}

    first = client.post(url, form)
    second = client.post(url, form)

    assert first.status_code == second.status_code == 302
    assert second["Location"] == f"{BASE}/producers/{txn.producer_id}?status=pending"
    txn.refresh_from_db()
    assert (txn.gross_commission, txn.producer_amount) == (D("200.00"), D("100.00"))  # 200 x 50%, not 200 x 50% x 50%
    assert list(
        CommissionOverride.objects.filter(transaction=txn).values_list("previous_amount", "resulting_amount")
    ) == [
        (D("100.00"), D("100.00")),
        (D("160.00"), D("100.00")),
    ]
    audits = AuditEvent.objects.filter(source=AuditEvent.Source.PAGE, action="commissiontransaction.override")
    assert audits.count() == 2
    assert audits.order_by("id").first().changes["producer_amount"] == ["160.00", "100.00"]


def test_override_history_shows_on_the_sales_page_in_the_organisations_timezone(organisation, as_role, txn):
    organisation.timezone = "America/New_York"
    organisation.currency = "EUR"
    organisation.save(update_fields=["timezone", "currency"])
    client = as_role(Role.OWNER)
    with time_machine.travel(datetime.datetime(2026, 7, 1, 2, 0, tzinfo=datetime.UTC), tick=False):
        client.post(
            f"{BASE}/producers/{txn.producer_id}/transactions/{txn.pk}/override",
            {"kind": "flat", "value": "75.5", "reason": "Agreed bonus"},
        )

    page = text(client.get(f"{BASE}/producers/{txn.producer_id}"))

    assert "2026-06-30 22:00" in page  # 02:00 UTC is 22:00 the evening before in New York
    assert "Agreed bonus" in page
    assert "€75.50" in page and "€1,234.56" in page


def test_transaction_page_override_form(as_role, txn):
    client = as_role(Role.MANAGER)

    bad = client.post(f"{BASE}/transactions/{txn.pk}", {"kind": "split", "value": "150", "reason": "Too much"})
    good = client.post(f"{BASE}/transactions/{txn.pk}", {"kind": "percent_of_premium", "value": "10", "reason": "Deal"})

    assert bad.status_code == 200
    assert "A percentage is between 0 and 100." in text(bad)
    assert good.status_code == 302
    txn.refresh_from_db()
    assert txn.producer_amount == D("123.46")  # 1234.56 x 10%
    assert CommissionOverride.objects.get(transaction=txn).reason == "Deal"


def test_a_chargeback_page_links_the_line_it_takes_back(as_role, txn, paula, carrier):
    chargeback = CommissionTransactionFactory(
        producer=paula, carrier=carrier, type="chargeback", gross_commission=D("-200.00"), reverses=txn
    )
    client = as_role(Role.ADMIN)

    page = text(client.get(f"{BASE}/transactions/{chargeback.pk}"))
    original = text(client.get(f"{BASE}/transactions/{txn.pk}"))

    assert f'<dt>Takes back</dt><dd><a href="{BASE}/transactions/{txn.pk}">Line #{txn.pk}</a></dd>' in page
    assert "Takes back" not in original


def test_bulk_override_all_or_nothing(as_role, txn, paula, carrier):
    second = CommissionTransactionFactory(producer=paula, carrier=carrier, gross_commission=D("50.00"))
    approved = CommissionTransactionFactory(producer=paula, carrier=carrier, status="approved")
    someone_elses = CommissionTransactionFactory(producer__workspace=paula.workspace)
    client = as_role(Role.ADMIN)
    url = f"{BASE}/producers/{paula.pk}/overrides"
    form = {"kind": "split", "value": "40", "reason": "Team deal"}

    refused = client.post(url, {**form, "transaction_ids": [txn.pk, approved.pk]}, follow=True)
    foreign = client.post(url, {**form, "transaction_ids": [txn.pk, someone_elses.pk]}, follow=True)
    assert not CommissionOverride.objects.exists()
    done = client.post(url, {**form, "transaction_ids": [txn.pk, second.pk]}, follow=True)
    again = client.post(url, {**form, "transaction_ids": [txn.pk, second.pk]}, follow=True)

    assert "approved or paid" in text(refused)
    assert "Nothing was overridden" in text(foreign)
    assert "Override saved on 2 lines." in text(done) and "Override saved on 2 lines." in text(again)
    amounts = dict(
        CommissionTransaction.objects.filter(pk__in=[txn.pk, second.pk]).values_list("pk", "producer_amount")
    )
    assert amounts == {txn.pk: D("80.00"), second.pk: D("20.00")}  # 40% of the untouched gross, twice
    assert CommissionOverride.objects.count() == 4
    assert AuditEvent.objects.filter(action="commissiontransaction.bulk_override").count() == 4


def test_posts_need_the_csrf_token(organisation, txn, make_member):
    owner = make_member(organisation, Role.OWNER)
    client = Client(enforce_csrf_checks=True)
    client.login(username=owner.user.email, password=DEFAULT_PASSWORD)

    responses = [
        client.post(f"{BASE}/transactions/{txn.pk}", {"kind": "flat", "value": "1", "reason": "x"}),
        client.post(f"{BASE}/producers/{txn.producer_id}/overrides", {"transaction_ids": [txn.pk]}),
        client.post(f"{BASE}/sales/new", {}),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]
    assert not CommissionOverride.objects.exists()


# =============================================================================
# Manual sale entry
# =============================================================================


@pytest.fixture
def ten_percent(organisation, carrier):
    """A rule set paying 10% of the premium on any business."""
    return CommissionRuleFactory(rule_set__organisation=organisation, rate=D("10"), carrier=carrier)


def test_manual_sale_computes_the_gross_and_uses_the_producers_split(as_role, paula, carrier, ten_percent):
    response = as_role(Role.OWNER).post(
        f"{BASE}/sales/new",
        {
            "producer": paula.pk,
            "carrier": carrier.pk,
            "transaction_date": "2026-06-15",
            "type": "new",
            "premium": "950",
        },
    )

    assert response.status_code == 302, text(response)
    txn = CommissionTransaction.objects.get()
    assert response["Location"] == f"{BASE}/transactions/{txn.pk}"
    assert (txn.source, txn.status, txn.premium, txn.gross_commission) == ("manual", "pending", D("950"), D("95.00"))
    assert (txn.split_percent, txn.producer_amount, txn.commission_rule_id) == (D("80"), D("76.00"), ten_percent.pk)
    assert (txn.statement_period, txn.workspace_id) == (datetime.date(2026, 6, 1), paula.workspace_id)
    audit = AuditEvent.objects.get(action="commissiontransaction.create", source=AuditEvent.Source.PAGE)
    assert audit.object_id == str(txn.pk)


def test_manual_sale_with_a_policy_takes_its_carrier_and_split(as_role, paula, carrier, ten_percent):
    policy = PolicyProducerFactory(policy__carrier=carrier, producer=paula, split_percent=D("100")).policy

    response = as_role(Role.MANAGER).post(
        f"{BASE}/sales/new",
        {
            "producer": paula.pk,
            "policy": policy.pk,
            "transaction_date": "2026-06-15",
            "type": "renewal",
            "premium": "100.00",
            "gross_commission": "30.00",
        },
    )

    assert response.status_code == 302, text(response)
    txn = CommissionTransaction.objects.get()
    assert (txn.carrier_id, txn.policy_id, txn.split_percent, txn.producer_amount) == (
        carrier.pk,
        policy.pk,
        D("100"),
        D("30.00"),
    )
    assert (txn.commission_rule_id, txn.type) == (None, "renewal")


def test_manual_sale_without_a_matching_rule_shows_the_error(as_role, paula, carrier):
    response = as_role(Role.OWNER).post(
        f"{BASE}/sales/new",
        {"producer": paula.pk, "carrier": carrier.pk, "transaction_date": "2026-06-15", "type": "new", "premium": "9"},
    )

    assert response.status_code == 200
    assert "No commission rule matches this line; give the gross commission." in text(response)
    assert not CommissionTransaction.objects.exists()


def test_manual_sale_refuses_another_tenants_producer(as_role, carrier, other_organisation, ten_percent):
    theirs = ProducerFactory(workspace__office__organisation=other_organisation)

    response = as_role(Role.OWNER).post(
        f"{BASE}/sales/new",
        {"producer": theirs.pk, "carrier": carrier.pk, "transaction_date": "2026-06-15", "type": "new", "premium": "9"},
    )

    assert response.status_code == 200
    assert "Select a valid choice" in text(response)
    assert not CommissionTransaction.objects.exists()


# =============================================================================
# Dashboard, leaderboard, ledger, analytics
# =============================================================================


def test_dashboard_shows_period_cards_chart_data_and_top_producers(organisation, as_role, txn):
    with time_machine.travel(datetime.datetime(2026, 6, 20, 12, tzinfo=datetime.UTC), tick=False):
        page = text(as_role(Role.OWNER).get(f"{BASE}/"))

    assert 'id="period-chart"' in page
    assert '<script id="period-chart-data" type="application/json">' in page
    assert '"premium": ["0.00", "0.00", "1234.56", "1234.56", "1234.56", "1234.56"]' in page
    assert "Paula Producer" in page
    assert "$1,234.56" in page
    assert "/static/vendor/chartjs/chart.min.js" in page or "chart.min" in page


def test_leaderboard_ranks_producers_for_the_chosen_period(as_role, paula, carrier, workspace):
    rick = ProducerFactory(workspace=workspace, display_name="Rick Rival")
    CommissionTransactionFactory(
        producer=paula, carrier=carrier, premium=D("100"), transaction_date=datetime.date(2026, 6, 2)
    )
    CommissionTransactionFactory(
        producer=rick, carrier=carrier, premium=D("300"), transaction_date=datetime.date(2026, 5, 2)
    )
    client = as_role(Role.OWNER)

    with time_machine.travel(datetime.datetime(2026, 6, 20, 12, tzinfo=datetime.UTC), tick=False):
        month = text(client.get(f"{BASE}/leaderboard?period=month"))
        year = text(client.get(f"{BASE}/leaderboard?period=year&sort=premium"))

    assert "Paula Producer" in month and "Rick Rival" not in month
    assert year.index("Rick Rival") < year.index("Paula Producer")


def test_ledger_filters_and_pages(as_role, paula, carrier, txn):
    for n in range(30):
        CommissionTransactionFactory(producer=paula, carrier=carrier, status="approved" if n % 2 else "pending")
    client = as_role(Role.OWNER)

    first = client.get(f"{BASE}/ledger")
    approved = client.get(f"{BASE}/ledger?status=approved")

    assert len(first.context["table"].rows) == 25
    assert first.context["table"].pager.page.paginator.count == 31
    assert approved.context["table"].pager.page.paginator.count == 15
    assert f'href="{BASE}/producers/{paula.pk}"' in text(first)


def test_ledger_queries_do_not_grow_with_rows(as_role, paula, carrier, count_queries):
    client = as_role(Role.OWNER)
    CommissionTransactionFactory(producer=paula, carrier=carrier)
    client.get(f"{BASE}/ledger")  # warm the session
    few = count_queries(lambda: client.get(f"{BASE}/ledger"))
    for _n in range(20):
        CommissionTransactionFactory(producer=ProducerFactory(workspace=paula.workspace))

    many = count_queries(lambda: client.get(f"{BASE}/ledger"))

    assert many == few


def test_analytics_groups_and_filters(as_role, paula, carrier, workspace, txn):
    other_carrier = CarrierFactory(organisation=paula.organisation, name="Beacon")
    CommissionTransactionFactory(producer=paula, carrier=other_carrier, premium=D("10.00"))
    client = as_role(Role.OWNER)

    by_carrier = client.get(f"{BASE}/analytics?group_by=carrier")
    by_producer = client.get(f"{BASE}/analytics?group_by=producer&carrier_id={other_carrier.pk}")
    bad = client.get(f"{BASE}/analytics?group_by=carrier&status=lost")

    assert [(g.label, g.premium) for g in by_carrier.context["report"].groups] == [
        ("Acme Mutual", D("1234.56")),
        ("Beacon", D("10.00")),
    ]
    assert [(g.label, g.premium) for g in by_producer.context["report"].groups] == [("Paula Producer", D("10.00"))]
    assert '<script id="group-chart-data" type="application/json">' in text(by_carrier)
    assert bad.status_code == 200  # an invalid filter value is ignored on the page, not a crash


# =============================================================================
# The producer portal
# =============================================================================


def test_portal_shows_only_the_producers_own_lines_policies_and_statements(paula, txn, carrier, workspace):
    rick = ProducerFactory(workspace=workspace, display_name="Rick Rival", portal_access=True)
    CommissionTransactionFactory(producer=rick, carrier=carrier, premium=D("999.99"), notes="Rick's")
    PolicyProducerFactory(producer=paula, policy__carrier=carrier, policy__number="MINE-1")
    PolicyProducerFactory(producer=rick, policy__carrier=carrier, policy__number="RICKS-1")
    client = as_member(paula.membership)

    overview = text(client.get(f"{BASE}/portal/"))
    sales = text(client.get(f"{BASE}/portal/sales"))
    policies = text(client.get(f"{BASE}/portal/policies"))
    statements = text(client.get(f"{BASE}/portal/statements"))
    statement = client.get(f"{BASE}/portal/statements/2026-06")

    for page in (overview, sales, statements, text(statement)):
        assert "999.99" not in page
        assert "1,234.56" in page
    assert "MINE-1" in policies and "RICKS-1" not in policies
    assert f'href="{BASE}/portal/statements/2026-06"' in statements
    assert statement.context["totals"].producer_amount == D("160.00")
    assert [line.pk for line in statement.context["table"].data] == [txn.pk]
    assert client.get(f"{BASE}/portal/statements/2026-01").status_code == 404  # none of hers that month
    assert client.get(f"{BASE}/portal/statements/not-a-month").status_code == 404


def test_portal_is_closed_while_portal_access_is_off(paula, txn):
    paula.portal_access = False
    paula.save(update_fields=["portal_access"])
    client = as_member(paula.membership)

    for page in PORTAL_PAGES:
        response = client.get(BASE + page)
        assert response.status_code == 403, page
        assert "Your producer portal is switched off" in text(response)
        assert "1,234.56" not in text(response)


def test_portal_needs_a_linked_producer_record(organisation, make_member):
    response = as_member(make_member(organisation, Role.PRODUCER)).get(f"{BASE}/portal/")

    assert response.status_code == 403
    assert "No producer record is linked to your login" in text(response)


def test_a_producer_cannot_open_the_staff_pages_of_any_producer(paula, txn):
    client = as_member(paula.membership)

    assert client.get(f"{BASE}/producers/{paula.pk}").status_code == 403
    assert client.get(f"{BASE}/transactions/{txn.pk}").status_code == 403


# =============================================================================
# Demo data
# =============================================================================


def test_demo_seed_is_idempotent_and_fills_the_dashboard(organisation, workspace, as_role):
    from payroll import demo
    from payroll.models import Carrier, Policy

    for code in ("DEMO-001", "DEMO-002", "DEMO-003"):
        ProducerFactory(workspace=workspace, producer_code=code)

    demo.seed(organisation)
    counts = (CommissionTransaction.objects.count(), Policy.objects.count(), Carrier.objects.count())
    demo.seed(organisation)

    assert counts == (demo.TRANSACTIONS, 12, 3)
    assert (CommissionTransaction.objects.count(), Policy.objects.count(), Carrier.objects.count()) == counts
    assert CommissionTransaction.objects.filter(commission_rule__isnull=False).exists()  # the rule set computed some
    assert CommissionOverride.objects.exists()
    report = as_role(Role.OWNER).get(f"{BASE}/").context["report"]
    today = next(p for p in report.periods if p.period == "today")
    assert today.count >= 3
    assert len(report.groups) == 3
