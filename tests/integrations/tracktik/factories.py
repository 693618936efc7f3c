"""factory_boy factories of the TrackTik connector's rows."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from integrations.tracktik.models import (
    TracktikContract,
    TracktikInvoiceReconciliation,
    TracktikScrMatch,
    TracktikSyncRun,
)
from tests.organisations.factories import OrganisationFactory


class SyncRunFactory(DjangoModelFactory):
    class Meta:
        model = TracktikSyncRun

    organisation = factory.SubFactory(OrganisationFactory)
    status = "succeeded"


class ScrMatchFactory(DjangoModelFactory):
    class Meta:
        model = TracktikScrMatch

    organisation = factory.SubFactory(OrganisationFactory)
    filename = "scr.csv"
    summary = factory.LazyFunction(lambda: {"posts": 0})


class InvoiceReconciliationFactory(DjangoModelFactory):
    class Meta:
        model = TracktikInvoiceReconciliation

    organisation = factory.SubFactory(OrganisationFactory)
    filename = "invoice.csv"


class ContractFactory(DjangoModelFactory):
    """A synced contract without a site (TrackTik's site not synced), open-ended from 2026-01-01."""

    class Meta:
        model = TracktikContract

    organisation = factory.SubFactory(OrganisationFactory)
    tracktik_id = factory.Sequence(lambda n: 5000 + n)
    name = factory.Sequence(lambda n: f"Contract {n}")
    start_date = datetime.date(2026, 1, 1)
    status = "ACTIVE"
    bill_rate = Decimal("30.00")
