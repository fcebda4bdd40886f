"""Promotions endpoints: stored promotions (list, calendar, detail with history, create, update, submit,
approve, cancel) and flash sales (秒杀) — create, list, switch on and off, buy, release, issue.

Stored promotions: writes need `promotions.manage_promotions`, approving needs `promotions.approve_promotions`
(manager); the rules are the services' (promotions.services), so the API refuses what the CLI refuses.

Creating and switching a sale needs `promotions.manage_promotions`; every role reads. Buying is what a
shopper does, so the endpoint acts as the `system` user (any authenticated caller, such as the web store's
token, may buy on a buyer's behalf, within the sale's caps and window). Release and issue are desk work and
need `inventory.book_stock` of the caller, like the inventory's own reservations.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from zhanggui.catalog.api import ERRORS, get_or_404
from zhanggui.catalog.models import Shop, Sku
from zhanggui.core.errors import ValidationFailed
from zhanggui.core.services import system_user
from zhanggui.promotions import flash, selectors, services, spec
from zhanggui.promotions.models import FlashSale, FlashSalePurchase, FlashSaleStatus, Promotion, PromotionStatus
from zhanggui.promotions.schemas import (
    BuyIn,
    FlashIssueIn,
    FlashPurchaseOut,
    FlashSaleIn,
    FlashSaleOut,
    PromotionDetailOut,
    PromotionIn,
    PromotionNoteIn,
    PromotionOut,
    PromotionSpecIn,
)
from zhanggui.promotions.spec import KINDS

router = Router(tags=["promotions"])


def _flash_sale(sale_id: int) -> FlashSale:
    return get_or_404(FlashSale.objects.select_related("shop", "sku", "promotion"), _("Flash sale"), pk=sale_id)


def _purchase(purchase_id: int) -> FlashSalePurchase:
    return get_or_404(FlashSalePurchase.objects.all(), _("Flash-sale purchase"), pk=purchase_id)


@router.get("/flash-sales", response={200: list[FlashSaleOut], **ERRORS})
def list_flash_sales(
    request,
    shop: str = Query("", description="Shop code"),
    sku_id: int | None = Query(None, ge=1, le=2**63 - 1),
    status: FlashSaleStatus | None = None,
    limit: int = Query(100, ge=1, le=1000),
):
    """Flash sales, latest start first; `status` is derived from the window and the on/off switch."""
    shop_id = get_or_404(Shop.objects.all(), _("Shop"), code=shop).pk if shop else None
    return selectors.flash_sales(shop_id=shop_id, sku_id=sku_id, status=status.value if status else None)[:limit]


@router.post("/flash-sales", response={201: FlashSaleOut, **ERRORS})
def create_flash_sale(request, payload: FlashSaleIn):
    """A flash sale of one SKU: flash price below the SKU's price, a stock cap, a per-buyer cap, a window."""
    sale = flash.create_flash_sale(
        actor=request.auth,
        sku=get_or_404(Sku.objects.all(), _("SKU"), pk=payload.sku_id),
        price=payload.price,
        stock_cap=payload.stock_cap,
        per_buyer_cap=payload.per_buyer_cap,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        name=payload.name,
        is_active=payload.is_active,
    )
    return 201, _flash_sale(sale.pk)


@router.get("/flash-sales/{sale_id}", response={200: FlashSaleOut, **ERRORS})
def get_flash_sale(request, sale_id: int):
    return _flash_sale(sale_id)


@router.post("/flash-sales/{sale_id}/activate", response={200: FlashSaleOut, **ERRORS})
def activate_flash_sale(request, sale_id: int):
    """Switch the sale on: buyers can buy inside its window."""
    flash.set_flash_sale_active(actor=request.auth, flash_sale=_flash_sale(sale_id), is_active=True)
    return _flash_sale(sale_id)


@router.post("/flash-sales/{sale_id}/deactivate", response={200: FlashSaleOut, **ERRORS})
def deactivate_flash_sale(request, sale_id: int):
    """Stop the sale now: buyers are refused (409 flash_sale_closed); units already held stay held."""
    flash.set_flash_sale_active(actor=request.auth, flash_sale=_flash_sale(sale_id), is_active=False)
    return _flash_sale(sale_id)


@router.get("/flash-sales/{sale_id}/purchases", response={200: list[FlashPurchaseOut], **ERRORS})
def list_purchases(request, sale_id: int, buyer_ref: str | None = None):
    return selectors.purchases_of(_flash_sale(sale_id), buyer_ref=buyer_ref)


@router.post("/flash-sales/{sale_id}/buy", response={201: FlashPurchaseOut, **ERRORS})
def buy(request, sale_id: int, payload: BuyIn):
    """Buy for a buyer: the sale's cap, the buyer's allowance and the stock, all or nothing.

    409 with code `flash_sale_closed`, `flash_sale_sold_out`, `buyer_limit_reached` or `insufficient_stock`.
    """
    purchase = flash.buy_flash_sale(
        actor=system_user(),
        flash_sale=_flash_sale(sale_id),
        buyer_ref=payload.buyer_ref,
        quantity=payload.quantity,
    )
    return 201, purchase


@router.post("/flash-purchases/{purchase_id}/release", response={200: FlashPurchaseOut, **ERRORS})
def release(request, purchase_id: int):
    """An unpaid or cancelled purchase: cap, allowance and stock go back (409 if not held any more)."""
    return flash.release_flash_purchase(actor=request.auth, purchase=_purchase(purchase_id))


@router.post("/flash-purchases/{purchase_id}/issue", response={200: FlashPurchaseOut, **ERRORS})
def issue(request, purchase_id: int, payload: FlashIssueIn | None = None):
    """The purchase shipped: one sale-issue move leaves the warehouse."""
    document = payload.document if payload else ""
    return flash.issue_flash_purchase(actor=request.auth, purchase=_purchase(purchase_id), document=document)


# --------------------------------------------------------------------------------------------------------
# Stored promotions
# --------------------------------------------------------------------------------------------------------


def _shop_or_none(code: str | None) -> Shop | None:
    return get_or_404(Shop.objects.all(), _("Shop"), code=code) if code else None


def _promotion(promotion_id: int) -> Promotion:
    return get_or_404(
        Promotion.objects.select_related("shop", "created_by", "approved_by"), _("Promotion"), pk=promotion_id
    )


def _detail(promotion_id: int) -> Promotion:
    """The promotion with what the detail adds: whether it needs a manager, and its audit history."""
    promotion = _promotion(promotion_id)
    promotion.needs_approval = services.needs_approval(promotion.spec, shop=promotion.shop)  # type: ignore[attr-defined]
    promotion.history = list(selectors.promotion_history(promotion))  # type: ignore[attr-defined]
    return promotion


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _range(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """Whole days in the desk's time zone, both included: from=2026-11-11&to=2026-11-11 is that one day."""
    if start and end and end < start:
        raise ValidationFailed(_("'to' must not be before 'from'."))
    first, last = spec.YEARS
    if any(day is not None and not first <= day.year <= last for day in (start, end)):
        raise ValidationFailed(_("Dates run from the year %(first)s to %(last)s.") % {"first": first, "last": last})
    return (_day_start(start) if start else None, _day_start(end + timedelta(days=1)) if end else None)


@router.get("", response={200: list[PromotionOut], **ERRORS})
def list_promotions(
    request,
    status: PromotionStatus | None = None,
    kind: str = Query("", description="One of the kinds of docs/pricing.md"),
    shop: str = Query("", description="Shop code: its promotions and those of every shop"),
    date_from: date | None = Query(None, alias="from", description="On at or after this day"),  # noqa: B008 - "from" is a keyword
    date_to: date | None = Query(None, alias="to", description="Starting on or before this day"),  # noqa: B008 - "from" is a keyword
    limit: int = Query(200, ge=1, le=1000),
):
    """Stored promotions in calendar order; `status` is derived from the state and the clock."""
    if kind and kind not in KINDS:
        raise ValidationFailed(_("Unknown kind %(kind)s; one of %(kinds)s") % {"kind": kind, "kinds": ", ".join(KINDS)})
    start, end = _range(date_from, date_to)
    return selectors.promotions(
        shop=_shop_or_none(shop),
        status=status.value if status else None,
        kind=kind or None,
        starts_before=end,
        ends_after=start,
    )[:limit]


@router.get("/calendar", response={200: list[PromotionOut], **ERRORS})
def promotion_calendar(
    request,
    date_from: date = Query(..., alias="from"),  # noqa: B008 - "from" is a keyword
    date_to: date = Query(..., alias="to"),  # noqa: B008 - "from" is a keyword
    shop: str = Query("", description="Shop code: its promotions and those of every shop"),
):
    """Promotions on at any moment between the two days (both included), cancelled ones left out."""
    start, end = _range(date_from, date_to)
    assert start is not None and end is not None  # both are required query parameters
    return selectors.calendar(start=start, end=end, shop=_shop_or_none(shop))


@router.post("", response={201: PromotionDetailOut, **ERRORS})
def create_promotion(request, payload: PromotionIn):
    """A draft from its spec; 422 `invalid_promotion_spec` names the field, 409 `promotion_code_taken`."""
    promotion = services.create_promotion(actor=request.auth, shop=_shop_or_none(payload.shop), raw_spec=payload.spec)
    return 201, _detail(promotion.pk)


@router.get("/{int:promotion_id}", response={200: PromotionDetailOut, **ERRORS})
def get_promotion(request, promotion_id: int):
    return _detail(promotion_id)


@router.put("/{int:promotion_id}", response={200: PromotionDetailOut, **ERRORS})
def update_promotion(request, promotion_id: int, payload: PromotionSpecIn):
    """Replace the spec of a draft or a submitted promotion (409 `promotion_started` once approved and begun)."""
    services.update_promotion(actor=request.auth, promotion=_promotion(promotion_id), raw_spec=payload.spec)
    return _detail(promotion_id)


@router.post("/{int:promotion_id}/submit", response={200: PromotionDetailOut, **ERRORS})
def submit_promotion(request, promotion_id: int):
    """Within the approval limit: approved at once. Deeper: pending_approval until a manager approves."""
    services.submit_promotion(actor=request.auth, promotion=_promotion(promotion_id))
    return _detail(promotion_id)


@router.post("/{int:promotion_id}/approve", response={200: PromotionDetailOut, **ERRORS})
def approve_promotion(request, promotion_id: int, payload: PromotionNoteIn | None = None):
    """A manager approves; 403 `self_approval_refused` for the creator of a deep discount."""
    note = payload.note if payload else ""
    services.approve_promotion(actor=request.auth, promotion=_promotion(promotion_id), note=note)
    return _detail(promotion_id)


@router.post("/{int:promotion_id}/cancel", response={200: PromotionDetailOut, **ERRORS})
def cancel_promotion(request, promotion_id: int, payload: PromotionNoteIn | None = None):
    """Stop it now (no longer priced) or drop a draft."""
    note = payload.note if payload else ""
    services.cancel_promotion(actor=request.auth, promotion=_promotion(promotion_id), note=note)
    return _detail(promotion_id)
