"""Flash-sale endpoints (秒杀), under /api/v1/promotions: create, list, switch on and off, buy, release, issue.

Creating and switching a sale needs `promotions.manage_promotions`; every role reads. Buying is what a
shopper does, so the endpoint acts as the `system` user (any authenticated caller, such as the web store's
token, may buy on a buyer's behalf, within the sale's caps and window). Release and issue are desk work and
need `inventory.book_stock` of the caller, like the inventory's own reservations.

Mounted at /promotions beside the stored promotions' router (its paths start /flash-sales and
/flash-purchases). The operation ids are the ones first published, when these endpoints lived in
promotions/api.py: clients generated from the schema keep their names.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Query, Router

from zhanggui.catalog.api import ERRORS, get_or_404
from zhanggui.catalog.models import Shop, Sku
from zhanggui.core.services import system_user
from zhanggui.promotions.flash import selectors, services
from zhanggui.promotions.flash.schemas import BuyIn, FlashIssueIn, FlashPurchaseOut, FlashSaleIn, FlashSaleOut
from zhanggui.promotions.models import FlashSale, FlashSalePurchase, FlashSaleStatus

router = Router(tags=["promotions"])
OPERATION = "zhanggui_promotions_api_"  # + the handler's name: the ids as first published


def _flash_sale(sale_id: int) -> FlashSale:
    return get_or_404(FlashSale.objects.select_related("shop", "sku", "promotion"), _("Flash sale"), pk=sale_id)


def _purchase(purchase_id: int) -> FlashSalePurchase:
    return get_or_404(FlashSalePurchase.objects.all(), _("Flash-sale purchase"), pk=purchase_id)


@router.get("/flash-sales", response={200: list[FlashSaleOut], **ERRORS}, operation_id=OPERATION + "list_flash_sales")
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


@router.post("/flash-sales", response={201: FlashSaleOut, **ERRORS}, operation_id=OPERATION + "create_flash_sale")
def create_flash_sale(request, payload: FlashSaleIn):
    """A flash sale of one SKU: flash price below the SKU's price, a stock cap, a per-buyer cap, a window."""
    sale = services.create_flash_sale(
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


@router.get("/flash-sales/{sale_id}", response={200: FlashSaleOut, **ERRORS}, operation_id=OPERATION + "get_flash_sale")
def get_flash_sale(request, sale_id: int):
    return _flash_sale(sale_id)


@router.post(
    "/flash-sales/{sale_id}/activate",
    response={200: FlashSaleOut, **ERRORS},
    operation_id=OPERATION + "activate_flash_sale",
)
def activate_flash_sale(request, sale_id: int):
    """Switch the sale on: buyers can buy inside its window."""
    services.set_flash_sale_active(actor=request.auth, flash_sale=_flash_sale(sale_id), is_active=True)
    return _flash_sale(sale_id)


@router.post(
    "/flash-sales/{sale_id}/deactivate",
    response={200: FlashSaleOut, **ERRORS},
    operation_id=OPERATION + "deactivate_flash_sale",
)
def deactivate_flash_sale(request, sale_id: int):
    """Stop the sale now: buyers are refused (409 flash_sale_closed); units already held stay held."""
    services.set_flash_sale_active(actor=request.auth, flash_sale=_flash_sale(sale_id), is_active=False)
    return _flash_sale(sale_id)


@router.get(
    "/flash-sales/{sale_id}/purchases",
    response={200: list[FlashPurchaseOut], **ERRORS},
    operation_id=OPERATION + "list_purchases",
)
def list_purchases(request, sale_id: int, buyer_ref: str | None = None):
    return selectors.purchases_of(_flash_sale(sale_id), buyer_ref=buyer_ref)


@router.post("/flash-sales/{sale_id}/buy", response={201: FlashPurchaseOut, **ERRORS}, operation_id=OPERATION + "buy")
def buy(request, sale_id: int, payload: BuyIn):
    """Buy for a buyer: the sale's cap, the buyer's allowance and the stock, all or nothing.

    409 with code `flash_sale_closed`, `flash_sale_sold_out`, `buyer_limit_reached` or `insufficient_stock`.
    """
    purchase = services.buy_flash_sale(
        actor=system_user(),
        flash_sale=_flash_sale(sale_id),
        buyer_ref=payload.buyer_ref,
        quantity=payload.quantity,
    )
    return 201, purchase


@router.post(
    "/flash-purchases/{purchase_id}/release",
    response={200: FlashPurchaseOut, **ERRORS},
    operation_id=OPERATION + "release",
)
def release(request, purchase_id: int):
    """An unpaid or cancelled purchase: cap, allowance and stock go back (409 if not held any more)."""
    return services.release_flash_purchase(actor=request.auth, purchase=_purchase(purchase_id))


@router.post(
    "/flash-purchases/{purchase_id}/issue", response={200: FlashPurchaseOut, **ERRORS}, operation_id=OPERATION + "issue"
)
def issue(request, purchase_id: int, payload: FlashIssueIn | None = None):
    """The purchase shipped: one sale-issue move leaves the warehouse."""
    document = payload.document if payload else ""
    return services.issue_flash_purchase(actor=request.auth, purchase=_purchase(purchase_id), document=document)
