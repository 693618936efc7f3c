"""GraphQL of expense claims (issue 16 point 7): ``expenses``, ``expenseCategories``,
``createExpense``, ``submitExpense``, ``approveExpense``, with the same rules as REST."""

from __future__ import annotations

from decimal import Decimal

import pytest

from timetracking.models import Expense

from .conftest import person, token_client
from .factories import ExpenseCategoryFactory, ExpenseFactory

pytestmark = pytest.mark.django_db

CREATE = """mutation($input: ExpenseInput!) {
  createExpense(input: $input) { databaseId status amount currency exchangeRate convertedAmount }
}"""


def graphql(api, query, variables=None):
    return api.post("/graphql", {"query": query, "variables": variables or {}}, format="json").json()


@pytest.fixture
def meals(organisation):
    return ExpenseCategoryFactory(organisation=organisation, name="Meals", expense_limit=Decimal("60.00"))


def test_graphql_files_submits_and_approves_with_the_same_rules(as_employee, as_manager, meals):
    made = graphql(
        as_employee,
        CREATE,
        {
            "input": {
                "categoryId": str(meals.pk),
                "date": "2026-03-03",
                "amount": "20.00",
                "currency": "EUR",
                "exchangeRate": "1.085",
            }
        },
    )
    assert "errors" not in made, made
    created = made["data"]["createExpense"]
    assert (created["status"], created["convertedAmount"]) == ("draft", "21.70")
    pk = created["databaseId"]

    over = graphql(as_employee, CREATE, {"input": {"categoryId": str(meals.pk), "date": "2026-03-03", "amount": "61"}})
    assert over["errors"][0]["extensions"]["status"] == 422

    submitted = graphql(as_employee, f'mutation {{ submitExpense(id: "{pk}") {{ status }} }}')
    assert submitted["data"]["submitExpense"]["status"] == "submitted", submitted
    own = graphql(as_employee, f'mutation {{ approveExpense(id: "{pk}") {{ status }} }}')
    assert own["errors"][0]["extensions"]["status"] == 403

    listed = graphql(
        as_manager,
        "query($f: ExpenseFilter) { expenses(first: 10, filter: $f) { totalCount edges { node { databaseId } } } }",
        {"f": {"status": "submitted"}},
    )
    assert listed["data"]["expenses"]["totalCount"] == 1, listed
    approved = graphql(as_manager, f'mutation {{ approveExpense(id: "{pk}") {{ status decidedBy }} }}')
    assert approved["data"]["approveExpense"]["status"] == "approved", approved
    again = graphql(as_manager, f'mutation {{ approveExpense(id: "{pk}") {{ status }} }}')
    assert again["errors"][0]["extensions"]["status"] == 409
    assert Expense.objects.get().status == "approved"


def test_graphql_categories_and_another_tenant(as_employee, meals, other_organisation):
    theirs = ExpenseFactory(employee__office__organisation=other_organisation)

    names = graphql(as_employee, "{ expenseCategories(first: 10) { edges { node { name expenseLimit } } } }")
    assert names["data"]["expenseCategories"]["edges"] == [{"node": {"name": "Meals", "expenseLimit": "60.00"}}]
    assert graphql(as_employee, f'{{ expense(id: "{theirs.pk}") {{ status }} }}')["data"]["expense"] is None
    rejected = graphql(as_employee, f'mutation {{ rejectExpense(id: "{theirs.pk}", reason: "x") {{ status }} }}')
    assert rejected["errors"][0]["extensions"]["status"] == 404


def test_a_manager_of_another_office_cannot_approve(organisation, london_office, employee, meals):
    stranger = token_client(person(organisation, london_office, "manager", name="Max"))
    pending = ExpenseFactory(employee=employee, category=meals, status="submitted")

    answer = graphql(stranger, f'mutation {{ approveExpense(id: "{pending.pk}") {{ status }} }}')
    assert answer["errors"][0]["extensions"]["status"] == 404
