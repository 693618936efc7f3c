"""Issue 13 point 10: the GraphQL names the contract's SDL writes, and its ``Pagination`` input
(``page``, ``pageSize``) on ``workspaces(filter, pagination)`` and ``employees(filter, pagination)``."""

from __future__ import annotations

import pytest

from tests.hr.factories import EmployeeFactory
from tests.organisations.factories import OfficeFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db

CONTRACT_INPUTS = {
    "WorkspaceInput": set(),
    "ProducerInput": set(),
    "HRDocumentAckInput": {"documentId"},
    "WorkspaceFilter": set(),
    "EmployeeFilter": set(),
    "Pagination": {"page", "pageSize", "first", "after", "last", "before"},
}


def test_the_contracts_input_names_exist(api, gql):
    query = "query($n: String!) { __type(name: $n) { kind inputFields { name } } }"
    for name, fields in CONTRACT_INPUTS.items():
        found = gql(api, query, {"n": name}).json()["data"]["__type"]
        assert found is not None, name
        assert found["kind"] == "INPUT_OBJECT"
        assert fields <= {f["name"] for f in found["inputFields"]}, name


def test_the_contracts_root_field_signatures(api, gql):
    body = gql(api, "{ __schema { queryType { fields { name args { name type { name } } } } } }").json()
    fields = {
        f["name"]: {a["name"]: a["type"]["name"] for a in f["args"]}
        for f in body["data"]["__schema"]["queryType"]["fields"]
    }
    mutations = gql(
        api, "{ __schema { mutationType { fields { name args { type { name ofType { name } } } } } } }"
    ).json()
    inputs = {
        f["name"]: (f["args"][0]["type"]["ofType"] or f["args"][0]["type"])["name"]
        for f in mutations["data"]["__schema"]["mutationType"]["fields"]
        if f["args"]
    }

    assert (fields["workspaces"]["filter"], fields["workspaces"]["pagination"]) == ("WorkspaceFilter", "Pagination")
    assert (fields["employees"]["filter"], fields["employees"]["pagination"]) == ("EmployeeFilter", "Pagination")
    assert inputs["acknowledgeHRDocument"] == "HRDocumentAckInput"
    assert inputs["createWorkspace"] == "WorkspaceInput"
    assert inputs["upsertProducer"] == "ProducerInput"


def test_page_and_page_size_on_workspaces(organisation, api, gql):
    office = OfficeFactory(organisation=organisation)
    for name in "ABCDE":
        WorkspaceFactory(office=office, name=name)
    query = "query($p: Pagination) { workspaces(pagination: $p) { totalCount edges { node { name } } } }"

    pages = [gql(api, query, {"p": {"page": n, "pageSize": 2}}).json()["data"]["workspaces"] for n in (1, 2, 3)]

    assert [[e["node"]["name"] for e in p["edges"]] for p in pages] == [["A", "B"], ["C", "D"], ["E"]]
    assert pages[0]["totalCount"] == 5


def test_page_and_page_size_on_employees_with_a_filter(organisation, api, gql):
    office = OfficeFactory(organisation=organisation)
    for name in ("Ann", "Bob", "Cy"):
        EmployeeFactory(organisation=organisation, office=office, first_name=name, last_name="X")
    query = (
        "query($p: Pagination, $f: EmployeeFilter) { employees(filter: $f, pagination: $p) "
        "{ edges { node { firstName } } } }"
    )

    body = gql(api, query, {"p": {"page": 2, "pageSize": 2}, "f": {"status": "active"}}).json()

    assert "errors" not in body, body
    assert len(body["data"]["employees"]["edges"]) == 1


@pytest.mark.parametrize(
    ("pagination", "field"),
    [
        ({"page": 0, "pageSize": 2}, "pagination.page"),
        ({"page": 1, "pageSize": 101}, "pagination.pageSize"),
        ({"page": 1, "first": 2}, "pagination.page"),
    ],
)
def test_bad_page_arguments_are_a_422(api, gql, pagination, field):
    query = "query($p: Pagination) { workspaces(pagination: $p) { totalCount } }"

    error = gql(api, query, {"p": pagination}).json()["errors"][0]

    assert error["extensions"]["status"] == 422
    assert field in error["extensions"]["errors"]
