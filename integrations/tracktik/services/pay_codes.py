"""TrackTik pay codes (issue 19 point 3: ``pay-codes``/``payroll-codes`` mapped to our pay codes).

The seed names the lists but not their fields; what is assumed (docs/api-guide.md): each row has
``id``, a code (``code``, else ``customId``) and a name (``name``, else ``description``); a
shift or work session names its pay code by ``payCode`` (an id, or an object with ``id``).

A sync reads ``/pay-codes`` (``/payroll-codes`` when the server has no such list; neither: the
step is skipped) and keeps one :class:`TracktikPayCode` per TrackTik code, mapped to our pay code
(``payroll.selectors.pay_code_list``) by external code, then code, then name (case-insensitive),
unless an admin mapped it by hand (``PUT /v1/integrations/tracktik/pay-codes``). Every code left
unmapped is one record error of the run and counts as flagged: it is reported, not dropped.
A shift's time entry carries the code of the mapped pay code (``TimeEntry.pay_code_hint``), and
a change of mapping changes the shifts' fingerprints, so the next sync rewrites their entries.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from organisations.actors import Actor
from organisations.audit import audit_change
from payroll import selectors as payroll_selectors
from payroll import services as payroll_services

from ..client import TracktikClient, TracktikUnavailable
from ..models import TracktikPayCode
from .connection import require_admin
from .reference import SyncContext, _text, ref_id

PATHS = ("/pay-codes", "/payroll-codes")


def _rows(client: TracktikClient) -> list[dict] | None:
    for path in PATHS:
        try:
            return [row for page in client.pages(path, {"sort": "id"}) for row in page.rows]
        except TracktikUnavailable:
            continue
    return None


def _ours(actor: Actor) -> list:
    payroll_services.ensure_default_pay_codes(actor.organisation)  # seeded on first use, as payroll does
    return list(payroll_selectors.pay_code_list(actor=actor).filter(active=True))


def _match(ours: list, code: str, name: str):
    """Our pay code for a TrackTik one: by external code, then code, then name."""
    lowered, slug, named = code.lower(), slugify(code), name.lower()
    for test in (
        lambda p: code and p.external_code and p.external_code.lower() == lowered,
        lambda p: slug and p.code == slug,
        lambda p: named and p.name.lower() == named,
    ):
        found = next((p for p in ours if test(p)), None)
        if found is not None:
            return found
    return None


@transaction.atomic
def sync_pay_codes(client: TracktikClient, ctx: SyncContext) -> None:
    rows = _rows(client)
    if rows is None:
        return
    org = ctx.actor.organisation
    stored = {p.tracktik_id: p for p in TracktikPayCode.objects.for_organisation(org).select_related("pay_code")}
    ours = _ours(ctx.actor)
    for row in rows:
        tracktik_id = ref_id(row.get("id"))
        if tracktik_id is None:
            continue
        code = _text(row.get("code") or row.get("customId"), 100)
        name = _text(row.get("name") or row.get("description"), 200)
        copy = stored.get(tracktik_id) or TracktikPayCode(organisation=org, tracktik_id=tracktik_id)
        mapped = copy.pay_code if copy.mapped_by_hand else _match(ours, code, name)
        if copy.pk is None or (copy.code, copy.name, copy.pay_code_id) != (code, name, mapped and mapped.pk):
            copy.code, copy.name, copy.pay_code = code, name, mapped
            copy.save()
        stored[tracktik_id] = copy
    ctx.pay_codes = dict(stored)
    for copy in stored.values():
        if copy.pay_code_id is None:
            ctx.counts["flagged"] += 1
            ctx.error(
                "pay_code",
                copy.tracktik_id,
                f"TrackTik pay code {copy.code or copy.name or copy.tracktik_id} is not mapped to a pay code of "
                "ours: map it under Integrations → TrackTik (its shifts sync without one).",
            )


def pay_code_hint(copy: TracktikPayCode | None) -> str:
    """What a shift's time entry carries for payroll: the code of our pay code ("" for none)."""
    return copy.pay_code.code if copy is not None and copy.pay_code is not None else ""


def shift_pay_code(ctx: SyncContext, row: dict, sessions) -> TracktikPayCode | None:
    """The TrackTik pay code of a shift (``payCode``), else of its work session."""
    ref = ref_id(row.get("payCode") or row.get("payrollCode"))
    if ref is None and sessions is not None:
        ref = sessions.pay_code
    if ref is None:
        return None
    found = ctx.pay_codes.get(ref)
    if found is None:
        ctx.error("shift", row.get("id"), f"Unknown TrackTik pay code {ref}.")
    return found


@transaction.atomic
def pay_code_map(*, actor: Actor, mappings: list[dict]) -> list[TracktikPayCode]:
    """Map TrackTik pay codes to ours by hand: ``[{"id": <our TrackTik pay code row>,
    "pay_code_id": <our pay code or null>}]``; null hands the code back to the automatic match."""
    require_admin(actor)
    org = actor.organisation
    copies = {p.pk: p for p in TracktikPayCode.objects.for_organisation(org).select_for_update()}
    ours = {p.pk: p for p in _ours(actor)}
    errors = {}
    for index, item in enumerate(mappings):
        if item.get("id") not in copies:
            errors[f"mappings[{index}].id"] = [_("No such TrackTik pay code.")]
        elif item.get("pay_code_id") is not None and item["pay_code_id"] not in ours:
            errors[f"mappings[{index}].pay_code_id"] = [_("No such active pay code.")]
    if errors:
        raise ValidationError(errors)
    for item in mappings:
        copy = copies[item["id"]]
        before = [copy.pay_code_id, copy.mapped_by_hand]
        chosen = ours.get(item.get("pay_code_id"))
        if chosen is None:
            copy.mapped_by_hand, copy.pay_code = False, _match(list(ours.values()), copy.code, copy.name)
        else:
            copy.mapped_by_hand, copy.pay_code = True, chosen
        if before != [copy.pay_code_id, copy.mapped_by_hand]:
            copy.save(update_fields=["pay_code", "mapped_by_hand", "updated_at"])
            audit_change(
                actor=actor,
                action="tracktik.pay_code.map",
                obj=copy,
                changes={
                    "pay_code_id": [before[0], copy.pay_code_id],
                    "mapped_by_hand": [before[1], copy.mapped_by_hand],
                },
            )
    return list(TracktikPayCode.objects.for_organisation(org).select_related("pay_code"))
