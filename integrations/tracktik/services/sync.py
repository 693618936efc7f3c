"""A sync run: queued by "sync now", the schedule or the API, run by a Celery task. Order:
employees, clients/sites, positions, contracts (``contracts``), bill rates, pay codes (``pay_codes``),
the work and break sessions of the window
(``sessions``), the approved shifts from the window
(incremental: from the last successful sync's start minus the look-back; full: from the
connection's first day), the removal of shifts TrackTik no longer lists, then the window's
approved schedule-off-periods as approved leave (``off_periods``). Each batch of twenty pages of
shifts commits on its own, so a run that fails part-way keeps what it wrote; the watermark moves only when a
run succeeds, so the next run reads the same window again and finishes the work (the writes are
idempotent)."""

from __future__ import annotations

import datetime
import time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.outbox import record_event
from organisations.actors import Actor, system_actor
from organisations.audit import audit_change
from organisations.models import Organisation
from timetracking import services as tt_services
from timetracking.services import PeriodLocks
from trackyoursheets import jobs
from trackyoursheets.celery import app as celery_app
from trackyoursheets.exceptions import Conflict

from .. import events
from ..client import TracktikError
from ..models import TracktikConnection, TracktikSyncRun
from .connection import client_for, connection_for, require_admin
from .contracts import apply_contract_rates, sync_contracts
from .off_periods import sync_off_periods
from .pay_codes import sync_pay_codes
from .reference import (
    SyncContext,
    load_reference,
    preload_tasks,
    sync_bill_rates,
    sync_employees,
    sync_sites_and_positions,
)
from .sessions import load_sessions
from .shifts import remove_unseen, sync_shifts

SYNC_TASK = "integrations.tracktik.tasks.tracktik_sync_task"


def _unfinished(organisation):
    return TracktikSyncRun.objects.for_organisation(organisation).filter(
        status__in=(jobs.JobStatus.QUEUED, jobs.JobStatus.RUNNING)
    )


@transaction.atomic
def sync_start(*, actor: Actor, full: bool = False) -> TracktikSyncRun:
    """Queue a run (``full``: every shift from the connection's first day) and enqueue its task
    after commit. One run at a time per organisation (409 while one is queued or running)."""
    require_admin(actor)
    connection = connection_for(actor.organisation)
    if connection.pk is None or not connection.enabled:
        raise Conflict(_("The TrackTik connection is not enabled."), code="tracktik_disabled")
    # the connection row is the organisation's lock: two "sync now" at once queue one run
    TracktikConnection.objects.select_for_update().filter(pk=connection.pk).first()
    if _unfinished(actor.organisation).exists():
        raise Conflict(_("A TrackTik sync is already queued or running."), code="tracktik_sync_running")
    run = TracktikSyncRun.objects.create(organisation=actor.organisation, full=full)
    audit_change(actor=actor, action="tracktik.sync.start", obj=run, changes={"full": [None, full]})
    task = celery_app.tasks[SYNC_TASK]
    transaction.on_commit(lambda: task.delay(run.pk, actor.organisation.pk))
    return run


def sync_due_start(*, now: datetime.datetime | None = None) -> int:
    """The beat: start a run for every enabled connection whose schedule has come round."""
    now = now or timezone.now()
    started = 0
    for connection in TracktikConnection.objects.filter(enabled=True, sync_interval_minutes__gt=0).select_related(
        "organisation"
    ):
        last = connection.last_sync_at
        if last is not None and now - last < datetime.timedelta(minutes=connection.sync_interval_minutes):
            continue
        if not connection.organisation.has_feature("tracktik") or _unfinished(connection.organisation).exists():
            continue
        sync_start(actor=system_actor(connection.organisation), full=False)
        started += 1
    return started


def _window_start(connection: TracktikConnection, full: bool) -> datetime.date | None:
    if full or connection.watermark is None:
        return connection.sync_from
    start = (connection.watermark - datetime.timedelta(days=connection.lookback_days)).date()
    return max(start, connection.sync_from) if connection.sync_from else start


def _finish(run: TracktikSyncRun, ctx: SyncContext, started: float, *, reason: str | None) -> TracktikSyncRun:
    values = {
        "created_count": ctx.counts["created"],
        "updated_count": ctx.counts["updated"],
        "unchanged_count": ctx.counts["unchanged"],
        "removed_count": ctx.counts["removed"],
        "flagged_count": ctx.counts["flagged"],
        "error_count": ctx.error_count,
        **{f"leave_{outcome}_count": count for outcome, count in ctx.leave.items()},
        "errors": ctx.errors,
        "duration_ms": int((time.monotonic() - started) * 1000),
    }
    with transaction.atomic():
        if reason is None:
            jobs.job_succeeded(TracktikSyncRun, run.pk, **values)
        else:
            jobs.job_failed(TracktikSyncRun, run.pk, reason, **values)
        run.refresh_from_db()
        connection = TracktikConnection.objects.for_organisation(run.organisation).get()
        connection.last_sync_at = timezone.now()
        update = ["last_sync_at", "updated_at"]
        if reason is None:
            connection.watermark = run.started_at
            update.append("watermark")
        connection.save(update_fields=update)
        topic = events.SYNC_COMPLETED if reason is None else events.SYNC_FAILED
        record_event(run.organisation, topic, events.run_payload(run))
    return run


def sync_run_execute(*, run_id: int, organisation_id: int) -> TracktikSyncRun:
    """Run a queued sync (a second call for a run already claimed does nothing)."""
    organisation = Organisation.objects.get(pk=organisation_id)
    run = TracktikSyncRun.objects.for_organisation(organisation).get(pk=run_id)
    if not jobs.job_claim(TracktikSyncRun, run.pk):
        return run
    run.refresh_from_db()
    started = time.monotonic()
    actor = system_actor(organisation)
    ctx = SyncContext(actor=actor, run_id=run.pk, locks=PeriodLocks(organisation))
    connection = connection_for(organisation)
    window = _window_start(connection, run.full)
    TracktikSyncRun.objects.filter(pk=run.pk).update(window_start=window)
    try:
        with client_for(connection) as client:
            load_reference(ctx)
            sync_employees(client, ctx)
            sync_sites_and_positions(client, ctx)
            sync_contracts(client, ctx)
            apply_contract_rates(ctx, sync_bill_rates(client, ctx))
            sync_pay_codes(client, ctx)
            preload_tasks(ctx)
            ctx.sessions = load_sessions(client, ctx, window)
            seen = sync_shifts(client, ctx, window)
            remove_unseen(ctx, seen, window)
            sync_off_periods(client, ctx, window)
            if connection.trust_approval and ctx.touched:
                tt_services.external_timesheets_approve(
                    actor=actor, employee_days=ctx.touched, label=_("TrackTik (trusted approval)")
                )
    except (TracktikError, Conflict) as exc:
        return _finish(run, ctx, started, reason=str(exc))
    return _finish(run, ctx, started, reason=None)
