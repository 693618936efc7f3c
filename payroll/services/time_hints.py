"""Time paid on the pay code its entries name (``TimeEntry.pay_code_hint``: the code of our pay
code, written by the TrackTik sync from its mapped ``pay-codes``/``payroll-codes``, issue 19).

The rule (docs/api-guide.md, "Payroll runs"): hinted hours are paid on their pay code, hours ×
the employee's pay rate of the day × the code's multiplier, as lines of their own, and are
**excluded from the overtime split** (they count toward no daily or weekly threshold, no seventh
day and no holiday rule): the pay code already says how the time is paid. A hint naming the
default Regular code is ordinary worked time and goes through the split as time without a hint;
so does a hint naming no active pay code of ours (with a warning)."""

from __future__ import annotations

from typing import Any

from ..choices import PayCodeKind
from ..models import PayCode

__all__ = ["split_hinted"]


def split_hinted(ctx, days: list) -> tuple[list, list[tuple]]:
    """``days``: :class:`timetracking.payroll_time.PaidDay` rows by employee, day and hint.
    Returns the days the overtime split reads (one per employee and day, the unhinted time and
    time hinted Regular or unknown summed) and ``(PaidDay, PayCode)`` of the hinted time paid on
    its code. One query when some time carries a hint, none otherwise."""
    hints = {d.pay_code_hint for d in days if d.pay_code_hint}
    if not hints:
        return days, []
    codes = {c.code: c for c in PayCode.objects.for_organisation(ctx.organisation).filter(code__in=hints, active=True)}
    merged: dict[tuple, Any] = {}
    hinted = []
    for item in days:
        code = codes.get(item.pay_code_hint)
        if item.pay_code_hint and code is None:
            ctx.warn(
                item.employee_id,
                "unknown_pay_code_hint",
                f"Time carries pay code {item.pay_code_hint}, which is not an active pay code: paid as worked time.",
            )
        if code is not None and not (code.is_default and code.kind == PayCodeKind.REGULAR):
            hinted.append((item, code))
            continue
        key = (item.employee_id, item.day)
        before = merged.get(key)
        merged[key] = (
            item
            if before is None
            else before._replace(
                seconds=before.seconds + item.seconds,
                entry_ids=sorted([*before.entry_ids, *item.entry_ids]),
                pay_code_hint="",
            )
        )
    return list(merged.values()), hinted
