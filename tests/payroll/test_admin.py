"""Django admin of the ledger, driven over HTTP as a superuser: every model has its pages,
ledger lines and overrides cannot be forged, policy splits total 100, tenancy holds."""

from __future__ import annotations

from decimal import Decimal

import pytest

from payroll.models import Carrier, CommissionTransaction, PolicyProducer
from tests.organisations.factories import ProducerFactory
from tests.organisations.test_admin import add_inline_row, form_data, inline_prefix

from .factories import (
    CarrierFactory,
    CategoryFactory,
    CommissionOverrideFactory,
    CommissionRuleFactory,
    CommissionRuleSetFactory,
    CommissionTransactionFactory,
    PolicyProducerFactory,
)

pytestmark = pytest.mark.django_db

EDITABLE = {
    "payroll/category": lambda org: CategoryFactory(organisation=org),
    "payroll/carrier": lambda org: CarrierFactory(organisation=org),
    "payroll/commissionruleset": lambda org: CommissionRuleFactory(rule_set__organisation=org).rule_set,
    "payroll/commissionrule": lambda org: CommissionRuleFactory(rule_set__organisation=org),
    "payroll/policy": lambda org: PolicyProducerFactory(policy__carrier__organisation=org).policy,
}
#: no add page: lines come from imports, manual entry and the API; overrides are append-only
NO_ADD = {
    "payroll/commissiontransaction": lambda org: CommissionTransactionFactory(
        producer__workspace__office__organisation=org
    ),
    "payroll/commissionoverride": lambda org: CommissionOverrideFactory(
        transaction__producer__workspace__office__organisation=org
    ),
    "payroll/policyproducer": lambda org: PolicyProducerFactory(policy__carrier__organisation=org),
}


@pytest.mark.parametrize("path", EDITABLE)
def test_changelist_add_and_change_pages_answer(admin_client, organisation, path):
    obj = EDITABLE[path](organisation)

    assert admin_client.get(f"/admin/{path}/").status_code == 200
    assert admin_client.get(f"/admin/{path}/add/").status_code == 200
    assert admin_client.get(f"/admin/{path}/{obj.pk}/change/").status_code == 200


@pytest.mark.parametrize("path", NO_ADD)
def test_ledger_rows_cannot_be_added_in_the_admin(admin_client, organisation, path):
    obj = NO_ADD[path](organisation)

    assert admin_client.get(f"/admin/{path}/").status_code == 200
    assert admin_client.get(f"/admin/{path}/add/").status_code == 403
    assert admin_client.get(f"/admin/{path}/{obj.pk}/change/").status_code == 200


def test_only_notes_and_category_of_a_line_are_editable(admin_client, organisation):
    txn = CommissionTransactionFactory(producer__workspace__office__organisation=organisation)
    url = f"/admin/payroll/commissiontransaction/{txn.pk}/change/"
    data = form_data(admin_client.get(url))

    assert set(admin_client.get(url).context["adminform"].form.fields) == {"category", "notes"}
    data.update(notes="Checked against the statement", producer_amount="9999.00")
    response = admin_client.post(url, data)

    assert response.status_code == 302
    txn.refresh_from_db()
    assert (txn.notes, txn.producer_amount) == ("Checked against the statement", Decimal("100.00"))


def test_policy_splits_must_total_100_in_the_admin(admin_client, organisation):
    link = PolicyProducerFactory(policy__carrier__organisation=organisation, split_percent=Decimal("100"))
    url = f"/admin/payroll/policy/{link.policy.pk}/change/"
    page = admin_client.get(url)
    data = form_data(page)
    prefix = inline_prefix(page, PolicyProducer)
    second = ProducerFactory(workspace__office__organisation=organisation)
    add_inline_row(data, prefix, producer=second.pk, split_percent="20")

    response = admin_client.post(url, data)

    assert response.status_code == 200
    (formset,) = [i.formset for i in response.context["inline_admin_formsets"] if i.formset.model is PolicyProducer]
    assert formset.non_form_errors() == ["The splits must total 100; they total 120."]
    assert PolicyProducer.objects.filter(policy=link.policy).count() == 1


def test_a_rule_set_of_another_organisation_is_refused(admin_client, organisation, other_organisation):
    carrier = CarrierFactory(organisation=organisation)
    theirs = CommissionRuleSetFactory(organisation=other_organisation)
    url = f"/admin/payroll/carrier/{carrier.pk}/change/"
    data = form_data(admin_client.get(url))
    data.update(default_rule_set=theirs.pk)

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "default_rule_set" in response.context["adminform"].form.errors
    assert Carrier.objects.get(pk=carrier.pk).default_rule_set_id is None


def test_changelists_cost_the_same_for_one_and_twenty_rows(admin_client, organisation, count_queries):
    CommissionTransactionFactory(producer__workspace__office__organisation=organisation)
    one = count_queries(lambda: admin_client.get("/admin/payroll/commissiontransaction/"))
    for _ in range(19):
        CommissionTransactionFactory(producer__workspace__office__organisation=organisation)

    assert count_queries(lambda: admin_client.get("/admin/payroll/commissiontransaction/")) == one
    assert CommissionTransaction.objects.count() == 20
