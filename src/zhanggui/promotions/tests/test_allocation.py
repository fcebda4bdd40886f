"""分摊: an order-level discount goes to the lines first, by largest remainder over their amounts, then within
each line to its units (docs/pricing.md rule 6) — the shares the platforms show per sub-order."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhanggui.promotions.engine import allocate, quote
from zhanggui.promotions.engine.allocation import allocate_by_line
from zhanggui.promotions.spec import parse_cart, parse_promotions


def line_discounts(lines, promotion):
    cart = parse_cart({"lines": lines, "coupons": ["C"]})
    return [(line.sku, line.discount) for line in quote(cart, parse_promotions([promotion])).lines]


ISSUE_LINES = [
    {"sku": "A", "quantity": 1, "unit_price": "30.00"},
    {"sku": "B", "quantity": 2, "unit_price": "20.00"},
    {"sku": "C", "quantity": 1, "unit_price": "10.00"},
]
EQUAL_LINES = [
    {"sku": "A", "quantity": 2, "unit_price": "1.00"},
    {"sku": "B", "quantity": 1, "unit_price": "1.00"},
    {"sku": "C", "quantity": 1, "unit_price": "1.00"},
]


@pytest.mark.parametrize(
    "promotion",
    [
        {"id": "mj", "kind": "spend_save", "tiers": [["80.00", "17.30"]]},
        {"id": "q", "kind": "coupon", "amount": "17.30", "codes": ["C"]},
    ],
)
def test_issue_15_example_17_30_over_30_40_10(promotion):
    assert line_discounts(ISSUE_LINES, promotion) == [("A", 649), ("B", 865), ("C", 216)]


@pytest.mark.parametrize(
    "promotion",
    [
        {"id": "mj", "kind": "spend_save", "tiers": [["4.00", "0.10"]]},
        {"id": "q", "kind": "coupon", "amount": "0.10", "codes": ["C"]},
    ],
)
def test_a_line_of_two_units_gets_its_line_share_not_two_unit_remainders(promotion):
    """¥0.10 over ¥2 / ¥1 / ¥1: the lines' shares are 5 / 2.5 / 2.5 fen, the one fen left goes to B (a tie with C,
    the earlier line wins). Unit by unit the two halves of A each won a fen: 6 / 2 / 2."""
    assert line_discounts(EQUAL_LINES, promotion) == [("A", 5), ("B", 3), ("C", 2)]


@st.composite
def lines_of_units(draw):
    sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=5))
    line_of = [li for li, size in enumerate(sizes) for _ in range(size)]
    weights = draw(st.lists(st.integers(0, 5000), min_size=len(line_of), max_size=len(line_of)))
    caps = draw(st.one_of(st.none(), st.lists(st.integers(0, 5000), min_size=len(line_of), max_size=len(line_of))))
    return line_of, weights, caps


@settings(max_examples=300, deadline=None)
@given(case=lines_of_units(), total=st.integers(0, 20000))
def test_each_line_gets_its_largest_remainder_share_and_its_units_split_it(case, total):
    line_of, weights, caps = case
    units = list(range(len(line_of)))
    shares = allocate_by_line(total, units, weights, caps, line_of)
    lines = sorted(set(line_of))

    def per_line(values):
        return [sum(v for v, li in zip(values, line_of, strict=True) if li == line) for line in lines]

    line_caps = per_line(caps) if caps is not None else None
    assert per_line(shares) == allocate(total, per_line(weights), line_caps)
    assert all(0 <= s <= c for s, c in zip(shares, caps, strict=True)) if caps is not None else min(shares) >= 0
