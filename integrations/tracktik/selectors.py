"""Reads of the TrackTik connector: scoped to the actor's organisation, owners and admins only."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from organisations.actors import Actor

from . import billing
from .filters import TracktikContractFilterSet, TracktikSyncRunFilterSet
from .models import (
    TracktikConnection,
    TracktikContract,
    TracktikInvoiceReconciliation,
    TracktikPayCode,
    TracktikScrMatch,
    TracktikSyncRun,
)
from .services.connection import connection_for, require_admin


def connection_get(*, actor: Actor) -> TracktikConnection:
    require_admin(actor)
    return connection_for(actor.organisation)


def pay_code_list(*, actor: Actor) -> QuerySet[TracktikPayCode]:
    """TrackTik's pay codes with the pay code of ours each maps to."""
    require_admin(actor)
    codes = TracktikPayCode.objects.for_organisation(actor.organisation).select_related("pay_code")
    return codes.order_by("code", "id")


def contract_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[TracktikContract]:
    """TrackTik's contracts as last synced, with their site: by site, then start date."""
    require_admin(actor)
    queryset = TracktikContract.objects.for_organisation(actor.organisation).select_related("site")
    if filters:
        queryset = TracktikContractFilterSet(filters, queryset=queryset).qs
    return queryset.order_by("site_id", "start_date", "id")


def sync_run_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[TracktikSyncRun]:
    require_admin(actor)
    queryset = TracktikSyncRun.objects.for_organisation(actor.organisation).order_by("-created_at", "-id")
    if filters:
        queryset = TracktikSyncRunFilterSet(filters, queryset=queryset).qs
    return queryset


def sync_run_get(*, actor: Actor, pk: int) -> TracktikSyncRun:
    return sync_run_list(actor=actor).get(pk=pk)


def scr_match_list(*, actor: Actor) -> QuerySet[TracktikScrMatch]:
    require_admin(actor)
    return TracktikScrMatch.objects.for_organisation(actor.organisation)


def invoice_reconciliation_list(*, actor: Actor) -> QuerySet[TracktikInvoiceReconciliation]:
    require_admin(actor)
    return TracktikInvoiceReconciliation.objects.for_organisation(actor.organisation)


def billing_report(*, actor: Actor, week: datetime.date) -> dict:
    """The weekly billing report of the week holding ``week`` (:mod:`..billing`)."""
    require_admin(actor)
    return billing.billing_report(organisation=actor.organisation, day=week)


def scr_match_get(*, actor: Actor, pk: int) -> TracktikScrMatch:
    return scr_match_list(actor=actor).get(pk=pk)


def invoice_reconciliation_get(*, actor: Actor, pk: int) -> TracktikInvoiceReconciliation:
    return invoice_reconciliation_list(actor=actor).get(pk=pk)
