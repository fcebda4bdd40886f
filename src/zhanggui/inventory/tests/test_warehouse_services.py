"""Warehouse flows, the services and selectors under the pages: receiving by scanned quantities and its
receipts, purchase orders per supplier from the alerts, counting by scanning, blind sheets, and booking a sheet
with uncounted lines as "not counted" or as zero. The ledger stays exact through all of them: on hand = Σ moves."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import translation

from zhanggui.catalog.tests.factories import SkuFactory
from zhanggui.core.errors import PermissionDeniedError
from zhanggui.core.models import AuditEntry
from zhanggui.inventory import services
from zhanggui.inventory.errors import InvalidState, OverReceipt, StockRuleBroken
from zhanggui.inventory.models import (
    MoveReason,
    PurchaseOrder,
    PurchaseStatus,
    StockBalance,
    StockMove,
    StocktakeLine,
)
from zhanggui.inventory.purchasing import selectors as purchase_selectors
from zhanggui.inventory.purchasing import services as purchasing
from zhanggui.inventory.stocktakes import services as stocktakes
from zhanggui.inventory.tests.factories import SupplierFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def on_hand(sku, warehouse) -> int:
    return StockBalance.objects.filter(sku=sku, warehouse=warehouse).values_list("on_hand", flat=True).first() or 0


def ledger_sum(sku, warehouse) -> int:
    return StockMove.objects.filter(sku=sku, warehouse=warehouse).aggregate(n=Sum("quantity"))["n"] or 0


def assert_ledger_exact(*pairs) -> None:
    assert services.check_ledger() == []
    for sku, warehouse in pairs:
        assert on_hand(sku, warehouse) == ledger_sum(sku, warehouse)


def stock(actor, sku, warehouse, quantity):
    services.book_move(actor=actor, sku=sku, warehouse=warehouse, quantity=quantity, reason=MoveReason.PURCHASE_RECEIPT)


def order(actor, *lines, supplier=None, warehouse=None, place=True):
    return purchasing.create_purchase_order(
        actor=actor,
        supplier=supplier or SupplierFactory(),
        warehouse=warehouse or WarehouseFactory(),
        lines=[(sku, quantity, Decimal("10.00")) for sku, quantity in lines],
        place=place,
    )


# --------------------------------------------------------------------------------------------------------
# Receiving by scan
# --------------------------------------------------------------------------------------------------------


def test_a_scan_finds_its_line_by_barcode_or_code(manager):
    shirt = SkuFactory(code="TX-1", barcode="6901234567890")
    jeans = SkuFactory(code="KZ-1", barcode="")
    po = order(manager, (shirt, 5), (jeans, 5))
    lines = list(po.lines.select_related("sku"))
    assert purchase_selectors.line_for_code(lines, "6901234567890").sku == shirt
    assert purchase_selectors.line_for_code(lines, " KZ-1 ").sku == jeans
    assert purchase_selectors.line_for_code(lines, "kz-1").sku == jeans  # typed by hand in the wrong case
    assert purchase_selectors.line_for_code(lines, "NOPE") is None
    assert purchase_selectors.line_for_code(lines, "") is None


def test_receiving_the_scanned_quantities_books_exactly_what_was_scanned(warehouse_user, manager):
    wh = WarehouseFactory()
    sku = SkuFactory(barcode="6900000000011")
    stock(manager, sku, wh, 3)
    po = order(manager, (sku, 10), warehouse=wh)
    lines = list(po.lines.select_related("sku"))
    scanned: dict[int, int] = {}
    for code in ["6900000000011", "6900000000011"]:  # the same barcode scanned twice
        line = purchase_selectors.line_for_code(lines, code)
        scanned[line.sku_id] = scanned.get(line.sku_id, 0) + 1
    assert scanned == {sku.pk: 2}

    moves = purchasing.receive_purchase_order(actor=warehouse_user, po=po, quantities=scanned)
    assert [(m.quantity, m.reason, m.document, m.on_hand_after) for m in moves] == [
        (2, MoveReason.PURCHASE_RECEIPT, po.number, 5)
    ]
    po.refresh_from_db()
    assert (po.status, po.lines.get().received_quantity) == (PurchaseStatus.PARTIAL, 2)
    assert on_hand(sku, wh) == 5
    assert_ledger_exact((sku, wh))


def test_check_receipt_refuses_what_booking_would_and_books_nothing(manager):
    sku = SkuFactory(code="TX-9")
    po = order(manager, (sku, 4))
    with pytest.raises(OverReceipt, match="only 4 are still open"):
        purchasing.check_receipt(po=po, quantities={sku.pk: 5})
    with pytest.raises(StockRuleBroken):
        purchasing.check_receipt(po=po, quantities={})
    purchasing.check_receipt(po=po, quantities={sku.pk: 4})  # fine: no error
    assert not StockMove.objects.exists()
    assert po.lines.get().received_quantity == 0


def test_each_delivery_is_one_receipt_with_its_own_number(manager, warehouse_user):
    a, b = SkuFactory(code="A"), SkuFactory(code="B")
    po = order(manager, (a, 10), (b, 4))
    purchasing.receive_purchase_order(actor=warehouse_user, po=po, quantities={a.pk: 6, b.pk: 4}, note="第一批")
    purchasing.receive_purchase_order(actor=manager, po=po, quantities={a.pk: 4})
    receipts = purchase_selectors.purchase_receipts(po)
    assert [(r.number, r.units, r.actor, r.note) for r in receipts] == [
        (f"{po.number}-1", 10, warehouse_user, "第一批"),
        (f"{po.number}-2", 4, manager, ""),
    ]
    assert [(m.sku.code, m.quantity) for m in receipts[0].moves] == [("A", 6), ("B", 4)]
    assert receipts[0].value == Decimal("100.00")
    # The moves of one booking carry one time: that is what keeps a receipt's lines together.
    assert len({m.created_at for m in receipts[0].moves}) == 1


# --------------------------------------------------------------------------------------------------------
# Alerts → purchase orders
# --------------------------------------------------------------------------------------------------------


def test_the_usual_supplier_is_the_one_of_the_last_purchase_line(manager):
    old, new, dropped = SupplierFactory(), SupplierFactory(), SupplierFactory()
    sku, other, never = SkuFactory(), SkuFactory(), SkuFactory()
    order(manager, (sku, 1), (other, 1), supplier=old)
    order(manager, (sku, 1), supplier=new)
    cancelled = order(manager, (sku, 1), supplier=dropped)
    PurchaseOrder.objects.filter(pk=cancelled.pk).update(status=PurchaseStatus.CANCELLED)
    assert purchase_selectors.usual_suppliers([sku.pk, other.pk, never.pk]) == {sku.pk: new, other.pk: old}


def test_the_receiving_warehouse_is_where_the_sku_is_short(manager):
    main, south = WarehouseFactory(priority=1), WarehouseFactory(priority=2)
    shared, only_main, nowhere = SkuFactory(), SkuFactory(), SkuFactory()
    stock(manager, shared, main, 8)
    stock(manager, shared, south, 2)
    stock(manager, only_main, main, 1)
    assert purchase_selectors.short_warehouses([shared.pk, only_main.pk, nowhere.pk]) == {
        shared.pk: south,
        only_main.pk: main,
        nowhere.pk: main,  # held nowhere: the first active warehouse
    }


def test_order_all_makes_one_order_per_supplier_and_warehouse(manager, operator):
    main, south = WarehouseFactory(priority=1), WarehouseFactory(priority=2)
    cotton, denim = SupplierFactory(code="cotton"), SupplierFactory(code="denim")
    tee, polo, jeans, short_in_south = SkuFactory(), SkuFactory(), SkuFactory(), SkuFactory()
    order(manager, (tee, 1), (polo, 1), (short_in_south, 1), supplier=cotton, warehouse=main)
    order(manager, (jeans, 1), supplier=denim, warehouse=main)
    stock(manager, short_in_south, south, 0 + 1)
    stock(manager, short_in_south, main, 9)
    before = PurchaseOrder.objects.count()

    orders = purchasing.create_purchase_orders_by_supplier(
        actor=operator, quantities={tee.pk: 30, polo.pk: 20, jeans.pk: 12, short_in_south.pk: 5}
    )
    assert len(orders) == 3
    assert PurchaseOrder.objects.count() == before + 3
    made = {
        (po.supplier.code, po.warehouse_id): sorted((line.sku_id, line.quantity) for line in po.lines.all())
        for po in orders
    }
    assert made == {
        ("cotton", main.pk): sorted([(tee.pk, 30), (polo.pk, 20)]),
        ("cotton", south.pk): [(short_in_south.pk, 5)],
        ("denim", main.pk): [(jeans.pk, 12)],
    }
    assert {po.status for po in orders} == {PurchaseStatus.ORDERED}
    assert {line.unit_cost for po in orders for line in po.lines.all()} == {Decimal("40.00")}  # the SKU's cost


def test_order_all_as_drafts_and_a_zero_leaves_the_sku_out(manager, operator):
    supplier = SupplierFactory()
    a, b = SkuFactory(), SkuFactory()
    order(manager, (a, 1), (b, 1), supplier=supplier)
    [po] = purchasing.create_purchase_orders_by_supplier(
        actor=operator, quantities={a.pk: 7, b.pk: 0}, place=False, note="补货"
    )
    assert (po.status, po.note, list(po.lines.values_list("sku_id", "quantity"))) == (
        PurchaseStatus.DRAFT,
        "补货",
        [(a.pk, 7)],
    )


def test_a_sku_never_ordered_needs_a_supplier_and_nothing_is_made_without_one(manager, operator):
    known, fresh = SkuFactory(), SkuFactory(code="NEW-1")
    usual, chosen = SupplierFactory(), SupplierFactory()
    order(manager, (known, 1), supplier=usual)
    before = PurchaseOrder.objects.count()
    with pytest.raises(StockRuleBroken, match="NEW-1"):
        purchasing.create_purchase_orders_by_supplier(actor=operator, quantities={known.pk: 2, fresh.pk: 3})
    assert PurchaseOrder.objects.count() == before

    orders = purchasing.create_purchase_orders_by_supplier(
        actor=operator, quantities={known.pk: 2, fresh.pk: 3}, fallback_supplier=chosen
    )
    assert {(po.supplier_id, line.sku_id) for po in orders for line in po.lines.all()} == {
        (usual.pk, known.pk),
        (chosen.pk, fresh.pk),
    }


def test_order_all_refuses_bad_input_and_roles_without_purchasing(manager, users):
    sku = SkuFactory()
    order(manager, (sku, 1))
    before = PurchaseOrder.objects.count()
    with pytest.raises(StockRuleBroken):
        purchasing.create_purchase_orders_by_supplier(actor=manager, quantities={sku.pk: 0})
    with pytest.raises(StockRuleBroken):
        purchasing.create_purchase_orders_by_supplier(actor=manager, quantities={sku.pk: -3})
    with pytest.raises(PermissionDeniedError):
        purchasing.create_purchase_orders_by_supplier(actor=users["service"], quantities={sku.pk: 3})
    assert PurchaseOrder.objects.count() == before


# --------------------------------------------------------------------------------------------------------
# Stocktake: blind sheets, counting by scanning, booking uncounted lines
# --------------------------------------------------------------------------------------------------------


def test_a_blind_sheet_is_remembered(warehouse_user):
    wh = WarehouseFactory()
    assert stocktakes.create_stocktake(actor=warehouse_user, warehouse=wh, blind=True).blind is True
    assert stocktakes.create_stocktake(actor=warehouse_user, warehouse=wh).blind is False


def test_each_scan_adds_one_and_a_sku_not_on_the_sheet_gets_a_line(warehouse_user, manager):
    wh = WarehouseFactory()
    on_sheet, found = SkuFactory(), SkuFactory(cost=Decimal("7.00"))
    stock(manager, on_sheet, wh, 5)
    take = stocktakes.create_stocktake(actor=warehouse_user, warehouse=wh)
    assert stocktakes.count_scanned(actor=warehouse_user, stocktake=take, sku=on_sheet).counted == 1
    assert stocktakes.count_scanned(actor=warehouse_user, stocktake=take, sku=on_sheet).counted == 2
    line = stocktakes.count_scanned(actor=warehouse_user, stocktake=take, sku=found)
    assert (line.counted, line.expected, line.unit_cost) == (1, 0, Decimal("7.00"))
    assert dict(take.lines.values_list("sku_id", "counted")) == {on_sheet.pk: 2, found.pk: 1}
    assert not StockMove.objects.filter(reason=MoveReason.STOCKTAKE).exists()  # counting books nothing


def test_scanning_a_closed_sheet_or_without_the_right_is_refused(warehouse_user, users):
    wh = WarehouseFactory()
    sku = SkuFactory()
    take = stocktakes.create_stocktake(actor=warehouse_user, warehouse=wh)
    with pytest.raises(PermissionDeniedError):
        stocktakes.count_scanned(actor=users["operator"], stocktake=take, sku=sku)
    stocktakes.cancel_stocktake(actor=warehouse_user, stocktake=take)
    with pytest.raises(InvalidState):
        stocktakes.count_scanned(actor=warehouse_user, stocktake=take, sku=sku)
    assert not StocktakeLine.objects.filter(stocktake=take).exists()


@pytest.fixture
def half_counted(manager, warehouse_user):
    """A sheet of three SKUs in stock: A counted 12 (of 10), B counted 3 (of 5), C (2 on hand) not counted."""
    wh = WarehouseFactory()
    a = SkuFactory(code="A", cost=Decimal("12.50"))
    b = SkuFactory(code="B", cost=Decimal("40.00"))
    c = SkuFactory(code="C", cost=Decimal("3.00"))
    for sku, quantity in ((a, 10), (b, 5), (c, 2)):
        stock(manager, sku, wh, quantity)
    take = stocktakes.create_stocktake(actor=warehouse_user, warehouse=wh)
    stocktakes.enter_counts(actor=warehouse_user, stocktake=take, counts={a.pk: 12, b.pk: 3})
    return take, wh, a, b, c


def test_uncounted_lines_left_out_keep_their_stock(half_counted, warehouse_user):
    take, wh, a, b, c = half_counted
    report = stocktakes.book_stocktake(actor=warehouse_user, stocktake=take, uncounted=stocktakes.UNCOUNTED_LEAVE_OUT)
    moves = dict(StockMove.objects.filter(reason=MoveReason.STOCKTAKE).values_list("sku_id", "quantity"))
    assert moves == {a.pk: 2, b.pk: -2}
    assert (on_hand(a, wh), on_hand(b, wh), on_hand(c, wh)) == (12, 3, 2)
    assert take.lines.get(sku=c).counted is None
    assert (report.loss_units, report.loss_value) == (2, Decimal("80.00"))
    entry = AuditEntry.objects.get(action="stocktake.book")
    assert entry.after == {"uncounted": "leave_out", "uncounted_lines": 1}
    assert_ledger_exact((a, wh), (b, wh), (c, wh))


def test_uncounted_lines_booked_as_zero_take_their_stock_out(half_counted, warehouse_user):
    take, wh, a, b, c = half_counted
    report = stocktakes.book_stocktake(actor=warehouse_user, stocktake=take, uncounted=stocktakes.UNCOUNTED_ZERO)
    moves = dict(StockMove.objects.filter(reason=MoveReason.STOCKTAKE).values_list("sku_id", "quantity"))
    assert moves == {a.pk: 2, b.pk: -2, c.pk: -2}
    assert (on_hand(a, wh), on_hand(b, wh), on_hand(c, wh)) == (12, 3, 0)
    line = take.lines.get(sku=c)
    assert (line.counted, line.booked_difference) == (0, -2)
    assert (report.loss_units, report.loss_value) == (4, Decimal("86.00"))
    assert report.loss_value_signed == Decimal("-86.00")
    assert AuditEntry.objects.get(action="stocktake.book").after == {"uncounted": "zero", "uncounted_lines": 1}
    assert_ledger_exact((a, wh), (b, wh), (c, wh))


def test_booking_needs_a_known_choice_for_uncounted_lines(half_counted, warehouse_user):
    take = half_counted[0]
    with pytest.raises(StockRuleBroken):
        stocktakes.book_stocktake(actor=warehouse_user, stocktake=take, uncounted="guess")
    take.refresh_from_db()
    assert take.status == "open"
    assert not StockMove.objects.filter(reason=MoveReason.STOCKTAKE).exists()


def test_a_zero_below_the_reserved_units_is_refused_and_books_nothing(half_counted, warehouse_user, manager):
    take, wh, a, b, c = half_counted
    services.reserve(actor=manager, reference="o-1", lines={c.pk: 1}, warehouse=wh)
    with pytest.raises(StockRuleBroken, match="reserved"):
        stocktakes.book_stocktake(actor=warehouse_user, stocktake=take, uncounted=stocktakes.UNCOUNTED_ZERO)
    assert not StockMove.objects.filter(reason=MoveReason.STOCKTAKE).exists()
    assert take.lines.get(sku=c).counted is None
    assert_ledger_exact((a, wh), (b, wh), (c, wh))
