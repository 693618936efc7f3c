"""The Django admin of statement imports: batches and rows are view-only, aliases editable."""

from __future__ import annotations

import pytest

from payroll.models import ImportAlias
from tests.organisations.factories import OrganisationFactory, ProducerFactory

from .factories import make_import

pytestmark = pytest.mark.django_db


def test_batches_and_rows_are_listed_searched_and_shown_but_not_added(admin_client):
    batch = make_import(OrganisationFactory(name="Acme"), n=7)
    row = batch.rows.order_by("line").first()

    assert admin_client.get("/admin/payroll/importbatch/?q=statement-007").status_code == 200
    assert "statement-007.csv" in admin_client.get("/admin/payroll/importbatch/").content.decode()
    assert admin_client.get(f"/admin/payroll/importbatch/{batch.pk}/change/").status_code == 200
    assert admin_client.get("/admin/payroll/importbatch/add/").status_code == 403
    listing = admin_client.get(f"/admin/payroll/importrow/?q={row.policy_number}").content.decode()
    assert row.policy_number in listing
    assert admin_client.get(f"/admin/payroll/importrow/{row.pk}/change/").status_code == 200


def test_an_alias_is_edited_within_its_organisation(admin_client):
    producer = ProducerFactory()
    alias = ImportAlias.objects.create(
        organisation=producer.organisation, kind="producer", text="ally", producer=producer
    )

    assert admin_client.get("/admin/payroll/importalias/?q=ally").status_code == 200
    assert admin_client.get(f"/admin/payroll/importalias/{alias.pk}/change/").status_code == 200
    assert admin_client.get("/admin/payroll/importalias/add/").status_code == 200
