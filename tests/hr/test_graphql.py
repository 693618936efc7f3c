"""GraphQL of the hr app: the same visibility, confidentiality and services as REST."""

from __future__ import annotations

import pytest
from graphql_relay import to_global_id

from hr.models import Employee, HRDocumentAcknowledgement
from tests.hr.conftest import person_client
from tests.hr.factories import ComplaintFactory, ComplaintNoteFactory, EmployeeFactory, HRDocumentFactory

pytestmark = pytest.mark.django_db

EMPLOYEES = """
query($filter: EmployeeFilter) {
  employees(filter: $filter, first: 50) { totalCount edges { node { databaseId lastName payType payRate currency } } }
}"""
COMPLAINTS = """
query { hrComplaints(first: 50) { edges { node { databaseId subject anonymous reporter { email } notes { body } } } } }
"""


def test_employees_with_filter_and_pagination(api, gql, organisation):
    boss = EmployeeFactory(office__organisation=organisation, last_name="Boss", department="Sales")
    EmployeeFactory(office=boss.office, last_name="Report", department="Sales", manager=boss)
    EmployeeFactory(office=boss.office, last_name="Other", department="Ops")

    body = gql(api, EMPLOYEES, {"filter": {"department": "sales"}}).json()
    paged = gql(api, "query { employees(pagination: {first: 1}) { totalCount edges { node { lastName } } } }").json()

    assert [e["node"]["lastName"] for e in body["data"]["employees"]["edges"]] == ["Boss", "Report"]
    assert paged["data"]["employees"]["totalCount"] == 3
    assert [e["node"]["lastName"] for e in paged["data"]["employees"]["edges"]] == ["Boss"]


@pytest.mark.parametrize(("who", "sees_pay"), [("hr", True), ("owner", True), ("admin", True), ("manager", False)])
def test_pay_is_null_unless_hr_owner_or_admin(cast, gql, who, sees_pay):
    Employee.objects.filter(membership=cast.employee).update(pay_type="hourly", pay_rate="19.00")
    client = person_client(getattr(cast, who))

    rows = gql(client, EMPLOYEES).json()["data"]["employees"]["edges"]

    eli = next(r["node"] for r in rows if r["node"]["lastName"] == "Employee")
    if sees_pay:
        assert (eli["payType"], eli["payRate"], eli["currency"]) == ("hourly", "19.00", "USD")
    else:
        assert (eli["payType"], eli["payRate"], eli["currency"]) == (None, None, None)


def test_employee_sees_only_themselves_without_pay(cast, gql):
    Employee.objects.filter(membership=cast.employee).update(pay_type="hourly", pay_rate="19.00")

    rows = gql(person_client(cast.employee), EMPLOYEES).json()["data"]["employees"]["edges"]

    assert [(r["node"]["lastName"], r["node"]["payRate"]) for r in rows] == [("Employee", None)]


def test_complaint_confidentiality_over_graphql(cast, gql, other_api):
    about = Employee.objects.get(membership=cast.colleague)
    ticket = ComplaintFactory(
        organisation=cast.office.organisation, reporter=cast.employee, about_employee=about, assignee=cast.hr2
    )
    ComplaintNoteFactory(complaint=ticket, body="Internal only")
    query = "query($id: ID!) { hrComplaint(id: $id) { databaseId notes { body } } node(id: $id) { id } }"
    variables = {"id": to_global_id("HRComplaint", ticket.pk)}

    expectations = {
        "reporter": (cast.employee, True, []),
        "hr": (cast.hr, True, ["Internal only"]),
        "assignee": (cast.hr2, True, ["Internal only"]),
        "owner": (cast.owner, False, None),
        "manager": (cast.manager, False, None),
        "subject": (cast.colleague, False, None),
        "other employee": (cast.outsider_office_employee, False, None),
    }
    for who, (membership, sees, notes) in expectations.items():
        client = person_client(membership)
        listed = gql(client, COMPLAINTS).json()["data"]["hrComplaints"]["edges"]
        single = gql(client, query, variables).json()["data"]
        assert (len(listed) == 1, single["hrComplaint"] is not None, single["node"] is not None) == (sees,) * 3, who
        if sees:
            assert [n["body"] for n in single["hrComplaint"]["notes"]] == notes, who
    assert gql(other_api, query, variables).json()["data"] == {"hrComplaint": None, "node": None}


def test_anonymous_reporter_is_null_in_graphql(cast, gql):
    ComplaintFactory(organisation=cast.office.organisation, reporter=None, is_anonymous=True)

    rows = gql(person_client(cast.hr), COMPLAINTS).json()["data"]["hrComplaints"]["edges"]

    assert [(r["node"]["anonymous"], r["node"]["reporter"]) for r in rows] == [(True, None)]


def test_acknowledge_hr_document_mutation(cast, gql):
    document = HRDocumentFactory(organisation=cast.office.organisation)
    mutation = """
      mutation($id: ID!) { acknowledgeHRDocument(input: {documentId: $id}) {
        created versionNumber employeeId document { title } } }"""
    client = person_client(cast.employee)

    first = gql(client, mutation, {"id": to_global_id("HRDocument", document.pk)}).json()
    second = gql(client, mutation, {"id": str(document.pk)}).json()

    assert first["data"]["acknowledgeHRDocument"]["created"] is True
    assert second["data"]["acknowledgeHRDocument"]["created"] is False
    assert HRDocumentAcknowledgement.objects.count() == 1


def test_acknowledge_needs_hr_write(make_api_client, organisation, gql):
    document = HRDocumentFactory(organisation=organisation)
    client = make_api_client(organisation, scopes=["hr.read"])

    body = gql(
        client,
        "mutation($id: ID!) { acknowledgeHRDocument(input: {documentId: $id}) { created } }",
        {"id": str(document.pk)},
    ).json()

    assert body["errors"][0]["extensions"]["required_scope"] == "hr.write"


def test_upsert_employee_mutation_is_idempotent(api, gql, organisation):
    mutation = """
      mutation($input: UpsertEmployeeInput!) { upsertEmployee(input: $input) { databaseId jobTitle } }"""
    variables = {"input": {"source": "tracktik", "externalId": "77", "firstName": "Gus", "jobTitle": "Guard"}}

    first = gql(api, mutation, variables).json()
    second = gql(api, mutation, variables).json()

    assert first["data"]["upsertEmployee"]["databaseId"] == second["data"]["upsertEmployee"]["databaseId"]
    assert Employee.objects.for_organisation(organisation).count() == 1


def test_upsert_employee_refuses_a_manager_loop(api, gql, organisation):
    a = EmployeeFactory(office__organisation=organisation)
    a.external_ids.create(organisation=organisation, source="custom", external_id="A")
    b = EmployeeFactory(office=a.office, manager=a)
    mutation = "mutation($input: UpsertEmployeeInput!) { upsertEmployee(input: $input) { databaseId } }"

    body = gql(
        api, mutation, {"input": {"source": "custom", "externalId": "A", "firstName": a.first_name, "managerId": b.pk}}
    ).json()

    assert body["errors"][0]["extensions"]["status"] == 422
    assert list(body["errors"][0]["extensions"]["errors"]) == ["managerId"]


def test_assign_hr_complaint_mutation(cast, gql):
    ticket = ComplaintFactory(organisation=cast.office.organisation, reporter=cast.employee)
    mutation = """
      mutation($c: ID!, $a: ID!) { assignHRComplaint(input: {complaintId: $c, assigneeId: $a}) {
        assignee { email } } }"""

    ok = gql(person_client(cast.hr), mutation, {"c": ticket.pk, "a": cast.hr2.pk}).json()
    by_reporter = gql(person_client(cast.employee), mutation, {"c": ticket.pk, "a": cast.hr.pk}).json()

    assert ok["data"]["assignHRComplaint"]["assignee"]["email"] == cast.hr2.user.email
    assert by_reporter["errors"][0]["extensions"]["status"] in (403, 422)


def test_hr_documents_follow_the_audience(cast, gql):
    ours = HRDocumentFactory(organisation=cast.office.organisation, audience="roles", audience_roles=",manager,")

    as_manager = gql(person_client(cast.manager), "query { hrDocuments { edges { node { databaseId } } } }").json()
    as_employee = gql(person_client(cast.employee), "query { hrDocuments { edges { node { databaseId } } } }").json()

    assert [e["node"]["databaseId"] for e in as_manager["data"]["hrDocuments"]["edges"]] == [ours.pk]
    assert as_employee["data"]["hrDocuments"]["edges"] == []


def test_employee_list_query_count_does_not_grow(api, gql, organisation, count_queries):
    EmployeeFactory(office__organisation=organisation)
    query = "query { employees(first: 100) { edges { node { lastName externalIds { source } payRate } } } }"
    one = count_queries(lambda: gql(api, query))
    for _ in range(20):
        e = EmployeeFactory(office__organisation=organisation)
        e.external_ids.create(organisation=organisation, source="custom", external_id=f"X{e.pk}")

    assert count_queries(lambda: gql(api, query)) == one


def test_complaint_list_query_count_does_not_grow(cast, gql, count_queries):
    client = person_client(cast.hr)
    ComplaintFactory(organisation=cast.office.organisation, assignee=cast.hr2)
    query = COMPLAINTS.replace("reporter { email }", "reporter { email } assignee { email }")
    gql(client, query)  # the personal token's first use is recorded once
    one = count_queries(lambda: gql(client, query))
    for _ in range(20):
        ComplaintNoteFactory(complaint=ComplaintFactory(organisation=cast.office.organisation, assignee=cast.hr2))

    assert count_queries(lambda: gql(client, query)) == one
