"""Pricing-engine latency: 10,000 random 20-line carts against 50 running promotions.

Prints p50/p95/p99 of one `quote(cart, promotions)` call and, last, the line `p95_ms: <value>`.
Promotions are parsed once (as a running desk keeps its active promotions); each cart is priced from its
parsed form. Fixed seed, so runs compare. The 10,000 parsed carts are moved out of the garbage collector's
sight (gc.freeze) before timing: a server does not hold them, and full collections scanning them would be
timed as if pricing made them. Also printed: how many quotes used the greedy (not proven best) plan.
The seed also picks the 50 promotions, so other seeds are other shops' mixes (docs/pricing.md "Speed" has
figures for seeds 1–8: some mixes are slower).

    python bench/pricing.py [--carts 10000] [--seed 7]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhanggui.settings")

import django

django.setup()

from django.utils.translation import gettext  # noqa: E402

from zhanggui.promotions.engine import quote  # noqa: E402
from zhanggui.promotions.spec import parse_cart, parse_promotions  # noqa: E402

CATEGORIES = [f"cat{i}" for i in range(10)]


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def make_catalog(rng: random.Random) -> list[dict]:
    return [
        {"sku": f"S{i:03d}", "category": rng.choice(CATEGORIES), "unit_price": yuan(rng.randint(990, 99900))}
        for i in range(200)
    ]


def make_promotions(rng: random.Random, catalog: list[dict]) -> list[dict]:
    """50 promotions of every kind, scoped like a real shop's: some shop-wide, most to a category or SKUs."""

    def scope():
        roll = rng.random()
        if roll < 0.25:
            return "all"
        if roll < 0.75:
            return {"categories": [rng.choice(CATEGORIES)]}
        return {"skus": [rng.choice(catalog)["sku"] for _ in range(5)]}

    promos: list[dict] = []

    def skus(n: int) -> list[dict]:
        return rng.sample(catalog, n)

    def cents(text: str) -> int:
        return int(text.replace(".", ""))

    # Item promotions as shops set them: discounts on a category, special and flash prices on named SKUs.
    def special():
        item = skus(1)[0]
        return {
            "kind": "special_price",
            "price": yuan(cents(item["unit_price"]) * 8 // 10),
            "scope": {"skus": [item["sku"]]},
        }

    def flash():
        item = skus(1)[0]
        return {
            "kind": "flash_sale",
            "price": yuan(cents(item["unit_price"]) // 2),
            "per_buyer_cap": 1,
            "scope": {"skus": [item["sku"]]},
        }

    item_kinds = [
        lambda: {"kind": "price_cut", "amount": yuan(rng.randint(100, 1000)), "scope": scope()},
        lambda: {"kind": "discount", "rate": rng.choice(["9.5", "9", "8.8", "8.5"]), "scope": scope()},
        special,
        lambda: {"kind": "member_price", "rates": {"silver": "9.8", "gold": "9.5"}, "scope": scope()},
        flash,
    ]
    shop_kinds = [
        lambda: {"kind": "spend_save", "tiers": [["300.00", "30.00"], ["600.00", "80.00"], ["1000.00", "150.00"]]},
        lambda: {"kind": "spend_save", "repeat": {"every": "200.00", "off": "20.00", "cap": "200.00"}},
        lambda: {"kind": "spend_discount", "tiers": [["500.00", "9.5"], ["1000.00", "9"]]},
        lambda: {"kind": "quantity_discount", "tiers": [[3, "9"], [5, "8.5"]]},
        lambda: {"kind": "multibuy", "nth": 2, "rate": "5"},
        lambda: {"kind": "multibuy", "buy": 2, "free": 1},
        lambda: {
            "kind": "bundle",
            "items": [{"sku": rng.choice(catalog)["sku"], "quantity": 1} for _ in range(2)],
            "price": yuan(rng.randint(5000, 50000)),
        },
        lambda: {"kind": "gift", "threshold": "399.00", "gift_sku": "GIFT1", "gift_stock": 100},
    ]
    for i in range(15):
        promos.append({"id": f"item{i:02d}", **rng.choice(item_kinds)()})
    for i in range(20):
        body = rng.choice(shop_kinds)()
        if body["kind"] == "bundle" and body["items"][0]["sku"] == body["items"][1]["sku"]:
            body["items"][1]["sku"] = "S199" if body["items"][0]["sku"] != "S199" else "S198"
        promos.append({"id": f"shop{i:02d}", "scope": scope(), **body})
    for i in range(15):
        promos.append(
            {
                "id": f"coupon{i:02d}",
                "kind": "coupon",
                "scope": scope(),
                "amount": yuan(rng.choice([500, 1000, 2000, 5000])),
                "min_spend": yuan(rng.choice([9900, 19900, 29900, 49900])),
                "codes": [f"Q{i:02d}"],
                "combinable": i % 5 == 0,
            }
        )
    return promos


def make_carts(rng: random.Random, catalog: list[dict], n: int) -> list[dict]:
    carts = []
    for _ in range(n):
        lines = [{**item, "quantity": rng.randint(1, 3)} for item in rng.sample(catalog, 20)]
        carts.append(
            {
                "lines": lines,
                "buyer": {"tier": rng.choice(["", "silver", "gold"])},
                "coupons": [f"Q{rng.randrange(15):02d}" for _ in range(rng.randint(0, 3))],
            }
        )
    return carts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--carts", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    catalog = make_catalog(rng)
    promotions = parse_promotions(make_promotions(rng, catalog))
    carts = [parse_cart(c) for c in make_carts(rng, catalog, args.carts)]
    gc.collect()
    gc.freeze()
    for cart in carts[:50]:  # warm up
        quote(cart, promotions)
    timings = []
    discount = 0
    greedy_note = gettext("Many promotions apply: a good plan is used, not proven the best.")
    greedy = 0
    for cart in carts:
        started = time.perf_counter_ns()
        result = quote(cart, promotions)
        timings.append((time.perf_counter_ns() - started) / 1e6)
        discount += result.discount_total
        greedy += greedy_note in result.notes
    timings.sort()

    def pct(p: float) -> float:
        return timings[min(len(timings) - 1, int(p / 100 * len(timings)))]

    print(f"carts: {len(carts)} × 20 lines, promotions running: {len(promotions)}")
    print(f"mean {statistics.fmean(timings):.3f} ms, p50 {pct(50):.3f} ms, p95 {pct(95):.3f} ms, p99 {pct(99):.3f} ms")
    print(f"total discount given: ¥{discount / 100:,.2f}; greedy (not proven best) plans: {greedy / len(carts):.1%}")
    print(f"p95_ms: {pct(95):.3f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
