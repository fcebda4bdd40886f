"""The returns tests' desk: a Taobao order shipped from the east warehouse (2 T-shirts TEE-M, 1 cap CAP-RED),
the main warehouse (first by priority) holding T-shirts too by now; rows made through the services, so the
order's issued reservation says where its units left from."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from zhanggui.aftersales import services
from zhanggui.aftersales.models import AfterSaleCase
from zhanggui.catalog.models import Channel
from zhanggui.catalog.tests.factories import ProductFactory, ShopFactory, SkuFactory
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import MoveReason, StockBalance
from zhanggui.inventory.tests.factories import WarehouseFactory
from zhanggui.orders.models import OrderStatus, PlatformStatus
from zhanggui.orders.tests.factories import OrderFactory, OrderLineFactory


def build_desk(system: Any, order_no: str = "T2001") -> dict[str, Any]:
    shop = ShopFactory(code="tb01", channel=Channel.TAOBAO)
    main = WarehouseFactory(code="main", name="主仓", priority=1)
    east = WarehouseFactory(code="east", name="东仓", priority=2)
    product = ProductFactory(shop=shop)
    tee = SkuFactory(product=product, code="TEE-M")
    cap = SkuFactory(product=product, code="CAP-RED")
    for sku in (tee, cap):
        stock.book_move(actor=system, sku=sku, warehouse=east, quantity=3, reason=MoveReason.PURCHASE_RECEIPT)
    order = OrderFactory(
        shop=shop,
        platform_order_no=order_no,
        status=OrderStatus.SHIPPED,
        platform_status=PlatformStatus.SHIPPED,
        paid_total=Decimal("247.90"),
    )
    tee_line = OrderLineFactory(order=order, sku=tee, quantity=2, unit_price=Decimal("99.00"), position=1)
    cap_line = OrderLineFactory(order=order, sku=cap, quantity=1, unit_price=Decimal("49.90"), position=2)
    sale = stock.Sale(order.reservation_reference, ((tee.pk, 2), (cap.pk, 1)), order.platform_order_no)
    assert stock.book_sales(actor=system, sales=[sale], shop=shop) == [None]
    stock.book_move(actor=system, sku=tee, warehouse=main, quantity=5, reason=MoveReason.PURCHASE_RECEIPT)
    return {"shop": shop, "main": main, "east": east, "tee": tee, "cap": cap, "order": order,
            "tee_line": tee_line, "cap_line": cap_line}  # fmt: skip


def open_return(actor, desk, *, kind="return_refund", agree=True, **extra) -> AfterSaleCase:
    case = services.open_case(
        actor=actor,
        order=desk["order"],
        kind=kind,
        reason="quality",
        lines=[(desk["tee_line"].pk, 2), (desk["cap_line"].pk, 1)],
        **extra,
    )
    return services.agree(actor=actor, case=case) if agree else case


def case_line(case, order_line):
    return case.lines.get(order_line=order_line)


def on_hand(sku, warehouse) -> int:
    return StockBalance.objects.filter(sku=sku, warehouse=warehouse).values_list("on_hand", flat=True).first() or 0
