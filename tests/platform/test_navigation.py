"""Navigation reads the roles pages declare (issue 12 point 5): one ``allowed_roles`` per page,
no second list for the menu."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from organisations.choices import Role
from organisations.views.team import TeamView
from tests.organisations.factories import DEFAULT_PASSWORD, OfficeFactory, ProducerFactory
from trackyoursheets.web import NAVIGATION, NavItem, visible_links

pytestmark = pytest.mark.django_db

MENU_ROLES = (Role.OWNER, Role.ADMIN, Role.MANAGER, Role.HR, Role.PRODUCER, Role.EMPLOYEE)


def browser(membership) -> Client:
    client = Client()
    assert client.login(username=membership.user.email, password=DEFAULT_PASSWORD)
    return client


def menu(client) -> list[str]:
    return [item["url"] for item in client.get(reverse("app:dashboard")).context["nav_items"]]


@pytest.mark.parametrize("role", MENU_ROLES)
def test_the_menu_links_exactly_the_pages_the_role_may_open(organisation, make_member, role):
    member = make_member(organisation, role, office=OfficeFactory(organisation=organisation))
    if role == Role.PRODUCER:  # the portal also needs the producer's own record, with access on
        ProducerFactory(workspace__organisation=organisation, membership=member, portal_access=True)
    client = browser(member)

    linked = set(menu(client))
    every_page = {reverse(item.url_name) for item in NAVIGATION}
    opens = {url for url in every_page if client.get(url).status_code != 403}

    assert linked == opens, role


def test_changing_a_pages_roles_changes_the_menu(organisation, make_member, monkeypatch):
    client = browser(make_member(organisation, Role.EMPLOYEE))
    team = reverse("app:team")
    assert team not in menu(client)

    monkeypatch.setattr(TeamView, "allowed_roles", (Role.OWNER, Role.ADMIN, Role.EMPLOYEE))

    assert team in menu(client)
    assert client.get(team).status_code == 200


class _Actor:
    role = Role.EMPLOYEE


def test_a_page_that_declares_no_roles_falls_back_to_the_items_own():
    health = NavItem("Health", "api-health", roles=(Role.OWNER,))
    open_to_all = NavItem("Health", "api-health")
    missing = NavItem("Not built yet", "nowhere:page")

    assert visible_links(_Actor(), [health, missing]) == []
    assert [link["url"] for link in visible_links(_Actor(), [open_to_all])] == ["/v1/health"]
