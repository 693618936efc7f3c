"""Reading and normalising commission statements (issue 6 point 3): pure functions, no database.

- reading the file itself (CSV, XLSX, JSON payouts, one row at a time) is ``statements.py``;
- :func:`resolve_mapping` decides which column feeds which ledger field: the mapping given
  with the upload, then the carrier's saved mapping, then the default header names below,
  all compared case- and space-insensitively (``Policy Number`` = ``policy_number`` = ``POLICYNUMBER``);
- ``parse_*`` turn one cell into a value or raise :class:`CellError` with a reason that names
  what was expected. Nothing is guessed: a date that does not fit the carrier's format (or
  ISO ``YYYY-MM-DD``) is an error naming that format, never re-read as D/M or M/D.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from django.utils.translation import gettext as _

from payroll.choices import DateFormat, TransactionType

__all__ = [
    "FIELDS",
    "DEFAULT_HEADERS",
    "CellError",
    "StatementError",
    "header_key",
    "match_key",
    "policy_key",
    "resolve_mapping",
    "validate_mapping",
    "parse_money",
    "parse_percent",
    "parse_date",
    "parse_period",
    "parse_type",
    "fingerprint",
    "date_format_label",
]

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
FOUR_PLACES = Decimal("0.0001")
TOO_LARGE = Decimal("1e12")

#: what a column can feed; ``ignore`` leaves a column out on purpose
FIELDS = (
    "carrier",
    "policy_number",
    "producer_code",
    "producer_email",
    "producer_name",
    "customer_name",
    "transaction_date",
    "statement_period",
    "premium",
    "gross_commission",
    "rate",
    "split_percent",
    "type",
    "external_id",
    "line_of_business",
)
IGNORE = "ignore"

#: the header names recognised without any mapping (compared with :func:`header_key`)
DEFAULT_HEADERS: dict[str, tuple[str, ...]] = {
    "carrier": ("carrier", "carrier name", "carrier code", "insurer", "company"),
    "policy_number": ("policy number", "policy", "policy #", "policy no", "policy num", "pol #", "policy id"),
    "producer_code": ("producer code", "agent code", "writing agent code", "producer id", "agent id", "agent number"),
    "producer_email": ("producer email", "agent email", "email"),
    "producer_name": (
        "producer",
        "producer name",
        "producer full name",
        "agent",
        "agent name",
        "writer",
        "writing agent",
    ),
    "customer_name": ("customer", "customer name", "insured", "insured name", "named insured", "client", "client name"),
    "transaction_date": (
        "transaction date",
        "date",
        "effective date",
        "written date",
        "paid date",
        "process date",
        "txn date",
    ),
    "statement_period": ("statement period", "period", "statement month", "month"),
    "premium": ("premium", "written premium", "total premium", "premium amount"),
    "gross_commission": (
        "gross commission",
        "commission",
        "commission amount",
        "commission total",
        "comm amt",
        "comm amount",
        "gross",
    ),
    "rate": ("rate", "commission rate", "comm rate", "commission %", "comm %", "rate %"),
    "split_percent": ("split percent", "split", "split %", "producer split", "agent split", "split pct"),
    "type": ("type", "transaction type", "business type", "new/renewal", "commission type"),
    "external_id": ("external id", "transaction id", "payout id", "reference", "ref"),
    "line_of_business": ("line of business", "lob", "product", "product type", "coverage"),
}


def header_key(text: str) -> str:
    """A header as compared: lower case without spaces or underscores."""
    return re.sub(r"[\s_]+", "", str(text).lower())


def match_key(text: str) -> str:
    """A producer code, email, name or alias as compared: lower case without any spaces."""
    return "".join(str(text).lower().split())


def policy_key(text: str) -> str:
    """A policy number as compared: upper case without spaces."""
    return "".join(str(text).upper().split())


_DEFAULT_BY_KEY = {header_key(name): target for target, names in DEFAULT_HEADERS.items() for name in names}


class CellError(ValueError):
    """One value that cannot be read; the message is shown against the row's line."""


class StatementError(ValueError):
    """The file as a whole cannot be read (not a CSV, no header, no amount column, ...)."""


# =============================================================================
# Column mapping
# =============================================================================


def validate_mapping(mapping) -> dict[str, str]:
    """``{header: field}`` with known fields only (or ``ignore``); raises StatementError otherwise."""
    if mapping in (None, ""):
        return {}
    if not isinstance(mapping, dict) or any(
        not isinstance(k, str) or not isinstance(v, str) for k, v in mapping.items()
    ):
        raise StatementError(_("The column mapping must be an object of column header to field name (both strings)."))
    unknown = sorted({v for v in mapping.values() if v not in FIELDS and v != IGNORE})
    if unknown:
        raise StatementError(
            _("Unknown fields in the column mapping: %(unknown)s. Known fields: %(known)s, or ignore.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(FIELDS)}
        )
    return dict(mapping)


def resolve_mapping(headers: Iterable[str], *mappings: dict[str, str]) -> dict[str, str]:
    """``{header as written: field}`` for the headers that feed a field.

    Each header is looked up in ``mappings`` in order (e.g. the upload's, then the carrier's
    saved one), then in :data:`DEFAULT_HEADERS`; when two headers would feed one field the
    earlier source wins, then the leftmost column.
    """
    keyed = [{header_key(k): v for k, v in (m or {}).items()} for m in mappings]
    candidates: dict[str, tuple[int, int, str]] = {}
    for position, header in enumerate(headers):
        if header is None or str(header).strip() == "":
            continue
        key = header_key(header)
        for rank, mapping in enumerate([*keyed, _DEFAULT_BY_KEY]):
            if key in mapping:
                target = mapping[key]
                if target != IGNORE and (target not in candidates or candidates[target][:2] > (rank, position)):
                    candidates[target] = (rank, position, str(header))
                break
    return {header: target for target, (_rank, _pos, header) in candidates.items()}


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


# =============================================================================
# Values
# =============================================================================

_MONEY = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?$")
_CURRENCY = re.compile(r"[$€£¥]|\b(?:USD|CAD|EUR|GBP|AUD)\b", re.IGNORECASE)


def _decimal_text(value, what: str) -> Decimal | None:
    """A number from a cell: ``$``, currency codes, spaces and thousands separators dropped,
    ``(12.50)`` and ``12.50-`` negative. None for an empty cell."""
    if value is None:
        return None
    if type(value) is not str:
        if isinstance(value, bool):
            raise CellError(_("%(value)s is not %(what)s.") % {"value": value, "what": what})
        if isinstance(value, (int, Decimal)):
            return Decimal(value)
        if isinstance(value, float):
            return Decimal(repr(value))
    text = str(value).strip()
    if not text:
        return None
    if text[-1].isdigit() and (text[0].isdigit() or text[0] in "-.") and "," not in text:
        try:  # the common case, a plain number: no clean-up needed
            return Decimal(text)
        except InvalidOperation:
            pass
    body = text[1:] if text[0] == "$" else text
    if body and body[-1].isdigit() and _MONEY.match(body):
        # the next most common, "$1,234.56" or "1,234.56": what the clean-up below arrives at
        return Decimal(body.replace(",", ""))
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    text = _CURRENCY.sub("", text).replace(" ", "").replace("\u00a0", "")
    if text.startswith("-"):
        negative, text = not negative, text[1:]
    elif text.endswith("-"):
        negative, text = not negative, text[:-1]
    elif text.startswith("+"):
        text = text[1:]
    text = text.removesuffix("%") if what == "percent" else text
    if not text or text == "." or not _MONEY.match(text):
        raise CellError(
            _('"%(value)s" is not %(what)s.')
            % {"value": value, "what": _("an amount") if what != "percent" else _("a percentage")}
        )
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation as error:  # pragma: no cover - the pattern above rules this out
        raise CellError(_('"%(value)s" is not a number.') % {"value": value}) from error
    return -number if negative else number


def parse_money(value) -> Decimal | None:
    """An amount of money rounded to cents (half up), or None for an empty cell."""
    number = _decimal_text(value, "money")
    if number is None:
        return None
    if abs(number) >= TOO_LARGE:
        raise CellError(_('"%(value)s" is too large an amount.') % {"value": value})
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_percent(value) -> Decimal | None:
    """A percentage 0-100: ``15``, ``15%`` and ``0.15`` all mean 15 %. A bare number up to 1 is
    a fraction (``0.5`` is 50 %, ``1`` is 100 %); write ``0.5%`` for half a percent."""
    number = _decimal_text(value, "percent")
    if number is None:
        return None
    explicit = isinstance(value, str) and value.strip().rstrip(")").endswith("%")
    if not explicit and abs(number) <= 1:
        number *= HUNDRED
    if not Decimal("0") <= number <= HUNDRED:
        raise CellError(_('"%(value)s" is not a percentage between 0 and 100.') % {"value": value})
    return number.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


def date_format_label(fmt: str) -> str:
    try:
        return str(DateFormat(fmt).label)
    except ValueError:
        return fmt


def parse_date(value, fmt: str) -> datetime.date | None:
    """A date in the carrier's format ``fmt`` (ISO ``YYYY-MM-DD`` is always understood too).
    Anything else is an error naming the expected format: ``03/04/2026`` is never guessed."""
    if type(value) is not str:
        if value is None:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
    text = str(value).strip()
    if not text:
        return None
    found = _date_from_text(text, fmt)
    if found is not None:
        return found
    raise CellError(
        _('"%(value)s" is not a date in the format %(format)s (the statement date format).')
        % {"value": value, "format": date_format_label(fmt)}
    )


@lru_cache(maxsize=4096)
def _date_from_text(text: str, fmt: str) -> datetime.date | None:
    """``strptime`` is slow and a statement repeats a few dozen dates: parse each once."""
    for candidate in (fmt, DateFormat.ISO):
        try:
            return datetime.datetime.strptime(text, candidate).date()
        except ValueError:
            continue
    return None


_PERIOD_FORMATS = ("%Y-%m", "%Y/%m", "%m/%Y", "%m-%Y", "%b %Y", "%B %Y", "%b-%Y", "%B-%Y", "%Y%m")


def parse_period(value, fmt: str) -> datetime.date | None:
    """A statement month (``2026-01``, ``01/2026``, ``Jan 2026``, or a date in the carrier's
    format) as the month's first day."""
    if _blank(value):
        return None
    if isinstance(value, (datetime.date, datetime.datetime)):
        return (value.date() if isinstance(value, datetime.datetime) else value).replace(day=1)
    text = str(value).strip()
    for candidate in _PERIOD_FORMATS:
        try:
            return datetime.datetime.strptime(text, candidate).date().replace(day=1)
        except ValueError:
            continue
    try:
        parsed = parse_date(text, fmt)
    except CellError:
        raise CellError(
            _('"%(value)s" is not a statement period; use YYYY-MM or a date in the format %(format)s.')
            % {"value": value, "format": date_format_label(fmt)}
        ) from None
    return parsed.replace(day=1) if parsed is not None else None


_TYPES = {
    "new": TransactionType.NEW,
    "newbusiness": TransactionType.NEW,
    "nb": TransactionType.NEW,
    "n": TransactionType.NEW,
    "new business": TransactionType.NEW,
    "renewal": TransactionType.RENEWAL,
    "renew": TransactionType.RENEWAL,
    "rn": TransactionType.RENEWAL,
    "rwl": TransactionType.RENEWAL,
    "ren": TransactionType.RENEWAL,
    "r": TransactionType.RENEWAL,
    "chargeback": TransactionType.CHARGEBACK,
    "cb": TransactionType.CHARGEBACK,
    "clawback": TransactionType.CHARGEBACK,
    "reversal": TransactionType.CHARGEBACK,
    "cancellation": TransactionType.CHARGEBACK,
    "cancel": TransactionType.CHARGEBACK,
    "adjustment": TransactionType.ADJUSTMENT,
    "adj": TransactionType.ADJUSTMENT,
}


def parse_type(value) -> str | None:
    """new / renewal / chargeback / adjustment, from the usual statement spellings (NB, RN, CB, ADJ...)."""
    if type(value) is str:  # a statement spells its types a few ways: each read once
        return _type_of_text(value)
    if _blank(value):
        return None
    return _type_of_text(str(value))


@lru_cache(maxsize=256)
def _type_of_text(value: str) -> str | None:
    if not value.strip():
        return None
    found = _TYPES.get(match_key(value)) or _TYPES.get(value.strip().lower())
    if found is None:
        raise CellError(
            _('"%(value)s" is not a transaction type; use new, renewal, chargeback or adjustment.') % {"value": value}
        )
    return str(found)


def fingerprint(*parts) -> str:
    """128 bits of BLAKE2b over the parts, as 32 hex characters."""
    if None in parts:  # (rare: an unreadable cell) None hashes as an empty part
        parts = tuple("" if p is None else p for p in parts)
    text = "\x1f".join(map(str, parts))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def text_value(value) -> str:
    """A cell as trimmed text ('' when empty); whole numbers from spreadsheets lose their '.0'."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value).strip()


def json_value(value):
    """A raw cell for the row's stored ``raw`` data (JSON-safe)."""
    if type(value) is str:
        return value
    if isinstance(value, (Decimal, datetime.date, datetime.datetime)):
        return text_value(value) if not isinstance(value, Decimal) else str(value)
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, dict)):
        return value
    return str(value)
