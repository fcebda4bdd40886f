"""A flash sale under a rush: many PostgreSQL connections buy at once and the caps still hold exactly.

Each thread is one shopper's client with its own connection, released by a barrier. Several threads share a
buyer_ref (the same buyer on two phones) and together try to take more than the per-buyer cap. Every thread
buys 1–3 units a few times, then single units until it is refused, so the cap (or the stock) is filled to
the last unit whatever the interleaving: a thread only stops on "sold out" when nothing is left, or on
"limit reached" when its buyer is full, and the buyers together may take more than there is.
"""

from __future__ import annotations

import random
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from zhanggui.catalog.tests.factories import SkuFactory
from zhanggui.core.services import system_user
from zhanggui.inventory import services as stock
from zhanggui.inventory.errors import InsufficientStock
from zhanggui.inventory.models import MoveReason, Reservation, ReservationStatus, StockBalance
from zhanggui.inventory.tests.factories import WarehouseFactory
from zhanggui.inventory.tests.test_concurrency import race
from zhanggui.promotions.flash import selectors
from zhanggui.promotions.flash import services as flash
from zhanggui.promotions.flash.errors import BuyerLimitReached, FlashSaleSoldOut, InvalidFlashSale
from zhanggui.promotions.models import FlashSale, FlashSaleBuyer, FlashSalePurchase
from zhanggui.promotions.offers import services
from zhanggui.promotions.tests.factories import FlashSaleFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 40
BUYERS = 28  # threads i and i + 28 share a buyer: 12 buyers on two connections at once
CAP = 100
PER_BUYER = 5  # 28 buyers × 5 = 140 units wanted > 100 for sale
REFUSALS = (FlashSaleSoldOut, BuyerLimitReached, InsufficientStock)


def rush(sale: FlashSale, *, actor) -> list[object]:
    """Every thread's outcomes, in order: a FlashSalePurchase or the exception of a refused attempt."""

    def shopper(i: int) -> list[object]:
        rng = random.Random(i)
        buyer_ref = f"buyer-{i % BUYERS:02d}"
        outcomes: list[object] = []

        def attempt(quantity: int) -> object:
            try:
                outcome: object = flash.buy_flash_sale(
                    actor=actor, flash_sale=sale, buyer_ref=buyer_ref, quantity=quantity
                )
            except REFUSALS as exc:
                outcome = exc
            outcomes.append(outcome)
            return outcome

        for _ in range(3):
            attempt(rng.randint(1, 3))
        while isinstance(attempt(1), FlashSalePurchase):
            pass
        return outcomes

    return race(CLIENTS, shopper)


def flatten(results: list[object]) -> list[object]:
    unexpected = [r for r in results if not isinstance(r, list)]
    assert unexpected == [], unexpected  # a thread died of an exception that is not a refusal
    return [outcome for outcomes in results for outcome in outcomes]


def test_forty_buyers_racing_for_a_cap_of_100_sell_exactly_100():
    assert connection.vendor == "postgresql"
    actor = system_user()
    wh = WarehouseFactory()
    sku = SkuFactory()
    stock.book_move(actor=actor, sku=sku, warehouse=wh, quantity=150, reason=MoveReason.PURCHASE_RECEIPT)
    sale = FlashSaleFactory(sku=sku, stock_cap=CAP, per_buyer_cap=PER_BUYER)

    outcomes = flatten(rush(sale, actor=actor))

    bought = [o for o in outcomes if isinstance(o, FlashSalePurchase)]
    refused = [o for o in outcomes if not isinstance(o, FlashSalePurchase)]
    assert sum(p.quantity for p in bought) == CAP
    assert {type(e) for e in refused} <= {FlashSaleSoldOut, BuyerLimitReached}
    assert any(isinstance(e, FlashSaleSoldOut) for e in refused)
    assert all(e.code == "flash_sale_sold_out" for e in refused if isinstance(e, FlashSaleSoldOut))
    assert all(e.bought + e.wanted > PER_BUYER for e in refused if isinstance(e, BuyerLimitReached))

    sale.refresh_from_db()
    balance = StockBalance.objects.get(sku=sku, warehouse=wh)
    held = FlashSalePurchase.objects.filter(flash_sale=sale)
    assert (sale.sold, sum(held.values_list("quantity", flat=True)), balance.reserved, balance.on_hand) == (
        CAP,
        CAP,
        CAP,
        150,
    )
    assert held.count() == len(bought)
    assert Reservation.objects.filter(sku=sku, status=ReservationStatus.ACTIVE).count() == len(bought)
    per_buyer = dict(FlashSaleBuyer.objects.filter(flash_sale=sale).values_list("buyer_ref", "quantity"))
    assert max(per_buyer.values()) <= PER_BUYER
    assert sum(per_buyer.values()) == CAP
    assert selectors.flash_sale_drift(sale) == []
    assert stock.check_ledger() == []


def test_when_stock_is_below_the_cap_exactly_the_stock_sells():
    actor = system_user()
    wh = WarehouseFactory()
    sku = SkuFactory()
    stock.book_move(actor=actor, sku=sku, warehouse=wh, quantity=60, reason=MoveReason.PURCHASE_RECEIPT)
    sale = FlashSaleFactory(sku=sku, stock_cap=CAP, per_buyer_cap=PER_BUYER)

    outcomes = flatten(rush(sale, actor=actor))

    bought = [o for o in outcomes if isinstance(o, FlashSalePurchase)]
    refused = [o for o in outcomes if not isinstance(o, FlashSalePurchase)]
    assert sum(p.quantity for p in bought) == 60
    assert {type(e) for e in refused} <= {InsufficientStock, BuyerLimitReached}
    assert any(isinstance(e, InsufficientStock) for e in refused)

    sale.refresh_from_db()
    balance = StockBalance.objects.get(sku=sku, warehouse=wh)
    # A purchase refused for stock gave its cap and allowance back: the cap counter says 60, not more.
    assert (sale.sold, balance.reserved, balance.on_hand) == (60, 60, 60)
    per_buyer = dict(FlashSaleBuyer.objects.filter(flash_sale=sale).values_list("buyer_ref", "quantity"))
    assert max(per_buyer.values()) <= PER_BUYER
    assert sum(per_buyer.values()) == 60
    assert selectors.flash_sale_drift(sale) == []
    assert stock.check_ledger() == []


def test_buyers_and_cancellations_racing_keep_every_counter_exact():
    """Half the purchases are cancelled while others buy: release takes the rows in the purchase's order
    (sale, buyer, stock), so nothing deadlocks, and the counters still equal what is held."""
    actor = system_user()
    wh = WarehouseFactory()
    sku = SkuFactory()
    stock.book_move(actor=actor, sku=sku, warehouse=wh, quantity=150, reason=MoveReason.PURCHASE_RECEIPT)
    sale = FlashSaleFactory(sku=sku, stock_cap=CAP, per_buyer_cap=PER_BUYER)

    def shopper(i: int) -> list[object]:
        rng = random.Random(i)
        outcomes: list[object] = []
        for _ in range(6):
            try:
                purchase = flash.buy_flash_sale(
                    actor=actor, flash_sale=sale, buyer_ref=f"buyer-{i % BUYERS:02d}", quantity=rng.randint(1, 3)
                )
            except REFUSALS as exc:
                outcomes.append(exc)
                continue
            if rng.random() < 0.5:
                purchase = flash.release_flash_purchase(actor=actor, purchase=purchase)
            outcomes.append(purchase)
        return outcomes

    outcomes = flatten(race(CLIENTS, shopper))

    purchases = [o for o in outcomes if isinstance(o, FlashSalePurchase)]
    assert {type(o) for o in outcomes if not isinstance(o, FlashSalePurchase)} <= {FlashSaleSoldOut, BuyerLimitReached}
    assert {p.status for p in purchases} == {"held", "released"}
    held = sum(p.quantity for p in purchases if p.status == "held")
    sale.refresh_from_db()
    balance = StockBalance.objects.get(sku=sku, warehouse=wh)
    assert (sale.sold, balance.reserved, balance.on_hand) == (held, held, 150)
    assert selectors.flash_sale_drift(sale) == []
    assert stock.check_ledger() == []


def test_a_stock_cap_changed_during_a_rush_on_a_promotions_sale_never_drops_below_what_is_sold(users):
    """A stored flash_sale promotion's sale, opened by its approval, under the same rush while the operator
    changes its stock_cap again and again: each change is taken whole or refused (below what is sold), nothing
    deadlocks, and the promotion, its sale and the stock agree at the end."""
    actor, operator, manager = system_user(), users["operator"], users["manager"]
    wh = WarehouseFactory()
    sku = SkuFactory(price="99.00")
    stock.book_move(actor=actor, sku=sku, warehouse=wh, quantity=150, reason=MoveReason.PURCHASE_RECEIPT)
    now = timezone.now()
    raw = {
        "id": "ms-rush",
        "kind": "flash_sale",
        "price": "9.90",
        "per_buyer_cap": PER_BUYER,
        "stock_cap": CAP,
        "scope": {"skus": [sku.code]},
        "starts_at": (now - timedelta(minutes=1)).isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat(),
    }
    promotion = services.create_promotion(actor=operator, shop=sku.shop, raw_spec=raw)
    promotion = services.submit_promotion(actor=operator, promotion=promotion)
    promotion = services.approve_promotion(actor=manager, promotion=promotion)
    sale = FlashSale.objects.get(promotion=promotion)

    def work(i: int) -> list[object]:
        if i > 0:
            return shop_until_refused(sale, actor=actor, i=i)
        changes: list[object] = []
        for cap in (60, 120, 110, 30, 140, 125):
            try:
                services.update_promotion(actor=operator, promotion=promotion, raw_spec={**raw, "stock_cap": cap})
                changes.append(cap)
            except InvalidFlashSale as exc:
                changes.append(exc)
        return changes

    results = race(CLIENTS + 1, work)
    unexpected = [r for r in results if not isinstance(r, list)]
    assert unexpected == [], unexpected
    assert any(isinstance(change, int) for change in results[0])

    promotion.refresh_from_db()
    sale.refresh_from_db()
    balance = StockBalance.objects.get(sku=sku, warehouse=wh)
    assert sale.stock_cap == promotion.spec["stock_cap"]
    assert sale.sold <= sale.stock_cap
    assert (balance.reserved, balance.on_hand) == (sale.sold, 150)
    assert selectors.flash_sale_drift(sale) == []
    assert stock.check_ledger() == []


def shop_until_refused(sale: FlashSale, *, actor, i: int) -> list[object]:
    """One shopper: single units until the buyer's limit or the stock refuses; a sold-out sale is tried again
    a few times, since the operator may be adding units to it."""
    outcomes: list[object] = []
    sold_out = 0
    while sold_out < 20:
        try:
            outcomes.append(flash.buy_flash_sale(actor=actor, flash_sale=sale, buyer_ref=f"buyer-{i:02d}", quantity=1))
        except FlashSaleSoldOut as exc:
            outcomes.append(exc)
            sold_out += 1
            time.sleep(0.005)
        except (BuyerLimitReached, InsufficientStock) as exc:
            outcomes.append(exc)
            break
    return outcomes
