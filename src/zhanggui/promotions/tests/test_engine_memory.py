"""A quote leaves nothing behind: compiled by mypyc (ADR 0005), a class deriving from dict once kept every
quote's lots alive, 20 objects a line; a desk that prices all day would have grown without end."""

from __future__ import annotations

import gc
import random
from collections import Counter

import pytest

from zhanggui.core import native
from zhanggui.promotions.engine import quote
from zhanggui.promotions.spec import BEST_FOR_BUYER, PLATFORM, parse_cart, parse_promotions

CATEGORIES = ["tea", "cups", "pots"]


def shop(rng: random.Random) -> tuple[list, list]:
    """A mix of every shop kind over 30 SKUs and 40 carts of 10 lines: the search's paths all run."""
    skus = [
        {"sku": f"S{i:02d}", "category": CATEGORIES[i % 3], "unit_price": f"{rng.randint(20, 400)}.00"}
        for i in range(30)
    ]
    promotions = [
        {"id": "cut", "kind": "price_cut", "amount": "5.00", "scope": {"categories": ["tea"]}},
        {"id": "vip", "kind": "member_price", "rates": {"gold": "9.5"}},
        {"id": "mj", "kind": "spend_save", "tiers": [["300.00", "30.00"], ["600.00", "80.00"]]},
        {"id": "mz", "kind": "spend_discount", "tiers": [["500.00", "9.5"]], "scope": {"categories": ["cups"]}},
        {"id": "n2", "kind": "multibuy", "nth": 2, "rate": "5", "scope": {"categories": ["pots"]}},
        {"id": "b2f1", "kind": "multibuy", "buy": 2, "free": 1, "scope": {"categories": ["tea"]}},
        {"id": "n3", "kind": "any_n_for", "n": 3, "price": "199.00", "scope": {"categories": ["cups"]}},
        {
            "id": "set",
            "kind": "bundle",
            "items": [{"sku": "S01", "quantity": 1}, {"sku": "S02", "quantity": 1}],
            "price": "99.00",
        },
        {"id": "gift", "kind": "gift", "threshold": "399.00", "gift_sku": "G1", "gift_stock": 5},
        {"id": "q50", "kind": "coupon", "amount": "50.00", "min_spend": "299.00", "codes": ["Q50"]},
        {"id": "q9", "kind": "coupon", "rate": "9", "max_amount": "40.00", "min_spend": "99.00", "codes": ["Q9"]},
    ]
    carts = [
        {
            "lines": [{**item, "quantity": rng.randint(1, 3)} for item in rng.sample(skus, 10)],
            "buyer": {"tier": rng.choice(["", "gold"])},
            "coupons": rng.sample(["Q50", "Q9"], rng.randint(0, 2)),
        }
        for _ in range(40)
    ]
    return parse_promotions(promotions), [parse_cart(c) for c in carts]


def census() -> Counter:
    gc.collect()
    return Counter(type(o).__name__ for o in gc.get_objects())


@pytest.mark.parametrize("policy", [PLATFORM, BEST_FOR_BUYER])
def test_pricing_many_carts_keeps_no_object_alive(policy):
    promotions, carts = shop(random.Random(7))
    for _ in range(2):  # the engine's caches (a list's index, item prices per buyer) and Django's fill first
        for cart in carts:
            quote(cart, promotions, policy)
    census()  # the first census leaves some objects of its own behind
    before = census()
    for _ in range(3):
        for cart in carts:
            quote(cart, promotions, policy)
    after = census()
    grown = {name: after[name] - before[name] for name in after if after[name] > before[name]}
    # 120 quotes of 10 lines: a leak of a lot or an outcome a quote shows in the hundreds
    assert sum(grown.values()) < 20, (native.mode("pricing"), grown)


@pytest.mark.parametrize("policy", [PLATFORM, BEST_FOR_BUYER])
def test_a_quote_is_freed_when_it_returns_not_by_the_garbage_collector(policy):
    """No reference cycles: a quote's objects go as soon as it returns. The exact search was once recursive
    closures, which hold themselves; each search then waited for the collector, whose passes (130 µs) landed
    inside every fifth quote and made the p95 (docs/pricing.md "Speed")."""
    promotions, carts = shop(random.Random(11))
    for cart in carts:
        quote(cart, promotions, policy)
    gc.collect()
    gc.disable()
    try:
        for cart in carts:
            quote(cart, promotions, policy)
        unreachable = gc.collect()  # what only the collector could free: cycles the quotes left
    finally:
        gc.enable()
    assert unreachable == 0, native.mode("pricing")
