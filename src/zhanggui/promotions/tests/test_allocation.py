"""分摊: an order-level discount goes to the lines first, by largest remainder over their amounts, then within
each line to its units (docs/pricing.md rule 6) — the shares the platforms show per sub-order."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhanggui.promotions.engine import allocate, quote
from zhanggui.promotions.engine.allocation import allocate_by_line, place
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


def test_place_moves_shares_so_that_every_discount_fits():
    # Units 0 (A, room 600) and 1 (B, room 400). −500 on {A, B} first, 300/200; then −1000 on {A} finds only
    # 300 of A's room. The first one's share moves from A to B (200 more, B is then full): it ends 100/400,
    # the second gets 500 of A: 1,000 in all, every fen of room there is.
    shares = place([(500, [0, 1], [600, 400]), (1000, [0], [600])], [600, 400], [0, 1])
    assert shares == [[100, 400], [500]]
    assert sum(map(sum, shares)) == 1000


def test_place_keeps_the_documented_shares_when_everything_fits():
    discounts = [(100, [0, 1], [300, 100]), (40, [1], [100])]
    assert place(discounts, [300, 100], [0, 1]) == [[75, 25], [40]]


@settings(max_examples=300, deadline=None)
@given(
    rooms=st.lists(st.integers(0, 50), min_size=1, max_size=5),
    raw=st.lists(st.tuples(st.integers(1, 120), st.sets(st.integers(0, 4), min_size=1)), min_size=1, max_size=4),
    order=st.permutations(range(4)),
)
def test_place_gives_the_most_that_fits_in_any_order(rooms, raw, order):
    """The total placed is the maximum flow (each discount at most its total, each unit at most its room) and
    so does not depend on the discounts' order; no unit goes past its room."""
    n = len(rooms)
    discounts = [(total, sorted(u for u in units if u < n) or [0], []) for total, units in raw]
    discounts = [(total, units, [1] * len(units)) for total, units, _w in discounts]
    line_of = list(range(n))
    shares = place(discounts, rooms, line_of)
    permuted = [discounts[k] for k in order if k < len(discounts)]
    assert sum(map(sum, place(permuted, rooms, line_of))) == sum(map(sum, shares))
    used = [0] * n
    for (total, units, _w), placed in zip(discounts, shares, strict=True):
        assert sum(placed) <= total
        for i, share in zip(units, placed, strict=True):
            used[i] += share
    assert all(u <= r for u, r in zip(used, rooms, strict=True))
    # The maximum, by brute force over the small network: min over subsets S of discounts of
    # Σ_{k∉S} total_k + room(∪_{k∈S} units_k) (max-flow = min-cut).
    best = min(
        sum(t for k, (t, _u, _w) in enumerate(discounts) if not mask >> k & 1)
        + sum(rooms[i] for i in {i for k, (_t, u, _w) in enumerate(discounts) if mask >> k & 1 for i in u})
        for mask in range(2 ** len(discounts))
    )
    assert sum(map(sum, shares)) == best
