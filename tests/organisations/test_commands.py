"""Operator commands (issue 2): seed_demo, create_organisation, create_api_client."""

import json
from io import StringIO

import pytest
from django.contrib.auth import password_validation
from django.core.management import CommandError, call_command

from hr.models import Employee
from organisations.choices import Role
from organisations.management.commands.seed_demo import DEMO_PASSWORD, OWNER_EMAIL, SUPERUSER_EMAIL
from organisations.models import (
    Membership,
    OAuthApplication,
    Office,
    Organisation,
    Producer,
    User,
    Workspace,
    WorkspaceAgent,
)
from trackyoursheets.api.scopes import SCOPES

pytestmark = pytest.mark.django_db


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def run_json(command: str, *args: str) -> dict:
    return json.loads(run(command, *args, "--json"))


def printed(output: str, label: str) -> str:
    """The value after ``label`` on the first line that starts with it (ignoring indentation)."""
    line = next(line for line in output.splitlines() if line.strip().startswith(label))
    return line.strip()[len(label) :].strip()


def get_token(client, client_id: str, client_secret: str, **extra):
    return client.post(
        "/oauth/token",
        data=json.dumps(
            {"client_id": client_id, "client_secret": client_secret, "grant_type": "client_credentials", **extra}
        ),
        content_type="application/json",
    )


def row_counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
        "members": Membership.objects.count(),
        "offices": Office.objects.count(),
        "workspaces": Workspace.objects.count(),
        "agents": WorkspaceAgent.objects.count(),
        "producers": Producer.objects.count(),
        "employees": Employee.objects.count(),
        "clients": OAuthApplication.objects.count(),
    }


# =============================================================================
# seed_demo
# =============================================================================


def test_seed_demo_twice_gives_the_same_rows():
    run("seed_demo")
    first = row_counts()

    run("seed_demo")

    assert (
        row_counts()
        == first
        == {
            "organisations": 1,
            "users": 8,
            "members": 7,  # with the project viewer (a client contact: not in the HR directory)
            "offices": 2,
            "workspaces": 3,
            "agents": 4,
            "producers": 4,
            "employees": 8,  # four on the roster from seed_demo, plus the HR directory of every other member
            "clients": 1,
        }
    )


def test_seed_demo_builds_a_scale_organisation_with_every_role():
    run("seed_demo")

    organisation = Organisation.objects.get()
    assert (organisation.slug, organisation.plan) == ("demo", "scale")
    roles = sorted(Membership.objects.for_organisation(organisation).values_list("role", flat=True))
    assert roles == sorted(Role.values)
    assert sorted(Office.objects.values_list("name", "timezone")) == [
        ("London", "Europe/London"),
        ("New York", "America/New_York"),
    ]
    manager = Membership.objects.get(role=Role.MANAGER)
    assert manager.office.name == "New York"
    linked = Producer.objects.get(membership__isnull=False)
    assert (linked.producer_code, linked.membership.role) == ("DEMO-001", Role.PRODUCER)
    assert Employee.objects.filter(membership__isnull=False).count() == 6  # every active member is in the directory
    client = OAuthApplication.objects.get()
    assert (client.name, client.scope_set) == ("Demo integration", frozenset(SCOPES))


def test_seed_demo_logins_use_the_documented_password():
    run("seed_demo")

    owner = User.objects.get(email=OWNER_EMAIL)
    superuser = User.objects.get(email=SUPERUSER_EMAIL)
    assert owner.check_password(DEMO_PASSWORD)
    assert (owner.is_staff, owner.is_superuser) == (False, False)
    assert Membership.objects.get(user=owner).role == Role.OWNER
    assert superuser.check_password(DEMO_PASSWORD)
    assert (superuser.is_staff, superuser.is_superuser) == (True, True)
    assert not Membership.objects.filter(user=superuser).exists()
    password_validation.validate_password(DEMO_PASSWORD, user=owner)  # the documented password passes


def test_seed_demo_superuser_opens_the_django_admin(client):
    run("seed_demo")

    logged_in = client.login(username=SUPERUSER_EMAIL, password=DEMO_PASSWORD)
    response = client.get("/admin/")

    assert logged_in is True
    assert response.status_code == 200


def test_seed_demo_prints_the_urls_logins_and_a_bearer_line():
    output = run("seed_demo", "--base-url", "http://127.0.0.1:8031")

    for url in ("/", "/api/docs", "/api-guide", "/graphql", "/admin/"):
        assert f"http://127.0.0.1:8031{url}\n" in output
    assert f"{OWNER_EMAIL} / {DEMO_PASSWORD}" in output
    assert f"{SUPERUSER_EMAIL} / {DEMO_PASSWORD}" in output
    assert printed(output, "client_id") == OAuthApplication.objects.get().client_id
    assert len([line for line in output.splitlines() if line.startswith("Bearer ")]) == 1


def test_seed_demo_bearer_token_lists_the_demo_workspaces(client):
    output = run("seed_demo")
    bearer = next(line for line in output.splitlines() if line.startswith("Bearer "))

    response = client.get("/v1/workspaces", HTTP_AUTHORIZATION=bearer)

    assert response.status_code == 200
    body = response.json()
    assert body["pagination"]["total"] == 3
    assert [w["name"] for w in body["results"]] == ["Commercial Lines", "London Brokerage", "Personal Lines"]


def test_seed_demo_client_credentials_get_a_token(client):
    output = run("seed_demo")

    response = get_token(client, printed(output, "client_id"), printed(output, "client_secret"))

    assert response.status_code == 200
    assert sorted(response.json()["scope"].split()) == sorted(SCOPES)


def test_seed_demo_rotates_the_client_secret_on_every_run(client):
    first = run_json("seed_demo")
    second = run_json("seed_demo")

    old = get_token(client, first["client"]["client_id"], first["client"]["client_secret"])
    new = get_token(client, second["client"]["client_id"], second["client"]["client_secret"])

    assert second["client"]["client_id"] == first["client"]["client_id"]
    assert second["client"]["client_secret"] != first["client"]["client_secret"]
    assert old.status_code == 401
    assert new.status_code == 200
    assert OAuthApplication.objects.get().client_secret != second["client"]["client_secret"]  # stored hashed


def test_seed_demo_json_reports_the_same_facts(client):
    facts = run_json("seed_demo", "--base-url", "http://localhost:9000/")

    organisation = Organisation.objects.get()
    assert facts["organisation"] == {"id": organisation.pk, "slug": "demo", "name": organisation.name, "plan": "scale"}
    assert facts["urls"] == {
        "app": "http://localhost:9000/",
        "api_docs": "http://localhost:9000/api/docs",
        "api_guide": "http://localhost:9000/api-guide",
        "graphql": "http://localhost:9000/graphql",
        "admin": "http://localhost:9000/admin/",
    }
    assert facts["owner"] == {"email": OWNER_EMAIL, "password": DEMO_PASSWORD}
    assert facts["superuser"] == {"email": SUPERUSER_EMAIL, "password": DEMO_PASSWORD}
    assert sorted(m["role"] for m in facts["members"]) == sorted(Role.values)
    assert facts["client"]["scopes"] == sorted(SCOPES)
    assert facts["authorization"] == f"Bearer {facts['access_token']}"
    response = client.get("/v1/organisations/current", HTTP_AUTHORIZATION=facts["authorization"])
    assert response.status_code == 200
    assert response.json()["slug"] == "demo"


# =============================================================================
# create_organisation
# =============================================================================

STRONG_PASSWORD = "violet-anchor-harbour-7"


def test_create_organisation_json():
    facts = run_json(
        "create_organisation",
        "--name",
        "Acme Insurance",
        "--owner-email",
        "Owner@Acme.test",
        "--owner-password",
        STRONG_PASSWORD,
    )

    organisation = Organisation.objects.get()
    assert facts == {"id": organisation.pk, "slug": "acme-insurance", "name": "Acme Insurance"}
    assert (organisation.plan, organisation.api_rate_limit_per_minute) == ("starter", 1000)
    membership = Membership.objects.get()
    assert (membership.user.email, membership.role) == ("owner@acme.test", Role.OWNER)
    assert membership.user.check_password(STRONG_PASSWORD)


def test_create_organisation_with_plan_and_rate_limit():
    output = run(
        "create_organisation",
        "--name",
        "Beta Brokers",
        "--owner-email",
        "owner@beta.test",
        "--owner-password",
        STRONG_PASSWORD,
        "--plan",
        "growth",
        "--rate-limit",
        "250",
    )

    organisation = Organisation.objects.get()
    assert (organisation.plan, organisation.api_rate_limit_per_minute) == ("growth", 250)
    assert output == (
        f"Created organisation {organisation.pk} 'Beta Brokers' (slug beta-brokers, plan growth, "
        "250 API requests/minute); owner owner@beta.test.\n"
    )


def test_create_organisation_makes_an_existing_user_owner_without_a_password():
    run_json("create_organisation", "--name", "First", "--owner-email", "o@x.test", "--owner-password", STRONG_PASSWORD)

    facts = run_json("create_organisation", "--name", "Second", "--owner-email", "o@x.test")

    assert facts["slug"] == "second"
    assert User.objects.count() == 1
    assert sorted(Membership.objects.values_list("organisation__slug", "role")) == [
        ("first", "owner"),
        ("second", "owner"),
    ]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--plan", "gold"], "Unknown plan 'gold'. Choose one of: starter, growth, scale."),
        (["--rate-limit", "0"], "Could not create the organisation: api_rate_limit_per_minute:"),
        (["--name", "  "], "--name must not be blank."),
    ],
)
def test_create_organisation_refuses_bad_input(extra, message):
    args = ["--name", "Acme", "--owner-email", "owner@acme.test", "--owner-password", STRONG_PASSWORD]

    with pytest.raises(CommandError) as excinfo:
        run("create_organisation", *args, *extra)

    assert str(excinfo.value).startswith(message)
    assert (Organisation.objects.count(), User.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("password", "This password is too short. It must contain at least 10 characters."),
        ("1234567890123", "This password is entirely numeric."),
        ("owner@acme.test", "The password is too similar to the email address."),
    ],
)
def test_create_organisation_refuses_a_weak_password(password, reason):
    with pytest.raises(CommandError) as excinfo:
        run("create_organisation", "--name", "Acme", "--owner-email", "owner@acme.test", "--owner-password", password)

    assert str(excinfo.value).startswith("The owner password is too weak: ")
    assert reason in str(excinfo.value)
    assert Organisation.objects.count() == 0


def test_create_organisation_requires_a_password_for_a_new_user():
    with pytest.raises(CommandError) as excinfo:
        run("create_organisation", "--name", "Acme", "--owner-email", "owner@acme.test")

    assert str(excinfo.value) == "--owner-password is required: there is no user with this email yet."


@pytest.mark.parametrize("name", ["Acme Insurance", "ACME insurance", "Acme-Insurance"])
def test_create_organisation_refuses_a_duplicate(name):
    first = run_json(
        "create_organisation",
        "--name",
        "Acme Insurance",
        "--owner-email",
        "a@acme.test",
        "--owner-password",
        STRONG_PASSWORD,
    )

    with pytest.raises(CommandError) as excinfo:
        run("create_organisation", "--name", name, "--owner-email", "b@acme.test", "--owner-password", STRONG_PASSWORD)

    assert str(excinfo.value) == (
        f"An organisation with this name already exists: 'Acme Insurance' (id {first['id']}, slug acme-insurance)."
    )
    assert Organisation.objects.count() == 1


# =============================================================================
# create_api_client
# =============================================================================


@pytest.fixture
def acme(db):
    run("create_organisation", "--name", "Acme", "--owner-email", "o@acme.test", "--owner-password", STRONG_PASSWORD)
    return Organisation.objects.get(slug="acme")


def test_create_api_client_json_and_the_secret_works(client, acme):
    facts = run_json(
        "create_api_client",
        "--organisation",
        "acme",
        "--name",
        "Finance sync",
        "--scopes",
        "workspaces.read producers.read",
    )

    application = OAuthApplication.objects.get()
    assert facts == {
        "id": application.pk,
        "organisation": "acme",
        "name": "Finance sync",
        "client_id": application.client_id,
        "client_secret": facts["client_secret"],
        "scopes": ["producers.read", "workspaces.read"],
    }
    assert application.organisation == acme
    assert application.client_secret != facts["client_secret"]  # only the hash is stored
    response = get_token(client, facts["client_id"], facts["client_secret"], scope="workspaces.read")
    assert response.status_code == 200
    assert response.json()["scope"] == "workspaces.read"
    workspaces = client.get("/v1/workspaces", HTTP_AUTHORIZATION=f"Bearer {response.json()['access_token']}")
    assert workspaces.status_code == 200


def test_create_api_client_text_shows_the_secret_once(acme):
    output = run("create_api_client", "--organisation", "acme", "--name", "BI", "--scopes", "hr.read,payroll.read")

    application = OAuthApplication.objects.get()
    assert printed(output, "client_id") == application.client_id
    assert len(printed(output, "client_secret")) == 48
    assert printed(output, "scopes") == "hr.read payroll.read"
    assert "shown only this once" in output


def test_create_api_client_refuses_an_unknown_scope(acme):
    with pytest.raises(CommandError) as excinfo:
        run("create_api_client", "--organisation", "acme", "--name", "X", "--scopes", "workspaces.read payroll.admin")

    assert str(excinfo.value) == f"Unknown scope(s): payroll.admin. Valid scopes: {', '.join(SCOPES)}."
    assert OAuthApplication.objects.count() == 0


def test_create_api_client_refuses_an_unknown_organisation(db):
    with pytest.raises(CommandError) as excinfo:
        run("create_api_client", "--organisation", "nope", "--name", "X", "--scopes", "workspaces.read")

    assert str(excinfo.value) == "No organisation with the slug 'nope'."


def test_create_api_client_refuses_no_scopes(acme):
    with pytest.raises(CommandError) as excinfo:
        run("create_api_client", "--organisation", "acme", "--name", "X", "--scopes", " ")

    assert str(excinfo.value) == f"Give at least one scope. Valid scopes: {', '.join(SCOPES)}."
