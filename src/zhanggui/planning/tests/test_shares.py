"""The quarters by category and product role (docs/planning.md, "Categories and product roles"): worked
examples, by hand.

The shop: 上衣 (a 引流款 with 2 SKUs on sale at ¥100) and 裤子 (a 利润款 with 1 SKU on sale at ¥200). The plan:
¥1,000,000 by the template, so Q1 = 9 + 5.5 + 8.5 = 23 % = ¥230,000 and Q2 = 7 + 7 + 10 = 24 % = ¥240,000.
Last year's Q2 sold 上衣 3 units for ¥240 and 裤子 1 unit for ¥160; Q1 sold nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from zhanggui.analytics.tests.metrics_fixtures import order
from zhanggui.catalog.models import ListingStatus, ProductRole
from zhanggui.catalog.tests.factories import CategoryFactory, ProductFactory, SkuFactory
from zhanggui.planning import services, shares
from zhanggui.planning.breakdown import PlanError
from zhanggui.planning.models import Dimension, PlanShare

D = Decimal
pytestmark = pytest.mark.django_db
LISTED = ListingStatus.LISTED


@pytest.fixture
def catalog(shop):
    tops = ProductFactory(
        shop=shop, category=CategoryFactory(name="上衣"), role=ProductRole.TRAFFIC, listing_status=LISTED
    )
    pants = ProductFactory(
        shop=shop, category=CategoryFactory(name="裤子"), role=ProductRole.PROFIT, listing_status=LISTED
    )
    top_skus = [SkuFactory(product=tops, price=D("100.00"), listing_status=LISTED) for _ in range(2)]
    pant_sku = SkuFactory(product=pants, price=D("200.00"), listing_status=LISTED)
    return {"上衣": (tops, top_skus), "裤子": (pants, [pant_sku])}


@pytest.fixture
def plan(shop, manager, catalog):
    made = services.create_plan(actor=manager, shop=shop, year=2026, gmv_target=D("1000000.00"))
    return shares.build(actor=manager, plan=made)


def _slices(plan, dimension: str, quarter: int) -> dict[str, PlanShare]:
    return {s.label: s for s in plan.shares.filter(dimension=dimension, quarter=quarter)}


def test_without_history_a_quarter_is_split_by_the_skus_on_sale(plan):
    q1 = _slices(plan, Dimension.CATEGORY, 1)
    # 230,000 × 2/3 = 153,333.333… and × 1/3 = 76,666.666…: the fen left goes to the larger remainder (裤子).
    assert (q1["上衣"].amount, q1["裤子"].amount) == (D("153333.33"), D("76666.67"))
    # Units at the SKUs' mean price: 153,333.33 ÷ 100 = 1,533.33 → 1,533; 76,666.67 ÷ 200 = 383.33 → 383.
    assert (q1["上衣"].quantity, q1["裤子"].quantity) == (1533, 383)
    assert (q1["上衣"].sku_count, q1["裤子"].sku_count) == (2, 1)
    roles = {s.key: s for s in plan.shares.filter(dimension=Dimension.ROLE, quarter=1)}
    assert roles["traffic"].amount == D("153333.33") and roles["profit"].amount == D("76666.67")
    assert roles["campaign"].amount == D("0.00") and roles["image"].amount == D("0.00")
    assert roles["image"].sku_count == 0


def test_a_quarter_that_sold_last_year_is_split_by_last_years_sales(shop, manager, catalog):
    (_tops, top_skus), (_pants, pant_skus) = catalog["上衣"], catalog["裤子"]
    order(shop, date(2025, 5, 10), (10,), "amy", "240.00", [(top_skus[0], 3, "240.00")])
    order(shop, date(2025, 6, 2), (10,), "bob", "160.00", [(pant_skus[0], 1, "160.00")])
    plan = shares.build(
        actor=manager, plan=services.create_plan(actor=manager, shop=shop, year=2026, gmv_target=D("1000000.00"))
    )
    q2 = _slices(plan, Dimension.CATEGORY, 2)
    # 240,000 by 240 : 160 → 144,000 and 96,000; units at last year's prices ¥80 and ¥160.
    assert (q2["上衣"].amount, q2["裤子"].amount) == (D("144000.00"), D("96000.00"))
    assert (q2["上衣"].quantity, q2["裤子"].quantity) == (1800, 600)
    assert _slices(plan, Dimension.CATEGORY, 1)["上衣"].amount == D("153333.33")  # Q1 had no sales


def test_every_quarter_adds_up_to_its_target_in_both_dimensions(plan):
    targets = {1: D("230000.00"), 2: D("240000.00"), 3: D("210000.00"), 4: D("320000.00")}
    for dimension in Dimension.values:
        for q, target in targets.items():
            assert sum(s.amount for s in plan.shares.filter(dimension=dimension, quarter=q)) == target


def test_a_slice_changed_rebalances_the_quarter_and_is_locked(plan, manager):
    tops = _slices(plan, Dimension.CATEGORY, 1)["上衣"]
    shares.set_row(
        actor=manager,
        plan=plan,
        dimension=Dimension.CATEGORY,
        key=tops.key,
        cells={1: shares.Cell(D("200000.00"), 2000, 3)},
    )
    q1 = _slices(plan, Dimension.CATEGORY, 1)
    assert (q1["上衣"].amount, q1["裤子"].amount) == (D("200000.00"), D("30000.00"))
    assert (q1["上衣"].quantity, q1["上衣"].sku_count, q1["上衣"].locked) == (2000, 3, True)
    # Every other slice locked: nothing to rebalance onto.
    with pytest.raises(PlanError, match="locked"):
        shares.set_row(
            actor=manager,
            plan=plan,
            dimension=Dimension.CATEGORY,
            key=q1["裤子"].key,
            cells={1: shares.Cell(D("10000.00"), 50, 1)},
        )
    with pytest.raises(PlanError, match="cannot give up"):
        shares.set_row(
            actor=manager,
            plan=plan,
            dimension=Dimension.ROLE,
            key="image",
            cells={1: shares.Cell(D("300000.00"), 1, 1)},
        )


def test_keep_leaves_the_other_slices_and_the_quarter_differs(plan, manager):
    pants = _slices(plan, Dimension.CATEGORY, 1)["裤子"]
    shares.set_row(
        actor=manager,
        plan=plan,
        dimension=Dimension.CATEGORY,
        key=pants.key,
        cells={1: shares.Cell(D("96666.67"), 483, 1)},
        mode=shares.KEEP_OTHERS,
    )
    q1 = _slices(plan, Dimension.CATEGORY, 1)
    assert q1["上衣"].amount == D("153333.33") and sum(s.amount for s in q1.values()) == D("250000.00")


def test_a_months_change_carries_its_quarters_slices_with_it(plan, manager):
    services.set_month(actor=manager, plan=plan, month=1, gmv_target=D("110000.00"), mode=services.KEEP_OTHERS)
    q1 = _slices(plan, Dimension.CATEGORY, 1)
    # Q1 is now 250,000: 250,000 × 153,333.33 ÷ 230,000 = 166,666.663 and × 76,666.67 ÷ 230,000 = 83,333.337;
    # the fen left goes to the larger remainder (裤子). Units × 250,000 ÷ 230,000: 1,666.30 → 1,666; 416.30 → 416.
    assert (q1["上衣"].amount, q1["裤子"].amount) == (D("166666.66"), D("83333.34"))
    assert (q1["上衣"].quantity, q1["裤子"].quantity) == (1666, 416)
    assert _slices(plan, Dimension.CATEGORY, 2)["上衣"].amount == D("160000.00")  # Q2 untouched: 240,000 × 2/3


def test_a_revision_keeps_the_approved_slices(plan, manager):
    services.approve(actor=manager, plan=plan)
    tops = _slices(plan, Dimension.CATEGORY, 1)["上衣"]
    revision = shares.set_row(
        actor=manager, plan=plan, dimension=Dimension.CATEGORY, key=tops.key, cells={1: shares.Cell(D("0.00"), 0, 0)}
    )
    assert revision.pk != plan.pk and revision.version == 2
    assert _slices(plan, Dimension.CATEGORY, 1)["上衣"].amount == D("153333.33")
    assert _slices(revision, Dimension.CATEGORY, 1)["裤子"].amount == D("230000.00")
    assert revision.shares.count() == plan.shares.count() == 24  # (2 categories + 4 roles) × 4 quarters


def test_only_the_manager_splits_the_plan(plan, users):
    from zhanggui.core.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        shares.build(actor=users["service"], plan=plan)
