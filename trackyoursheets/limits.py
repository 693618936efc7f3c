"""The documented bounds of inputs and answers (issue 13, docs/api-guide.md "Limits").

- free text: at most :data:`FREE_TEXT_MAX_LENGTH` characters unless a field says less;
- instants (date-times): years :data:`MIN_YEAR`-:data:`MAX_YEAR`, so every one renders as RFC 3339;
- calendar dates: years :data:`MIN_DATE_YEAR`-:data:`MAX_YEAR` (birth dates reach back further);
- error lists: the first :data:`MAX_ERRORS` errors plus the total (:func:`capped`).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

FREE_TEXT_MAX_LENGTH = 5_000
MIN_YEAR, MAX_YEAR = 2000, 2100
MIN_DATE_YEAR = 1900
MAX_ERRORS = 1_000
#: the largest id or whole number an input or filter takes (PostgreSQL bigint); beyond it is a 422
MAX_WHOLE_NUMBER = 2**63 - 1
#: the largest value a ``PositiveIntegerField`` stores (versions, priorities)
MAX_STORED_INTEGER = 2**31 - 1


def date_out_of_range(value) -> str | None:
    """Why ``value`` (a date or a date-time) is outside its documented years, or None."""
    if isinstance(value, datetime.datetime):
        low = MIN_YEAR
    elif isinstance(value, datetime.date):
        low = MIN_DATE_YEAR
    else:
        return None
    if not low <= value.year <= MAX_YEAR:
        return f"Must be between the years {low} and {MAX_YEAR}."
    return None


def text_too_long(value, maximum: int = FREE_TEXT_MAX_LENGTH) -> str | None:
    if isinstance(value, str) and len(value) > maximum:
        return f"Ensure this field has no more than {maximum} characters (it has {len(value)})."
    return None


def capped(errors: Sequence, limit: int = MAX_ERRORS) -> tuple[list, int]:
    """The first ``limit`` errors and how many there were in all (the one cap of every error list)."""
    return list(errors[:limit]), len(errors)
