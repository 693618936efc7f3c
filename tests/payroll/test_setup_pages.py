"""Pages for what only the API or admin could do (issue 14 point 9): carriers, policies and
commission rule sets (create, edit), approving, paying and disputing ledger lines, and the
producer's monthly statement as CSV. Through the Django test client: roles, tenancy (404),
escaping, the services' refusals on the forms."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client

from organisations.choices import Role
from organisations.models import AuditEvent
from payroll.models import Carrier, CommissionRule, CommissionRuleSet, CommissionTransaction, Policy
from tests.organisations.factories import (
    DEFAULT_PASSWORD,
    MembershipFactory,
    OfficeFactory,
    ProducerFactory,
    WorkspaceFactory,
)

from .factories import (
    CarrierFactory,
    CategoryFactory,
    CommissionRuleSetFactory,
    CommissionTransactionFactory,
    PolicyFactory,
    PolicyProducerFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal
BASE = "/app/commissions"
XSS = '<script>alert("x")</script>'


@pytest.fixture
def workspace(office):
    return WorkspaceFactory(office=office, name="Personal Lines")


@pytest.fixture
def paula(organisation, workspace):
    login = MembershipFactory(organisation=organisation, role=Role.PRODUCER)
    return ProducerFactory(workspace=workspace, membership=login, portal_access=True, display_name="Paula Producer")


@pytest.fixture
def carrier(organisation):
    return CarrierFactory(organisation=organisation, name="Acme Mutual", code="ACM")


def as_member(membership) -> Client:
    client = Client()
    assert client.login(username=membership.user.email, password=DEFAULT_PASSWORD)
    return client


@pytest.fixture
def as_role(organisation, office, make_member):
    def make(role):
        return as_member(make_member(organisation, role, office=office if role == Role.MANAGER else None))

    return make


def text(response) -> str:
    return response.content.decode()


# =============================================================================
# Who may open what; another organisation's rows
# =============================================================================


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/carriers", {Role.OWNER, Role.ADMIN}),
        ("/carriers/new", {Role.OWNER, Role.ADMIN}),
        ("/rule-sets", {Role.OWNER, Role.ADMIN}),
        ("/rule-sets/new", {Role.OWNER, Role.ADMIN}),
        ("/policies", {Role.OWNER, Role.ADMIN, Role.MANAGER}),
        ("/policies/new", {Role.OWNER, Role.ADMIN, Role.MANAGER}),
    ],
)
def test_pages_open_for_their_roles_only(as_role, path, allowed):
    for role in (Role.OWNER, Role.ADMIN, Role.MANAGER, Role.HR, Role.PRODUCER, Role.EMPLOYEE):
        assert as_role(role).get(BASE + path).status_code == (200 if role in allowed else 403), role


def test_the_commissions_menu_links_only_pages_the_role_opens(as_role):
    owner = text(as_role(Role.OWNER).get(BASE + "/ledger"))
    manager = text(as_role(Role.MANAGER).get(BASE + "/ledger"))

    assert f'href="{BASE}/carriers"' in owner and f'href="{BASE}/rule-sets"' in owner
    assert f'href="{BASE}/policies"' in manager
    assert f'href="{BASE}/carriers"' not in manager and f'href="{BASE}/rule-sets"' not in manager


def test_another_organisations_rows_are_404(as_role, other_organisation):
    foreign_carrier = CarrierFactory(organisation=other_organisation)
    foreign_set = CommissionRuleSetFactory(organisation=other_organisation)
    foreign_policy = PolicyFactory(carrier=foreign_carrier)
    foreign_line = CommissionTransactionFactory(producer__workspace__office__organisation=other_organisation)
    owner = as_role(Role.OWNER)

    for path in (
        f"/carriers/{foreign_carrier.pk}",
        f"/rule-sets/{foreign_set.pk}",
        f"/policies/{foreign_policy.pk}",
    ):
        assert owner.get(BASE + path).status_code == 404, path
        assert owner.post(BASE + path, {"name": "Taken"}).status_code == 404, path
    assert owner.post(f"{BASE}/transactions/{foreign_line.pk}/status", {"status": "reconciled"}).status_code == 404
    foreign_line.refresh_from_db()
    assert foreign_line.status == "pending"
    assert Carrier.objects.get(pk=foreign_carrier.pk).name != "Taken"


# =============================================================================
# Carriers
# =============================================================================


def test_create_and_edit_a_carrier(as_role, organisation):
    owner = as_role(Role.OWNER)
    rule_set = CommissionRuleSetFactory(organisation=organisation)

    created = owner.post(
        BASE + "/carriers/new", {"name": f"Northwind {XSS}", "code": "NW", "statement_date_format": "%m/%d/%Y"}
    )
    carrier = Carrier.objects.get(code="NW")
    edited = owner.post(
        f"{BASE}/carriers/{carrier.pk}",
        {"name": "Northwind", "code": "NW", "statement_date_format": "%d/%m/%Y", "default_rule_set": rule_set.pk},
    )

    assert created.status_code == edited.status_code == 302
    carrier.refresh_from_db()
    assert (carrier.name, carrier.statement_date_format, carrier.default_rule_set) == (
        "Northwind",
        "%d/%m/%Y",
        rule_set,
    )
    assert list(
        AuditEvent.objects.filter(action__startswith="carrier.").order_by("pk").values_list("action", "source")
    ) == [
        ("carrier.create", "page"),
        ("carrier.update", "page"),
    ]


def test_a_duplicate_carrier_code_is_refused_on_the_form(as_role, carrier):
    response = as_role(Role.ADMIN).post(
        BASE + "/carriers/new", {"name": "Other", "code": "ACM", "statement_date_format": "%Y-%m-%d"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors  # the service's uniqueness refusal, shown on the form
    assert Carrier.objects.count() == 1


def test_carrier_names_are_escaped(as_role, organisation):
    CarrierFactory(organisation=organisation, name=XSS)

    page = text(as_role(Role.OWNER).get(BASE + "/carriers"))

    assert XSS not in page and "&lt;script&gt;" in page


# =============================================================================
# Rule sets
# =============================================================================


def rule_set_post(name="Standard", **rules):
    data = {
        "name": name,
        "version": "1",
        "effective_from": "2026-01-01",
        "effective_to": "",
        "active": "on",
        "rules-TOTAL_FORMS": "3",
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
    }
    for index in range(3):
        data.update({f"rules-{index}-business_type": "any", f"rules-{index}-priority": "100"})
    data.update(rules)
    return data


def test_create_and_edit_a_rule_set_with_its_rules(as_role):
    owner = as_role(Role.OWNER)

    created = owner.post(
        BASE + "/rule-sets/new",
        rule_set_post(**{"rules-0-basis": "percent_of_premium", "rules-0-rate": "12.5", "rules-1-basis": ""}),
    )
    rule_set = CommissionRuleSet.objects.get()
    form = owner.get(f"{BASE}/rule-sets/{rule_set.pk}")
    edited = owner.post(
        f"{BASE}/rule-sets/{rule_set.pk}",
        {
            **rule_set_post("Standard"),
            "rules-0-basis": "flat",
            "rules-0-amount": "50.00",
            "rules-0-priority": "10",
            "rules-1-basis": "percent_of_gross",
            "rules-1-rate": "80",
        },
    )

    assert created.status_code == 302 and form.status_code == 200
    assert 'value="2026-01-01"' in text(form)  # dates round-trip as ISO
    assert edited.status_code == 302
    assert sorted(CommissionRule.objects.values_list("basis", "priority")) == [
        ("flat", 10),
        ("percent_of_gross", 100),
    ]


def test_a_rule_the_service_refuses_shows_on_its_row(as_role):
    response = as_role(Role.OWNER).post(
        BASE + "/rule-sets/new", rule_set_post(**{"rules-0-basis": "percent_of_premium"})
    )

    assert response.status_code == 200
    row_errors = response.context["rules"].forms[0].errors
    assert row_errors  # a percentage rule without a rate: CommissionRule.clean, through the service
    assert not CommissionRuleSet.objects.exists()


# =============================================================================
# Policies
# =============================================================================


def policy_post(carrier, producers=(), **values):
    data = {
        "carrier": carrier.pk,
        "number": "P-100",
        "customer_name": "Jo Customer",
        "premium": "1500.00",
        "effective_date": "2026-02-01",
        "expiry_date": "2027-01-31",
        "status": "active",
        "producers-TOTAL_FORMS": "3",
        "producers-INITIAL_FORMS": "0",
        "producers-MIN_NUM_FORMS": "0",
        "producers-MAX_NUM_FORMS": "1000",
    }
    for index, (producer, split) in enumerate(producers):
        data[f"producers-{index}-producer"] = producer.pk
        data[f"producers-{index}-split_percent"] = split
    data.update(values)
    return data


def test_create_and_edit_a_policy_with_its_producers(as_role, carrier, paula, workspace):
    other = ProducerFactory(workspace=workspace)
    owner = as_role(Role.OWNER)
    lob = CategoryFactory(organisation=carrier.organisation, name="Auto")

    created = owner.post(BASE + "/policies/new", policy_post(carrier, [(paula, "60"), (other, "40")]))
    policy = Policy.objects.get()
    edited = owner.post(f"{BASE}/policies/{policy.pk}", policy_post(carrier, [(paula, "100")], line_of_business=lob.pk))

    assert created.status_code == edited.status_code == 302
    policy.refresh_from_db()
    assert policy.line_of_business == lob
    assert list(policy.producer_links.values_list("producer", "split_percent")) == [(paula.pk, D("100"))]
    assert "P-100" in text(owner.get(BASE + "/policies"))


def test_splits_that_do_not_total_100_are_refused_on_the_form(as_role, carrier, paula):
    response = as_role(Role.OWNER).post(BASE + "/policies/new", policy_post(carrier, [(paula, "60")]))

    assert response.status_code == 200
    assert "The splits must total 100; they total 60." in text(response)
    assert not Policy.objects.exists()


def test_a_manager_writes_policies_of_their_office_only(organisation, office, make_member, carrier, paula):
    manager = as_member(make_member(organisation, Role.MANAGER, office=office))
    elsewhere = ProducerFactory(workspace=WorkspaceFactory(office=OfficeFactory(organisation=organisation)))

    mine = manager.post(BASE + "/policies/new", policy_post(carrier, [(paula, "100")]))
    theirs = manager.post(BASE + "/policies/new", policy_post(carrier, [(elsewhere, "100")], number="P-200"))

    assert mine.status_code == 302
    assert theirs.status_code == 200  # refused by the service, shown above the form
    assert list(Policy.objects.values_list("number", flat=True)) == ["P-100"]


# =============================================================================
# A ledger line: approve, pay, dispute
# =============================================================================


def test_a_line_moves_through_its_legal_statuses_only(as_role, paula, carrier):
    line = CommissionTransactionFactory(producer=paula, carrier=carrier, status="reconciled")
    owner = as_role(Role.OWNER)

    page = text(owner.get(f"{BASE}/transactions/{line.pk}"))
    approved = owner.post(f"{BASE}/transactions/{line.pk}/status", {"status": "approved"}, follow=True)
    paid_page = owner.post(f"{BASE}/transactions/{line.pk}/status", {"status": "paid"}, follow=True)
    refused = owner.post(f"{BASE}/transactions/{line.pk}/status", {"status": "pending"}, follow=True)

    assert 'value="approved"' in page and 'value="disputed"' in page and 'value="paid"' not in page
    assert "is now Approved" in text(approved)
    assert "is now Paid" in text(paid_page)
    assert "status is final" in text(paid_page)
    assert "cannot become" in text(refused)
    line.refresh_from_db()
    assert line.status == "paid"
    assert AuditEvent.objects.filter(action="commissiontransaction.transition", source="page").count() == 2


def test_disputing_a_line(as_role, paula, carrier):
    line = CommissionTransactionFactory(producer=paula, carrier=carrier)

    as_role(Role.ADMIN).post(f"{BASE}/transactions/{line.pk}/status", {"status": "disputed"})

    assert CommissionTransaction.objects.get().status == "disputed"


def test_a_manager_cannot_move_another_offices_line_and_others_cannot_at_all(
    organisation, office, make_member, as_role, carrier
):
    elsewhere = ProducerFactory(workspace=WorkspaceFactory(office=OfficeFactory(organisation=organisation)))
    line = CommissionTransactionFactory(producer=elsewhere, carrier=carrier)

    manager = as_member(make_member(organisation, Role.MANAGER, office=office))
    assert manager.post(f"{BASE}/transactions/{line.pk}/status", {"status": "reconciled"}).status_code == 404
    for role in (Role.HR, Role.EMPLOYEE, Role.PRODUCER):
        assert as_role(role).post(f"{BASE}/transactions/{line.pk}/status", {"status": "reconciled"}).status_code == 403
    assert CommissionTransaction.objects.get().status == "pending"


# =============================================================================
# The producer's statement as CSV
# =============================================================================


def test_a_producer_downloads_their_monthly_statement_as_csv(paula, carrier, organisation):
    policy = PolicyFactory(carrier=carrier, number="=HYPERLINK(1)")
    PolicyProducerFactory(policy=policy, producer=paula)
    for day, premium in ((3, "1000.00"), (20, "500.00")):
        CommissionTransactionFactory(
            producer=paula,
            carrier=carrier,
            policy=policy,
            premium=D(premium),
            gross_commission=D("100.00"),
            split_percent=D("80"),
            transaction_date=datetime.date(2026, 5, day),
            statement_period=datetime.date(2026, 5, 1),
        )
    other = ProducerFactory(workspace=paula.workspace)
    CommissionTransactionFactory(producer=other, carrier=carrier, statement_period=datetime.date(2026, 5, 1))
    client = as_member(paula.membership)

    response = client.get(f"{BASE}/portal/statements/2026-05.csv")
    statement_page = text(client.get(f"{BASE}/portal/statements/2026-05"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="statement-2026-05.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Statement", "2026-05", "Producer", "Paula Producer"]
    assert len(rows) == 2 + 2 + 1  # heading, columns, two lines, totals
    assert rows[2][1] == "'=HYPERLINK(1)"  # never a formula
    assert rows[-1][0] == "Total" and rows[-1][6] == "1500.00" and rows[-1][9] == "160.00"
    assert f"{BASE}/portal/statements/2026-05.csv" in statement_page
    assert client.get(f"{BASE}/portal/statements/2026-04.csv").status_code == 404


def test_only_producers_download_statements(as_role, paula, carrier):
    CommissionTransactionFactory(producer=paula, carrier=carrier, statement_period=datetime.date(2026, 5, 1))

    assert as_role(Role.OWNER).get(f"{BASE}/portal/statements/2026-05.csv").status_code == 403


def test_the_setup_lists_are_shared_tables_with_sort_and_csv(as_role, organisation):
    """Carriers, rule sets and policies list on the shared table (issue 14 point 5): sortable,
    the CSV of the list, labels rather than codes."""
    CarrierFactory(organisation=organisation, name="Zenith", code="ZEN")
    CarrierFactory(organisation=organisation, name="Acme Mutual", code="ACM")
    owner = as_role(Role.OWNER)

    by_name = text(owner.get(BASE + "/carriers?sort=-name"))
    exported = b"".join(owner.get(BASE + "/carriers?sort=name&export=csv").streaming_content).decode()

    assert 'class="data-table' in by_name
    assert by_name.index("Zenith") < by_name.index("Acme Mutual")
    assert exported.splitlines()[0] == "Name,Code,Statement dates,Default rule set"
    assert [line.split(",")[0] for line in exported.splitlines()[1:]] == ["Acme Mutual", "Zenith"]
    for path in ("/rule-sets", "/policies"):
        page = owner.get(BASE + path + "?export=csv")
        assert page.status_code == 200 and page["Content-Type"].startswith("text/csv"), path
