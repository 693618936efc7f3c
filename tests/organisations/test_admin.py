"""The Django admin (issue 2 point 11), driven over HTTP as a logged-in superuser.

Every model has a changelist and an add page; search and filters find the right
rows; changelists cost the same number of queries for 1 and 20 rows; a related
row of another organisation is refused with a form error; OAuth clients show
their secret once and the secret works at the token endpoint.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import Permission
from django.utils import timezone
from oauth2_provider.models import AccessToken, Grant, IDToken, RefreshToken

from hr.models import Employee, EmployeeStatus
from integrations.models import OutboxEvent
from organisations.admin import OAuthApplicationAdmin
from organisations.choices import MembershipStatus, ProducerStatus, Role, WorkspaceStatus
from organisations.models import (
    ApiToken,
    AuditEvent,
    IdempotencyRecord,
    ImpersonationToken,
    Membership,
    OAuthApplication,
    OAuthApplicationGrant,
    OAuthClientSecret,
    Office,
    Organisation,
    Producer,
    StatusIncident,
    User,
    Workspace,
    WorkspaceAgent,
)
from organisations.plans import PlanCode
from tests.conftest import issue_token
from tests.hr.factories import EmployeeFactory
from tests.organisations.factories import (
    MembershipFactory,
    OAuthApplicationFactory,
    OfficeFactory,
    OrganisationFactory,
    ProducerFactory,
    UserFactory,
    WorkspaceAgentFactory,
    WorkspaceFactory,
)

pytestmark = pytest.mark.django_db

#: The apps whose every model must have an admin (issue 2 point 11). django-oauth-toolkit
#: keeps its own registrations (it has none for DeviceGrant; we offer no device flow).
PROJECT_APPS = ("organisations", "hr", "integrations", "payroll", "timetracking")


# =============================================================================
# Helpers
# =============================================================================


def result_rows(response) -> str:
    """The changelist's result table only (filters and the search box echo other text)."""
    html = response.content.decode()
    start = html.find('id="result_list"')
    return "" if start == -1 else html[start : html.index("</table>", start)]


def row_with(response, text: str) -> str:
    rows = [row for row in result_rows(response).split("<tr") if text in row]
    assert len(rows) == 1, f"{text!r} in {len(rows)} rows"
    return rows[0]


def _form_values(form):
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue
        if value is True:
            yield bound.html_name, "on"
        elif isinstance(value, list | tuple):
            yield bound.html_name, [str(v) for v in value]
        else:
            yield bound.html_name, str(value)


def form_data(response) -> dict:
    """The POST body the admin page in ``response`` sends when saved unchanged."""
    data = dict(_form_values(response.context["adminform"].form))
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_form_values(formset.management_form))
        for form in formset.forms:
            data.update(_form_values(form))
    return data


def inline_prefix(response, model) -> str:
    (formset,) = [i.formset for i in response.context["inline_admin_formsets"] if i.formset.model is model]
    return formset.prefix


def add_inline_row(data: dict, prefix: str, **fields) -> None:
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    data.update({f"{prefix}-{index}-{name}": str(value) for name, value in fields.items()})


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# =============================================================================
# Fixtures: one object of every model in each of two organisations
# =============================================================================


@dataclass
class Tenant:
    organisation: Organisation
    office: Office
    membership: Membership
    workspace: Workspace
    agent: WorkspaceAgent
    producer: Producer
    employee: Employee
    event: OutboxEvent
    application: OAuthApplication
    previous_secret: OAuthClientSecret
    api_token: ApiToken
    impersonation: ImpersonationToken
    audit: AuditEvent
    idempotency: IdempotencyRecord


def make_previous_secret(application) -> OAuthClientSecret:
    return OAuthClientSecret.objects.create(
        application=application, secret_hash="md5$salt$" + "0" * 32, expires_at=timezone.now() + timedelta(hours=24)
    )


def make_api_token(membership, name="Nightly export") -> ApiToken:
    return ApiToken.objects.create(
        organisation=membership.organisation,
        membership=membership,
        name=name,
        prefix="tys_" + secrets.token_hex(4),
        token_hash=secrets.token_hex(32),
        scopes="workspaces.read",
    )


def make_impersonation(producer, application) -> ImpersonationToken:
    return ImpersonationToken.objects.create(
        organisation=producer.organisation,
        producer=producer,
        application=application,
        parent_token_checksum=secrets.token_hex(32),
        token_hash=secrets.token_hex(32),
        prefix="imp_" + secrets.token_hex(4),
        scopes="producers.read",
        expires_at=timezone.now() + timedelta(minutes=15),
    )


def make_audit(organisation, path="/v1/workspaces/1", actor="oauth:client") -> AuditEvent:
    return AuditEvent.objects.create(
        organisation=organisation,
        source=AuditEvent.Source.API,
        actor_label=actor,
        method="PATCH",
        path=path,
        action="workspace.update",
        object_type="workspace",
        object_id="1",
        changes={"name": ["Old", "New"]},
        status_code=200,
    )


def make_idempotency(organisation, key=None) -> IdempotencyRecord:
    return IdempotencyRecord.objects.create(
        organisation=organisation,
        credential=f"oauth:1:org:{organisation.pk}",
        key=key or secrets.token_hex(8),
        fingerprint="f" * 64,
        method="POST",
        path="/v1/workspaces",
        locked_until=timezone.now() + timedelta(seconds=30),
        expires_at=timezone.now() + timedelta(hours=24),
    )


def build_tenant(organisation, *, office, email, full_name, workspace, producer, code, employee, topic, app, key):
    office = OfficeFactory(organisation=organisation, name=office)
    membership = MembershipFactory(organisation=organisation, user=UserFactory(email=email, full_name=full_name))
    workspace = WorkspaceFactory(office=office, name=workspace)
    producer = ProducerFactory(workspace=workspace, display_name=producer, producer_code=code)
    application = OAuthApplicationFactory(organisation=organisation, name=app, scopes="workspaces.read")
    first_name, last_name = employee
    return Tenant(
        organisation=organisation,
        office=office,
        membership=membership,
        workspace=workspace,
        agent=WorkspaceAgentFactory(workspace=workspace, membership=membership),
        producer=producer,
        employee=EmployeeFactory(office=office, first_name=first_name, last_name=last_name, membership=membership),
        event=OutboxEvent.objects.create(organisation=organisation, topic=topic, payload={"id": 1}),
        application=application,
        previous_secret=make_previous_secret(application),
        api_token=make_api_token(membership, name=f"{full_name} script"),
        impersonation=make_impersonation(producer, application),
        audit=make_audit(organisation, path=f"/v1/{key}", actor=email),
        idempotency=make_idempotency(organisation, key=key),
    )


@pytest.fixture
def acme(organisation) -> Tenant:
    tenant = build_tenant(
        organisation,
        office="Head Office",
        email="alice@acme.test",
        full_name="Alice Anders",
        workspace="North Pod",
        producer="Paula Prentice",
        code="ACME-001",
        employee=("Eve", "Ellison"),
        topic="organisation.workspace.created",
        app="Acme Payroll Sync",
        key="acme-key-1",
    )
    Producer.objects.filter(pk=tenant.producer.pk).update(portal_access=True, email="paula@acme.test")
    OutboxEvent.objects.filter(pk=tenant.event.pk).update(dispatched_at=timezone.now())
    return tenant


@pytest.fixture
def rival(other_organisation, organisation) -> Tenant:
    Organisation.objects.filter(pk=other_organisation.pk).update(plan=PlanCode.GROWTH, is_active=False)
    other_organisation.refresh_from_db()
    tenant = build_tenant(
        other_organisation,
        office="Harbour Office",
        email="bob@rival.test",
        full_name="Bob Brook",
        workspace="South Pod",
        producer="Rick Rowe",
        code="RIV-002",
        employee=("Ron", "Ramsey"),
        topic="organisation.producer.created",
        app="Rival Connector",
        key="rival-key-2",
    )
    OAuthApplicationGrant.objects.create(application=tenant.application, organisation=organisation)
    Producer.objects.filter(pk=tenant.producer.pk).update(status=ProducerStatus.INACTIVE)
    Employee.objects.filter(pk=tenant.employee.pk).update(status=EmployeeStatus.TERMINATED)
    Membership.objects.filter(pk=tenant.membership.pk).update(role=Role.MANAGER)
    Workspace.objects.filter(pk=tenant.workspace.pk).update(status=WorkspaceStatus.ARCHIVED)
    ApiToken.objects.filter(pk=tenant.api_token.pk).update(revoked_at=timezone.now())
    AuditEvent.objects.filter(pk=tenant.audit.pk).update(source=AuditEvent.Source.GRAPHQL)
    return tenant


# =============================================================================
# Every model has an admin whose pages answer
# =============================================================================


def test_every_model_has_an_admin():
    missing = [
        model._meta.label
        for app_label in PROJECT_APPS
        for model in apps.get_app_config(app_label).get_models()
        if not admin.site.is_registered(model)
    ]

    assert missing == []


def test_oauth_application_uses_our_admin_and_dot_keeps_its_token_admins():
    assert type(admin.site.get_model_admin(OAuthApplication)) is OAuthApplicationAdmin
    assert [admin.site.is_registered(m) for m in (AccessToken, RefreshToken, Grant, IDToken)] == [True] * 4


EDITABLE = {
    "organisations/user": lambda t: t.membership.user,
    "organisations/organisation": lambda t: t.organisation,
    "organisations/office": lambda t: t.office,
    "organisations/membership": lambda t: t.membership,
    "organisations/workspace": lambda t: t.workspace,
    "organisations/workspaceagent": lambda t: t.agent,
    "organisations/producer": lambda t: t.producer,
    "organisations/oauthapplication": lambda t: t.application,
    "hr/employee": lambda t: t.employee,
    "organisations/oauthapplicationgrant": lambda t: OAuthApplicationGrant.objects.get(application=t.application),
    "organisations/statusincident": lambda t: StatusIncident.objects.create(title="API latency", body="Slow."),
}
READ_ONLY = {
    "integrations/outboxevent": lambda t: t.event,
    "organisations/oauthclientsecret": lambda t: t.previous_secret,
    "organisations/apitoken": lambda t: t.api_token,
    "organisations/impersonationtoken": lambda t: t.impersonation,
    "organisations/auditevent": lambda t: t.audit,
    "organisations/idempotencyrecord": lambda t: t.idempotency,
    "organisations/invitation": None,
    "oauth2_provider/accesstoken": lambda t: AccessToken.objects.get(application=t.application),
    "oauth2_provider/refreshtoken": None,
    "oauth2_provider/grant": None,
    "oauth2_provider/idtoken": None,
}


@pytest.mark.parametrize("path", EDITABLE)
def test_changelist_add_and_change_pages_answer(admin_client, acme, rival, path):
    obj = EDITABLE[path](rival)

    assert admin_client.get(f"/admin/{path}/").status_code == 200
    assert admin_client.get(f"/admin/{path}/add/").status_code == 200
    assert admin_client.get(f"/admin/{path}/{obj.pk}/change/").status_code == 200
    assert admin_client.get(f"/admin/{path}/{obj.pk}/delete/").status_code == 200


@pytest.mark.parametrize("path", READ_ONLY)
def test_read_only_admins_list_and_show_but_refuse_adding(admin_client, acme, path):
    issue_token(acme.application)
    get_obj = READ_ONLY[path]

    assert admin_client.get(f"/admin/{path}/").status_code == 200
    assert admin_client.get(f"/admin/{path}/add/").status_code == 403
    if get_obj is not None:
        assert admin_client.get(f"/admin/{path}/{get_obj(acme).pk}/change/").status_code == 200


# =============================================================================
# Search and filters find the expected rows and no others
# =============================================================================


SEARCHES = [
    ("organisations/user", "alice@acme", "alice@acme.test", "bob@rival.test"),
    ("organisations/user", "Brook", "bob@rival.test", "alice@acme.test"),
    ("organisations/organisation", "acme", "Acme Insurance", "Rival Brokers"),
    ("organisations/office", "Harbour", "Harbour Office", "Head Office"),
    ("organisations/membership", "Alice Anders", "alice@acme.test", "bob@rival.test"),
    ("organisations/workspace", "North", "North Pod", "South Pod"),
    ("organisations/workspaceagent", "bob@rival", "bob@rival.test", "alice@acme.test"),
    ("organisations/producer", "Paula", "Paula Prentice", "Rick Rowe"),
    ("organisations/producer", "RIV-002", "Rick Rowe", "Paula Prentice"),
    ("organisations/producer", "paula@acme", "Paula Prentice", "Rick Rowe"),
    ("organisations/oauthapplication", "Connector", "Rival Connector", "Acme Payroll Sync"),
    ("hr/employee", "Ellison", "Ellison", "Ramsey"),
    ("integrations/outboxevent", "producer.created", "organisation.producer.created", "organisation.workspace.created"),
    ("organisations/oauthapplicationgrant", "Rival Conn", "Rival Connector", "Acme Payroll Sync"),
    ("organisations/oauthclientsecret", "Acme Payroll", "Acme Payroll Sync", "Rival Connector"),
    ("organisations/apitoken", "bob@rival", "Bob Brook script", "Alice Anders script"),
    ("organisations/impersonationtoken", "Paula", "Paula Prentice", "Rick Rowe"),
    ("organisations/auditevent", "alice@acme", "/v1/acme-key-1", "/v1/rival-key-2"),
    ("organisations/idempotencyrecord", "rival-key-2", "rival-key-2", "acme-key-1"),
]


@pytest.mark.parametrize(("path", "term", "expected", "unexpected"), SEARCHES)
def test_search_finds_the_row(admin_client, acme, rival, path, term, expected, unexpected):
    response = admin_client.get(f"/admin/{path}/", {"q": term})

    assert response.status_code == 200
    rows = result_rows(response)
    assert expected in rows
    assert unexpected not in rows


FILTERS = [
    ("organisations/user", lambda a, r: {"is_superuser__exact": "1"}, "admin@example.com", "alice@acme.test"),
    ("organisations/user", lambda a, r: {"is_staff__exact": "0"}, "alice@acme.test", "admin@example.com"),
    ("organisations/organisation", lambda a, r: {"plan__exact": PlanCode.GROWTH}, "Rival Brokers", "Acme Insurance"),
    ("organisations/organisation", lambda a, r: {"is_active__exact": "0"}, "Rival Brokers", "Acme Insurance"),
    ("organisations/office", lambda a, r: {"organisation__id__exact": a.organisation.pk}, "Head Office", "Harbour"),
    ("organisations/membership", lambda a, r: {"organisation__id__exact": r.organisation.pk}, "bob@", "alice@"),
    ("organisations/membership", lambda a, r: {"role__exact": Role.MANAGER}, "bob@rival.test", "alice@acme.test"),
    ("organisations/workspace", lambda a, r: {"organisation__id__exact": a.organisation.pk}, "North Pod", "South"),
    ("organisations/workspace", lambda a, r: {"status__exact": WorkspaceStatus.ARCHIVED}, "South Pod", "North"),
    ("organisations/workspaceagent", lambda a, r: {"organisation__id__exact": a.organisation.pk}, "alice@", "bob@"),
    ("organisations/producer", lambda a, r: {"status__exact": ProducerStatus.INACTIVE}, "Rick Rowe", "Paula"),
    ("organisations/producer", lambda a, r: {"portal_access__exact": "1"}, "Paula Prentice", "Rick"),
    ("organisations/producer", lambda a, r: {"organisation__id__exact": r.organisation.pk}, "Rick Rowe", "Paula"),
    (
        "organisations/oauthapplication",
        lambda a, r: {"organisation__id__exact": a.organisation.pk},
        "Acme Payroll Sync",
        "Rival Connector",
    ),
    ("hr/employee", lambda a, r: {"organisation__id__exact": a.organisation.pk}, "Ellison", "Ramsey"),
    ("hr/employee", lambda a, r: {"status__exact": EmployeeStatus.TERMINATED}, "Ramsey", "Ellison"),
    ("integrations/outboxevent", lambda a, r: {"dispatched": "yes"}, "workspace.created", "producer.created"),
    ("integrations/outboxevent", lambda a, r: {"dispatched": "no"}, "producer.created", "workspace.created"),
    (
        "integrations/outboxevent",
        lambda a, r: {"topic": "organisation.producer.created"},
        "producer.created",
        "workspace.created",
    ),
    (
        "integrations/outboxevent",
        lambda a, r: {"organisation__id__exact": a.organisation.pk},
        "workspace.created",
        "producer.created",
    ),
    (
        "organisations/oauthapplicationgrant",
        lambda a, r: {"organisation__id__exact": a.organisation.pk},
        "Rival Connector",
        "Acme Payroll Sync",
    ),
    (
        "organisations/oauthclientsecret",
        lambda a, r: {"application__organisation__id__exact": r.organisation.pk},
        "Rival Connector",
        "Acme Payroll Sync",
    ),
    ("organisations/apitoken", lambda a, r: {"revoked_at__isempty": "0"}, "Bob Brook script", "Alice Anders"),
    ("organisations/apitoken", lambda a, r: {"organisation__id__exact": a.organisation.pk}, "Alice Anders", "Bob"),
    ("organisations/impersonationtoken", lambda a, r: {"organisation__id__exact": r.organisation.pk}, "Rick", "Paula"),
    ("organisations/auditevent", lambda a, r: {"source__exact": "graphql"}, "/v1/rival-key-2", "/v1/acme-key-1"),
    ("organisations/auditevent", lambda a, r: {"organisation__id__exact": a.organisation.pk}, "acme-key", "rival-key"),
    ("organisations/idempotencyrecord", lambda a, r: {"organisation__id__exact": a.organisation.pk}, "acme-", "rival-"),
]


@pytest.mark.parametrize(("path", "params", "expected", "unexpected"), FILTERS)
def test_filter_keeps_the_row(admin_client, acme, rival, path, params, expected, unexpected):
    response = admin_client.get(f"/admin/{path}/", params(acme, rival))

    assert response.status_code == 200
    rows = result_rows(response)
    assert expected in rows
    assert unexpected not in rows


# =============================================================================
# Changelists do not run a query per row
# =============================================================================


def _organisation_in_use():
    workspace = WorkspaceFactory()
    MembershipFactory(organisation=workspace.organisation)


def _membership_with_office():
    office = OfficeFactory()
    MembershipFactory(organisation=office.organisation, office=office)


def _employee_with_login():
    employee = EmployeeFactory()
    employee.membership = MembershipFactory(organisation=employee.organisation)
    employee.save()


def _event():
    OutboxEvent.objects.create(organisation=OrganisationFactory(), topic="organisation.workspace.created")


#: One row per call, each in a new organisation, so a missing select_related shows.
ROW_BUILDERS = {
    "organisations/user": UserFactory,
    "organisations/organisation": _organisation_in_use,
    "organisations/office": OfficeFactory,
    "organisations/membership": _membership_with_office,
    "organisations/workspace": WorkspaceAgentFactory,
    "organisations/workspaceagent": WorkspaceAgentFactory,
    "organisations/producer": ProducerFactory,
    "organisations/oauthapplication": OAuthApplicationFactory,
    "hr/employee": _employee_with_login,
    "integrations/outboxevent": _event,
    "oauth2_provider/accesstoken": lambda: issue_token(OAuthApplicationFactory()),
    "organisations/oauthapplicationgrant": lambda: OAuthApplicationGrant.objects.create(
        application=OAuthApplicationFactory(), organisation=OrganisationFactory(), granted_by=UserFactory()
    ),
    "organisations/oauthclientsecret": lambda: make_previous_secret(OAuthApplicationFactory()),
    "organisations/apitoken": lambda: make_api_token(MembershipFactory()),
    "organisations/impersonationtoken": lambda: make_impersonation(
        producer := ProducerFactory(), OAuthApplicationFactory(organisation=producer.organisation)
    ),
    "organisations/auditevent": lambda: make_audit(OrganisationFactory()),
    "organisations/idempotencyrecord": lambda: make_idempotency(OrganisationFactory()),
}


@pytest.mark.parametrize("path", ROW_BUILDERS)
def test_changelist_queries_do_not_grow_with_rows(admin_client, count_queries, path):
    build = ROW_BUILDERS[path]

    def changelist():
        assert admin_client.get(f"/admin/{path}/").status_code == 200

    build()
    changelist()  # warm caches (content types, session)
    one_row = count_queries(changelist)
    for _ in range(19):
        build()
    twenty_rows = count_queries(changelist)

    assert twenty_rows == one_row


# =============================================================================
# Users
# =============================================================================


def test_adding_a_user_takes_an_email_and_two_passwords(admin_client):
    response = admin_client.post(
        "/admin/organisations/user/add/",
        {
            "email": "New.Person@Example.TEST",
            "full_name": "New Person",
            "usable_password": "true",
            "password1": "tidy-Lantern-8841",
            "password2": "tidy-Lantern-8841",
        },
    )

    user = User.objects.get(email="new.person@example.test")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/organisations/user/{user.pk}/change/"
    assert user.full_name == "New Person"
    assert user.check_password("tidy-Lantern-8841")


def test_adding_a_user_refuses_an_email_in_use_in_another_case(admin_client, acme):
    response = admin_client.post(
        "/admin/organisations/user/add/",
        {
            "email": "ALICE@acme.test",
            "usable_password": "true",
            "password1": "tidy-Lantern-8841",
            "password2": "tidy-Lantern-8841",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"email": ["A user with this email address already exists."]}
    assert User.objects.filter(email__iexact="alice@acme.test").count() == 1


def test_adding_a_user_refuses_mismatched_passwords(admin_client):
    response = admin_client.post(
        "/admin/organisations/user/add/",
        {
            "email": "someone@example.test",
            "usable_password": "true",
            "password1": "tidy-Lantern-8841",
            "password2": "tidy-Lantern-8842",
        },
    )

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["password2"]
    assert not User.objects.filter(email="someone@example.test").exists()


def test_password_change_page_answers(admin_client, acme):
    response = admin_client.post(
        f"/admin/organisations/user/{acme.membership.user.pk}/password/",
        {"usable_password": "true", "password1": "quiet-Harbour-5512", "password2": "quiet-Harbour-5512"},
    )

    assert response.status_code == 302
    assert User.objects.get(pk=acme.membership.user.pk).check_password("quiet-Harbour-5512")


def test_staff_without_superuser_cannot_hand_out_superuser_status(client, acme):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(content_type__app_label="organisations", codename__in=["view_user", "change_user"])
    )
    client.force_login(staff)
    user = acme.membership.user
    url = f"/admin/organisations/user/{user.pk}/change/"
    data = form_data(client.get(url))
    data.update(is_superuser="on", full_name="Alice A. Anders")

    response = client.post(url, data)

    user.refresh_from_db()
    assert response.status_code == 302
    assert user.full_name == "Alice A. Anders"
    assert user.is_superuser is False


def test_staff_without_permissions_cannot_open_model_pages(client, acme):
    client.force_login(UserFactory(is_staff=True))

    assert client.get("/admin/organisations/oauthapplication/").status_code == 403
    assert client.get("/admin/organisations/oauthapplication/add/").status_code == 403
    assert client.get("/admin/hr/employee/").status_code == 403


def test_user_page_lists_the_users_memberships(admin_client, acme, make_member, rival):
    user = acme.membership.user
    make_member(rival.organisation, Role.HR, user=user)

    response = admin_client.get(f"/admin/organisations/user/{user.pk}/change/")

    content = response.content.decode()
    assert response.status_code == 200
    assert "Acme Insurance" in content
    assert "Rival Brokers" in content
    assert ">HR<" in content


# =============================================================================
# Organisations
# =============================================================================


def test_organisation_changelist_shows_usage_against_the_plan(admin_client, acme, rival, make_member):
    make_member(acme.organisation, status=MembershipStatus.INVITED)
    make_member(acme.organisation)
    WorkspaceFactory(office=acme.office, status=WorkspaceStatus.ARCHIVED)

    response = admin_client.get("/admin/organisations/organisation/")

    acme_row = row_with(response, "Acme Insurance")
    rival_row = row_with(response, "Rival Brokers")
    assert '<td class="field-seats">2 / 250</td>' in acme_row
    assert '<td class="field-workspaces">1 / 100</td>' in acme_row
    assert '<td class="field-seats">1 / 25</td>' in rival_row
    assert '<td class="field-workspaces">0 / 15</td>' in rival_row


def test_organisation_page_shows_effective_features(admin_client, organisation):
    Organisation.objects.filter(pk=organisation.pk).update(plan=PlanCode.STARTER, feature_toggles={"hr": False})

    response = admin_client.get(f"/admin/organisations/organisation/{organisation.pk}/change/")

    content = response.content.decode()
    assert "<tr><td>hr</td><td>yes</td><td>off</td><td><strong>disabled</strong></td></tr>" in content
    assert "<tr><td>api</td><td>yes</td><td>—</td><td><strong>enabled</strong></td></tr>" in content
    assert "<tr><td>webhooks</td><td>no</td><td>—</td><td><strong>disabled</strong></td></tr>" in content


def test_organisation_page_offers_only_its_own_offices_and_members(admin_client, acme, rival):
    response = admin_client.get(f"/admin/organisations/organisation/{acme.organisation.pk}/change/")

    content = response.content.decode()
    assert "Head Office" in content
    assert "alice@acme.test" in content
    assert "North Pod" in content
    assert "Harbour Office" not in content
    assert "bob@rival.test" not in content
    assert "South Pod" not in content


def test_adding_an_organisation_with_an_office_inline(admin_client):
    data = form_data(admin_client.get("/admin/organisations/organisation/add/"))
    data.update(name="New Agency", slug="new-agency", plan=PlanCode.GROWTH)
    add_inline_row(data, "office_set", name="Main Street", timezone="Europe/London", address="")

    response = admin_client.post("/admin/organisations/organisation/add/", data)

    assert response.status_code == 302
    office = Office.objects.get(name="Main Street")
    assert office.organisation == Organisation.objects.get(slug="new-agency")
    assert office.timezone == "Europe/London"


def test_organisation_refuses_unknown_feature_toggles(admin_client, organisation):
    url = f"/admin/organisations/organisation/{organisation.pk}/change/"
    data = form_data(admin_client.get(url))
    data["feature_toggles"] = '{"teleport": true}'

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"feature_toggles": ["Unknown features: teleport."]}


def test_adding_a_member_past_the_seat_limit_warns(admin_client, make_member):
    organisation = OrganisationFactory(plan=PlanCode.STARTER)
    for _ in range(5):
        make_member(organisation)
    user = UserFactory()

    response = admin_client.post(
        "/admin/organisations/membership/add/",
        {"organisation": organisation.pk, "user": user.pk, "role": Role.EMPLOYEE, "status": MembershipStatus.ACTIVE},
        follow=True,
    )

    assert response.status_code == 200
    assert f"{organisation.name} now has 6 active seats; the Starter plan allows 5." in messages_of(response)


def test_admin_changes_land_in_the_audit_trail(admin_client, admin_user, acme):
    url = f"/admin/organisations/workspace/{acme.workspace.pk}/change/"
    data = form_data(admin_client.get(url))
    data["name"] = "North Pod East"

    response = admin_client.post(url, data)

    event = AuditEvent.objects.get(source=AuditEvent.Source.ADMIN)
    assert response.status_code == 302
    assert (event.organisation, event.actor_user, event.action, event.object_id) == (
        acme.organisation,
        admin_user,
        "workspace.update",
        str(acme.workspace.pk),
    )
    assert event.changes == {"fields": ["Name"]}


# =============================================================================
# Tenancy: a related row of another organisation is refused
# =============================================================================


def test_workspace_with_an_office_of_another_organisation_is_refused(admin_client, acme, rival):
    data = form_data(admin_client.get("/admin/organisations/workspace/add/"))
    data.update(organisation=acme.organisation.pk, office=rival.office.pk, name="Bridge Pod")

    response = admin_client.post("/admin/organisations/workspace/add/", data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "office": [
            "“Harbour Office” belongs to another organisation (Rival Brokers); choose one of this organisation’s."
        ]
    }
    assert not Workspace.objects.filter(name="Bridge Pod").exists()


def test_workspace_office_choices_follow_the_organisation(admin_client, acme, rival):
    add_url = "/admin/organisations/workspace/add/"

    unscoped = admin_client.get(add_url).content.decode()
    scoped = admin_client.get(add_url, {"organisation": acme.organisation.pk}).content.decode()
    change = admin_client.get(f"/admin/organisations/workspace/{acme.workspace.pk}/change/").content.decode()

    assert "Head Office · Acme Insurance" in unscoped
    assert "Harbour Office · Rival Brokers" in unscoped
    assert "Head Office" in scoped
    assert "Harbour Office" not in scoped
    assert "Head Office" in change
    assert "Harbour Office" not in change


def test_workspace_agent_inline_offers_only_members_of_the_workspace_organisation(admin_client, acme, rival):
    response = admin_client.get(f"/admin/organisations/workspace/{acme.workspace.pk}/change/")

    content = response.content.decode()
    assert "alice@acme.test" in content
    assert "bob@rival.test" not in content


def test_workspace_agent_inline_refuses_a_member_of_another_organisation(admin_client, acme, rival):
    url = f"/admin/organisations/workspace/{acme.workspace.pk}/change/"
    page = admin_client.get(url)
    data = form_data(page)
    add_inline_row(data, inline_prefix(page, WorkspaceAgent), membership=rival.membership.pk)

    response = admin_client.post(url, data)

    assert response.status_code == 200
    (inline,) = response.context["inline_admin_formsets"]
    assert inline.formset.errors == [
        {},
        {"membership": ["Select a valid choice. That choice is not one of the available choices."]},
    ]
    assert list(WorkspaceAgent.objects.filter(workspace=acme.workspace)) == [acme.agent]


def test_workspace_agent_inline_adds_a_member_of_the_same_organisation(admin_client, acme, make_member):
    colleague = make_member(acme.organisation)
    url = f"/admin/organisations/workspace/{acme.workspace.pk}/change/"
    page = admin_client.get(url)
    data = form_data(page)
    add_inline_row(data, inline_prefix(page, WorkspaceAgent), membership=colleague.pk)

    response = admin_client.post(url, data)

    assert response.status_code == 302
    added = WorkspaceAgent.objects.get(workspace=acme.workspace, membership=colleague)
    assert added.organisation == acme.organisation


def test_workspace_agent_of_another_organisation_is_refused(admin_client, acme, rival):
    response = admin_client.post(
        "/admin/organisations/workspaceagent/add/",
        {"organisation": acme.organisation.pk, "workspace": acme.workspace.pk, "membership": rival.membership.pk},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "membership": [
            "“bob@rival.test (Manager)” belongs to another organisation (Rival Brokers); "
            "choose one of this organisation’s."
        ]
    }
    assert WorkspaceAgent.objects.count() == 2


def test_producer_choices_are_limited_to_its_organisation_when_editing(admin_client, acme, rival):
    url = f"/admin/organisations/producer/{acme.producer.pk}/change/"
    page = admin_client.get(url)
    data = form_data(page)
    data["workspace"] = rival.workspace.pk

    response = admin_client.post(url, data)

    content = page.content.decode()
    assert "North Pod" in content
    assert "South Pod" not in content
    assert "bob@rival.test" not in content
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "workspace": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert Producer.objects.get(pk=acme.producer.pk).workspace == acme.workspace


def test_employee_with_an_office_of_another_organisation_is_refused(admin_client, acme, rival):
    response = admin_client.post(
        "/admin/hr/employee/add/",
        {
            "organisation": acme.organisation.pk,
            "first_name": "Nina",
            "office": rival.office.pk,
            "status": EmployeeStatus.ACTIVE,
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "office": [
            "“Harbour Office” belongs to another organisation (Rival Brokers); choose one of this organisation’s."
        ]
    }
    assert not Employee.objects.filter(first_name="Nina").exists()


def test_organisation_of_an_existing_row_cannot_be_changed(admin_client, acme, rival):
    url = f"/admin/organisations/office/{acme.office.pk}/change/"
    data = form_data(admin_client.get(url))
    data["organisation"] = rival.organisation.pk

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert Office.objects.get(pk=acme.office.pk).organisation == acme.organisation


# =============================================================================
# OAuth clients
# =============================================================================


def test_adding_an_oauth_client_shows_a_working_secret_once(admin_client, admin_user, organisation):
    response = admin_client.post(
        "/admin/organisations/oauthapplication/add/",
        {"organisation": organisation.pk, "name": "Payroll Sync", "scopes": ["workspaces.read", "producers.read"]},
        follow=True,
    )

    application = OAuthApplication.objects.get(name="Payroll Sync")
    content = response.content.decode()
    (secret,) = re.findall(r"and client secret <code>([^<]+)</code>", content)
    assert response.status_code == 200
    assert f"<code>{application.client_id}</code>" in content
    assert application.organisation == organisation
    assert application.scopes == "producers.read workspaces.read"
    assert application.created_by == admin_user
    assert application.client_type == OAuthApplication.CLIENT_CONFIDENTIAL
    assert application.authorization_grant_type == OAuthApplication.GRANT_CLIENT_CREDENTIALS
    assert application.client_secret != secret
    assert check_password(secret, application.client_secret)

    for url in (
        "/admin/organisations/oauthapplication/",
        f"/admin/organisations/oauthapplication/{application.pk}/change/",
    ):
        later = admin_client.get(url).content.decode()
        assert secret not in later
        assert application.client_secret not in later

    token = admin_client.post(
        "/oauth/token",
        urlencode({"grant_type": "client_credentials", "client_id": application.client_id, "client_secret": secret}),
        content_type="application/x-www-form-urlencoded",
    )
    assert token.status_code == 200
    assert token.json()["token_type"] == "Bearer"
    assert set(token.json()["scope"].split()) == {"producers.read", "workspaces.read"}


def test_rotating_a_client_secret_shows_the_new_one_once(admin_client, acme):
    application = acme.application
    old_hash = OAuthApplication.objects.get(pk=application.pk).client_secret

    response = admin_client.post(
        "/admin/organisations/oauthapplication/",
        {"action": "rotate_secret", "_selected_action": [application.pk]},
        follow=True,
    )

    (secret,) = re.findall(r"and client secret <code>([^<]+)</code>", response.content.decode())
    application.refresh_from_db()
    assert response.status_code == 200
    assert check_password(secret, application.client_secret)
    assert OAuthClientSecret.objects.filter(application=application, secret_hash=old_hash).count() == 1
    assert secret not in admin_client.get("/admin/organisations/oauthapplication/").content.decode()
    token = admin_client.post(
        "/oauth/token",
        urlencode({"grant_type": "client_credentials", "client_id": application.client_id, "client_secret": secret}),
        content_type="application/x-www-form-urlencoded",
    )
    assert token.status_code == 200


def test_ending_the_grace_of_previous_secrets(admin_client, acme):
    response = admin_client.post(
        "/admin/organisations/oauthapplication/",
        {"action": "revoke_previous_secrets", "_selected_action": [acme.application.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "1 previous secrets no longer work." in messages_of(response)
    assert OAuthClientSecret.objects.get(pk=acme.previous_secret.pk).revoked_at is not None


def test_granting_a_client_another_organisation(admin_client, admin_user, acme, rival):
    response = admin_client.post(
        "/admin/organisations/oauthapplicationgrant/add/",
        {"application": acme.application.pk, "organisation": rival.organisation.pk},
    )

    grant = OAuthApplicationGrant.objects.get(application=acme.application)
    assert response.status_code == 302
    assert (grant.organisation, grant.granted_by) == (rival.organisation, admin_user)


def test_a_client_is_not_granted_its_own_organisation(admin_client, acme):
    response = admin_client.post(
        "/admin/organisations/oauthapplicationgrant/add/",
        {"application": acme.application.pk, "organisation": acme.organisation.pk},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "organisation": ["A client always acts in its own organisation."]
    }
    assert not OAuthApplicationGrant.objects.filter(application=acme.application).exists()


def test_oauth_client_scopes_are_edited_as_choices(admin_client, acme):
    url = f"/admin/organisations/oauthapplication/{acme.application.pk}/change/"
    page = admin_client.get(url)
    data = form_data(page)
    data["scopes"] = ["hr.read", "workspaces.read"]

    response = admin_client.post(url, data)

    assert page.context["adminform"].form["scopes"].value() == ["workspaces.read"]
    assert response.status_code == 302
    assert OAuthApplication.objects.get(pk=acme.application.pk).scopes == "hr.read workspaces.read"


def test_oauth_client_refuses_unknown_scopes(admin_client, organisation):
    response = admin_client.post(
        "/admin/organisations/oauthapplication/add/",
        {"organisation": organisation.pk, "name": "Bad", "scopes": ["root"]},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "scopes": ["Select a valid choice. root is not one of the available choices."]
    }
    assert not OAuthApplication.objects.filter(name="Bad").exists()


def test_stored_hashes_and_replayed_bodies_are_never_shown(admin_client, acme):
    IdempotencyRecord.objects.filter(pk=acme.idempotency.pk).update(response_body=b"tenant-private-body")
    application = OAuthApplication.objects.get(pk=acme.application.pk)
    pages = {
        f"/admin/organisations/oauthapplication/{application.pk}/change/": [application.client_secret],
        f"/admin/organisations/oauthclientsecret/{acme.previous_secret.pk}/change/": [acme.previous_secret.secret_hash],
        f"/admin/organisations/apitoken/{acme.api_token.pk}/change/": [acme.api_token.token_hash],
        f"/admin/organisations/impersonationtoken/{acme.impersonation.pk}/change/": [
            acme.impersonation.token_hash,
            acme.impersonation.parent_token_checksum,
        ],
        f"/admin/organisations/idempotencyrecord/{acme.idempotency.pk}/change/": ["tenant-private-body"],
    }

    for url, hidden in pages.items():
        response = admin_client.get(url)
        assert response.status_code == 200
        assert [value for value in hidden if value in response.content.decode()] == []


def test_revoking_api_tokens(admin_client, acme):
    response = admin_client.post(
        "/admin/organisations/apitoken/",
        {"action": "revoke", "_selected_action": [acme.api_token.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert ApiToken.objects.get(pk=acme.api_token.pk).revoked_at is not None
    assert AuditEvent.objects.filter(source=AuditEvent.Source.ADMIN, action="apitoken.update").count() == 1


def test_deleting_an_idempotency_record_releases_the_key(admin_client, acme):
    response = admin_client.post(
        f"/admin/organisations/idempotencyrecord/{acme.idempotency.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 302
    assert not IdempotencyRecord.objects.filter(pk=acme.idempotency.pk).exists()


# =============================================================================
# The outbox is read-only
# =============================================================================


def test_outbox_event_admin_is_read_only(admin_client, acme):
    change_url = f"/admin/integrations/outboxevent/{acme.event.pk}/change/"

    page = admin_client.get(change_url)
    post = admin_client.post(change_url, {"topic": "forged"})
    delete = admin_client.get(f"/admin/integrations/outboxevent/{acme.event.pk}/delete/")

    assert admin_client.get("/admin/integrations/outboxevent/add/").status_code == 403
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert "&quot;id&quot;: 1" in page.content.decode()
    assert post.status_code == 403
    assert delete.status_code == 403
    assert OutboxEvent.objects.get(pk=acme.event.pk).topic == "organisation.workspace.created"
