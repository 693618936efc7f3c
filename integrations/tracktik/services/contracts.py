"""TrackTik client contracts (issue 19 point 3: ``contracts`` and ``bill-items`` → bill rates).

The seed names ``/contracts`` but not its fields; what is assumed (docs/api-guide.md): each row
has ``id``, ``customId`` (optional), ``client`` (an id or an object with ``id``), ``startDate``,
``endDate`` (null: open-ended), ``status`` (``ACTIVE``/…) and ``name`` (optional); a bill item may
name its contract by ``contract`` (an id or an object) beside ``position``/``client`` and
``billRate``. A contract is kept as one :class:`TracktikContract`, linked to the already-synced
site of its client; a server without ``/contracts`` (404/403) skips the step. A bill item that
names a known contract gives its rate to that contract only (its position, else the whole
client), never to the position's or site's standing rate; the billing report applies it to the
weeks the contract is in force (``billing.contracts_in_force``).
"""

from __future__ import annotations

import datetime

from django.db import transaction

from ..client import TracktikClient, TracktikUnavailable
from ..models import TracktikContract
from .reference import SyncContext, _rate, _text, ref_id


def _date(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value).strip()[:10]) if value not in (None, "") else None
    except ValueError:
        return None


@transaction.atomic
def sync_contracts(client: TracktikClient, ctx: SyncContext) -> None:
    try:
        rows = [row for page in client.pages("/contracts", {"sort": "id"}) for row in page.rows]
    except TracktikUnavailable:
        return
    org = ctx.actor.organisation
    stored = {c.tracktik_id: c for c in TracktikContract.objects.for_organisation(org)}
    for row in rows:
        tracktik_id = ref_id(row.get("id"))
        if tracktik_id is None:
            continue
        start, end = _date(row.get("startDate")), _date(row.get("endDate"))
        if start is None or (end is not None and end < start):
            ctx.error("contract", tracktik_id, "A contract needs a startDate on or before its endDate.")
            continue
        site = ctx.sites.get(ref_id(row.get("client")))
        if site is None:
            ctx.error("contract", tracktik_id, "The contract's client is not a synced TrackTik client.")
        values = {
            "custom_id": _text(row.get("customId"), 100),
            "name": _text(row.get("name"), 200),
            "site": site,
            "start_date": start,
            "end_date": end,
            "status": _text(row.get("status"), 50).upper(),
        }
        contract = stored.get(tracktik_id)
        if contract is None:
            stored[tracktik_id] = TracktikContract.objects.create(organisation=org, tracktik_id=tracktik_id, **values)
        elif any(getattr(contract, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(contract, k, v)
            contract.save(update_fields=[*values, "updated_at"])
    ctx.contracts = stored


@transaction.atomic
def apply_contract_rates(ctx: SyncContext, bill_items: list[dict] | None) -> None:
    """The rates of the bill items that name a contract, on that contract (a contract's rates
    are rebuilt from every sync's bill items; without a bill-items list they stay as they were)."""
    if bill_items is None or not ctx.contracts:
        return
    rates: dict[int, tuple] = {pk: (None, {}) for pk in ctx.contracts}
    for row in bill_items:
        contract_id, rate = ref_id(row.get("contract")), _rate(row.get("billRate", row.get("rate")))
        if contract_id not in rates or rate is None:
            continue
        position_id = ref_id(row.get("position"))
        if position_id is None:
            rates[contract_id] = (rate, rates[contract_id][1])
        else:
            rates[contract_id][1][str(position_id)] = str(rate)
    for pk, (rate, per_position) in rates.items():
        contract = ctx.contracts[pk]
        if (contract.bill_rate, contract.position_rates) != (rate, per_position):
            contract.bill_rate, contract.position_rates = rate, per_position
            contract.save(update_fields=["bill_rate", "position_rates", "updated_at"])
