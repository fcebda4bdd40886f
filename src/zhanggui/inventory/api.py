"""Inventory endpoints: warehouses, balances, the ledger, moves, reservations, purchasing, stocktakes, alerts.

Every write calls one function of inventory.services (the ledger, reservations), inventory.purchasing.services
or inventory.stocktakes.services, which checks the permission (book_stock for any move of stock,
manage_purchasing for suppliers and orders) and books the ledger in one transaction.
Warehouses, shops and suppliers are named by their codes; products, SKUs and documents by their ids.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Query, Router

from zhanggui.catalog.api import ERRORS, get_or_404
from zhanggui.catalog.models import Category, Shop, Sku
from zhanggui.catalog.schemas import BalanceOut, MoveOut
from zhanggui.core.errors import NotFoundError
from zhanggui.inventory import selectors, services
from zhanggui.inventory.models import (
    MoveReason,
    PurchaseOrder,
    PurchaseStatus,
    Reservation,
    StockBalance,
    Stocktake,
    StocktakeStatus,
    Supplier,
    Warehouse,
)
from zhanggui.inventory.purchasing import services as purchasing
from zhanggui.inventory.schemas import (
    AlertOut,
    BalancePage,
    CountsIn,
    IssueIn,
    LedgerCheckOut,
    MoveIn,
    PurchaseOrderIn,
    PurchaseOrderOut,
    PurchaseOrderPage,
    QuantitiesIn,
    ReceiptOut,
    ReservationIn,
    ReservationOut,
    ReservationRowOut,
    StocktakeIn,
    StocktakeListItem,
    StocktakeOut,
    StocktakeReportOut,
    SupplierIn,
    SupplierOut,
    TransferIn,
    WarehouseOut,
)
from zhanggui.inventory.stocktakes import services as stocktakes

router = Router(tags=["inventory"])

MAX_PAGE_SIZE = 200
MAX_PAGE = 1_000_000  # far beyond any list; keeps the SQL offset a number every database takes
MAX_ID = 2**63 - 1  # the largest id a table holds; a filter on a bigger one is a 422, not a crash


def _warehouse(code: str) -> Warehouse:
    return get_or_404(Warehouse.objects.all(), _("Warehouse"), code=code)


def _sku(sku_id: int) -> Sku:
    return get_or_404(Sku.objects.all(), _("SKU"), pk=sku_id)


def _purchase_order(po_id: int) -> PurchaseOrder:
    return get_or_404(
        PurchaseOrder.objects.select_related("supplier", "warehouse", "created_by").prefetch_related("lines__sku"),
        _("Purchase order"),
        pk=po_id,
    )


def _stocktake(stocktake_id: int) -> Stocktake:
    take = get_or_404(
        Stocktake.objects.select_related("warehouse", "category").prefetch_related("lines__sku"),
        _("Stocktake"),
        pk=stocktake_id,
    )
    if take.blind and take.status == StocktakeStatus.OPEN:
        # A blind count shows the counters nothing on the books (nor the differences) until it is booked.
        for line in take.lines.all():
            line.expected = None
        take.report = None
    else:
        take.report = stocktakes.stocktake_report(take)  # StocktakeOut.report
    return take


def _page(queryset, page: int, page_size: int) -> dict:
    start = (page - 1) * page_size
    return {
        "count": queryset.count(),
        "page": page,
        "page_size": page_size,
        "items": list(queryset[start : start + page_size]),
    }


# ----- stock ---------------------------------------------------------------------------------------------


@router.get("/warehouses", response={200: list[WarehouseOut], **ERRORS})
def list_warehouses(request):
    return Warehouse.objects.all()


@router.get("/balances", response={200: BalancePage, **ERRORS})
def list_balances(
    request,
    sku_id: int | None = Query(None, ge=1, le=MAX_ID),
    warehouse: str = Query("", description="Warehouse code"),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    page_size: int = Query(100, ge=1, le=MAX_PAGE_SIZE),
):
    """On hand, reserved, available and the bin location per (SKU, warehouse), for one SKU, one warehouse, or all."""
    balances = selectors.with_location(
        StockBalance.objects.select_related("sku", "warehouse").order_by("sku__code", "warehouse__code")
    )
    if sku_id is not None:
        balances = balances.filter(sku_id=sku_id)
    if warehouse:
        balances = balances.filter(warehouse=_warehouse(warehouse))
    return _page(balances, page, page_size)


@router.get("/skus/{sku_id}/balances", response={200: list[BalanceOut], **ERRORS})
def sku_balances(request, sku_id: int):
    return selectors.balances_for(_sku(sku_id))


@router.get("/skus/{sku_id}/moves", response={200: list[MoveOut], **ERRORS})
def sku_moves(request, sku_id: int, limit: int = Query(200, ge=1, le=1000)):
    """The ledger of one SKU, newest first: each signed move with its reason, document and on hand after."""
    return selectors.ledger_for(_sku(sku_id), limit=limit)


@router.post("/moves", response={201: MoveOut, **ERRORS})
def book_move(request, payload: MoveIn):
    """Book one move: an adjustment (the note says why), a customer return, a receipt without an order, ..."""
    sku, warehouse = _sku(payload.sku_id), _warehouse(payload.warehouse)
    if payload.reason == MoveReason.ADJUSTMENT:
        move = services.adjust_stock(
            actor=request.auth, sku=sku, warehouse=warehouse, quantity=payload.quantity, note=payload.note
        )
    else:
        move = services.book_move(
            actor=request.auth,
            sku=sku,
            warehouse=warehouse,
            quantity=payload.quantity,
            reason=payload.reason.value,
            document=payload.document,
            note=payload.note,
            unit_cost=payload.unit_cost,
        )
    return 201, move


@router.post("/transfers", response={201: list[MoveOut], **ERRORS})
def transfer(request, payload: TransferIn):
    """Move units between warehouses: one move out and one move in, under one document number."""
    return 201, services.transfer_stock(
        actor=request.auth,
        sku=_sku(payload.sku_id),
        source=_warehouse(payload.source),
        destination=_warehouse(payload.destination),
        quantity=payload.quantity,
        note=payload.note,
    )


@router.get("/alerts", response={200: list[AlertOut], **ERRORS})
def alerts(
    request,
    shop: str = Query("", description="Shop code"),
    lead_time_days: int = Query(selectors.DEFAULT_LEAD_TIME_DAYS, ge=0, le=365),
):
    """SKUs at or under their safety stock, worst days of cover first, with a suggested reorder quantity."""
    shop_id = get_or_404(Shop.objects.all(), _("Shop"), code=shop).pk if shop else None
    return selectors.safety_stock_alerts(shop_id=shop_id, lead_time_days=lead_time_days)


@router.get("/ledger-check", response={200: LedgerCheckOut, **ERRORS})
def ledger_check(request):
    """Cached balances against the ledger and the active reservations; `ok` is true when nothing drifted."""
    drifts = services.check_ledger()
    return {"ok": not drifts, "drifts": drifts}


# ----- reservations --------------------------------------------------------------------------------------


@router.post("/reservations", response={201: ReservationOut, **ERRORS})
def reserve(request, payload: ReservationIn):
    """Hold units for an order or cart: every line or none (409 insufficient_stock names the SKU)."""
    made = services.reserve(
        actor=request.auth,
        reference=payload.reference,
        lines=[(line.sku_id, line.quantity) for line in payload.lines],
        shop=get_or_404(Shop.objects.all(), _("Shop"), code=payload.shop) if payload.shop else None,
        warehouse=_warehouse(payload.warehouse) if payload.warehouse else None,
    )
    return 201, {"reference": payload.reference, "status": "active", "lines": made}


# `{path:reference}`: a reference made before references had their characters (inventory.limits) may hold a
# "/" (sent as is or as %2F) — it still reaches its reservation. The release and issue routes come before the
# read, which would otherwise take ".../release" as part of a reference.


@router.post("/reservations/{path:reference}/release", response={200: ReservationOut, **ERRORS})
def release(request, reference: str):
    """Give back every unit still held under the reference (order cancelled, cart expired)."""
    held = services.release(actor=request.auth, reference=reference)
    return {"reference": reference, "status": "released", "lines": held}


@router.post("/reservations/{path:reference}/issue", response={200: ReservationOut, **ERRORS})
def issue(request, reference: str, payload: IssueIn | None = None):
    """Ship what is held: on hand and reserved both drop, one sale-issue move per line."""
    document = payload.document if payload else ""
    held = services.issue_reserved(actor=request.auth, reference=reference, document=document)
    return {"reference": reference, "status": "issued", "lines": held}


@router.get("/reservations/{path:reference}", response={200: list[ReservationRowOut], **ERRORS})
def reservation_lines(request, reference: str):
    """Every line ever held under the reference, active or closed."""
    return Reservation.objects.filter(reference=reference).order_by("created_at", "sku_id", "warehouse_id")


# ----- purchasing ----------------------------------------------------------------------------------------


@router.get("/suppliers", response={200: list[SupplierOut], **ERRORS})
def list_suppliers(request):
    return Supplier.objects.all()


@router.post("/suppliers", response={201: SupplierOut, **ERRORS})
def create_supplier(request, payload: SupplierIn):
    return 201, purchasing.create_supplier(actor=request.auth, **payload.dict())


@router.get("/purchase-orders", response={200: PurchaseOrderPage, **ERRORS})
def list_purchase_orders(
    request,
    status: PurchaseStatus | None = None,
    supplier: str = Query("", description="Supplier code"),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
):
    orders = PurchaseOrder.objects.select_related("supplier", "warehouse", "created_by")
    if status:
        orders = orders.filter(status=status.value)
    if supplier:
        orders = orders.filter(supplier__code=supplier)
    return _page(orders, page, page_size)


@router.post("/purchase-orders", response={201: PurchaseOrderOut, **ERRORS})
def create_purchase_order(request, payload: PurchaseOrderIn):
    skus = Sku.objects.in_bulk([line.sku_id for line in payload.lines])
    missing = sorted({line.sku_id for line in payload.lines} - set(skus))
    if missing:
        raise NotFoundError(_("SKU not found (pk=%(ids)s).") % {"ids": ", ".join(map(str, missing))})
    po = purchasing.create_purchase_order(
        actor=request.auth,
        supplier=get_or_404(Supplier.objects.all(), _("Supplier"), code=payload.supplier),
        warehouse=_warehouse(payload.warehouse),
        lines=[(skus[line.sku_id], line.quantity, line.unit_cost) for line in payload.lines],
        expected_on=payload.expected_on,
        note=payload.note,
        place=payload.place,
    )
    return 201, _purchase_order(po.pk)


@router.get("/purchase-orders/{po_id}", response={200: PurchaseOrderOut, **ERRORS})
def get_purchase_order(request, po_id: int):
    return _purchase_order(po_id)


@router.post("/purchase-orders/{po_id}/place", response={200: PurchaseOrderOut, **ERRORS})
def place_purchase_order(request, po_id: int):
    purchasing.place_purchase_order(actor=request.auth, po=_purchase_order(po_id))
    return _purchase_order(po_id)


@router.post("/purchase-orders/{po_id}/receive", response={200: ReceiptOut, **ERRORS})
def receive_purchase_order(request, po_id: int, payload: QuantitiesIn):
    """Receive some or all of what is open; more than is open is refused (409 over_receipt), nothing booked."""
    moves = purchasing.receive_purchase_order(
        actor=request.auth, po=_purchase_order(po_id), quantities=payload.quantities, note=payload.note
    )
    return {"purchase_order": _purchase_order(po_id), "moves": moves}


@router.post("/purchase-orders/{po_id}/return", response={200: ReceiptOut, **ERRORS})
def return_to_supplier(request, po_id: int, payload: QuantitiesIn):
    """Send received units back to the supplier, never more than was received."""
    moves = purchasing.return_to_supplier(
        actor=request.auth, po=_purchase_order(po_id), quantities=payload.quantities, note=payload.note
    )
    return {"purchase_order": _purchase_order(po_id), "moves": moves}


@router.post("/purchase-orders/{po_id}/close", response={200: PurchaseOrderOut, **ERRORS})
def close_purchase_order(request, po_id: int):
    """Stop waiting for what is still open (the supplier will not deliver the rest)."""
    purchasing.close_purchase_order(actor=request.auth, po=_purchase_order(po_id))
    return _purchase_order(po_id)


# ----- stocktakes ----------------------------------------------------------------------------------------


@router.get("/stocktakes", response={200: list[StocktakeListItem], **ERRORS})
def list_stocktakes(request, status: StocktakeStatus | None = None, limit: int = Query(100, ge=1, le=1000)):
    takes = Stocktake.objects.select_related("warehouse", "category")
    if status:
        takes = takes.filter(status=status.value)
    return takes[:limit]


@router.post("/stocktakes", response={201: StocktakeOut, **ERRORS})
def create_stocktake(request, payload: StocktakeIn):
    """A count sheet for a warehouse: every SKU with stock history there, or every SKU of a category."""
    category = (
        get_or_404(Category.objects.all(), _("Category"), pk=payload.category_id)
        if payload.category_id is not None
        else None
    )
    take = stocktakes.create_stocktake(
        actor=request.auth, warehouse=_warehouse(payload.warehouse), category=category, blind=payload.blind
    )
    return 201, _stocktake(take.pk)


@router.get("/stocktakes/{stocktake_id}", response={200: StocktakeOut, **ERRORS})
def get_stocktake(request, stocktake_id: int):
    return _stocktake(stocktake_id)


@router.post("/stocktakes/{stocktake_id}/counts", response={200: StocktakeOut, **ERRORS})
def enter_counts(request, stocktake_id: int, payload: CountsIn):
    """Record counts by SKU id; a SKU found but not on the sheet gets a line of its own."""
    stocktakes.enter_counts(actor=request.auth, stocktake=_stocktake(stocktake_id), counts=payload.counts)
    return _stocktake(stocktake_id)


@router.post("/stocktakes/{stocktake_id}/book", response={200: StocktakeReportOut, **ERRORS})
def book_stocktake(request, stocktake_id: int):
    """Book counted − on hand for each counted line; returns the gains and losses at cost."""
    return stocktakes.book_stocktake(actor=request.auth, stocktake=_stocktake(stocktake_id))


@router.post("/stocktakes/{stocktake_id}/cancel", response={200: StocktakeOut, **ERRORS})
def cancel_stocktake(request, stocktake_id: int):
    stocktakes.cancel_stocktake(actor=request.auth, stocktake=_stocktake(stocktake_id))
    return _stocktake(stocktake_id)
