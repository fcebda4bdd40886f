"""Campaign eligibility: each rule kind passes, fails or is unknown with a message naming it; strict parsing;
the presets of the seed's campaigns; the facts read from the ledger, the audit trail and the stock."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from zhanggui.catalog.models import Sku
from zhanggui.catalog.tests.factories import SkuFactory
from zhanggui.core.models import AuditEntry
from zhanggui.core.services import record_audit
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import MoveReason, StockMove
from zhanggui.inventory.tests.factories import WarehouseFactory
from zhanggui.promotions.campaigns.eligibility import (
    FAIL,
    PASS,
    UNKNOWN,
    Offer,
    SkuFacts,
    check_campaign,
    check_many,
    parse_campaign,
    parse_offer,
)
from zhanggui.promotions.campaigns.errors import CampaignSpecError
from zhanggui.promotions.campaigns.facts import average_price, sku_facts
from zhanggui.promotions.campaigns.presets import PRESETS, preset, presets

SHANGHAI = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 6, 30, 12, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def campaign(*rules: dict) -> object:
    return parse_campaign({"id": "c", "name": "test", "rules": list(rules)})


def outcome(rule: dict, facts: SkuFacts | None = None, offer: Offer | None = None):
    result = check_campaign(campaign(rule), facts or SkuFacts(), offer or Offer(price=Decimal("50.00"), quantity=100))
    (only,) = result.outcomes
    return only


# ----- each rule kind: pass, fail, unknown --------------------------------------------------------------


def test_min_sales_passes_at_the_threshold_and_fails_below():
    rule = {"kind": "min_sales", "days": 30, "units": 10}
    passed = outcome(rule, SkuFacts(sales={30: 10}))
    failed = outcome(rule, SkuFacts(sales={30: 7}))
    assert (passed.status, passed.actual, passed.required) == (PASS, "10", "≥ 10")
    assert (failed.status, failed.actual) == (FAIL, "7")
    assert failed.rule == "min_sales"
    assert failed.label == "Minimum sales"
    assert failed.message == "Sales in the last 30 days: 7 units; required ≥ 10 units"


def test_min_sales_is_unknown_without_the_window():
    result = outcome({"kind": "min_sales", "days": 7, "units": 10}, SkuFacts(sales={30: 50}))
    assert (result.status, result.actual) == (UNKNOWN, None)
    assert result.message == "Sales in the last 7 days: unknown; required ≥ 10 units"


def test_min_sales_message_in_chinese():
    with translation.override("zh-hans"):
        result = outcome({"kind": "min_sales", "days": 30, "units": 10}, SkuFacts(sales={30: 7}))
    assert result.message == "近30天销量 7 件，要求 ≥ 10 件"


def test_min_reviews_pass_fail_unknown():
    rule = {"kind": "min_reviews", "count": 5}
    assert outcome(rule, SkuFacts(reviews=5)).status == PASS
    failed = outcome(rule, SkuFacts(reviews=4))
    assert (failed.status, failed.message) == (FAIL, "Reviews: 4; required ≥ 5")
    unknown = outcome(rule, SkuFacts(reviews=None))
    assert unknown.status == UNKNOWN
    assert unknown.message == "Reviews: unknown (the desk has no review data; give the count); required ≥ 5"


def test_min_offer_value_is_quantity_times_campaign_price():
    rule = {"kind": "min_offer_value", "amount": "10000"}
    # 200 × ¥50.00 = ¥10,000.00: exactly the threshold
    assert outcome(rule, offer=Offer(price=Decimal("50.00"), quantity=200)).status == PASS
    # 199 × ¥50.00 = ¥9,950.00
    failed = outcome(rule, offer=Offer(price=Decimal("50.00"), quantity=199))
    assert (failed.status, failed.actual, failed.required) == (FAIL, "9950.00", "≥ 10000.00")
    assert failed.message == "Offer value (quantity × campaign price): ¥9,950.00; required ≥ ¥10,000.00"


@pytest.mark.parametrize(
    ("quantity", "status"), [(49, FAIL), (50, PASS), (300, PASS), (301, FAIL)], ids=["49", "50", "300", "301"]
)
def test_offer_quantity_between_50_and_300(quantity, status):
    result = outcome({"kind": "offer_quantity", "min": 50, "max": 300}, offer=Offer(Decimal("9.90"), quantity))
    assert result.status == status
    assert result.required == "50–300"
    assert result.message == f"Offered quantity: {quantity} units; required between 50 and 300 units"


def test_offer_quantity_with_only_a_minimum():
    result = outcome({"kind": "offer_quantity", "min": 200}, offer=Offer(Decimal("9.90"), 150))
    assert (result.status, result.required) == (FAIL, "≥ 200")
    assert result.message == "Offered quantity: 150 units; required ≥ 200 units"


def test_price_not_above_recent_average():
    rule = {"kind": "price_not_above_recent_average", "days": 30}
    facts = SkuFacts(average_price={30: Decimal("88.33")})
    assert outcome(rule, facts, Offer(Decimal("88.33"), 10)).status == PASS
    failed = outcome(rule, facts, Offer(Decimal("88.34"), 10))
    assert (failed.status, failed.actual, failed.required) == (FAIL, "88.34", "≤ 88.33")
    assert failed.message == (
        "Campaign price ¥88.34; average price over the last 30 days ¥88.33; required not above it"
    )
    unknown = outcome(rule, SkuFacts(), Offer(Decimal("88.34"), 10))
    assert unknown.status == UNKNOWN
    assert unknown.message == (
        "Campaign price ¥88.34; the average price over the last 30 days is unknown; required not above it"
    )


@pytest.mark.parametrize(
    ("price", "status", "rate"),
    [
        ("9.99", FAIL, "0.999"),
        ("10.00", PASS, "1"),
        ("45.00", PASS, "4.5"),
        ("50.00", PASS, "5"),
        ("50.01", FAIL, "5.001"),
    ],
)
def test_price_rate_of_original_between_1_and_5_zhe(price, status, rate):
    # original ¥100.00: 1折 = ¥10.00, 5折 = ¥50.00; ¥50.01 is 5.001折, just above
    result = outcome(
        {"kind": "price_rate_of_original", "min_rate": "1", "max_rate": "5"},
        SkuFacts(price=Decimal("100.00")),
        Offer(Decimal(price), 10),
    )
    assert (result.status, result.actual, result.required) == (status, rate, "1–5")


def test_price_rate_message_and_unknown_original():
    rule = {"kind": "price_rate_of_original", "min_rate": "1", "max_rate": "5"}
    failed = outcome(rule, SkuFacts(price=Decimal("80.00")), Offer(Decimal("60.00"), 10))
    assert failed.message == "Campaign price ¥60.00 is 25% off the original price ¥80.00; required 50%–90% off"
    unknown = outcome(rule, SkuFacts(price=None), Offer(Decimal("60.00"), 10))
    assert unknown.status == UNKNOWN
    assert unknown.message == "Campaign price ¥60.00; the original price is unknown; required 50%–90% off"


def test_free_shipping_pass_fail_unknown():
    rule = {"kind": "free_shipping"}
    assert outcome(rule, offer=Offer(Decimal("1.00"), 1, free_shipping=True)).message == "Free shipping: yes; required"
    failed = outcome(rule, offer=Offer(Decimal("1.00"), 1, free_shipping=False))
    assert (failed.status, failed.message) == (FAIL, "Free shipping: no; required")
    unknown = outcome(rule, offer=Offer(Decimal("1.00"), 1))
    assert (unknown.status, unknown.message) == (UNKNOWN, "Free shipping: not stated; required")


def test_min_available_covers_the_offer_and_the_named_units():
    # no units: the stock must cover the offered quantity
    assert outcome({"kind": "min_available"}, SkuFacts(available=100), Offer(Decimal("1.00"), 100)).status == PASS
    short = outcome({"kind": "min_available"}, SkuFacts(available=99), Offer(Decimal("1.00"), 100))
    assert (short.status, short.required, short.actual) == (FAIL, "≥ 100", "99")
    assert short.message == "Available stock: 99 units; required ≥ 100 units"
    # units above the offer: the larger wins
    named = outcome({"kind": "min_available", "units": 500}, SkuFacts(available=300), Offer(Decimal("1.00"), 100))
    assert (named.status, named.required) == (FAIL, "≥ 500")
    unknown = outcome({"kind": "min_available"}, SkuFacts(available=None), Offer(Decimal("1.00"), 100))
    assert (unknown.status, unknown.message) == (UNKNOWN, "Available stock: unknown; required ≥ 100 units")


def test_max_price():
    rule = {"kind": "max_price", "amount": "9.90"}
    assert outcome(rule, offer=Offer(Decimal("9.90"), 1)).status == PASS
    failed = outcome(rule, offer=Offer(Decimal("9.91"), 1))
    assert (failed.status, failed.message) == (FAIL, "Campaign price ¥9.91; required ≤ ¥9.90")


def test_eligible_only_when_every_rule_passes():
    spec = campaign(
        {"kind": "min_sales", "days": 30, "units": 10},
        {"kind": "min_reviews", "count": 5},
        {"kind": "free_shipping"},
    )
    facts = SkuFacts(sku_id=1, shop="s", code="A", sales={30: 12}, reviews=None)
    unknown = check_campaign(spec, facts, Offer(Decimal("9.90"), 100, free_shipping=True))
    assert (unknown.eligible, unknown.failed, unknown.unknown) == (False, [], ["min_reviews"])
    failed = check_campaign(spec, facts, Offer(Decimal("9.90"), 100, free_shipping=False))
    assert (failed.eligible, failed.failed) == (False, ["free_shipping"])
    passed = check_campaign(spec, SkuFacts(sales={30: 12}, reviews=5), Offer(Decimal("9.90"), 100, True))
    assert (passed.eligible, passed.failed, passed.unknown) == (True, [], [])


def test_check_many_keeps_the_order_and_each_offer():
    spec = campaign({"kind": "offer_quantity", "min": 50, "max": 300})
    facts = SkuFacts(sku_id=1)
    results = check_many(spec, [(facts, Offer(Decimal("1.00"), 40)), (facts, Offer(Decimal("1.00"), 60))])
    assert [r.eligible for r in results] == [False, True]
    assert results[1].as_dict()["offer"] == {"price": "1.00", "quantity": 60, "free_shipping": None}


# ----- strict parsing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ([{"kind": "min_sale"}], "campaign.rules[0].kind: unknown rule kind 'min_sale'"),
        ([{"kind": "min_sales", "days": 30}], "campaign.rules[0]: a min_sales rule needs units"),
        ([{"kind": "min_reviews", "count": 5, "days": 3}], "campaign.rules[0]: unknown keys days for a min_reviews"),
        ([{"kind": "min_offer_value", "amount": 10000.5}], "campaign.rules[0].amount: write amounts as strings"),
        ([{"kind": "min_offer_value", "amount": "1.005"}], "campaign.rules[0].amount: not an amount to the fen"),
        ([{"kind": "max_price", "amount": "abc"}], "campaign.rules[0].amount: not an amount: 'abc'"),
        ([{"kind": "min_sales", "days": 0, "units": 1}], "campaign.rules[0].days: must be between 1 and 365"),
        ([{"kind": "min_sales", "days": 30, "units": "10"}], "campaign.rules[0].units: not a whole number"),
        ([{"kind": "offer_quantity"}], "campaign.rules[0]: an offer_quantity rule needs min, max or both"),
        ([{"kind": "offer_quantity", "min": 300, "max": 50}], "campaign.rules[0].max: must not be below min"),
        (
            [{"kind": "price_rate_of_original", "min_rate": "1", "max_rate": "11"}],
            "campaign.rules[0].max_rate: a rate is between 0 and 10",
        ),
        ([], "campaign.rules: a non-empty list of rules"),
    ],
)
def test_a_bad_spec_names_the_field(rules, message):
    with pytest.raises(CampaignSpecError) as info:
        parse_campaign({"id": "c", "name": "x", "rules": rules})
    assert info.value.message.startswith(message), info.value.message
    assert info.value.code == "invalid_campaign_spec"


def test_amounts_are_exact_decimals():
    spec = campaign({"kind": "min_offer_value", "amount": "10000"}, {"kind": "max_price", "amount": 20})
    assert spec.rules[0].params == {"amount": Decimal("10000.00")}
    assert spec.rules[1].params == {"amount": Decimal("20.00")}
    assert spec.as_dict()["rules"][0] == {"kind": "min_offer_value", "amount": "10000.00"}
    assert spec.windows() == frozenset()


def test_parse_offer_refuses_a_float_price_and_a_missing_quantity():
    assert parse_offer({"price": "9.90", "quantity": 3, "free_shipping": True}) == Offer(Decimal("9.90"), 3, True)
    with pytest.raises(CampaignSpecError, match=r"^skus\[2\]\.price: write amounts as strings"):
        parse_offer({"price": 9.9, "quantity": 3}, "skus[2]")
    with pytest.raises(CampaignSpecError, match=r"^offer\.quantity: required"):
        parse_offer({"price": "9.90"})


# ----- presets ------------------------------------------------------------------------------------------


def test_every_preset_parses_and_carries_the_seed_numbers():
    assert list(PRESETS) == ["tiantiantejia", "taojinbi", "chaoyouhui", "aigou", "duchangtuan", "fuyoushiyong"]
    for key in PRESETS:
        assert preset(key).id == key
    assert preset("nope") is None
    tiantian = preset("tiantiantejia")
    assert tiantian.name == "天天特价"
    assert [r.as_dict() for r in tiantian.rules] == [
        {"kind": "min_sales", "days": 30, "units": 10},
        {"kind": "offer_quantity", "max": 300, "min": 50},
    ]
    assert [r.as_dict() for r in preset("chaoyouhui").rules] == [
        {"kind": "min_sales", "days": 30, "units": 10},
        {"kind": "min_reviews", "count": 5},
        {"kind": "min_offer_value", "amount": "10000.00"},
        {"kind": "free_shipping"},
    ]
    assert preset("aigou").rules == preset("chaoyouhui").rules
    assert [r.kind for r in preset("taojinbi").rules] == [
        "min_sales",
        "min_reviews",
        "offer_quantity",
        "price_not_above_recent_average",
    ]
    assert preset("duchangtuan").rules[-1].as_dict() == {
        "kind": "price_rate_of_original",
        "max_rate": "5",
        "min_rate": "1",
    }
    listed = presets()
    assert [p["id"] for p in listed] == list(PRESETS)
    assert listed[0]["note"].startswith("Shop requirement")


def test_a_preset_as_listed_parses_back_as_a_campaign():
    for listed in presets():
        assert parse_campaign(listed).as_dict() == {k: v for k, v in listed.items() if k != "note"}


# ----- the price-history average ------------------------------------------------------------------------


def test_average_price_worked_example():
    """30 days to AT: ¥100 for 10 days, ¥80 for 15 days, ¥90 for 5 days.

    (100 × 10 + 80 × 15 + 90 × 5) / 30 = 2650 / 30 = 88.333… → ¥88.33 (rounded down).
    """
    changes = [(AT - timedelta(days=5), Decimal("80.00")), (AT - timedelta(days=20), Decimal("100.00"))]
    assert average_price(price_at=Decimal("90.00"), changes=changes, start=AT - timedelta(days=30), end=AT) == Decimal(
        "88.33"
    )


def test_average_price_without_changes_is_the_price():
    assert average_price(price_at=Decimal("9.90"), changes=[], start=AT - timedelta(days=30), end=AT) == Decimal("9.90")
    assert average_price(price_at=Decimal("9.90"), changes=[], start=AT, end=AT) == Decimal("9.90")


def test_average_rounds_down_to_the_fen():
    # ¥10.00 for 1 day, then ¥10.01 for 2 days: 30.02 / 3 = 10.00666… → ¥10.00 (half-up would say ¥10.01)
    start = AT - timedelta(days=3)
    assert average_price(
        price_at=Decimal("10.01"), changes=[(AT - timedelta(days=2), Decimal("10.00"))], start=start, end=AT
    ) == Decimal("10.00")


# ----- facts from the database --------------------------------------------------------------------------


def _at(entry_or_move, moment: datetime) -> None:
    type(entry_or_move).objects.filter(pk=entry_or_move.pk).update(
        **{"at" if isinstance(entry_or_move, AuditEntry) else "created_at": moment}
    )


def _price_change(sku: Sku, before: str, after: str, moment: datetime) -> None:
    entry = record_audit(
        actor=None, action="sku.price", obj=sku, before={"price": Decimal(before)}, after={"price": Decimal(after)}
    )
    _at(entry, moment)


@pytest.fixture
def old_sku(db):
    sku = SkuFactory(price=Decimal("70.00"))
    Sku.objects.filter(pk=sku.pk).update(created_at=AT - timedelta(days=400))
    return Sku.objects.select_related("shop").get(pk=sku.pk)


def test_facts_average_price_from_the_audit_trail(old_sku):
    """The worked example, from audit rows: before the window ¥120 → ¥100 (40 days ago), then ¥100 → ¥80
    (20 days ago), ¥80 → ¥90 (5 days ago), and after AT ¥90 → ¥70 (today's price). A cost-only change and
    another SKU's change are ignored."""
    _price_change(old_sku, "120.00", "100.00", AT - timedelta(days=40))
    _price_change(old_sku, "100.00", "80.00", AT - timedelta(days=20))
    _price_change(old_sku, "80.00", "90.00", AT - timedelta(days=5))
    _price_change(old_sku, "90.00", "70.00", AT + timedelta(days=1))
    _at(record_audit(actor=None, action="sku.price", obj=old_sku, before={"cost": "1"}, after={"cost": "2"}), AT)
    other = SkuFactory()
    _price_change(other, "1.00", "2.00", AT - timedelta(days=3))

    facts = sku_facts([old_sku], at=AT, windows=[30, 10])[old_sku.pk]
    assert facts.price == Decimal("90.00")  # the price at AT, not today's ¥70
    # 10 days: ¥80 for 5 days, ¥90 for 5 days = ¥85.00
    assert facts.average_price == {30: Decimal("88.33"), 10: Decimal("85.00")}
    assert (facts.shop, facts.code, facts.reviews) == (old_sku.shop.code, old_sku.code, None)


def test_facts_average_only_since_the_sku_exists(db):
    """A SKU created 10 days before AT at ¥50.00, changed to ¥60.00 4 days before AT:
    (50 × 6 + 60 × 4) / 10 = 54.00 over its 10 days, not over 30."""
    sku = SkuFactory(price=Decimal("60.00"))
    Sku.objects.filter(pk=sku.pk).update(created_at=AT - timedelta(days=10))
    _price_change(sku, "50.00", "60.00", AT - timedelta(days=4))
    facts = sku_facts(Sku.objects.select_related("shop").filter(pk=sku.pk), at=AT)[sku.pk]
    assert facts.average_price == {30: Decimal("54.00")}


def test_facts_sales_stock_and_reviews(old_sku, system):
    warehouse = WarehouseFactory()
    stock.book_move(actor=system, sku=old_sku, warehouse=warehouse, quantity=100, reason=MoveReason.PURCHASE_RECEIPT)
    issues = {3: -4, 20: -3, 40: -50}  # days before AT → units issued; 40 days is outside both windows
    for days, quantity in issues.items():
        move = stock.book_move(
            actor=system, sku=old_sku, warehouse=warehouse, quantity=quantity, reason=MoveReason.SALE_ISSUE
        )
        _at(move, AT - timedelta(days=days))
    late = stock.book_move(actor=system, sku=old_sku, warehouse=warehouse, quantity=-5, reason=MoveReason.SALE_ISSUE)
    _at(late, AT + timedelta(hours=1))  # after AT: not counted
    adjustment = stock.book_move(
        actor=system, sku=old_sku, warehouse=warehouse, quantity=-2, reason=MoveReason.ADJUSTMENT
    )
    _at(adjustment, AT - timedelta(days=1))  # not a sale
    assert StockMove.objects.filter(sku=old_sku).count() == 6

    quiet = Sku.objects.select_related("shop").get(pk=SkuFactory().pk)
    facts = sku_facts([old_sku, quiet], at=AT, windows=[7, 30], reviews={old_sku.pk: 12})
    assert facts[old_sku.pk].sales == {7: 4, 30: 7}
    assert facts[old_sku.pk].available == 100 - 4 - 3 - 50 - 5 - 2
    assert facts[old_sku.pk].reviews == 12
    assert (quiet_facts := facts[quiet.pk]).sales == {7: 0, 30: 0}
    assert (quiet_facts.available, quiet_facts.reviews) == (0, None)


def test_facts_take_the_same_queries_for_one_sku_or_many(db, django_assert_max_num_queries, system):
    warehouse = WarehouseFactory()
    skus = []
    for i in range(12):
        sku = SkuFactory()
        stock.book_move(actor=system, sku=sku, warehouse=warehouse, quantity=10, reason=MoveReason.PURCHASE_RECEIPT)
        stock.book_move(actor=system, sku=sku, warehouse=warehouse, quantity=-1, reason=MoveReason.SALE_ISSUE)
        _price_change(sku, "99.00", f"{90 + i}.00", AT - timedelta(days=2))
        skus.append(sku)
    loaded = list(Sku.objects.select_related("shop").filter(pk__in=[s.pk for s in skus]))
    with django_assert_max_num_queries(3):
        one = sku_facts(loaded[:1], windows=[7, 30])
    with django_assert_max_num_queries(3):
        many = sku_facts(loaded, windows=[7, 30])
    assert len(one) == 1
    assert len(many) == 12
    assert {f.sales[30] for f in many.values()} == {1}
    assert {f.available for f in many.values()} == {9}
