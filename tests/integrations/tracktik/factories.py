"""factory_boy factories of the TrackTik connector's rows."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from integrations.tracktik.models import TracktikInvoiceReconciliation, TracktikScrMatch, TracktikSyncRun
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
