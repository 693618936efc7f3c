"""The organisation's currency is an ISO 4217 code (issue 14 point 10): "dollars" used to be saved
as "DOL" and shown on the dashboard. The service refuses it for every entry point; the settings
page offers the codes as a choice."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from organisations import services
from organisations.actors import Actor
from organisations.choices import Role
from organisations.currencies import CURRENCY_CODES

pytestmark = pytest.mark.django_db


def actor_of(membership) -> Actor:
    return Actor(organisation=membership.organisation, user=membership.user, membership=membership, kind="session")


@pytest.mark.parametrize("given", ["dollars", "DOL", "E1R", "", "usdollar"])
def test_the_service_refuses_what_is_not_an_iso_4217_code(owner, given):
    with pytest.raises(ValidationError) as refused:
        services.organisation_update_settings(actor=actor_of(owner), currency=given)

    assert refused.value.message_dict == {"currency": ["Choose an ISO 4217 currency code, e.g. USD, EUR or GBP."]}
    owner.organisation.refresh_from_db()
    assert owner.organisation.currency == "USD"


def test_the_service_normalises_a_real_code(owner):
    organisation = services.organisation_update_settings(actor=actor_of(owner), currency=" eur ")

    assert organisation.currency == "EUR"


def test_a_new_organisation_needs_a_real_code_too(db):
    with pytest.raises(ValidationError):
        services.organisation_create(
            name="Dollar Co", owner_email="o@example.test", owner_password=None, currency="dollars"
        )


def test_the_settings_page_offers_the_codes_and_shows_the_service_refusal(client, organisation, make_member):
    owner = make_member(organisation, Role.OWNER)
    client.force_login(owner.user)

    page = client.get("/app/settings/organisation").content.decode()
    refused = client.post("/app/settings/organisation", {"timezone": "UTC", "currency": "dollars"})

    assert '<option value="EUR">EUR — Euro</option>' in page
    assert '<select name="currency"' in page
    assert refused.status_code == 200 and "currency" in refused.context["form"].errors
    organisation.refresh_from_db()
    assert organisation.currency == "USD"


def test_the_list_holds_the_common_codes_and_no_junk():
    assert {"USD", "EUR", "GBP", "JPY", "CAD", "AUD", "CHF", "INR"} <= CURRENCY_CODES
    assert all(len(code) == 3 and code.isalpha() and code.isupper() for code in CURRENCY_CODES)
    assert "DOL" not in CURRENCY_CODES
