"""One way to show money, hours and dates on every page (issue 14 point 5; DESIGN §9).

- :func:`format_money` -- locale-aware digits (the active language's separators) with the
  currency: ``$1,234.50`` in English, ``1.234,50 €`` where the symbol follows the number;
  codes without a well-known symbol show as ``CHF 1,234.50``.
- :func:`format_duration` -- seconds as ``H:MM``; :func:`format_hours` -- decimal hours.
- :func:`format_date` / :func:`format_datetime` -- the language's date format, in the
  active timezone (the page sets the reader's).
- :func:`spreadsheet_cell` -- a CSV cell a spreadsheet will not run as a formula (every page's
  CSV download uses it).

Templates use the ``money``, ``duration`` and ``hours`` filters (:mod:`.templatetags`, a
template builtin); tables use the same functions. Nothing else formats money.
"""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import formats, timezone
from django.utils.translation import get_language

__all__ = [
    "as_decimal",
    "currency_affixes",
    "format_date",
    "format_datetime",
    "format_duration",
    "format_hours",
    "format_money",
    "spreadsheet_cell",
]

#: symbols that are unambiguous enough to stand for their code
SYMBOLS = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "INR": "₹",
    "KRW": "₩",
    "NGN": "₦",
    "ILS": "₪",
    "PHP": "₱",
    "VND": "₫",
    "CAD": "CA$",
    "AUD": "A$",
    "NZD": "NZ$",
    "MXN": "MX$",
    "BRL": "R$",
    "HKD": "HK$",
    "SGD": "S$",
    "ZAR": "R",
}
#: currencies without minor units
NO_DECIMALS = {"JPY", "KRW", "VND", "CLP", "ISK", "HUF", "TWD", "UGX", "XAF", "XOF"}
#: languages that write the currency after the number
SYMBOL_AFTER = {"fr", "de", "es", "it", "pt", "nl", "sv", "da", "nb", "fi", "pl", "cs", "ru"}


def as_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def format_money(value, currency: str | None = None) -> str:
    """``value`` in ``currency`` for the reader's language; empty for no value."""
    amount = as_decimal(value)
    if amount is None:
        return ""
    code = (currency or "").upper()
    places = 0 if code in NO_DECIMALS else 2
    amount = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    digits = formats.number_format(abs(amount), places, use_l10n=True, force_grouping=True)
    sign = "-" if amount < 0 else ""
    prefix, suffix = currency_affixes(code)
    return f"{sign}{prefix}{digits}{suffix}"


def currency_affixes(currency: str | None) -> tuple[str, str]:
    """What goes before and after the digits for ``currency`` in the reader's language
    (``("$", "")``, ``("", " €")``, ``("CHF ", "")``); scripts that redraw amounts use the same."""
    code = (currency or "").upper()
    if not code:
        return "", ""
    symbol = SYMBOLS.get(code)
    language = (get_language() or "en").split("-")[0]
    if language in SYMBOL_AFTER:
        return "", f"\u00a0{symbol or code}"
    if symbol:
        return symbol, ""
    return f"{code}\u00a0", ""


def format_duration(seconds) -> str:
    """Seconds as ``H:MM`` (``0:00`` for none)."""
    if not seconds:
        return "0:00"
    minutes = int(seconds) // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


def format_hours(value, places: int = 2) -> str:
    amount = as_decimal(value)
    if amount is None:
        return ""
    return formats.number_format(amount, places, use_l10n=True, force_grouping=True)


def format_date(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return formats.date_format(value, "DATE_FORMAT")


def format_datetime(value) -> str:
    if value is None or value == "":
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{formats.date_format(value, 'DATE_FORMAT')} {value:%H:%M}"


_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value) -> str:
    """``value`` as CSV text a spreadsheet shows and never runs (OWASP's CSV injection): text
    that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``;
    numbers, and text that is a plain number (``-12.50``), stay numbers; ``None`` is empty."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return str(value)
    text = str(value)
    if text[:1] in _FORMULA_STARTS and not _NUMBER.fullmatch(text):
        return "'" + text
    return text
