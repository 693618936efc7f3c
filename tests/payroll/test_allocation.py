"""How a shared policy's statement row is divided among its writers (issue 13 point 5): the one
allocation rule, ``payroll.services.allocate_shares``, checked as properties over generated
totals and splits (Hypothesis), plus the cases a reader checks by hand."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payroll.services import allocate_shares, writer_shares

D = Decimal
CENT = D("0.01")

#: amounts in cents up to 10 million, either sign
totals = st.integers(min_value=-1_000_000_000, max_value=1_000_000_000).map(lambda cents: D(cents) * CENT)
#: percentages with four places, as the ledger stores them
percents = st.integers(min_value=0, max_value=1_000_000).map(lambda n: D(n) / D(10_000))


@st.composite
def policy_splits(draw) -> list[Decimal]:
    """Two to eight writers whose splits total exactly 100 (four places), as a policy's must."""
    count = draw(st.integers(min_value=2, max_value=8))
    cuts = sorted(draw(st.lists(st.integers(0, 1_000_000), min_size=count - 1, max_size=count - 1)))
    bounds = [0, *cuts, 1_000_000]
    return [D(b - a) / D(10_000) for a, b in zip(bounds, bounds[1:], strict=False)]


@settings(max_examples=200, deadline=None)
@given(total=totals, splits=policy_splits())
def test_the_shares_add_up_to_the_total_to_the_cent(total, splits):
    shares = allocate_shares(total, splits)

    assert len(shares) == len(splits)
    assert sum(shares, D("0")) == total
    assert all(share == share.quantize(CENT) for share in shares)


@settings(max_examples=200, deadline=None)
@given(total=totals, splits=st.lists(percents, min_size=1, max_size=8))
def test_the_shares_of_any_splits_add_up_and_keep_the_sign_of_the_total(total, splits):
    shares = allocate_shares(total, splits)

    assert sum(shares, D("0")) == total
    if total >= 0:
        assert all(share >= 0 for share in shares)
    else:
        assert all(share <= 0 for share in shares)


@settings(max_examples=200, deadline=None)
@given(total=totals, splits=policy_splits())
def test_each_share_is_within_a_cent_of_its_exact_part(total, splits):
    for share, split in zip(allocate_shares(total, splits), splits, strict=True):
        assert abs(share - total * split / 100) < CENT


@settings(max_examples=200, deadline=None)
@given(total=totals, splits=policy_splits())
def test_the_allocation_is_deterministic_and_symmetric(total, splits):
    shares = allocate_shares(total, splits)

    assert allocate_shares(total, list(splits)) == shares  # same input, same cents
    assert allocate_shares(-total, splits) == [-share for share in shares]  # a chargeback takes back the sale


@settings(max_examples=200, deadline=None)
@given(total=totals, splits=policy_splits())
def test_it_is_half_up_rounding_whenever_that_already_adds_up(total, splits):
    half_up = [(total * split / 100).quantize(CENT, rounding=ROUND_HALF_UP) for split in splits]

    if sum(half_up) == total:
        assert allocate_shares(total, splits) == half_up


@pytest.mark.parametrize(
    ("total", "splits", "expected"),
    [
        (D("300.00"), [D("50"), D("50")], [D("150.00"), D("150.00")]),
        (D("0.01"), [D("50"), D("50")], [D("0.01"), D("0.00")]),  # the tie goes to the first writer
        (D("100.00"), [D("33.33"), D("33.33"), D("33.34")], [D("33.33"), D("33.33"), D("33.34")]),
        (D("100.01"), [D("33.33"), D("33.33"), D("33.34")], [D("33.33"), D("33.33"), D("33.35")]),
        (D("100.00"), [D("33.3333"), D("33.3333"), D("33.3334")], [D("33.33"), D("33.33"), D("33.34")]),
        (D("100.00"), [D("1"), D("1"), D("1")], [D("33.34"), D("33.33"), D("33.33")]),  # equal parts: the first
        (D("-0.05"), [D("50"), D("50")], [D("-0.03"), D("-0.02")]),
        (D("10.00"), [D("0"), D("0")], [D("5.00"), D("5.00")]),  # no weights: equal shares
        (D("10.004"), [D("100")], [D("10.00")]),  # the total is rounded once, half up
        (D("10.005"), [D("100")], [D("10.01")]),
        (D("5.00"), [], []),
    ],
)
def test_worked_examples(total, splits, expected):
    assert allocate_shares(total, splits) == expected


def test_writer_shares_divide_premium_and_gross_by_the_same_splits():
    shares = writer_shares(
        premium=D("1000.01"), gross_commission=D("100.01"), writers=[(7, D("33.33")), (8, D("33.33")), (9, D("33.34"))]
    )

    assert [(s.producer_id, s.premium, s.gross_commission) for s in shares] == [
        (7, D("333.30"), D("33.33")),
        (8, D("333.30"), D("33.33")),
        (9, D("333.41"), D("33.35")),
    ]
