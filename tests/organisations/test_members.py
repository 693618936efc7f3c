"""Team management (issue 4 point 4): invitations, roles, deactivation and the seat limit, through
the services, the team pages and ``/v1/members``."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from integrations.models import OutboxEvent
from organisations import services
from organisations.actors import Actor
from organisations.choices import MembershipStatus, Role
from organisations.events import MEMBER_INVITED
from organisations.models import AuditEvent, Invitation, Membership, User
from organisations.plans import PlanCode
from trackyoursheets.exceptions import Conflict, LimitExceeded, NotPermitted

from .factories import DEFAULT_PASSWORD, MembershipFactory, OfficeFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

BASE = "http://testserver/"
NEW_PASSWORD = "a-fresh-passphrase-91"


def actor_for(membership, kind="session") -> Actor:
    return Actor(organisation=membership.organisation, user=membership.user, membership=membership, kind=kind)


def invite(actor, email="new.person@example.test", role=Role.EMPLOYEE, office=None):
    return services.member_invite(actor=actor, email=email, role=role, office=office, base_url=BASE)


def link_in(message) -> str:
    return re.search(r"http://testserver(/app/invitations/[A-Za-z0-9_-]+)", message.body).group(1)


@pytest.fixture
def admin(organisation, make_member):
    return make_member(organisation, Role.ADMIN)


@pytest.fixture
def starter(db):
    """An organisation on the Starter plan (5 seats) with its owner."""
    organisation = OrganisationFactory(plan=PlanCode.STARTER)
    return MembershipFactory(organisation=organisation, role=Role.OWNER)


# =============================================================================
# Inviting and accepting
# =============================================================================


def test_invite_creates_an_invited_member_a_hashed_token_an_event_and_an_email(
    owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invited = invite(actor_for(owner), "New.Person@Example.test", Role.HR)

    membership = Membership.objects.get(pk=invited.membership.pk)
    invitation = Invitation.objects.get(membership=membership)
    assert (membership.status, membership.role, membership.user.email) == ("invited", "hr", "new.person@example.test")
    assert not membership.user.has_usable_password()
    assert invitation.token_hash == hashlib.sha256(invited.token.encode()).hexdigest()
    assert invited.token not in str(Invitation.objects.filter(pk=invitation.pk).values().get())
    assert timedelta(days=6, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=7)
    event = OutboxEvent.objects.get(topic=MEMBER_INVITED)
    assert event.payload["id"] == membership.pk
    assert event.payload["role"] == "hr"
    assert invited.token not in str(event.payload)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.test"]
    assert link_in(message) == f"/app/invitations/{invited.token}"
    assert "password" not in message.body.lower().replace("choose your password", "")


def test_no_email_when_the_invitation_rolls_back(owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        from django.db import transaction

        with transaction.atomic():
            invite(actor_for(owner))
            raise RuntimeError("later step failed")

    assert mail.outbox == []
    assert not User.objects.filter(email="new.person@example.test").exists()


def test_invitee_sets_name_and_password_then_logs_in(client, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(actor_for(owner))
    link = link_in(mail.outbox[0])

    page = client.get(link)
    assert page.status_code == 200
    assert "Join Acme Insurance" in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0")
    response = client.post(
        link, {"full_name": "Nia Person", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == "/app/"  # issue 14 point 8: signed in at once
    membership = Membership.objects.get(user__email="new.person@example.test")
    assert membership.status == MembershipStatus.ACTIVE
    assert membership.user.full_name == "Nia Person"
    assert Invitation.objects.get(membership=membership).accepted_at is not None
    assert AuditEvent.objects.get(action="membership.invitation_accept").actor_user == membership.user
    assert client.get("/app/").status_code == 200
    client.post("/app/logout")
    login = client.post("/app/login", {"username": "new.person@example.test", "password": NEW_PASSWORD})
    assert login["Location"] == "/app/"


def test_weak_passwords_are_refused_by_djangos_validators(client, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(actor_for(owner))
    link = link_in(mail.outbox[0])

    response = client.post(link, {"full_name": "Nia", "new_password1": "12345678", "new_password2": "12345678"})

    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert Membership.objects.get(user__email="new.person@example.test").status == MembershipStatus.INVITED


@pytest.mark.parametrize(
    ("case", "status", "text"),
    [
        ("used", 410, "already been accepted"),
        ("expired", 410, "has expired"),
        ("revoked", 410, "was withdrawn"),
        ("deactivated", 410, "was withdrawn"),
        ("unknown", 404, "does not match any invitation"),
    ],
)
def test_unusable_links_show_a_clear_page(client, owner, case, status, text):
    invited = invite(actor_for(owner))
    token = invited.token
    if case == "used":
        services.invitation_accept(raw_token=token, full_name="N", password=NEW_PASSWORD)
    elif case == "revoked":
        services.invitation_revoke(actor=actor_for(owner), membership=invited.membership)
    elif case == "deactivated":
        services.member_deactivate(actor=actor_for(owner), membership=invited.membership)
    elif case == "unknown":
        token = "x" * 43

    with time_machine.travel(timezone.now() + (timedelta(days=8) if case == "expired" else timedelta(0))):
        get = client.get(f"/app/invitations/{token}")
        post = client.post(
            f"/app/invitations/{token}",
            {"full_name": "Eve", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )

    assert get.status_code == post.status_code == status
    assert text in get.content.decode()
    assert not User.objects.get(email="new.person@example.test").check_password(NEW_PASSWORD) or case == "used"


def test_resend_replaces_the_link(client, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = invite(actor_for(owner))
        second = services.invitation_resend(actor=actor_for(owner), membership=first.membership, base_url=BASE)

    assert len(mail.outbox) == 2
    assert client.get(f"/app/invitations/{first.token}").status_code == 404
    assert client.get(f"/app/invitations/{second.token}").status_code == 200
    assert link_in(mail.outbox[1]) == f"/app/invitations/{second.token}"


def test_an_existing_account_joins_while_logged_in_without_a_password_change(
    client, owner, other_organisation, django_capture_on_commit_callbacks
):
    person = MembershipFactory(organisation=other_organisation).user
    with django_capture_on_commit_callbacks(execute=True):
        invite(actor_for(owner), person.email)
    link = link_in(mail.outbox[0])

    anonymous = client.post(link, {"full_name": "Eve", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert anonymous.status_code == 403
    assert "Log in as" in anonymous.content.decode()
    client.login(username=person.email, password=DEFAULT_PASSWORD)
    joined = client.post(link)

    assert joined["Location"] == "/app/"
    assert Membership.objects.get(user=person, organisation=owner.organisation).status == MembershipStatus.ACTIVE
    person.refresh_from_db()
    assert person.check_password(DEFAULT_PASSWORD)
    assert "Acme Insurance" in client.get("/app/").content.decode()


@pytest.mark.parametrize("status", [MembershipStatus.ACTIVE, MembershipStatus.INVITED, MembershipStatus.DEACTIVATED])
def test_inviting_someone_already_in_the_organisation_is_refused(owner, organisation, status):
    existing = MembershipFactory(organisation=organisation, status=status)

    with pytest.raises(Exception) as error:
        invite(actor_for(owner), existing.user.email)

    assert "email" in error.value.message_dict
    assert Membership.objects.filter(user=existing.user).count() == 1


def test_a_manager_needs_an_office(owner, office):
    with pytest.raises(Exception) as error:
        invite(actor_for(owner), role=Role.MANAGER)
    assert "office" in error.value.message_dict

    assert invite(actor_for(owner), role=Role.MANAGER, office=office).membership.office == office


def test_an_office_of_another_organisation_is_refused(owner, other_organisation):
    with pytest.raises(Exception) as error:
        invite(actor_for(owner), role=Role.EMPLOYEE, office=OfficeFactory(organisation=other_organisation))

    assert "office" in error.value.message_dict


# =============================================================================
# Seats
# =============================================================================


def test_active_and_invited_members_take_the_seats(starter):
    for _ in range(3):
        MembershipFactory(organisation=starter.organisation)
    invite(actor_for(starter), "fifth@example.test")

    with pytest.raises(LimitExceeded) as error:
        invite(actor_for(starter), "sixth@example.test")

    assert "5 seats" in error.value.detail
    assert "4 active, 1 invited" in error.value.detail
    assert services.member_seat_usage(organisation=starter.organisation) == {
        "limit": 5,
        "active": 4,
        "invited": 1,
        "used": 5,
        "available": 0,
    }


def test_deactivated_members_free_their_seat_and_reactivation_needs_one(starter):
    others = [MembershipFactory(organisation=starter.organisation) for _ in range(4)]
    services.member_deactivate(actor=actor_for(starter), membership=others[0])
    invite(actor_for(starter), "replacement@example.test")

    with pytest.raises(LimitExceeded):
        services.member_reactivate(actor=actor_for(starter), membership=others[0], base_url=BASE)

    services.invitation_revoke(
        actor=actor_for(starter), membership=Membership.objects.get(user__email="replacement@example.test")
    )
    assert services.member_reactivate(actor=actor_for(starter), membership=others[0], base_url=BASE).status == "active"


def test_the_invite_page_shows_the_seat_limit_clearly(starter, client, session_client):
    for _ in range(4):
        MembershipFactory(organisation=starter.organisation)

    client = session_client(starter)
    page = client.get("/app/team/invite").content.decode()
    response = client.post("/app/team/invite", {"email": "sixth@example.test", "role": "employee"})

    assert "All 5 seats of the Starter plan are taken" in page
    assert response.status_code == 200
    assert "The Starter plan includes 5 seats and all are taken" in response.content.decode()
    assert not User.objects.filter(email="sixth@example.test").exists()


# =============================================================================
# Role rules
# =============================================================================


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
def test_only_owners_make_owners_and_admins(admin, owner, role):
    with pytest.raises(NotPermitted, match="Only owners"):
        invite(actor_for(admin), role=role)

    assert invite(actor_for(owner), role=role).membership.role == role


def test_admins_cannot_promote_to_admin(admin, organisation):
    employee = MembershipFactory(organisation=organisation)

    with pytest.raises(NotPermitted, match="Only owners"):
        services.member_update(actor=actor_for(admin), membership=employee, role=Role.ADMIN)

    assert Membership.objects.get(pk=employee.pk).role == Role.EMPLOYEE


def test_admins_manage_the_roles_below_them(admin, organisation, office):
    employee = MembershipFactory(organisation=organisation)

    changed = services.member_update(actor=actor_for(admin), membership=employee, role=Role.MANAGER, office=office)

    assert (changed.role, changed.office) == (Role.MANAGER, office)


@pytest.mark.parametrize("change", ["role", "deactivate", "office"])
def test_an_admin_cannot_change_an_owner(admin, owner, office, change):
    kwargs = {"role": {"role": Role.EMPLOYEE}, "deactivate": {"status": "deactivated"}, "office": {"office": office}}

    with pytest.raises(NotPermitted, match="Only owners can change an owner"):
        services.member_update(actor=actor_for(admin), membership=owner, **kwargs[change])

    assert Membership.objects.get(pk=owner.pk).status == MembershipStatus.ACTIVE


def test_an_admin_cannot_change_another_admin_but_may_step_down(admin, organisation):
    other_admin = MembershipFactory(organisation=organisation, role=Role.ADMIN)

    with pytest.raises(NotPermitted, match="Only owners can change an admin"):
        services.member_deactivate(actor=actor_for(admin), membership=other_admin)

    assert services.member_update(actor=actor_for(admin), membership=admin, role=Role.EMPLOYEE).role == "employee"


@pytest.mark.parametrize("role", [Role.MANAGER, Role.HR, Role.PRODUCER, Role.EMPLOYEE])
def test_other_roles_cannot_manage_members(organisation, make_member, office, role):
    member = make_member(organisation, role, office=office)
    employee = MembershipFactory(organisation=organisation, office=office)

    with pytest.raises(NotPermitted):
        invite(actor_for(member))
    with pytest.raises(NotPermitted):
        services.member_deactivate(actor=actor_for(member), membership=employee)
    with pytest.raises(NotPermitted):  # nobody grants themselves a higher role
        services.member_update(actor=actor_for(member), membership=member, role=Role.OWNER)


def test_oauth_clients_cannot_manage_members(owner, organisation):
    client_actor = Actor(organisation=organisation, kind="oauth")

    with pytest.raises(NotPermitted, match="API clients may only read"):
        invite(client_actor)


def test_the_last_owner_can_be_neither_demoted_nor_deactivated(owner, organisation):
    with pytest.raises(Conflict, match="last owner"):
        services.member_update(actor=actor_for(owner), membership=owner, role=Role.ADMIN)
    with pytest.raises(Conflict, match="last owner"):
        services.member_deactivate(actor=actor_for(owner), membership=owner)

    second = MembershipFactory(organisation=organisation, role=Role.OWNER)
    assert services.member_update(actor=actor_for(second), membership=owner, role=Role.ADMIN).role == Role.ADMIN
    with pytest.raises(Conflict, match="last owner"):
        services.member_deactivate(actor=actor_for(second), membership=second)


def test_status_invited_cannot_be_set_by_update(owner, organisation):
    member = MembershipFactory(organisation=organisation)

    with pytest.raises(Exception) as error:
        services.member_update(actor=actor_for(owner), membership=member, status=MembershipStatus.INVITED)

    assert "status" in error.value.message_dict


# =============================================================================
# Deactivation: no login, no API
# =============================================================================


def test_a_deactivated_member_cannot_log_in_or_use_their_token(client, owner, organisation):
    member = MembershipFactory(organisation=organisation)
    token = services.api_token_create(
        actor=actor_for(member, kind="session"), membership=member, name="script", scopes=["organisation.read"]
    ).token

    services.member_deactivate(actor=actor_for(owner), membership=member)

    login = client.post("/app/login", {"username": member.user.email, "password": DEFAULT_PASSWORD})
    assert "no active membership" in login.content.decode()
    api = client.get("/v1/members", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 401
    assert Membership.objects.filter(pk=member.pk).exists()  # never deleted

    services.member_reactivate(actor=actor_for(owner), membership=member, base_url=BASE)
    assert client.get("/v1/members", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_reactivating_someone_who_never_accepted_invites_them_again(owner, django_capture_on_commit_callbacks):
    invited = invite(actor_for(owner))
    services.invitation_revoke(actor=actor_for(owner), membership=invited.membership)

    with django_capture_on_commit_callbacks(execute=True):
        again = services.member_reactivate(actor=actor_for(owner), membership=invited.membership, base_url=BASE)

    assert again.status == MembershipStatus.INVITED
    assert len(mail.outbox) == 1
    assert OutboxEvent.objects.filter(topic=MEMBER_INVITED).count() == 2


# =============================================================================
# Team pages
# =============================================================================


def test_team_page_lists_members_with_filters(organisation, owner, office, session_client):
    MembershipFactory(organisation=organisation, office=office, user=UserFactory(full_name="Ada Active"))
    MembershipFactory(organisation=organisation, status="deactivated", user=UserFactory(full_name="Dee Gone"))
    MembershipFactory(organisation=OrganisationFactory(), user=UserFactory(full_name="Other Tenant"))
    client = session_client(owner)

    everyone = client.get("/app/team").content.decode()
    deactivated = client.get("/app/team?status=deactivated").content.decode()

    assert "Ada Active" in everyone and "Dee Gone" in everyone and "Head Office" in everyone
    assert "Other Tenant" not in everyone
    assert "Dee Gone" in deactivated and "Ada Active" not in deactivated


def test_invite_through_the_page_is_audited_and_mailed(
    organisation, owner, office, session_client, django_capture_on_commit_callbacks
):
    client = session_client(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/app/team/invite", {"email": "mgr@example.test", "role": "manager", "office": office.pk}
        )

    assert response["Location"] == "/app/team"
    member = Membership.objects.get(user__email="mgr@example.test")
    assert (member.status, member.role, member.office) == ("invited", "manager", office)
    audit = AuditEvent.objects.get(action="membership.invite")
    assert (audit.source, audit.actor_user, audit.object_id) == ("page", owner.user, str(member.pk))
    assert audit.changes["status"] == [None, "invited"]
    assert len(mail.outbox) == 1
    assert "Invitation sent to mgr@example.test" in client.get("/app/team").content.decode()


def test_the_invite_form_offers_admins_only_the_roles_below_them(admin, session_client):
    html = session_client(admin).get("/app/team/invite").content.decode()

    assert 'value="employee"' in html and 'value="manager"' in html
    assert 'value="admin"' not in html and 'value="owner"' not in html


def test_a_posted_role_above_the_form_is_refused(admin, session_client):
    response = session_client(admin).post("/app/team/invite", {"email": "x@example.test", "role": "owner"})

    assert response.status_code == 200
    assert not User.objects.filter(email="x@example.test").exists()


def test_change_role_and_deactivate_through_the_pages(organisation, owner, session_client):
    member = MembershipFactory(organisation=organisation)
    client = session_client(owner)

    changed = client.post(f"/app/team/{member.pk}", {"role": "hr", "office": ""})
    deactivated = client.post(f"/app/team/{member.pk}/deactivate")

    assert changed.status_code == deactivated.status_code == 302
    member.refresh_from_db()
    assert (member.role, member.status) == ("hr", "deactivated")
    audit = AuditEvent.objects.filter(object_id=str(member.pk), source="page").order_by("id")
    assert list(audit.values_list("action", "changes")) == [
        ("membership.update", {"role": ["employee", "hr"]}),
        ("membership.deactivate", {"status": ["active", "deactivated"]}),
    ]
    assert "is deactivated" in client.get(f"/app/team/{member.pk}").content.decode()


def test_the_member_form_starts_from_the_members_role_and_office(organisation, owner, office, session_client):
    member = MembershipFactory(organisation=organisation, role=Role.HR, office=office)

    form = session_client(owner).get(f"/app/team/{member.pk}").context["form"]

    assert (form["role"].value(), form["office"].value()) == ("hr", office.pk)


def test_refusals_are_shown_as_messages_and_change_nothing(organisation, owner, admin, session_client):
    client = session_client(admin)

    response = client.post(f"/app/team/{owner.pk}/deactivate", follow=True)

    assert "Only owners can change an owner" in response.content.decode()
    assert Membership.objects.get(pk=owner.pk).status == MembershipStatus.ACTIVE
    assert not AuditEvent.objects.filter(source="page").exists()


def test_resend_and_revoke_through_the_pages(owner, session_client, django_capture_on_commit_callbacks):
    invited = invite(actor_for(owner))
    client = session_client(owner)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/app/team/{invited.membership.pk}/invitation/resend")
    client.post(f"/app/team/{invited.membership.pk}/invitation/revoke")

    assert len(mail.outbox) == 1
    invitation = Invitation.objects.get(membership=invited.membership)
    assert invitation.revoked_at is not None
    assert Membership.objects.get(pk=invited.membership.pk).status == MembershipStatus.DEACTIVATED
    assert client.get(link_in(mail.outbox[0])).status_code == 410


def test_another_tenants_member_is_404_on_every_team_page(owner, session_client, other_organisation):
    theirs = MembershipFactory(organisation=other_organisation)
    client = session_client(owner)

    codes = [
        client.get(f"/app/team/{theirs.pk}").status_code,
        client.post(f"/app/team/{theirs.pk}", {"role": "employee"}).status_code,
        client.post(f"/app/team/{theirs.pk}/deactivate").status_code,
        client.post(f"/app/team/{theirs.pk}/reactivate").status_code,
        client.post(f"/app/team/{theirs.pk}/invitation/resend").status_code,
        client.post(f"/app/team/{theirs.pk}/invitation/revoke").status_code,
    ]

    assert codes == [404] * 6
    assert Membership.objects.get(pk=theirs.pk).status == MembershipStatus.ACTIVE


@pytest.mark.parametrize("role", [Role.MANAGER, Role.HR, Role.PRODUCER, Role.EMPLOYEE])
def test_team_pages_are_forbidden_below_admin(organisation, make_member, session_client, role, owner):
    client = session_client(make_member(organisation, role))

    responses = [
        client.get("/app/team"),
        client.get("/app/team/invite"),
        client.post(f"/app/team/{owner.pk}/deactivate"),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]
    assert "Your role does not give you access" in responses[0].content.decode()


def test_action_buttons_are_post_only(organisation, owner, session_client):
    member = MembershipFactory(organisation=organisation)

    assert session_client(owner).get(f"/app/team/{member.pk}/deactivate").status_code == 405


# =============================================================================
# REST: /v1/members
# =============================================================================


def test_oauth_client_reads_members_with_organisation_read(organisation, owner, make_api_client):
    reader = make_api_client(organisation, scopes=["organisation.read"])
    stranger = make_api_client(organisation, scopes=["workspaces.read"])

    listing = reader.get("/v1/members")
    refused = stranger.get("/v1/members")

    assert listing.status_code == 200
    assert listing.json()["results"] == [
        {
            "id": owner.pk,
            "user_id": owner.user_id,
            "email": owner.user.email,
            "full_name": owner.user.full_name,
            "role": "owner",
            "office_id": None,
            "timezone": organisation.timezone,
            "status": "active",
            "invitation": None,
            "created_at": owner.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "updated_at": owner.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    ]
    assert refused.status_code == 403
    assert refused.json()["required_scope"] == "organisation.read"


def test_oauth_clients_get_403_for_writes(api, organisation):
    member = MembershipFactory(organisation=organisation)

    created = api.post("/v1/members", {"email": "x@example.test", "role": "employee"}, format="json")
    patched = api.patch(f"/v1/members/{member.pk}", {"role": "hr"}, format="json")

    assert created.status_code == patched.status_code == 403
    assert "API clients may only read" in created.json()["detail"]
    assert not User.objects.filter(email="x@example.test").exists()
    assert Membership.objects.get(pk=member.pk).role == Role.EMPLOYEE


def test_owner_invites_through_the_api(organisation, owner, session_client, django_capture_on_commit_callbacks):
    client = session_client(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/v1/members", {"email": "api.invite@example.test", "role": "producer"}, content_type="application/json"
        )

    body = response.json()
    assert response.status_code == 201
    assert response["Location"].endswith(f"/v1/members/{body['id']}")
    assert (body["status"], body["role"], body["email"]) == ("invited", "producer", "api.invite@example.test")
    assert body["invitation"]["state"] == "open"
    assert "token" not in str(body).lower()
    assert len(mail.outbox) == 1
    audit = AuditEvent.objects.get(source="api", method="POST", path="/v1/members")
    assert (audit.object_id, audit.status_code) == (str(body["id"]), 201)


def test_owner_personal_token_can_patch(organisation, owner, make_member):
    token = services.api_token_create(
        actor=actor_for(owner), membership=owner, name="ops", scopes=["organisation.read"]
    ).token
    member = make_member(organisation, Role.EMPLOYEE)
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_X_API_KEY=token)

    response = client.patch(f"/v1/members/{member.pk}", {"role": "hr", "status": "deactivated"}, format="json")

    assert response.status_code == 200
    assert (response.json()["role"], response.json()["status"]) == ("hr", "deactivated")


def test_api_refusals_are_problems(organisation, admin, owner, session_client):
    client = session_client(admin)

    promote = client.patch(f"/v1/members/{admin.pk}", {"role": "owner"}, content_type="application/json")
    owner_change = client.patch(f"/v1/members/{owner.pk}", {"status": "deactivated"}, content_type="application/json")
    invited = client.patch(f"/v1/members/{owner.pk}", {"status": "invited"}, content_type="application/json")

    assert (promote.status_code, owner_change.status_code, invited.status_code) == (403, 403, 422)
    assert promote["Content-Type"] == "application/problem+json"
    assert invited.json()["errors"]["status"]


def test_last_owner_over_the_api_is_a_409(owner, session_client):
    response = session_client(owner).patch(
        f"/v1/members/{owner.pk}", {"status": "deactivated"}, content_type="application/json"
    )

    assert response.status_code == 409
    assert "last owner" in response.json()["detail"]


def test_seat_limit_over_the_api_is_a_422_plan_limit(starter, session_client):
    for _ in range(4):
        MembershipFactory(organisation=starter.organisation)

    response = session_client(starter).post(
        "/v1/members", {"email": "sixth@example.test"}, content_type="application/json"
    )

    assert response.status_code == 422
    assert response.json()["type"].endswith("/plan-limit")


def test_employees_see_only_themselves_and_cannot_write(organisation, owner, make_member, session_client):
    employee = make_member(organisation, Role.EMPLOYEE)
    client = session_client(employee)

    listing = client.get("/v1/members")
    own = client.patch(f"/v1/members/{employee.pk}", {"role": "admin"}, content_type="application/json")
    other = client.get(f"/v1/members/{owner.pk}")

    assert [row["id"] for row in listing.json()["results"]] == [employee.pk]
    assert own.status_code == 403
    assert other.status_code == 404


def test_member_filters(organisation, owner, office, api):
    hr = MembershipFactory(organisation=organisation, role=Role.HR, office=office)
    gone = MembershipFactory(organisation=organisation, status=MembershipStatus.DEACTIVATED)
    later = timezone.now() + timedelta(hours=1)

    def ids(query):
        response = api.get(f"/v1/members?{query}")
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids("role=hr") == [hr.pk]
    assert ids("status=deactivated") == [gone.pk]
    assert ids(f"office_id={office.pk}") == [hr.pk]
    assert ids(f"email={owner.user.email.upper()}") == [owner.pk]
    assert ids("created_after=2000-01-01T00:00:00Z") == [owner.pk, hr.pk, gone.pk]
    assert ids(f"updated_after={later.strftime('%Y-%m-%dT%H:%M:%SZ')}") == []
    assert api.get("/v1/members?status=sleeping").status_code == 422


def test_etag_and_if_match_on_members(organisation, owner, session_client):
    member = MembershipFactory(organisation=organisation)
    client = session_client(owner)
    etag = client.get(f"/v1/members/{member.pk}")["ETag"]

    stale = client.patch(
        f"/v1/members/{member.pk}", {"role": "hr"}, content_type="application/json", HTTP_IF_MATCH='"stale"'
    )
    fresh = client.patch(
        f"/v1/members/{member.pk}", {"role": "hr"}, content_type="application/json", HTTP_IF_MATCH=etag
    )

    assert (stale.status_code, fresh.status_code) == (412, 200)
