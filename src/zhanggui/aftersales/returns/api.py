"""Returns endpoints, on the after-sales router (/api/v1/aftersales): the buyer's return parcel (handle_cases),
what a scanned code expects back (a read, like every GET), and receiving a parcel graded line by line
(book_stock, like the warehouse's page). Each write calls one function of aftersales.returns, which checks the
capability again; more units than the case still expects is 409 `return_refused`.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Query

from zhanggui.aftersales.api import _case, _detail, router
from zhanggui.aftersales.returns import services as returns
from zhanggui.aftersales.schemas import CaseDetailOut, ExpectedReturnOut, ReceiveIn, ReturnReceiptOut, ReturnSentIn
from zhanggui.catalog.api import ERRORS, get_or_404
from zhanggui.core import roles
from zhanggui.inventory.models import Warehouse


@router.get("/returns/find", response={200: list[ExpectedReturnOut], **ERRORS})
def find_returns(request, q: str = Query(..., max_length=64, description="Return tracking, order or case number")):
    """The return and exchange cases a scanned code names that may take a parcel, each line with the units still
    expected (asked − received); empty when none."""
    return returns.expected_returns(q)


@router.post("/{case_id}/return-sent", response={200: CaseDetailOut, **ERRORS})
def return_sent(request, case_id: int, payload: ReturnSentIn):
    """The buyer's return parcel of an agreed return or exchange; the deadline becomes the seller's to confirm
    the returned parcel, counted from `sent_at`."""
    roles.require(request.auth, roles.HANDLE_CASES)
    case = returns.record_return_sent(
        actor=request.auth,
        case=_case(case_id),
        carrier=payload.carrier,
        tracking_no=payload.tracking_no,
        at=payload.sent_at,
    )
    return _detail(case)


@router.post("/{case_id}/receive", response={201: ReturnReceiptOut, **ERRORS})
def receive(request, case_id: int, payload: ReceiveIn):
    """退货入库: the units that came back, per case line and grade. Resellable units go to `warehouse` (else the
    one the order shipped from), defective ones to the 次品仓."""
    roles.require(request.auth, roles.BOOK_STOCK)  # before judging the body: a refused role learns nothing
    warehouse = None
    if payload.warehouse:
        warehouse = get_or_404(Warehouse.objects.all(), _("Warehouse"), code=payload.warehouse)
    receipt = returns.receive_return(
        actor=request.auth,
        case=_case(case_id),
        items=[(line.case_line_id, line.grade.value, line.quantity) for line in payload.lines],
        note=payload.note,
        warehouse=warehouse,
        tracking_no=payload.tracking_no,
    )
    return 201, receipt
