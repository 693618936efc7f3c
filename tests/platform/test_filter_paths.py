"""Generic filters that follow a path (issue 13 point 1): each narrows its list to the rows the
path reaches, over HTTP. (tests/platform/test_list_filters.py checks every list's filters in general.)"""

from __future__ import annotations

import pytest

from organisations import services
from organisations.actors import system_actor
from organisations.choices import Role
from tests.hr.factories import ComplaintFactory, EmployeeFactory, HRDocumentFactory
from tests.organisations.factories import (
    MembershipFactory,
    OfficeFactory,
    ProducerFactory,
    WorkspaceAgentFactory,
    WorkspaceFactory,
)
from tests.payroll.factories import (
    CarrierFactory,
    CategoryFactory,
    CommissionTransactionFactory,
    PolicyProducerFactory,
)
from tests.timetracking.factories import ContractFactory

pytestmark = pytest.mark.django_db


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content[:300]
    return {row["id"] for row in response.json()["results"]}


def test_offices_filter_by_their_id_their_workspaces_and_their_members_roles(api, organisation):
    north, south = OfficeFactory(organisation=organisation), OfficeFactory(organisation=organisation)
    workspace = WorkspaceFactory(office=south)
    MembershipFactory(organisation=organisation, office=north, role=Role.MANAGER)

    assert _ids(api.get(f"/v1/offices?office_id={north.pk}")) == {north.pk}
    assert _ids(api.get(f"/v1/offices?workspace_id={workspace.pk}")) == {south.pk}
    assert _ids(api.get("/v1/offices?role=manager")) == {north.pk}
    assert api.get("/v1/offices?status=active").status_code == 422  # an office has no status


def test_workspaces_filter_by_their_id(api, organisation):
    one, other = (
        WorkspaceFactory(office__organisation=organisation),
        WorkspaceFactory(office__organisation=organisation),
    )
    assert _ids(api.get(f"/v1/workspaces?workspace_id={one.pk}")) == {one.pk}
    assert other.pk in _ids(api.get("/v1/workspaces"))


def test_api_tokens_filter_by_their_members_workspace(api, organisation):
    agent = WorkspaceAgentFactory(workspace__office__organisation=organisation)
    tokens = [
        services.api_token_create(
            actor=system_actor(organisation), membership=membership, name=name, scopes=["workspaces.read"]
        ).api_token
        for name, membership in (("agent", agent.membership), ("other", MembershipFactory(organisation=organisation)))
    ]
    assert _ids(api.get(f"/v1/api-tokens?workspace_id={agent.workspace_id}")) == {tokens[0].pk}


def test_complaints_filter_by_the_office_of_the_employee_they_are_about(api, organisation):
    here, there = OfficeFactory(organisation=organisation), OfficeFactory(organisation=organisation)
    about_here = ComplaintFactory(organisation=organisation, about_employee=EmployeeFactory(office=here))
    ComplaintFactory(organisation=organisation, about_employee=EmployeeFactory(office=there))
    ComplaintFactory(organisation=organisation)

    assert _ids(api.get(f"/v1/hr/complaints?office_id={here.pk}")) == {about_here.pk}


def test_carriers_and_categories_filter_by_the_workspace_and_office_of_their_ledger_lines(api, organisation):
    producer = ProducerFactory(workspace__office__organisation=organisation)
    line = CommissionTransactionFactory(
        producer=producer, category=CategoryFactory(organisation=organisation, kind="revenue_status")
    )
    unused = CommissionTransactionFactory(producer=ProducerFactory(workspace__office__organisation=organisation))
    workspace, office = producer.workspace_id, producer.workspace.office_id

    assert _ids(api.get(f"/v1/carriers?workspace_id={workspace}")) == {line.carrier_id}
    assert _ids(api.get(f"/v1/carriers?office_id={office}")) == {line.carrier_id}
    assert unused.carrier_id in _ids(api.get("/v1/carriers"))
    assert _ids(api.get(f"/v1/categories?workspace_id={workspace}")) == {line.category_id}
    assert _ids(api.get(f"/v1/categories?office_id={office}")) == {line.category_id}


def test_integration_grants_filter_by_grant_date_and_refuse_updated_after(api):
    assert api.get("/v1/integration-grants?created_after=2099-01-01T00:00:00Z").json()["results"] == []
    refused = api.get("/v1/integration-grants?updated_after=2000-01-01T00:00:00Z")
    assert refused.status_code == 422
    assert "updated_after" in refused.json()["errors"]


def test_hr_documents_filter_by_the_role_they_are_addressed_to(api, organisation):
    managers = HRDocumentFactory(organisation=organisation, audience="roles", audience_roles=",manager,hr,")
    HRDocumentFactory(organisation=organisation, audience="roles", audience_roles=",employee,")
    HRDocumentFactory(organisation=organisation)  # everyone

    assert _ids(api.get("/v1/hr/documents?role=manager")) == {managers.pk}
    assert _ids(api.get("/v1/hr/documents?role=owner")) == set()


def test_policies_filter_by_the_role_of_their_writers(api, organisation):
    manager = MembershipFactory(organisation=organisation, role=Role.MANAGER)
    written = PolicyProducerFactory(
        policy__carrier__organisation=organisation,
        producer=ProducerFactory(workspace__office__organisation=organisation, membership=manager),
    ).policy
    PolicyProducerFactory(policy__carrier__organisation=organisation)  # a producer without a login

    assert _ids(api.get("/v1/policies?role=manager")) == {written.pk}


def test_contracts_filter_by_the_workspaces_of_their_employees_login(api, organisation):
    agent = WorkspaceAgentFactory(workspace__office__organisation=organisation)
    theirs = ContractFactory(employee=EmployeeFactory(office=agent.workspace.office, membership=agent.membership))
    ContractFactory(employee=EmployeeFactory(office=agent.workspace.office))

    assert _ids(api.get(f"/v1/contracts?workspace_id={agent.workspace_id}")) == {theirs.pk}


def test_import_rows_filter_by_the_role_of_their_producers_login(api, organisation):
    from payroll.models import ImportBatch, ImportRow

    batch = ImportBatch.objects.create(
        organisation=organisation, carrier=CarrierFactory(organisation=organisation), source="csv", status="review"
    )
    manager = ProducerFactory(
        workspace__office__organisation=organisation,
        membership=MembershipFactory(organisation=organisation, role=Role.MANAGER),
    )
    rows = [
        ImportRow.objects.create(organisation=organisation, batch=batch, line=line, status="matched", producer=producer)
        for line, producer in ((2, manager), (3, ProducerFactory(workspace__office__organisation=organisation)))
    ]
    assert _ids(api.get(f"/v1/imports/{batch.pk}/rows?role=manager")) == {rows[0].pk}
