"""The reference data of a sync: employees (→ HR through ``hr.services``), clients/sites (→ time
clients and one project per site through ``timetracking.services``), positions (→ a task per
site project, created when a shift first needs it) and bill rates (TrackTik's bill items)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction

from hr import selectors as hr_selectors
from hr import services as hr_services
from organisations.actors import Actor
from timetracking import selectors as tt_selectors
from timetracking import services as tt_services
from timetracking.services import PeriodLocks

from ..client import TracktikClient, TracktikError
from ..models import TracktikPosition, TracktikSite

SOURCE = "tracktik"


def ref_id(value) -> int | None:
    """A related record given as an id or (with ``include``) as an object."""
    if isinstance(value, dict):
        value = value.get("id")
    try:
        return int(value) if value is not None and value != "" else None
    except (TypeError, ValueError):
        return None


def _text(value, limit: int) -> str:
    if isinstance(value, dict):
        value = value.get("name") or value.get("id") or ""
    return str(value or "").strip()[:limit]


@dataclass
class SyncContext:
    """What a run knows while it reads pages: our ids for TrackTik's, and its counts."""

    actor: Actor
    run_id: int
    employees: dict[str, int] = field(default_factory=dict)
    sites: dict[int, TracktikSite] = field(default_factory=dict)
    positions: dict[int, TracktikPosition] = field(default_factory=dict)
    #: (project id, task name) -> task id
    tasks: dict[tuple[int, str], int] = field(default_factory=dict)
    locks: PeriodLocks | None = None
    #: the organisation's time settings (rounding), read once per run
    time_settings: object = None
    #: TrackTik contract id -> our copy of it (``contracts.sync_contracts``)
    contracts: dict = field(default_factory=dict)
    #: TrackTik pay code id -> our copy of it (``pay_codes.sync_pay_codes``)
    pay_codes: dict = field(default_factory=dict)
    #: shift id -> its work and unpaid break sessions (``sessions.load_sessions``)
    sessions: dict = field(default_factory=dict)
    #: imported TrackTik off-periods (``off_periods``): created / updated / unchanged / withdrawn
    leave: dict[str, int] = field(default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0, "withdrawn": 0})
    #: employee id -> days (UTC) of the entries this run created or updated (trusted approval)
    touched: dict[int, set] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    counts: dict[str, int] = field(
        default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0, "removed": 0, "flagged": 0}
    )

    MAX_ERRORS = 200

    def error(self, kind: str, record_id, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < self.MAX_ERRORS:
            self.errors.append({"record_type": kind, "record_id": str(record_id), "message": message[:500]})


# =============================================================================
# Employees
# =============================================================================


def employee_row(row: dict) -> dict:
    return {
        "external_id": str(row.get("id")),
        "custom_id": str(row.get("customId") or "").strip(),
        "first_name": _text(row.get("firstName"), 100),
        "last_name": _text(row.get("lastName"), 100),
        "email": _text(row.get("email"), 254),
        "active": str(row.get("status") or "ACTIVE").upper() != "INACTIVE",
    }


def sync_employees(client: TracktikClient, ctx: SyncContext) -> None:
    """Every TrackTik employee, a page per transaction."""
    for page in client.pages("/employees", {"sort": "id"}):
        rows = [employee_row(r) for r in page.rows if r.get("id") is not None]
        result = hr_services.employee_sync_from_source(actor=ctx.actor, source=SOURCE, rows=rows)
        for external_id, reason in result.errors:
            ctx.error("employee", external_id, reason)
    ctx.employees = hr_selectors.employee_ids_for_source(organisation=ctx.actor.organisation, source=SOURCE)


# =============================================================================
# Sites and positions
# =============================================================================


def load_reference(ctx: SyncContext) -> None:
    org = ctx.actor.organisation
    ctx.sites = {s.tracktik_id: s for s in TracktikSite.objects.for_organisation(org)}
    ctx.positions = {p.tracktik_id: p for p in TracktikPosition.objects.for_organisation(org)}
    ctx.employees = hr_selectors.employee_ids_for_source(organisation=org, source=SOURCE)
    ctx.time_settings = tt_selectors.time_settings_get(organisation=org)


def _unique_name(queryset, name: str, suffix: str) -> str:
    return name if not queryset.filter(name=name).exists() else f"{name[: 200 - len(suffix) - 1]} {suffix}"


@transaction.atomic
def site_upsert(ctx: SyncContext, row: dict) -> TracktikSite:
    """A TrackTik client/site: its time client (by name) and its project (named after the
    site's ``customId``) are created on first sight; later changes rename our copy only."""
    tracktik_id = int(row["id"])
    actor = ctx.actor
    custom_id = _text(row.get("customId"), 100)
    name = _text(row.get("name"), 200) or custom_id or f"TrackTik client {tracktik_id}"
    region = _text(row.get("region"), 200)
    site = ctx.sites.get(tracktik_id)
    if site is None:
        client = tt_selectors.client_list(actor=actor).filter(name=name).first() or tt_services.client_create(
            actor=actor, name=name
        )
        projects = tt_selectors.project_list(actor=actor)
        project_name = custom_id or name
        project = projects.filter(name=project_name, client=client).first()
        if project is None:
            project_name = _unique_name(projects, project_name, f"(TrackTik {tracktik_id})")
            project = tt_services.project_create(actor=actor, name=project_name, client=client)
        site = TracktikSite.objects.create(
            organisation=actor.organisation,
            tracktik_id=tracktik_id,
            custom_id=custom_id,
            name=name,
            region=region,
            client=client,
            project=project,
        )
        ctx.sites[tracktik_id] = site
    elif (site.custom_id, site.name, site.region) != (custom_id, name, region):
        site.custom_id, site.name, site.region = custom_id, name, region
        site.save(update_fields=["custom_id", "name", "region", "updated_at"])
    return site


def position_upsert(ctx: SyncContext, row: dict) -> TracktikPosition:
    tracktik_id = int(row["id"])
    name = _text(row.get("name"), 200) or f"Position {tracktik_id}"
    code = _text(row.get("postPositionCode"), 100)
    site = ctx.sites.get(ref_id(row.get("client")))
    position = ctx.positions.get(tracktik_id)
    if position is None:
        position = TracktikPosition.objects.create(
            organisation=ctx.actor.organisation, tracktik_id=tracktik_id, name=name, post_position_code=code, site=site
        )
        ctx.positions[tracktik_id] = position
    elif (position.name, position.post_position_code, position.site_id) != (name, code, site.pk if site else None):
        position.name, position.post_position_code, position.site = name, code, site
        position.save(update_fields=["name", "post_position_code", "site", "updated_at"])
    return position


def sync_sites_and_positions(client: TracktikClient, ctx: SyncContext) -> None:
    for page in client.pages("/clients", {"sort": "id"}):
        for row in page.rows:
            if row.get("id") is not None:
                site_upsert(ctx, row)
    for page in client.pages("/positions", {"sort": "id"}):
        with transaction.atomic():
            for row in page.rows:
                if row.get("id") is not None:
                    position_upsert(ctx, row)


def _rate(value) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01")) if value not in (None, "") else None
    except InvalidOperation:
        return None


def sync_bill_rates(client: TracktikClient, ctx: SyncContext) -> list[dict] | None:
    """Bill items (``billRate`` of a position, or of a client when no position): the billing
    report's rates. An item naming a synced contract is left to ``contracts.apply_contract_rates``.
    A server without bill items (404/403) keeps our own rates (``None`` is returned)."""
    try:
        pages = list(client.pages("/bill-items", {"sort": "id"}))
    except TracktikError:
        return None
    rows = [row for page in pages for row in page.rows]
    for row in rows:
        if ref_id(row.get("contract")) in ctx.contracts:
            continue
        rate = _rate(row.get("billRate", row.get("rate")))
        position = ctx.positions.get(ref_id(row.get("position")))
        target = position or ctx.sites.get(ref_id(row.get("client")))
        if rate is not None and target is not None and target.bill_rate != rate:
            target.bill_rate = rate
            target.save(update_fields=["bill_rate", "updated_at"])
    return rows


def task_for(ctx: SyncContext, site: TracktikSite, position: TracktikPosition | None) -> int | None:
    """The task of a position in the site's project (created on first need)."""
    if position is None:
        return None
    key = (site.project_id, position.name)
    if key not in ctx.tasks:
        found = tt_selectors.task_list(actor=ctx.actor).filter(project_id=site.project_id, name=position.name).first()
        if found is None:
            found = tt_services.task_create(actor=ctx.actor, project=site.project, name=position.name)
        ctx.tasks[key] = found.pk
    return ctx.tasks[key]


def preload_tasks(ctx: SyncContext) -> None:
    project_ids = {s.project_id for s in ctx.sites.values()}
    for pk, project_id, name in (
        tt_selectors.task_list(actor=ctx.actor)
        .filter(project_id__in=project_ids)
        .values_list("pk", "project_id", "name")
    ):
        ctx.tasks.setdefault((project_id, name), pk)
