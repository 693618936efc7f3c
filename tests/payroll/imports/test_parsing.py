"""Normalisation rules as tables (issue 6 point 3): the pure functions the import pipeline reads
every cell with. (The API tests prove the same rules end to end.)"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from payroll.services.parsing import (
    CellError,
    header_key,
    parse_date,
    parse_money,
    parse_percent,
    parse_period,
    parse_type,
    resolve_mapping,
)

D = Decimal


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1200", D("1200.00")),
        ("$1,200.50", D("1200.50")),
        ("  $ 1,234,567.891 ", D("1234567.89")),
        ("(12.50)", D("-12.50")),
        ("($12.50)", D("-12.50")),
        ("12.50-", D("-12.50")),
        ("-0.005", D("-0.01")),  # half up, away from zero
        ("0.005", D("0.01")),
        ("USD 15", D("15.00")),
        ("€7", D("7.00")),
        (12, D("12.00")),
        (12.345, D("12.35")),
        (D("3.1"), D("3.10")),
        ("", None),
        (None, None),
    ],
)
def test_money(cell, expected):
    assert parse_money(cell) == expected


@pytest.mark.parametrize("cell", ["abc", "12,5", "1,23,456", "1.2.3", "$", "(", "--5", True])
def test_money_that_is_not_money(cell):
    with pytest.raises(CellError):
        parse_money(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("15", D("15")),
        ("15%", D("15")),
        ("0.15", D("15")),
        (0.15, D("15")),
        ("12.5 %", D("12.5")),
        ("0.5%", D("0.5")),
        ("1", D("100")),
        ("100", D("100")),
        ("", None),
    ],
)
def test_percentages_given_as_15_or_0_15(cell, expected):
    assert parse_percent(cell) == expected


@pytest.mark.parametrize("cell", ["150", "-5", "x%"])
def test_percentages_out_of_range(cell):
    with pytest.raises(CellError):
        parse_percent(cell)


@pytest.mark.parametrize(
    ("fmt", "cell", "expected"),
    [
        ("%m/%d/%Y", "03/04/2026", datetime.date(2026, 3, 4)),
        ("%d/%m/%Y", "03/04/2026", datetime.date(2026, 4, 3)),
        ("%d/%m/%Y", "2026-04-03", datetime.date(2026, 4, 3)),
        ("%m-%d-%Y", "12-31-2026", datetime.date(2026, 12, 31)),
        ("%Y-%m-%d", datetime.datetime(2026, 1, 2, 9, 30), datetime.date(2026, 1, 2)),
        ("%Y-%m-%d", "", None),
    ],
)
def test_dates_in_the_carriers_format(fmt, cell, expected):
    assert parse_date(cell, fmt) == expected


@pytest.mark.parametrize(
    ("fmt", "cell", "named"),
    [
        ("%Y-%m-%d", "03/04/2026", "YYYY-MM-DD"),
        ("%m/%d/%Y", "31/01/2026", "MM/DD/YYYY"),
        ("%d/%m/%Y", "01/31/2026", "DD/MM/YYYY"),
        ("%d.%m.%Y", "1/2/26", "DD.MM.YYYY"),
    ],
)
def test_a_date_that_does_not_fit_is_never_guessed(fmt, cell, named):
    with pytest.raises(CellError) as error:
        parse_date(cell, fmt)

    assert str(error.value) == f'"{cell}" is not a date in the format {named} (the statement date format).'


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2026-01", datetime.date(2026, 1, 1)),
        ("01/2026", datetime.date(2026, 1, 1)),
        ("Jan 2026", datetime.date(2026, 1, 1)),
        ("February 2026", datetime.date(2026, 2, 1)),
        ("03/15/2026", datetime.date(2026, 3, 1)),
    ],
)
def test_statement_periods(cell, expected):
    assert parse_period(cell, "%m/%d/%Y") == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("NB", "new"), ("New Business", "new"), ("rn", "renewal"), ("Renewal", "renewal"), ("CB", "chargeback"),
     ("Clawback", "chargeback"), ("adj", "adjustment"), ("", None)],
)  # fmt: skip
def test_transaction_types(cell, expected):
    assert parse_type(cell) == expected


@pytest.mark.parametrize(
    ("headers", "mappings", "expected"),
    [
        (["Policy #", "Comm Amt"], (), {"Policy #": "policy_number", "Comm Amt": "gross_commission"}),
        (["POLICY_NUMBER", " policy number "], (), {"POLICY_NUMBER": "policy_number"}),  # leftmost wins
        (["Paid", "Commission"], ({"paid": "gross_commission"},), {"Paid": "gross_commission"}),
        (["Commission", "Bonus"], ({"Commission": "ignore", "BONUS": "gross_commission"},),
         {"Bonus": "gross_commission"}),
        (["A", "Agent"], ({}, {"a": "producer_code"}), {"A": "producer_code", "Agent": "producer_name"}),
        (["Unknown", ""], (), {}),
    ],
)  # fmt: skip
def test_column_mapping(headers, mappings, expected):
    assert resolve_mapping(headers, *mappings) == expected


def test_header_keys_ignore_case_spaces_and_underscores():
    assert header_key(" Policy_Number ") == header_key("policynumber") == header_key("POLICY  NUMBER")
