"""Where the what-if report takes its carts from (docs/pricing.md, "What-if"):

- the shop's sample carts: made up from the shop's SKUs on sale, the same carts for the same seed;
- carts built on the page (pricing.forms reads them);
- a JSON list of carts (the API, the command, and the page's advanced box).

A fourth source, the last N days of a shop's orders, lives in the orders app (orders/carts.py), which sits
above promotions and registers it with whatif.register_cart_source.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from zhanggui.catalog.models import Shop, Sku
from zhanggui.inventory.selectors import issued_last_days
from zhanggui.promotions.picking import cart_line, on_sale

MAX_SAMPLE = 1_000  # sample carts in one report: enough to read shares to a tenth of a per cent
DEFAULT_SAMPLE, DEFAULT_SEED = 200, 1
# How many lines a sample cart has, and how many units a line: most buyers take one or two things.
LINES_WEIGHTS = ((1, 45), (2, 30), (3, 15), (4, 10))
UNITS_WEIGHTS = ((1, 70), (2, 20), (3, 10))
COUPON_SHARE = 0.5  # the carts that bring one of the running coupons


def _pick(rng: random.Random, weighted: Sequence[tuple[int, int]]) -> int:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def sample_carts(
    *, shop: Shop | None, count: int = DEFAULT_SAMPLE, seed: int = DEFAULT_SEED, coupons: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """`count` carts made up from the SKUs on sale of `shop` (of every shop: None), the same for the same
    seed and catalog. Two queries (the SKUs, their sales).

    A cart takes 1–4 different SKUs (LINES_WEIGHTS), 1–3 units each (UNITS_WEIGHTS); a SKU comes up in
    proportion to its units sold in the last 30 days plus one, so the best sellers fill most carts, as in the
    shop's orders, and a SKU that sold nothing still appears. Half of the carts bring one of `coupons` (the
    codes of the running coupons), so the report can tell what the draft does to them. No SKUs on sale: no carts.
    """
    skus = list(on_sale(shop=shop))
    if not skus or count < 1:
        return []
    sold = issued_last_days([s.pk for s in skus], days=30)
    weights = [sold.get(s.pk, 0) + 1 for s in skus]
    codes = sorted(set(coupons))
    rng = random.Random(f"zhanggui-sample-carts-{shop.code if shop else '*'}-{seed}")
    carts = []
    for _ in range(count):
        wanted = min(_pick(rng, LINES_WEIGHTS), len(skus))
        chosen: dict[int, Sku] = {}
        for sku in rng.choices(skus, weights=weights, k=wanted * 20):  # a dominant best seller repeats
            chosen.setdefault(sku.pk, sku)
            if len(chosen) == wanted:
                break
        cart: dict[str, Any] = {"lines": [cart_line(s, _pick(rng, UNITS_WEIGHTS)) for s in chosen.values()]}
        if codes and rng.random() < COUPON_SHARE:
            cart["coupons"] = [rng.choice(codes)]
        carts.append(cart)
    return carts
