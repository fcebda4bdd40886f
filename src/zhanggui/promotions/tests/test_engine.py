"""Worked examples for every kind of promotion, each checked by hand (the arithmetic is in the comments)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import translation

from zhanggui.promotions.engine import allocate, quote
from zhanggui.promotions.spec import SpecError, parse_cart, parse_promotions


def price(lines, promotions=(), **cart):
    """Quote a cart given as JSON-like dicts; returns the quote as a dict (amounts are strings)."""
    parsed_cart = parse_cart({"lines": lines, **cart})
    return quote(parsed_cart, parse_promotions(list(promotions))).as_dict()


def line(sku, qty, unit, **extra):
    return {"sku": sku, "quantity": qty, "unit_price": unit, **extra}


def paid(result):
    return [ln["paid"] for ln in result["lines"]]


# -- item level --------------------------------------------------------------------------------------------


def test_price_cut():
    # 99.00 − 10.00 = 89.00 a unit; 2 units = 178.00
    r = price([line("A", 2, "99.00")], [{"id": "cut", "kind": "price_cut", "amount": "10.00"}])
    assert r["totals"]["payable"] == "178.00"
    assert r["lines"][0]["unit_prices"] == [{"price": "89.00", "units": 2}]
    assert r["lines"][0]["discounts"] == [{"promotion": "cut", "kind": "price_cut", "layer": "item", "amount": "20.00"}]


def test_discount_rounds_half_up_per_unit():
    # 8.5折 of 33.33 = 28.3305 → 28.33; of 9.99 = 8.4915 → 8.49; of 0.03 = 0.0255 → 0.03 (half-up)
    r = price(
        [line("A", 1, "33.33"), line("B", 1, "9.99"), line("C", 1, "0.03")],
        [{"id": "d85", "kind": "discount", "rate": "8.5"}],
    )
    assert paid(r) == ["28.33", "8.49", "0.03"]


def test_special_price_never_raises_a_price():
    r = price([line("A", 1, "50.00"), line("B", 1, "20.00")], [{"id": "sp", "kind": "special_price", "price": "30.00"}])
    assert paid(r) == ["30.00", "20.00"]


def test_member_price_by_tier_and_lifetime_discount():
    promos = [
        {"id": "mp", "kind": "member_price", "prices": {"gold": "80.00"}, "rates": {"silver": "9.5"}},
        {"id": "life", "kind": "member_discount", "min_past_spend": "5000.00", "rate": "7"},
    ]
    # gold: 80.00; silver: 100 × 0.95 = 95.00; a buyer who spent 6,000 before: 7折 = 70.00 (beats silver)
    assert paid(price([line("A", 1, "100.00")], promos, buyer={"tier": "gold"})) == ["80.00"]
    assert paid(price([line("A", 1, "100.00")], promos, buyer={"tier": "silver"})) == ["95.00"]
    assert paid(price([line("A", 1, "100.00")], promos, buyer={"tier": "silver", "past_spend": "6000"})) == ["70.00"]
    assert paid(price([line("A", 1, "100.00")], promos)) == ["100.00"]


def test_flash_sale_price_for_at_most_the_per_buyer_cap():
    promo = [{"id": "ms", "kind": "flash_sale", "price": "9.90", "per_buyer_cap": 2, "scope": {"skus": ["A"]}}]
    # 3 units, cap 2: 2 × 9.90 + 1 × 59.00 = 78.80; a buyer who already bought 1: 9.90 + 2 × 59.00 = 127.90
    r = price([line("A", 3, "59.00")], promo)
    assert r["totals"]["payable"] == "78.80"
    assert r["lines"][0]["unit_prices"] == [{"price": "59.00", "units": 1}, {"price": "9.90", "units": 2}]
    assert r["notes"]
    assert price([line("A", 3, "59.00")], promo, buyer={"flash_bought": {"ms": 1}})["totals"]["payable"] == "127.90"


def test_flash_sale_window():
    promo = [
        {
            "id": "ms",
            "kind": "flash_sale",
            "price": "9.90",
            "per_buyer_cap": 1,
            "starts_at": "2026-11-11T00:00:00+08:00",
            "ends_at": "2026-11-11T00:10:00+08:00",
        }
    ]
    assert paid(price([line("A", 1, "59.00")], promo, at="2026-11-11T00:05:00+08:00")) == ["9.90"]
    assert paid(price([line("A", 1, "59.00")], promo, at="2026-11-11T00:10:00+08:00")) == ["59.00"]


def test_group_buy_needs_enough_buyers():
    full = [{"id": "tg", "kind": "group_buy", "price": "39.00", "min_buyers": 3, "joined": 3}]
    short = [{"id": "tg", "kind": "group_buy", "price": "39.00", "min_buyers": 3, "joined": 2}]
    assert paid(price([line("A", 1, "59.00")], full)) == ["39.00"]
    assert paid(price([line("A", 1, "59.00")], short)) == ["59.00"]


def test_best_non_stackable_item_promotion_wins_and_stackable_adds_on_top():
    promos = [
        {"id": "a-cut", "kind": "price_cut", "amount": "15.00"},  # 100 → 85
        {"id": "b-disc", "kind": "discount", "rate": "8"},  # 100 → 80: the better one
        {"id": "c-extra", "kind": "price_cut", "amount": "5.00", "stackable": True},  # 80 → 75
    ]
    r = price([line("A", 1, "100.00")], promos)
    assert paid(r) == ["75.00"]
    assert [(d["promotion"], d["amount"]) for d in r["lines"][0]["discounts"]] == [
        ("b-disc", "20.00"),
        ("c-extra", "5.00"),
    ]


def test_floor_stops_stacked_item_discounts():
    promos = [
        {"id": "d", "kind": "discount", "rate": "5"},
        {"id": "x", "kind": "price_cut", "amount": "30", "stackable": True},
    ]
    # 100 × 0.5 = 50, − 30 = 20; floor 45 → 45 (the stackable cut gives back 25 → 5.00)
    r = price([line("A", 1, "100.00", floor="45.00")], promos)
    assert paid(r) == ["45.00"]
    assert [(d["promotion"], d["amount"]) for d in r["lines"][0]["discounts"]] == [("d", "50.00"), ("x", "5.00")]


# -- shop level --------------------------------------------------------------------------------------------


def test_spend_save_tiers_measured_after_item_discounts():
    promos = [
        {"id": "mj", "kind": "spend_save", "tiers": [["300", "30"], ["500", "60"]]},
        {"id": "off", "kind": "price_cut", "amount": "20.00", "scope": {"skus": ["B"]}},
    ]
    # A 2 × 150 = 300, B 1 × 220 − 20 = 200: 500 after the item layer → 满500减60 → 440.00
    r = price([line("A", 2, "150.00"), line("B", 1, "220.00")], promos)
    assert r["totals"]["payable"] == "440.00"
    # 60 allocated 300:200 → 36.00 and 24.00
    assert [d["amount"] for d in r["lines"][0]["discounts"]] == ["36.00"]
    assert [d["amount"] for d in r["lines"][1]["discounts"]] == ["20.00", "24.00"]


def test_spend_save_every_x_with_a_cap():
    promo = [{"id": "mm", "kind": "spend_save", "repeat": {"every": "100", "off": "10", "cap": "30"}}]
    # 每满100减10, cap 30: 250 → 20 off; 480 → 40 capped to 30
    assert price([line("A", 1, "250.00")], promo)["totals"]["payable"] == "230.00"
    assert price([line("A", 1, "480.00")], promo)["totals"]["payable"] == "450.00"


def test_spend_discount_and_quantity_discount():
    # 一次购满 300 元及以上打 7.9 折: 320 × 0.79 = 252.80
    r = price([line("A", 2, "160.00")], [{"id": "mz", "kind": "spend_discount", "tiers": [["300", "7.9"]]}])
    assert r["totals"]["payable"] == "252.80"
    # 满 3 件 8 折: 3 × 40 = 120 → 96.00
    r = price([line("A", 3, "40.00")], [{"id": "nj", "kind": "quantity_discount", "tiers": [[2, "9"], [3, "8"]]}])
    assert r["totals"]["payable"] == "96.00"


def test_second_item_half_price_goes_to_the_cheapest_units():
    promo = [{"id": "half", "kind": "multibuy", "nth": 2, "rate": "5"}]
    # units 100, 80, 60, 40: 2 pairs → the 2 cheapest (60, 40) at half: 30 + 20 = 50 off → 230.00
    r = price([line("A", 1, "100.00"), line("B", 1, "80.00"), line("C", 1, "60.00"), line("D", 1, "40.00")], promo)
    assert r["totals"]["payable"] == "230.00"
    assert paid(r) == ["100.00", "80.00", "30.00", "20.00"]


def test_buy_two_get_one_free():
    promo = [{"id": "b2g1", "kind": "multibuy", "buy": 2, "free": 1}]
    # 7 units of 10: 2 groups of 3 → 2 free → 50.00
    assert price([line("A", 7, "10.00")], promo)["totals"]["payable"] == "50.00"


def test_bundle_at_a_set_price():
    promo = [
        {
            "id": "set",
            "kind": "bundle",
            "items": [{"sku": "A", "quantity": 1}, {"sku": "B", "quantity": 2}],
            "price": "199.00",
        }
    ]
    # A 120 + 2 × B 60 = 240 a set → 199: 41 off a set; 3 A and 4 B make 2 sets → 82 off;
    # list 3 × 120 + 4 × 60 = 600 → 518.00
    r = price([line("A", 3, "120.00"), line("B", 4, "60.00")], promo)
    assert r["totals"]["payable"] == "518.00"
    assert r["totals"]["shop_discount"] == "82.00"


def test_a_bundle_makes_only_the_sets_that_lower_the_price():
    promo = [
        {
            "id": "set",
            "kind": "bundle",
            "items": [{"sku": "A", "quantity": 1}, {"sku": "B", "quantity": 1}],
            "price": "150.00",
        }
    ]
    # Two A (one at 100.00, one at 10.00 on another line) and two B at 100.00 could make two sets. The dearest
    # units first: set 1 = A 100 + B 100 = 200 → 150, 50 off; set 2 = A 10 + B 100 = 110 < 150, it would cost
    # more, so it is not made. List 100 + 10 + 200 = 310 → 260.00 (both sets at once would give 310 − 300 = 10).
    r = price([line("A", 1, "100.00"), line("A", 1, "10.00"), line("B", 2, "100.00")], promo)
    assert r["totals"]["shop_discount"] == "50.00"
    assert r["totals"]["payable"] == "260.00"


def test_gift_needs_its_threshold_and_stock():
    promo = {"id": "zp", "kind": "gift", "threshold": "199.00", "gift_sku": "TOWEL", "gift_quantity": 1}
    assert price([line("A", 1, "200.00")], [promo])["gifts"] == [{"promotion": "zp", "sku": "TOWEL", "quantity": 1}]
    assert price([line("A", 1, "198.00")], [promo])["gifts"] == []
    assert price([line("A", 1, "200.00")], [{**promo, "gift_stock": 0}])["gifts"] == []


def test_one_unit_receives_at_most_one_non_stackable_shop_promotion():
    promos = [
        {"id": "half", "kind": "multibuy", "nth": 2, "rate": "5"},
        {"id": "mj", "kind": "spend_save", "tiers": [["100", "50"]]},
    ]
    # 2 × 100: half price gives 50, 满100减50 gives 50; both would need the same units → only one: 150.00
    assert price([line("A", 2, "100.00")], promos)["totals"]["payable"] == "150.00"


def test_the_engine_picks_the_combination_best_for_the_buyer():
    promos = [
        {"id": "a", "kind": "spend_save", "tiers": [["200", "20"]]},  # on everything: 20
        {
            "id": "b",
            "kind": "bundle",
            "items": [{"sku": "X", "quantity": 1}, {"sku": "Y", "quantity": 1}],
            "price": "150.00",
        },  # X 100 + Y 100 → 150: 50
        {"id": "c", "kind": "spend_save", "tiers": [["100", "15"]], "scope": {"skus": ["Z"]}},  # Z alone: 15
    ]
    # a alone: 20; b + c: 50 + 15 = 65 (b uses X, Y; c uses Z) → 300 − 65 = 235.00
    r = price([line("X", 1, "100.00"), line("Y", 1, "100.00"), line("Z", 1, "100.00")], promos)
    assert r["totals"]["payable"] == "235.00"
    assert [a["promotion"] for a in r["applied"]] == ["b", "c"]


def test_an_item_discount_that_would_cost_the_threshold_is_left_out():
    promos = [
        {"id": "mj", "kind": "spend_save", "tiers": [["300", "50"]]},
        {"id": "cut", "kind": "price_cut", "amount": "5.00"},
    ]
    # best_for_buyer: with the cut 295, no 满减 → 295; without it 300 − 50 = 250: the buyer's best is kept.
    assert price([line("A", 1, "300.00")], promos, stacking="best_for_buyer")["totals"]["payable"] == "250.00"
    # platform: an item price always applies there, so the cart stays under the threshold: 295.
    assert price([line("A", 1, "300.00")], promos, stacking="platform")["totals"]["payable"] == "295.00"


def test_exclusive_item_promotion_keeps_its_units_out_of_later_layers():
    promos = [
        {"id": "ms", "kind": "special_price", "price": "50.00", "exclusive": True, "scope": {"skus": ["A"]}},
        {"id": "mj", "kind": "spend_save", "tiers": [["100", "20"]]},
    ]
    # A at 50 is exclusive; B 100 alone reaches 满100减20 → 50 + 80 = 130.00
    r = price([line("A", 1, "80.00"), line("B", 1, "100.00")], promos)
    assert paid(r) == ["50.00", "80.00"]


# -- coupons -----------------------------------------------------------------------------------------------


def coupon(cid="q20", amount="20.00", min_spend="199.00", **extra):
    return {"id": cid, "kind": "coupon", "amount": amount, "min_spend": min_spend, "codes": [cid.upper()], **extra}


def test_coupon_threshold_measured_after_the_shop_layer():
    promos = [{"id": "mj", "kind": "spend_save", "tiers": [["200", "10"]]}, coupon()]
    # 205 − 10 (满减) = 195 < 199: the coupon does not apply. best_for_buyer leaves 满减 out: 205 − 20 = 185.
    r = price([line("A", 1, "205.00")], promos, coupons=["Q20"], stacking="best_for_buyer")
    assert r["totals"]["payable"] == "185.00"
    assert [a["promotion"] for a in r["applied"]] == ["q20"]
    # platform: the 满减 applies by itself, the coupon cannot be used, and the quote says why: 195.
    with translation.override("en"):
        r = price([line("A", 1, "205.00")], promos, coupons=["Q20"], stacking="platform")
    assert (r["totals"]["payable"], r["stacking"]) == ("195.00", "platform")
    assert [a["promotion"] for a in r["applied"]] == ["mj"]
    assert r["notes"] == [
        "q20: after the shop discounts the order comes to ¥195.00, under the coupon's minimum spend of ¥199.00, "
        "so it cannot be used."
    ]


@pytest.mark.parametrize(("stacking", "payable"), [("platform", "289.00"), ("best_for_buyer", "269.00")])
def test_issue_15_a_tmall_shop_with_a_spend_save_and_a_coupon_of_the_same_threshold(stacking, payable):
    """满300减30 and a shop coupon 满300减50, ¥319 of goods: on Tmall the 满减 applies by itself and the coupon's
    minimum is measured after it (¥289, the coupon unusable); best_for_buyer leaves the 满减 out (¥269)."""
    promos = [
        {"id": "mj", "kind": "spend_save", "tiers": [["300.00", "30.00"]]},
        {"id": "q50", "kind": "coupon", "amount": "50.00", "min_spend": "300.00", "codes": ["Q50"]},
    ]
    r = price([line("A", 1, "319.00")], promos, coupons=["Q50"], stacking=stacking)
    assert (r["totals"]["payable"], r["stacking"]) == (payable, stacking)


def test_at_most_one_shop_coupon_unless_combinable():
    promos = [coupon("q20"), coupon("q30", "30.00"), coupon("q5", "5.00", "0", combinable=True)]
    # best single is q30; q5 combines: 300 − 30 − 5 = 265.00
    r = price([line("A", 1, "300.00")], promos, coupons=["Q20", "Q30", "Q5"])
    assert r["totals"]["payable"] == "265.00"
    assert sorted(a["promotion"] for a in r["applied"]) == ["q30", "q5"]


def test_coupon_only_when_offered_unused_and_within_the_buyer_limit():
    promos = [coupon()]
    assert price([line("A", 1, "300.00")], promos)["totals"]["payable"] == "300.00"  # not offered
    assert price([line("A", 1, "300.00")], promos, coupons=["Q20"], used_codes=["Q20"])["totals"]["payable"] == "300.00"
    assert (
        price([line("A", 1, "300.00")], promos, coupons=["Q20"], buyer={"coupon_uses": {"q20": 1}})["totals"]["payable"]
        == "300.00"
    )
    assert price([line("A", 1, "300.00")], promos, coupons=["Q20"])["totals"]["payable"] == "280.00"


def test_coupon_never_takes_a_line_below_zero_or_its_floor():
    promos = [coupon("big", "500.00", "0")]
    r = price([line("A", 1, "30.00"), line("B", 1, "20.00", floor="15.00")], promos, coupons=["BIG"])
    assert paid(r) == ["0.00", "15.00"]
    assert r["totals"]["coupon_discount"] == "35.00"


def test_coupon_scope_by_category_with_exclusions():
    promos = [coupon("bed", "30.00", "100.00", scope={"categories": ["被子"], "exclude_skus": ["B"]})]
    lines = [
        line("A", 1, "80.00", category="被子"),
        line("B", 1, "200.00", category="被子"),
        line("C", 1, "90.00", category="毛巾"),
    ]
    # only A (80) is in scope: below 100 → no coupon; with A × 2 (160) → 30 off A's line
    assert price(lines, promos, coupons=["BED"])["totals"]["payable"] == "370.00"
    lines[0]["quantity"] = 2
    r = price(lines, promos, coupons=["BED"])
    assert r["totals"]["payable"] == "420.00" and paid(r)[0] == "130.00"


# -- allocation, caps, near misses ----------------------------------------------------------------------------


def test_ten_off_over_three_tens_adds_up_to_exactly_ten():
    # the classic 3.33 × 3 = 9.99 bug: largest remainder gives 3.34 + 3.33 + 3.33
    r = price(
        [line("A", 1, "10.00"), line("B", 1, "10.00"), line("C", 1, "10.00")],
        [{"id": "mj", "kind": "spend_save", "tiers": [["30", "10"]]}],
    )
    assert paid(r) == ["6.66", "6.67", "6.67"]
    assert r["totals"]["payable"] == "20.00"


def test_allocate_by_largest_remainder_with_caps():
    assert allocate(1000, [1000, 1000, 1000]) == [334, 333, 333]
    assert allocate(100, [1, 1, 1], caps=[10, 100, 100]) == [10, 45, 45]
    assert allocate(500, [1, 1], caps=[100, 100]) == [100, 100]
    assert sum(allocate(997, [3, 5, 7, 11])) == 997


def test_order_cap_trims_coupon_then_shop():
    promos = [
        {"id": "d", "kind": "discount", "rate": "5"},
        {"id": "mj", "kind": "spend_save", "tiers": [["50", "30"]]},
        coupon("q", "20.00", "0"),
    ]
    # list 100; item 5折 = 50 off; 满50减30 → 20; coupon 20 → 0. Cap 60% of 100 = 60: coupon trimmed to 0,
    # 满减 trimmed to 10 → pays 40.00
    r = price([line("A", 1, "100.00")], promos, coupons=["Q"], max_discount_rate="0.6")
    assert r["totals"]["payable"] == "40.00"
    assert r["totals"]["discount"] == "60.00"


def test_near_miss_says_what_is_missing():
    promos = [{"id": "mj", "kind": "spend_save", "tiers": [["300", "30"]]}, coupon()]
    r = price([line("A", 1, "277.00")], promos, coupons=["Q20"])
    misses = {m["promotion"]: m for m in r["near_misses"]}
    assert misses["mj"]["missing"] == "23.00"
    assert misses["mj"]["benefit"].endswith("30.00")
    assert "23.00" in misses["mj"]["message"]
    assert "q20" not in misses  # 277 ≥ 199: the coupon applied


def test_result_does_not_depend_on_line_order():
    promos = [{"id": "half", "kind": "multibuy", "nth": 2, "rate": "5"}, coupon("q", "7.77", "0")]
    lines = [line("A", 1, "33.30"), line("B", 2, "10.01"), line("C", 1, "99.99")]
    first = price(lines, promos, coupons=["Q"])
    second = price(list(reversed(lines)), promos, coupons=["Q"])
    assert first["lines"] == list(reversed(second["lines"]))
    assert first["totals"] == second["totals"]


# -- the spec ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ({"id": "x", "kind": "nope"}, "unknown kind"),
        ({"id": "x", "kind": "price_cut"}, "needs 'amount'"),
        ({"id": "x", "kind": "price_cut", "amount": 10.5}, "not 10.5"),
        ({"id": "x", "kind": "price_cut", "amount": "1.005"}, "to the fen"),
        ({"id": "x", "kind": "discount", "rate": "11"}, "between 0 and 10"),
        ({"id": "x", "kind": "coupon", "amount": "5"}, "needs 'codes'"),
        ({"id": "x", "kind": "price_cut", "amount": "5", "colour": "red"}, "unknown parameters"),
        ({"kind": "price_cut", "amount": "5"}, "needs an 'id'"),
        ({"id": "x", "kind": "price_cut", "amount": "5", "starts_at": "2026-11-11"}, "time zone"),
        (
            {"id": "x", "kind": "bundle", "items": [{"sku": "A"}, {"sku": "A"}], "price": "50"},
            "items: each SKU once",
        ),
    ],
)
def test_bad_specs_are_refused_with_the_field_named(raw, fragment):
    with pytest.raises(SpecError) as err:
        parse_promotions([raw])
    assert fragment in err.value.message


def test_a_promotion_outside_its_window_does_nothing():
    promo = [{"id": "d", "kind": "discount", "rate": "9", "starts_at": "2026-12-01T00:00:00+08:00"}]
    r = price([line("A", 1, "100.00")], promo, at=datetime(2026, 11, 30, tzinfo=UTC).isoformat())
    assert r["totals"]["payable"] == "100.00"


def test_many_shop_promotions_on_separate_units_are_chosen_apart_and_exactly():
    # 12 满减 on 12 different SKUs (more than the exact search takes at once): their units never meet, so each
    # is chosen on its own, exactly: each SKU line 100 → 满100减10 → 12 × 90, and no "not proven" note.
    skus = [f"S{i:02d}" for i in range(12)]
    promos = [
        {"id": f"mj{i:02d}", "kind": "spend_save", "tiers": [["100", "10"]], "scope": {"skus": [sku]}}
        for i, sku in enumerate(skus)
    ]
    with translation.override("en"):
        r = price([line(sku, 1, "100.00") for sku in skus], promos)
    assert r["totals"]["payable"] == "1080.00"
    assert r["notes"] == []


def test_many_shop_promotions_competing_for_units_fall_back_to_a_greedy_plan_and_say_so():
    # 12 shop-wide 满减 that compete for the same units (non-stackable): 12 subsets of 2^12 plans is past the
    # exact search; the greedy plan takes the best one (满100减21) and the quote says it is not proven best.
    promos = [{"id": f"mj{i:02d}", "kind": "spend_save", "tiers": [["100", str(10 + i)]]} for i in range(12)]
    with translation.override("en"):
        r = price([line("A", 1, "60.00"), line("B", 1, "40.00")], promos)
    assert r["totals"]["payable"] == "79.00"
    assert [a["promotion"] for a in r["applied"]] == ["mj11"]
    assert any("not proven" in n for n in r["notes"])


def test_quantity_save_takes_the_best_tier_reached_and_names_the_next():
    # 满2件减10, 满3件减20 on ¥30 units: 1 → nothing (1 more item saves ¥10); 2 → 60 − 10; 3 → 90 − 20;
    # 4 units still reach only the 3-item tier: 120 − 20.
    spec = [{"id": "qs", "kind": "quantity_save", "tiers": [[2, "10.00"], [3, "20.00"]]}]
    with translation.override("en"):
        results = [price([line("A", n, "30.00")], spec) for n in (1, 2, 3, 4)]
    assert [r["totals"]["payable"] for r in results] == ["30.00", "50.00", "70.00", "100.00"]
    assert [m["message"] for m in results[0]["near_misses"]] == ["Add 1 more items to save ¥10.00"]
    assert results[3]["lines"][0]["discounts"] == [
        {"promotion": "qs", "kind": "quantity_save", "layer": "shop", "amount": "20.00"}
    ]


def test_quantity_save_never_takes_more_than_the_units_cost():
    r = price([line("A", 2, "3.00")], [{"id": "qs", "kind": "quantity_save", "tiers": [[2, "10.00"]]}])
    assert r["totals"]["payable"] == "0.00"


def test_a_percentage_coupon_takes_its_rate_within_its_maximum():
    # 折扣券 9折, at most ¥30 off, from ¥100: ¥50 → not usable (¥50 short); ¥199 → 19.90 off; ¥500 → 50 → capped 30.
    spec = [{"id": "z9", "kind": "coupon", "rate": "9", "max_amount": "30.00", "min_spend": "100.00", "codes": ["Z"]}]
    with translation.override("en"):
        results = [price([line("A", 1, p)], spec, coupons=["Z"]) for p in ("50.00", "199.00", "500.00")]
    assert [r["totals"]["payable"] for r in results] == ["50.00", "179.10", "470.00"]
    assert [m["message"] for m in results[0]["near_misses"]] == ["Spend ¥50.00 more to use coupon: 10% off"]
    assert results[2]["totals"]["coupon_discount"] == "30.00"


def test_a_percentage_coupon_is_measured_after_the_shop_layer():
    # 满300减30 then 8折券 on what is left: 320 − 30 = 290; 290 × 0.8 = 232.00
    spec = [
        {"id": "mj", "kind": "spend_save", "tiers": [["300.00", "30.00"]]},
        {"id": "z8", "kind": "coupon", "rate": "8", "codes": ["Z"]},
    ]
    r = price([line("A", 2, "160.00")], spec, coupons=["Z"])
    assert (r["totals"]["shop_discount"], r["totals"]["coupon_discount"], r["totals"]["payable"]) == (
        "30.00",
        "58.00",
        "232.00",
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"amount": "5", "rate": "9"}, "a coupon takes an 'amount' off, or a 'rate'"),
        ({}, "a coupon takes an 'amount' off, or a 'rate'"),
        ({"amount": "5", "max_amount": "9"}, "only a coupon with a 'rate' has a maximum"),
    ],
)
def test_a_coupon_is_an_amount_or_a_rate(body, message):
    with pytest.raises(SpecError, match=message):
        parse_promotions([{"id": "c", "kind": "coupon", "codes": ["C"], **body}])


def test_any_n_for_makes_sets_of_the_dearest_units_while_a_set_costs_more():
    # 任选3件99元 on 50, 40, 40, 30, 10: the set 50+40+40 = 130 → 99 (31 off); 30 + 10 is no set: 170 − 31 = 139.
    spec = [{"id": "n3", "kind": "any_n_for", "n": 3, "price": "99.00"}]
    lines = [line("A", 1, "50.00"), line("B", 2, "40.00"), line("C", 1, "30.00"), line("D", 1, "10.00")]
    r = price(lines, spec)
    assert (r["totals"]["payable"], r["applied"]) == ("139.00", [{"promotion": "n3", "discount": "31.00"}])
    assert paid(r)[3] == "10.00"  # the cheap unit is in no set
    # six units of ¥40: two sets of 120 → 99 (42 off); a seventh unit is in no set.
    assert price([line("A", 7, "40.00")], spec)["totals"]["payable"] == "238.00"
    # a set that costs no more than the price gives nothing: 3 × ¥30 = 90 < 99.
    assert price([line("A", 3, "30.00")], spec)["applied"] == []


def test_two_stackable_item_promotions_apply_rates_before_amounts_whatever_their_ids():
    # ¥100: 9折 then −¥10 = ¥80 (−¥10 then 9折 would be ¥81); the ids do not decide the order.
    for rate_id, cut_id in (("a", "b"), ("b", "a")):
        promotions = [
            {"id": rate_id, "kind": "discount", "rate": "9", "stackable": True},
            {"id": cut_id, "kind": "price_cut", "amount": "10.00", "stackable": True},
        ]
        r = price([line("A", 1, "100.00")], promotions)
        assert r["totals"]["payable"] == "80.00"
        assert {a["promotion"]: a["discount"] for a in r["applied"]} == {rate_id: "10.00", cut_id: "10.00"}


def test_any_n_for_near_miss_says_how_many_units_complete_the_next_set():
    spec = [{"id": "n3", "kind": "any_n_for", "n": 3, "price": "99.00"}]
    with translation.override("en"):
        # 2 units: one more makes a set; 4 units: a set and one begun, two more make the second.
        two = price([line("A", 2, "40.00")], spec)["near_misses"]
        four = price([line("A", 4, "40.00")], spec)["near_misses"]
        six = price([line("A", 6, "40.00")], spec)["near_misses"]
    assert [(m["promotion"], m["missing_items"]) for m in two] == [("n3", 1)]
    assert two[0]["message"] == "Add 1 more items to get any 3 for ¥99.00"
    assert [m["missing_items"] for m in four] == [2]
    assert six == []  # two full sets: nothing is missing
