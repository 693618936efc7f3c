"""The app shell through HTTP (issue 4 point 3, issue 3 point 9): login and its hardening, logout,
password reset, the organisation switcher, the dashboard per role, CSRF and escaping."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client

from organisations.choices import MembershipStatus, Role
from organisations.forms import LOGIN_FAILURES_PER_EMAIL, LOGIN_FAILURES_PER_IP, login_throttle_reset
from trackyoursheets.api.authentication import SESSION_ORGANISATION_KEY

from .factories import DEFAULT_PASSWORD, MembershipFactory, OrganisationFactory, ProducerFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/app/login"
LOCKED = "Too many failed attempts to log in"
NO_MATCH = "That email and password do not match an account"


def log_in(client, email, password=DEFAULT_PASSWORD, **extra):
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


# =============================================================================
# Login
# =============================================================================


def test_login_page_has_labelled_fields_and_a_csrf_token(client):
    response = client.get(LOGIN)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<label for="id_username">Email' in html
    assert '<label for="id_password">Password' in html
    assert 'href="/app/password-reset"' in html


def test_right_password_lands_on_the_dashboard_with_a_welcome(client, owner):
    response = log_in(client, owner.user.email)

    assert response.status_code == 302
    assert response["Location"] == "/app/"
    page = client.get("/app/")
    assert page.status_code == 200
    assert "Welcome back" in page.content.decode()
    assert "Acme Insurance" in page.content.decode()


def test_email_is_case_insensitive(client, owner):
    assert log_in(client, owner.user.email.upper()).status_code == 302


def test_a_safe_next_is_followed(client, owner):
    response = client.post(f"{LOGIN}?next=/app/team", {"username": owner.user.email, "password": DEFAULT_PASSWORD})

    assert response["Location"] == "/app/team"


@pytest.mark.parametrize(
    "evil",
    ["https://evil.example", "//evil.example/x", "https://evil.example/app/", "/\\evil.example", "javascript:alert(1)"],
)
def test_an_unsafe_next_lands_on_the_dashboard(client, owner, evil):
    response = client.post(LOGIN, {"username": owner.user.email, "password": DEFAULT_PASSWORD, "next": evil})

    assert response.status_code == 302
    assert response["Location"] == "/app/"


def test_wrong_password_and_unknown_email_get_the_same_answer(client, owner):
    wrong = log_in(client, owner.user.email, "not-the-password")
    unknown = log_in(client, "nobody@example.test", "not-the-password")

    assert wrong.status_code == unknown.status_code == 200
    assert NO_MATCH in wrong.content.decode()
    assert wrong.context["form"].errors == unknown.context["form"].errors
    assert not logged_in(client)


def test_sixth_attempt_is_refused_even_with_the_right_password(client, owner):
    for _ in range(LOGIN_FAILURES_PER_EMAIL):
        assert log_in(client, owner.user.email, "wrong-password").status_code == 200

    response = log_in(client, owner.user.email)

    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "reset your password" in response.content.decode()
    assert not logged_in(client)


def test_lockout_message_does_not_reveal_whether_the_email_exists(client, owner):
    for email in (owner.user.email, "nobody@example.test"):
        for _ in range(LOGIN_FAILURES_PER_EMAIL):
            log_in(client, email, "wrong-password")

    real = log_in(client, owner.user.email, "wrong-password")
    ghost = log_in(client, "nobody@example.test", "wrong-password")

    assert real.status_code == ghost.status_code == 429
    assert real.context["form"].errors == ghost.context["form"].errors


def test_lockout_is_per_email(client, owner, make_member, organisation):
    other = make_member(organisation, Role.EMPLOYEE)
    for _ in range(LOGIN_FAILURES_PER_EMAIL):
        log_in(client, owner.user.email, "wrong-password")

    assert log_in(client, other.user.email).status_code == 302


def test_twenty_failures_from_one_ip_lock_that_ip(organisation, make_member):
    member = make_member(organisation, Role.EMPLOYEE)
    attacker, neighbour = Client(REMOTE_ADDR="10.9.8.7"), Client()
    for n in range(LOGIN_FAILURES_PER_IP):
        log_in(attacker, f"guess{n}@example.test", "wrong-password")

    assert log_in(attacker, member.user.email).status_code == 429
    assert log_in(neighbour, member.user.email).status_code == 302


def test_a_successful_login_restarts_the_email_count(client, owner):
    for _ in range(LOGIN_FAILURES_PER_EMAIL - 1):
        log_in(client, owner.user.email, "wrong-password")
    assert log_in(client, owner.user.email).status_code == 302
    client.post("/app/logout")

    for _ in range(LOGIN_FAILURES_PER_EMAIL - 1):
        log_in(client, owner.user.email, "wrong-password")

    assert log_in(client, owner.user.email).status_code == 302


def test_an_inactive_user_is_refused_like_a_wrong_password(client, organisation):
    member = MembershipFactory(organisation=organisation, user=UserFactory(is_active=False))

    response = log_in(client, member.user.email)

    assert response.status_code == 200
    assert NO_MATCH in response.content.decode()
    assert not logged_in(client)


def test_a_person_whose_only_membership_is_deactivated_cannot_log_in(client, organisation):
    member = MembershipFactory(organisation=organisation, status=MembershipStatus.DEACTIVATED)

    response = log_in(client, member.user.email)

    assert response.status_code == 200
    assert "no active membership" in response.content.decode()
    assert not logged_in(client)


def test_a_member_of_a_deactivated_organisation_cannot_log_in(client):
    member = MembershipFactory(organisation=OrganisationFactory(is_active=False))

    assert "no active membership" in log_in(client, member.user.email).content.decode()


def test_a_member_deactivated_during_a_session_gets_the_403_page(client, organisation):
    member = MembershipFactory(organisation=organisation)
    log_in(client, member.user.email)
    member.status = MembershipStatus.DEACTIVATED
    member.save()

    response = client.get("/app/")

    assert response.status_code == 403
    assert "not an active member" in response.content.decode()


def test_login_without_csrf_token_is_refused(owner):
    strict = Client(enforce_csrf_checks=True)

    response = log_in(strict, owner.user.email)

    assert response.status_code == 403
    assert not logged_in(strict)


def test_pages_need_a_login(client):
    response = client.get("/app/")

    assert response.status_code == 302
    assert response["Location"] == "/app/login?next=/app/"


# =============================================================================
# Logout
# =============================================================================


def test_logout_is_post_only(client, owner, session_client):
    session_client(owner)

    assert client.get("/app/logout").status_code == 405
    assert logged_in(client)
    response = client.post("/app/logout")
    assert response.status_code == 302
    assert response["Location"] == "/app/login"
    assert not logged_in(client)
    assert "You have logged out" in client.get(LOGIN).content.decode()


def test_logout_needs_the_csrf_token(owner):
    strict = Client(enforce_csrf_checks=True)
    strict.login(username=owner.user.email, password=DEFAULT_PASSWORD)

    assert strict.post("/app/logout").status_code == 403
    assert logged_in(strict)


# =============================================================================
# Password reset
# =============================================================================


def _reset_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/app/password-reset/\S+)", message.body).group(1)


def test_password_reset_by_emailed_link(client, owner):
    response = client.post("/app/password-reset", {"email": owner.user.email})
    assert response["Location"] == "/app/password-reset/done"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [owner.user.email]
    assert DEFAULT_PASSWORD not in mail.outbox[0].body

    form_page = client.get(_reset_link(mail.outbox[0]), follow=True)
    assert form_page.status_code == 200
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-passphrase-7", "new_password2": "a-brand-new-passphrase-7"},
    )

    assert done["Location"] == "/app/password-reset/complete"
    assert log_in(client, owner.user.email, "a-brand-new-passphrase-7").status_code == 302


def test_password_reset_answers_the_same_for_unknown_emails(client):
    response = client.post("/app/password-reset", {"email": "nobody@example.test"})

    assert response["Location"] == "/app/password-reset/done"
    assert mail.outbox == []


def test_password_reset_unlocks_a_locked_email(client, owner):
    for _ in range(LOGIN_FAILURES_PER_EMAIL):
        log_in(client, owner.user.email, "wrong-password")
    client.post("/app/password-reset", {"email": owner.user.email})
    page = client.get(_reset_link(mail.outbox[0]), follow=True)
    client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-passphrase-7", "new_password2": "a-brand-new-passphrase-7"},
    )

    assert log_in(client, owner.user.email, "a-brand-new-passphrase-7").status_code == 302


def test_password_reset_mails_at_most_five_times_per_window(client, owner):
    for _ in range(7):
        assert client.post("/app/password-reset", {"email": owner.user.email}).status_code == 302

    assert len(mail.outbox) == 5


def test_an_operator_can_unlock_an_email(client, owner):
    for _ in range(LOGIN_FAILURES_PER_EMAIL):
        log_in(client, owner.user.email, "wrong-password")

    login_throttle_reset(emails=(owner.user.email,))

    assert log_in(client, owner.user.email).status_code == 302


def test_a_used_reset_link_shows_a_clear_page(client, owner):
    client.post("/app/password-reset", {"email": owner.user.email})
    link = _reset_link(mail.outbox[0])
    page = client.get(link, follow=True)
    new = {"new_password1": "x-new-passphrase-77", "new_password2": "x-new-passphrase-77"}
    client.post(page.redirect_chain[-1][0], new)

    again = client.get(link, follow=True)

    assert "This link cannot be used" in again.content.decode()


# =============================================================================
# Organisation switcher
# =============================================================================


@pytest.fixture
def two_org_member(organisation, other_organisation):
    user = UserFactory()
    MembershipFactory(organisation=organisation, user=user, role=Role.OWNER)
    MembershipFactory(organisation=other_organisation, user=user, role=Role.EMPLOYEE)
    return user


def test_switching_to_an_own_organisation(client, two_org_member, other_organisation):
    client.login(username=two_org_member.email, password=DEFAULT_PASSWORD)
    assert "Acme Insurance" in client.get("/app/").content.decode()

    response = client.post("/app/switch-organisation", {"organisation_id": other_organisation.pk})

    assert response.status_code == 302
    assert response["Location"] == "/app/"
    assert client.session[SESSION_ORGANISATION_KEY] == other_organisation.pk
    page = client.get("/app/").content.decode()
    assert '<p class="org-name">Rival Brokers</p>' in page
    assert "You are now working in Rival Brokers" in page
    assert client.get("/app/team").status_code == 403  # an employee there


def test_the_switcher_lists_only_active_memberships(client, two_org_member):
    client.login(username=two_org_member.email, password=DEFAULT_PASSWORD)

    html = client.get("/app/").content.decode()

    assert 'name="organisation_id"' in html
    assert html.count("<option ") == 2


@pytest.mark.parametrize("case", ["foreign", "deactivated", "missing", "garbage"])
def test_switching_elsewhere_is_404(client, organisation, case):
    user = UserFactory()
    MembershipFactory(organisation=organisation, user=user)
    elsewhere = OrganisationFactory()
    if case == "deactivated":
        MembershipFactory(organisation=elsewhere, user=user, status=MembershipStatus.DEACTIVATED)
    target = {"foreign": elsewhere.pk, "deactivated": elsewhere.pk, "missing": 999999, "garbage": "x"}[case]
    client.login(username=user.email, password=DEFAULT_PASSWORD)

    response = client.post("/app/switch-organisation", {"organisation_id": target})

    assert response.status_code == 404
    assert SESSION_ORGANISATION_KEY not in client.session


def test_switching_ignores_an_unsafe_next(client, two_org_member, other_organisation):
    client.login(username=two_org_member.email, password=DEFAULT_PASSWORD)

    response = client.post(
        "/app/switch-organisation", {"organisation_id": other_organisation.pk, "next": "https://evil.example"}
    )

    assert response["Location"] == "/app/"


def test_switching_is_post_only_and_needs_a_login(client, two_org_member, other_organisation):
    assert client.post("/app/switch-organisation", {"organisation_id": other_organisation.pk})["Location"].startswith(
        "/app/login"
    )
    client.login(username=two_org_member.email, password=DEFAULT_PASSWORD)
    assert client.get("/app/switch-organisation").status_code == 405


# =============================================================================
# Dashboard per role
# =============================================================================


def test_owner_dashboard_shows_plan_usage_counts_and_quick_links(organisation, owner, make_member, session_client):
    make_member(organisation, Role.EMPLOYEE)
    MembershipFactory(organisation=organisation, status=MembershipStatus.INVITED)

    response = session_client(owner).get("/app/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "on the Scale plan" in html
    assert "3 / 250" in html  # seats: 2 active + 1 invited
    assert "2 active, 1 invited" in html
    assert 'href="/app/team/invite"' in html
    assert 'href="/app/team"' in html


def test_employee_dashboard_shows_the_profile_and_no_admin_links(organisation, make_member, session_client):
    member = make_member(organisation, Role.EMPLOYEE)

    html = session_client(member).get("/app/").content.decode()

    assert "Your profile" in html
    assert member.user.email in html
    assert 'href="/app/team"' not in html
    assert "Invite a member" not in html


def test_producer_dashboard_shows_their_producer_record(organisation, make_member, session_client):
    member = make_member(organisation, Role.PRODUCER)
    ProducerFactory(workspace__office__organisation=organisation, membership=member, producer_code="PX-42")

    html = session_client(member).get("/app/").content.decode()

    assert "Your producer record" in html
    assert "PX-42" in html


def test_manager_dashboard_counts_the_people_of_their_office(organisation, office, make_member, session_client):
    manager = make_member(organisation, Role.MANAGER, office=office)
    make_member(organisation, Role.EMPLOYEE, office=office)
    make_member(organisation, Role.EMPLOYEE)  # another office: not theirs

    html = session_client(manager).get("/app/").content.decode()

    assert "People of Head Office" in html
    assert re.search(r"Active</span><span class=\"stat-value\">2<", html)


def test_user_content_is_escaped(organisation, session_client):
    organisation.name = "<script>alert('org')</script>"
    organisation.save()
    member = MembershipFactory(organisation=organisation, user=UserFactory(full_name="<img src=x onerror=alert(1)>"))

    html = session_client(member).get("/app/").content.decode()

    assert "<script>alert(" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html
