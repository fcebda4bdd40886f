"""Buyer-messages endpoints (/api/v1/messages): the outbox, and the buyers who opted out.

Every role reads; adding or removing an opt-out needs `messaging.manage_messages` (客服 and the manager), checked
by messaging.services. Shops are named by their codes.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Query, Router

from zhanggui.catalog.api import ERRORS, get_or_404
from zhanggui.catalog.models import Shop
from zhanggui.core.errors import NotFoundError
from zhanggui.messaging import selectors, services
from zhanggui.messaging.models import BuyerOptOut
from zhanggui.messaging.schemas import KindIn, MessagePage, OptOutIn, OptOutOut, OptOutPage, StatusIn

router = Router(tags=["messages"])

MAX_PAGE_SIZE = 200
MAX_PAGE = 1_000_000
MAX_ID = 2**63 - 1


def _shop(code: str) -> Shop:
    return get_or_404(Shop.objects.all(), _("Shop"), code=code)


def _page(rows, page: int, page_size: int) -> dict:
    start = (page - 1) * page_size
    return {"count": rows.count(), "page": page, "page_size": page_size, "items": list(rows[start : start + page_size])}


@router.get("", response={200: MessagePage, **ERRORS})
def list_messages(
    request,
    shop: str = Query("", description="Shop code"),
    status: StatusIn | None = None,
    kind: KindIn | None = None,
    q: str = Query("", max_length=100, description="Part of the buyer's nick or of the order number"),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
):
    """The outbox, the newest first. Status `stored` means kept in Zhanggui, not delivered to the buyer."""
    rows = selectors.outbox(
        shop=_shop(shop) if shop else None,
        status=status.value if status else "",
        kind=kind.value if kind else "",
        q=q.strip(),
    )
    return _page(rows, page, page_size)


@router.get("/opt-outs", response={200: OptOutPage, **ERRORS})
def list_opt_outs(
    request,
    shop: str = Query("", description="Shop code"),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
):
    return _page(selectors.opt_outs(shop=_shop(shop) if shop else None), page, page_size)


@router.post("/opt-outs", response={201: OptOutOut, **ERRORS})
def add_opt_out(request, payload: OptOutIn):
    """The buyer gets no more messages from the shop; their queued ones are skipped. 409 `already_opted_out`."""
    row = services.opt_out(
        actor=request.auth, shop=_shop(payload.shop), buyer_nick=payload.buyer_nick, note=payload.note
    )
    return 201, row


@router.delete("/opt-outs/{opt_out_id}", response={204: None, **ERRORS})
def remove_opt_out(request, opt_out_id: int):
    """The buyer may get messages again (those skipped meanwhile stay skipped)."""
    if not 0 < opt_out_id <= MAX_ID:
        raise NotFoundError(_("%(what)s not found (%(key)s).") % {"what": _("Opt-out"), "key": f"pk={opt_out_id}"})
    row = get_or_404(BuyerOptOut.objects.select_related("shop"), _("Opt-out"), pk=opt_out_id)
    services.opt_in(actor=request.auth, opt_out=row)
    return 204, None
