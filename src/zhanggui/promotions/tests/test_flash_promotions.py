"""A stored flash_sale promotion is its flash sales: saving checks the shop, the SKUs and the caps; approving opens
one FlashSale per SKU (linked, switched on) that promotions.flash sells against; a stock_cap change follows
into the sales but never below what is sold; cancelling switches them off and keeps them."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from zhanggui.catalog.tests.factories import ShopFactory, SkuFactory
from zhanggui.core.models import AuditEntry
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import MoveReason
from zhanggui.inventory.tests.factories import WarehouseFactory
from zhanggui.promotions import spec
from zhanggui.promotions.flash import selectors
from zhanggui.promotions.flash import services as flash
from zhanggui.promotions.flash.errors import BuyerLimitReached, FlashSaleClosed, FlashSaleSoldOut, InvalidFlashSale
from zhanggui.promotions.models import FlashSale, FlashSalePurchase, FlashSaleStatus, Promotion, PromotionState
from zhanggui.promotions.offers import services
from zhanggui.promotions.offers.errors import InvalidPromotionState, PromotionStarted

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def shop(db):
    return ShopFactory(code="tm")


@pytest.fixture
def skus(shop, system):
    """Two SKUs of the shop at ¥99.00, 20 units of each in stock."""
    warehouse = WarehouseFactory(code="main")
    rows = [SkuFactory(code=code, price=Decimal("99.00"), product__shop=shop) for code in ("MY-01", "MY-02")]
    for sku in rows:
        stock.book_move(actor=system, sku=sku, warehouse=warehouse, quantity=20, reason=MoveReason.PURCHASE_RECEIPT)
    return rows


def window(start_hours: float = -1, end_hours: float = 2) -> dict[str, str]:
    now = timezone.now().replace(microsecond=0)
    return {
        "starts_at": (now + timedelta(hours=start_hours)).isoformat(),
        "ends_at": (now + timedelta(hours=end_hours)).isoformat(),
    }


def ms(code: str = "ms", **change) -> dict:
    """秒杀 ¥9.90 on both SKUs (far below 7折 of ¥99: a manager approves), 3 units each, 2 a buyer."""
    return {
        "id": code,
        "kind": "flash_sale",
        "name": "零点秒杀",
        "price": "9.90",
        "per_buyer_cap": 2,
        "stock_cap": 3,
        "scope": {"skus": ["MY-01", "MY-02"]},
        "exclusive": True,
        **window(),
        **change,
    }


def approved(operator, manager, shop, raw) -> Promotion:
    promotion = services.create_promotion(actor=operator, shop=shop, raw_spec=raw)
    promotion = services.submit_promotion(actor=operator, promotion=promotion)
    if promotion.state != PromotionState.APPROVED:
        promotion = services.approve_promotion(actor=manager, promotion=promotion)
    return promotion


def sales_of(promotion: Promotion) -> dict[str, tuple]:
    return {
        sale.sku.code: (sale.price, sale.stock_cap, sale.per_buyer_cap, sale.sold, sale.is_active)
        for sale in FlashSale.objects.filter(promotion=promotion).select_related("sku")
    }


# ----- saving ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shop_code", "change", "message"),
    [
        (None, {}, "promotion ms.shop: a flash sale belongs to one shop"),
        ("tm", {"scope": "all"}, "promotion ms.scope.skus: a flash sale names its SKUs"),
        ("tm", {"scope": {"skus": ["MY-01"], "categories": ["被子"]}}, "promotion ms.scope: a flash sale covers only"),
        ("tm", {"scope": {"skus": ["MY-01", "NOPE"]}}, "promotion ms.scope.skus: the shop tm has no SKU NOPE"),
        ("jd", {}, "promotion ms.scope.skus: the shop jd has no SKU MY-01, MY-02"),
        ("tm", {"stock_cap": None}, "promotion ms.stock_cap: a stored flash sale needs its stock cap"),
        ("tm", {"stock_cap": 0}, "promotion ms.stock_cap: must be at least 1, got 0"),
        ("tm", {"per_buyer_cap": None}, "promotion ms: flash_sale needs 'per_buyer_cap'"),
        ("tm", {"price": "99.00"}, "promotion ms.price: the flash price 99.00 must be below the price of MY-01"),
    ],
)
def test_a_flash_sale_without_its_shop_skus_or_caps_is_refused_naming_the_field(
    operator, skus, shop_code, change, message
):
    ShopFactory(code="jd")
    raw = {k: v for k, v in {**ms(), **change}.items() if v is not None}
    shop = ShopFactory(code=shop_code) if shop_code else None
    with pytest.raises(spec.SpecError) as refused:
        services.create_promotion(actor=operator, shop=shop, raw_spec=raw)
    assert refused.value.message.startswith(message), refused.value.message
    assert refused.value.code == "invalid_promotion_spec"
    assert not Promotion.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_draft_or_pending_flash_sale_opens_no_sale_and_its_stock_cap_is_stored_as_a_number(operator, shop, skus):
    promotion = services.create_promotion(actor=operator, shop=shop, raw_spec=ms(stock_cap="30"))
    assert promotion.spec["stock_cap"] == 30
    promotion = services.submit_promotion(actor=operator, promotion=promotion)
    assert promotion.state == PromotionState.SUBMITTED  # ¥9.90 of ¥99: a manager approves
    assert not FlashSale.objects.exists()


# ----- approving opens the sales --------------------------------------------------------------------------


def test_approving_opens_one_linked_flash_sale_per_sku_with_the_price_caps_and_window(operator, manager, shop, skus):
    promotion = approved(operator, manager, shop, ms())
    assert promotion.state == PromotionState.APPROVED
    assert sales_of(promotion) == {
        "MY-01": (Decimal("9.90"), 3, 2, 0, True),
        "MY-02": (Decimal("9.90"), 3, 2, 0, True),
    }
    for sale in promotion.flash_sales.all():
        assert (sale.shop, sale.starts_at, sale.ends_at) == (shop, promotion.starts_at, promotion.ends_at)
        assert (sale.name, sale.created_by, sale.status) == ("零点秒杀", manager, FlashSaleStatus.RUNNING)
    created = AuditEntry.objects.filter(action="flash_sale.create").order_by("id")
    assert [(e.actor, e.after["sku"], e.after["promotion"]) for e in created] == [
        (manager, "MY-01", "ms"),
        (manager, "MY-02", "ms"),
    ]


def test_a_flash_sale_within_the_limit_opens_its_sales_when_submitted(operator, shop, skus):
    raw = ms(price="79.00", scope={"skus": ["MY-01"]})  # 8折: approved at once
    promotion = services.submit_promotion(
        actor=operator, promotion=services.create_promotion(actor=operator, shop=shop, raw_spec=raw)
    )
    assert promotion.state == PromotionState.APPROVED
    assert sales_of(promotion) == {"MY-01": (Decimal("79.00"), 3, 2, 0, True)}
    assert FlashSale.objects.get().created_by == operator


def test_an_approval_whose_sales_cannot_open_changes_nothing(operator, manager, shop, skus):
    promotion = services.submit_promotion(
        actor=operator, promotion=services.create_promotion(actor=operator, shop=shop, raw_spec=ms())
    )
    skus[1].price = Decimal("9.00")  # the SKU got cheaper than the flash price after the promotion was saved
    skus[1].save(update_fields=["price"])
    with pytest.raises(spec.SpecError, match=r"promotion ms\.price: the flash price 9\.90 must be below .* MY-02"):
        services.approve_promotion(actor=manager, promotion=promotion)
    promotion.refresh_from_db()
    assert (promotion.state, promotion.approved_by) == (PromotionState.SUBMITTED, None)
    assert not FlashSale.objects.exists()
    assert not AuditEntry.objects.filter(action__in=["promotion.approve", "flash_sale.create"]).exists()


# ----- buying against it, and cancelling ------------------------------------------------------------------


def test_buying_against_an_approved_flash_sale_holds_its_caps_and_cancelling_stops_it(
    operator, manager, system, shop, skus
):
    promotion = approved(operator, manager, shop, ms())
    sale = FlashSale.objects.get(promotion=promotion, sku__code="MY-01")

    first = flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_a", quantity=2)
    with pytest.raises(BuyerLimitReached):  # per_buyer_cap 2
        flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_a", quantity=1)
    with pytest.raises(FlashSaleSoldOut) as sold_out:  # stock_cap 3: one left
        flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_b", quantity=2)
    assert sold_out.value.left == 1
    flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_b", quantity=1)
    with pytest.raises(FlashSaleSoldOut):
        flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_c", quantity=1)
    sale.refresh_from_db()
    assert (sale.sold, sale.left, selectors.flash_sale_drift(sale)) == (3, 0, [])

    services.cancel_promotion(actor=operator, promotion=promotion, note="提前结束")
    assert sales_of(promotion) == {
        "MY-01": (Decimal("9.90"), 3, 2, 3, False),
        "MY-02": (Decimal("9.90"), 3, 2, 0, False),
    }
    other = FlashSale.objects.get(promotion=promotion, sku__code="MY-02")
    with pytest.raises(FlashSaleClosed) as closed:
        flash.buy_flash_sale(actor=system, flash_sale=other, buyer_ref="tb_c", quantity=1)
    assert closed.value.details == {"status": FlashSaleStatus.DRAFT}
    # The purchases stay, and so do the rows they point to; the sale of a cancelled promotion stays off.
    assert FlashSalePurchase.objects.get(pk=first.pk).status == "held"
    with pytest.raises(InvalidFlashSale, match="cancelled promotion ms"):
        flash.set_flash_sale_active(actor=operator, flash_sale=other, is_active=True)
    other.refresh_from_db()
    assert other.is_active is False
    assert AuditEntry.objects.filter(action="flash_sale.deactivate", actor=operator).count() == 2


def test_a_cancelled_draft_flash_sale_has_no_sales_to_switch_off(operator, shop, skus):
    promotion = services.create_promotion(actor=operator, shop=shop, raw_spec=ms())
    services.cancel_promotion(actor=operator, promotion=promotion)
    assert not FlashSale.objects.exists()


# ----- changing it after approval -------------------------------------------------------------------------


def test_before_it_starts_a_new_stock_cap_goes_to_its_sales_and_nothing_else_may_change(operator, manager, shop, skus):
    promotion = approved(operator, manager, shop, ms(**window(2, 4)))
    assert promotion.status == "scheduled"
    promotion = services.update_promotion(
        actor=operator, promotion=promotion, raw_spec={**promotion.spec, "stock_cap": 50}
    )
    assert promotion.spec["stock_cap"] == 50
    assert {code: row[1] for code, row in sales_of(promotion).items()} == {"MY-01": 50, "MY-02": 50}
    entry = AuditEntry.objects.get(action="promotion.update")
    assert (entry.before, entry.after) == ({"stock_cap": 3}, {"stock_cap": 50})
    assert [(e.before, e.after) for e in AuditEntry.objects.filter(action="flash_sale.update")] == [
        ({"stock_cap": 3}, {"stock_cap": 50}),
        ({"stock_cap": 3}, {"stock_cap": 50}),
    ]
    with pytest.raises(InvalidPromotionState, match="only its stock_cap can still change"):
        services.update_promotion(actor=operator, promotion=promotion, raw_spec={**promotion.spec, "price": "5.00"})
    assert {row[0] for row in sales_of(promotion).values()} == {Decimal("9.90")}


def test_after_it_starts_the_stock_cap_can_grow_or_shrink_but_never_below_what_is_sold(
    operator, manager, system, shop, skus
):
    promotion = approved(operator, manager, shop, ms())
    sale = FlashSale.objects.get(promotion=promotion, sku__code="MY-01")
    flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_a", quantity=2)

    promotion = services.update_promotion(
        actor=operator, promotion=promotion, raw_spec={**promotion.spec, "stock_cap": 10}
    )
    assert {code: row[1] for code, row in sales_of(promotion).items()} == {"MY-01": 10, "MY-02": 10}
    audit_rows = AuditEntry.objects.count()
    with pytest.raises(InvalidFlashSale) as refused:
        services.update_promotion(actor=operator, promotion=promotion, raw_spec={**promotion.spec, "stock_cap": 1})
    assert refused.value.message == (
        "promotion ms.stock_cap: 2 units of MY-01 are already sold in this flash sale; "
        "the stock cap cannot go below that (asked for 1)."
    )
    promotion.refresh_from_db()
    assert promotion.spec["stock_cap"] == 10
    assert {code: row[1] for code, row in sales_of(promotion).items()} == {"MY-01": 10, "MY-02": 10}
    assert AuditEntry.objects.count() == audit_rows

    services.update_promotion(actor=operator, promotion=promotion, raw_spec={**promotion.spec, "stock_cap": 2})
    assert sales_of(promotion) == {
        "MY-01": (Decimal("9.90"), 2, 2, 2, True),
        "MY-02": (Decimal("9.90"), 2, 2, 0, True),
    }
    with pytest.raises(FlashSaleSoldOut):
        flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_b", quantity=1)
    with pytest.raises(PromotionStarted, match="only its stock_cap can still change"):
        services.update_promotion(actor=operator, promotion=promotion, raw_spec={**promotion.spec, "per_buyer_cap": 5})


def test_an_ended_flash_sale_does_not_change(operator, manager, shop, skus):
    promotion = approved(operator, manager, shop, ms())
    Promotion.objects.filter(pk=promotion.pk).update(ends_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(InvalidPromotionState, match="nothing left to change"):
        services.update_promotion(actor=operator, promotion=promotion, raw_spec={**promotion.spec, "stock_cap": 9})
    assert {row[1] for row in sales_of(promotion).values()} == {3}


# ----- where the link shows -------------------------------------------------------------------------------


def test_the_flash_sale_api_names_the_promotion_that_opened_a_sale(operator, manager, shop, skus):
    promotion = approved(operator, manager, shop, ms())
    client = Client()
    client.force_login(operator)
    rows = client.get("/api/v1/promotions/flash-sales").json()
    assert sorted((r["sku"], r["promotion_id"], r["promotion"]) for r in rows) == [
        ("MY-01", promotion.pk, "ms"),
        ("MY-02", promotion.pk, "ms"),
    ]


def test_the_editor_lists_the_sales_and_takes_a_new_stock_cap(client, operator, manager, system, shop, skus):
    promotion = approved(operator, manager, shop, ms())
    flash.buy_flash_sale(
        actor=system, flash_sale=FlashSale.objects.get(sku__code="MY-01"), buyer_ref="tb_a", quantity=2
    )
    client.force_login(operator)
    session = client.session
    session["zhanggui_language"] = "en"
    session.save()
    url = reverse("promotions:promotion-detail", args=[promotion.pk])
    page = client.get(url)
    assert page.context["can_edit"] is True and page.context["stock_cap_only"] is True
    html = page.content.decode()
    assert 'id="flash-sales"' in html and 'data-sku="MY-01"' in html and "only its stock_cap" in html
    assert [(s.sku.code, s.sold, s.left) for s in page.context["flash_sales"]] == [("MY-01", 2, 1), ("MY-02", 0, 3)]

    form = page.context["form"]
    data = {
        "shop": shop.pk,
        "spec": form["spec"].value(),
        "starts_at": form["starts_at"].value(),
        "ends_at": form["ends_at"].value(),
    }
    shown = {**json.loads(data["spec"]), "stock_cap": 1}
    response = client.post(url, {**data, "spec": json.dumps(shown)})
    assert response.status_code == 422
    assert "2 units of MY-01 are already sold" in response.context["form"].errors["spec"][0]

    shown["stock_cap"] = 8
    response = client.post(url, {**data, "spec": json.dumps(shown)})
    assert response.status_code == 302
    assert {row[1] for row in sales_of(promotion).values()} == {8}
