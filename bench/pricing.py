"""Pricing-engine latency: random 20-line carts against 50 running promotions, per shop mix and policy.

For each seed (a shop's mix of 50 promotions and its carts; `--seeds`, default 1–8) and each stacking policy
(platform, best_for_buyer), prints p50/p95/p99 of one `quote(cart, promotions, policy)` call and the share of
greedy (not proven best) plans; then the same 20-line cart priced with 1 unit a line and with the largest
quantity a line may have (spec.MAX_COUNT), and their ratio (the cost should grow with lines and promotions,
not with units); and, last, the lines `p95_ms_best_for_buyer: <the worst seed's p95>` and
`p95_ms: <the worst seed's p95 under platform>`. Promotions are parsed once (as a running desk keeps its
active promotions); each cart is priced from its parsed form. The parsed carts are moved out of the garbage
collector's sight (gc.freeze) before timing: a server does not hold them. Fixed seeds, so runs compare. The
first line says whether the engine ran compiled (mypyc, ADR 0005) or as plain Python (ZHANGGUI_PURE_PYTHON=1).

    python bench/pricing.py [--carts 3000] [--seeds 1-8] [--policies platform,best_for_buyer] [--no-bulk]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from dataclasses import replace

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhanggui.settings")

import django

django.setup()

from django.utils.translation import gettext  # noqa: E402

from zhanggui.core import native  # noqa: E402
from zhanggui.promotions.engine import quote  # noqa: E402
from zhanggui.promotions.spec import (  # noqa: E402
    BEST_FOR_BUYER,
    MAX_COUNT,
    PLATFORM,
    STACKING,
    parse_cart,
    parse_promotions,
)

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


def seeds_of(text: str) -> list[int]:
    """ "1-8" or "2,3,7" → the seeds."""
    if "-" in text:
        low, high = text.split("-", 1)
        return list(range(int(low), int(high) + 1))
    return [int(part) for part in text.split(",")]


def percentile(timings: list[float], p: float) -> float:
    return timings[min(len(timings) - 1, int(p / 100 * len(timings)))]


def time_policy(carts, promotions, policy: str) -> tuple[list[float], int, int]:
    greedy_note = gettext("Many promotions apply: a good plan is used, not proven the best.")
    for cart in carts[:50]:  # warm up
        quote(cart, promotions, policy)
    timings, discount, greedy = [], 0, 0
    for cart in carts:
        started = time.perf_counter_ns()
        result = quote(cart, promotions, policy)
        timings.append((time.perf_counter_ns() - started) / 1e6)
        discount += result.discount_total
        greedy += greedy_note in result.notes
    timings.sort()
    return timings, discount, greedy


def bulk(catalog, promotions, policy: str) -> tuple[float, float]:
    """One 20-line cart, 1 unit a line and then MAX_COUNT units a line: ms for each (best of 3)."""
    one = parse_cart({"lines": [{**item, "quantity": 1} for item in catalog[:20]]})
    many = replace(one, lines=tuple(replace(line, quantity=MAX_COUNT) for line in one.lines))

    def ms(cart, repeats: int) -> float:
        best = float("inf")
        for _ in range(repeats):
            started = time.perf_counter_ns()
            quote(cart, promotions, policy)
            best = min(best, (time.perf_counter_ns() - started) / 1e6)
        return best

    return ms(one, 3), ms(many, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--carts", type=int, default=3_000, help="carts per seed (default 3,000)")
    parser.add_argument("--seeds", default="1-8", help="shop mixes: 1-8, or 2,3,7")
    parser.add_argument("--policies", default=",".join(STACKING), help="platform,best_for_buyer")
    parser.add_argument("--no-bulk", action="store_true", help="skip the 1-unit vs MAX_COUNT-units cart")
    args = parser.parse_args()
    policies = [p for p in args.policies.split(",") if p]
    worst: dict[str, float] = {}
    print(f"engine: {native.mode('pricing')}")
    print(f"carts: {args.carts} per seed × 20 lines, promotions running: 50; policies: {', '.join(policies)}")
    for seed in seeds_of(args.seeds):
        rng = random.Random(seed)
        catalog = make_catalog(rng)
        promotions = parse_promotions(make_promotions(rng, catalog))
        carts = [parse_cart(c) for c in make_carts(rng, catalog, args.carts)]
        gc.collect()
        gc.freeze()
        for policy in policies:
            timings, discount, greedy = time_policy(carts, promotions, policy)
            p95 = percentile(timings, 95)
            worst[policy] = max(worst.get(policy, 0.0), p95)
            print(
                f"seed {seed} {policy:<14} p50 {percentile(timings, 50):.3f} ms  p95 {p95:.3f} ms  "
                f"p99 {percentile(timings, 99):.3f} ms  mean {statistics.fmean(timings):.3f} ms  "
                f"discount ¥{discount / 100:,.2f}  greedy {greedy / len(carts):.1%}"
            )
            sys.stdout.flush()
        gc.unfreeze()
        if seed == seeds_of(args.seeds)[0] and not args.no_bulk:
            for policy in policies:
                one, many = bulk(catalog, promotions, policy)
                print(
                    f"seed {seed} {policy:<14} 20 lines × 1 unit: {one:.3f} ms; × {MAX_COUNT:,} units: {many:.3f} ms "
                    f"(ratio {many / one:.1f}×)"
                )
                sys.stdout.flush()
    if BEST_FOR_BUYER in worst:
        print(f"p95_ms_best_for_buyer: {worst[BEST_FOR_BUYER]:.3f}")
    if PLATFORM in worst:
        print(f"p95_ms: {worst[PLATFORM]:.3f}")


if __name__ == "__main__":
    main()
