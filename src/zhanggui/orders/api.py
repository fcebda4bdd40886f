"""Orders endpoints: import an upload, list the orders by deadline, one order, and its steps.

Every write calls one function of orders.imports or orders.services, which checks the capability (import,
review, fulfil) and moves stock through the inventory in the same transaction. Shops are named by their codes,
orders by their ids.
"""

from __future__ import annotations

from typing import Annotated

from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, UploadedFile

from zhanggui.catalog.api import ERRORS, get_or_404
from zhanggui.catalog.models import Shop
from zhanggui.core.errors import NotFoundError
from zhanggui.orders import imports, parcels, selectors, services
from zhanggui.orders.errors import ImportRejected
from zhanggui.orders.models import Order
from zhanggui.orders.schemas import (
    ImportReportOut,
    MergeIn,
    Moment,
    OrderDetailOut,
    OrderPage,
    PlatformIn,
    ReasonIn,
    ReleaseIn,
    ShipIn,
    SplitIn,
    StatusIn,
)

router = Router(tags=["orders"])

MAX_PAGE_SIZE = 200
MAX_PAGE = 1_000_000
MAX_ID = 2**63 - 1


def _shop(code: str) -> Shop:
    return get_or_404(Shop.objects.all(), _("Shop"), code=code)


def _order(order_id: int) -> Order:
    if not 0 < order_id <= MAX_ID:  # names no row, and SQLite cannot even bind it
        raise NotFoundError(_("%(what)s not found (%(key)s).") % {"what": _("Order"), "key": f"pk={order_id}"})
    return get_or_404(Order.objects.select_related("shop"), _("Order"), pk=order_id)


def _detail(request, order: Order) -> Order:
    detail = selectors.order_detail(order.pk)
    detail.phone_shown = selectors.phone_for(detail, request.auth)  # OrderDetailOut.receiver_phone
    return detail


@router.post("/import", response={200: ImportReportOut, **ERRORS})
def import_orders(
    request,
    shop: Annotated[str, Form(description="Shop code")],
    file: Annotated[UploadedFile, File(description="The export file (.xlsx or .csv)")],
    second_file: Annotated[UploadedFile | None, File(description="Taobao's other file (订单报表 / 宝贝报表)")] = None,
    platform: Annotated[PlatformIn | None, Form(description="Whose export it is (default: from the headers)")] = None,
    dry_run: Annotated[bool, Form(description="Check and report; store nothing")] = False,
):
    """Import one upload, all or nothing. With refused rows: 422 `import_rejected`, the report in `details`."""
    files = [(file, file.name or "upload")]
    if second_file is not None:
        files.append((second_file, second_file.name or "upload"))
    report = imports.import_files(
        actor=request.auth,
        shop=_shop(shop),
        files=files,
        platform=platform.value if platform else None,
        dry_run=dry_run,
    )
    if not report.ok:
        raise ImportRejected(
            _("%(count)s rows rejected; nothing was stored.") % {"count": report.rejected_rows}, **report.as_dict()
        )
    return report.as_dict()


@router.get("", response={200: OrderPage, **ERRORS})
def list_orders(
    request,
    shop: str = Query("", description="Shop code"),
    status: Annotated[list[StatusIn] | None, Query(description="Our statuses (repeat for several)")] = None,
    due_before: Annotated[Moment | None, Query(description="Only orders to ship before this moment")] = None,
    page: int = Query(1, ge=1, le=MAX_PAGE),
    page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
):
    """Orders by shipping deadline, the most urgent first; phones masked."""
    orders = selectors.orders(
        shop=_shop(shop) if shop else None,
        statuses=[s.value for s in status or []],
        due_before=due_before,
    )
    start = (page - 1) * page_size
    return {
        "count": orders.count(),
        "page": page,
        "page_size": page_size,
        "items": list(orders[start : start + page_size]),
    }


@router.post("/merge", response={200: OrderDetailOut, **ERRORS})
def merge_orders(request, payload: MergeIn):
    """合单: the orders (same shop, buyer, receiver, phone and address, not yet picked) ship in one parcel; the
    answer is the main order (the earliest paid), whose steps carry the others."""
    orders = [_order(order_id) for order_id in dict.fromkeys(payload.orders)]
    return _detail(request, parcels.merge_orders(actor=request.auth, orders=orders, reason=payload.reason))


@router.get("/{order_id}", response={200: OrderDetailOut, **ERRORS})
def get_order(request, order_id: int):
    """One order with its lines and its timeline."""
    return _detail(request, _order(order_id))


@router.post("/{order_id}/review", response={200: OrderDetailOut, **ERRORS})
def review_order(request, order_id: int):
    return _detail(request, services.review(actor=request.auth, order=_order(order_id)))


@router.post("/{order_id}/allocate", response={200: OrderDetailOut, **ERRORS})
def allocate_order(request, order_id: int):
    """Reserve every line. Short stock or an unknown 商家编码 is not an error: the order comes back on hold,
    with the reason in `hold_reason`."""
    return _detail(request, services.allocate(actor=request.auth, order=_order(order_id)))


@router.post("/{order_id}/ship", response={200: OrderDetailOut, **ERRORS})
def ship_order(request, order_id: int, payload: ShipIn):
    """The parcel left: issues the reservation (reserving first if the order was never allocated)."""
    order = services.ship(
        actor=request.auth, order=_order(order_id), carrier=payload.carrier, tracking_no=payload.tracking_no
    )
    return _detail(request, order)


@router.post("/{order_id}/hold", response={200: OrderDetailOut, **ERRORS})
def hold_order(request, order_id: int, payload: ReasonIn):
    return _detail(request, services.hold(actor=request.auth, order=_order(order_id), reason=payload.reason))


@router.post("/{order_id}/release", response={200: OrderDetailOut, **ERRORS})
def release_order(request, order_id: int, payload: ReleaseIn):
    """Back to where it was held from (an order the platform shipped meanwhile has its sale booked)."""
    order = services.release_hold(actor=request.auth, order=_order(order_id), reason=payload.reason)
    return _detail(request, order)


@router.post("/{order_id}/unmerge", response={200: OrderDetailOut, **ERRORS})
def unmerge_order(request, order_id: int, payload: ReleaseIn):
    """Take the order out of its parcel (or break up the parcel it heads), before picking."""
    return _detail(request, parcels.unmerge(actor=request.auth, order=_order(order_id), reason=payload.reason))


@router.post("/{order_id}/split", response={200: OrderDetailOut, **ERRORS})
def split_order(request, order_id: int, payload: SplitIn):
    """拆单: the listed lines (their ids) ship later as a part of the order; the answer is the part."""
    part = parcels.split_order(
        actor=request.auth, order=_order(order_id), line_ids=payload.lines, reason=payload.reason
    )
    return _detail(request, part)


@router.post("/{order_id}/join", response={200: OrderDetailOut, **ERRORS})
def join_part(request, order_id: int, payload: ReleaseIn):
    """A part's lines go back to its order (the part is cancelled); the answer is the order."""
    return _detail(request, parcels.join_part(actor=request.auth, part=_order(order_id), reason=payload.reason))


@router.post("/{order_id}/cancel", response={200: OrderDetailOut, **ERRORS})
def cancel_order(request, order_id: int, payload: ReasonIn):
    """Cancel an order not yet shipped; its reserved units go back to stock."""
    return _detail(request, services.cancel(actor=request.auth, order=_order(order_id), reason=payload.reason))
