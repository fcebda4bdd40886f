"""Catalog endpoints: shops, products, SKUs, prices, listing status, title checks.

Handlers parse input, call one service or selector and return a schema; the permission checks live in the
services (roles.require), so the API refuses exactly what the pages and the admin refuse.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db import transaction
from django.db.models import (
    QuerySet,
)
from django.utils.translation import gettext as _
from ninja import Query, Router

from zhanggui.catalog import selectors, services
from zhanggui.catalog import stock as stock_figures  # inventory's figures (catalog.stock)
from zhanggui.catalog.models import ListingStatus, Product, ProductRole, Shop, Sku
from zhanggui.catalog.schemas import (
    DelistIn,
    ErrorOut,
    NoteIn,
    PriceIn,
    ProductIn,
    ProductOut,
    ProductPage,
    ProductPatch,
    ShopOut,
    SkuDetailOut,
    SkuIn,
    SkuOut,
    SkuPatch,
    TitleCheckOut,
)
from zhanggui.core.errors import NotFoundError, ValidationFailed

router = Router(tags=["catalog"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
MAX_PAGE_SIZE = 200
# Bounds of the integer query parameters: a bigger value is a 422, never an overflow in the database (a row
# id is a signed 64-bit integer; a million pages of 200 is far beyond any shop's catalog).
MAX_ID = 2**63 - 1
MAX_PAGE = 1_000_000


class StockFilter(StrEnum):
    """The values of the product list page's stock filter, so a desk URL's query string works here too."""

    IN_STOCK = stock_figures.StockState.IN_STOCK
    OUT = stock_figures.StockState.OUT
    LOW = stock_figures.StockState.LOW


def get_or_404(queryset: QuerySet, what: str, **lookup: Any) -> Any:
    """Fetch one row or raise NotFoundError, whose message names what was looked for."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        key = ", ".join(f"{k}={v}" for k, v in lookup.items())
        raise NotFoundError(_("%(what)s not found (%(key)s).") % {"what": what, "key": key}) from None


def _shop(code: str) -> Shop:
    return get_or_404(Shop.objects.all(), _("Shop"), code=code)


def _product_with_stock(product: Product) -> Product:
    """Attach each SKU with its stock over all warehouses (ProductOut.resolve_skus reads `sku_rows`); the
    figures are inventory's, read through catalog.stock."""
    skus = list(product.skus.select_related("shop"))
    reader = stock_figures.reader()
    totals = reader.totals([s.pk for s in skus])
    available = reader.available([s.pk for s in skus])  # a 次品仓's units are on hand, not for sale
    for sku in skus:
        sku.on_hand, sku.reserved = totals[sku.pk]
        sku.available = available[sku.pk]
    product.sku_rows = skus
    return product


@router.get("/shops", response={200: list[ShopOut], **ERRORS})
def list_shops(request):
    return Shop.objects.all()


@router.get("/products", response={200: ProductPage, **ERRORS})
def list_products(
    request,
    q: str = Query("", description="Words of the title, product code, SKU code or exact barcode"),
    shop: str = Query("", description="Shop code"),
    role: ProductRole | None = None,
    status: ListingStatus | None = None,
    stock: StockFilter | None = None,
    category_id: int | None = Query(None, ge=1, le=MAX_ID),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
):
    """Products with their price range and stock; one page at a time (the query count does not grow)."""
    products = stock_figures.reader().products_with_stock(
        selectors.products_for_list(
            q=q.strip(),
            shop=_shop(shop) if shop else None,
            role=role.value if role else "",
            status=status.value if status else "",
            category_id=category_id,
        ),
        stock,
    )
    start = (page - 1) * page_size
    return {
        "count": products.count(),
        "page": page,
        "page_size": page_size,
        "items": list(products[start : start + page_size]),
    }


@router.post("/products", response={201: ProductOut, **ERRORS})
def create_product(request, payload: ProductIn):
    shop = _shop(payload.shop)
    # The category is created in the same transaction, so a refused product leaves no stray category.
    with transaction.atomic():
        product = services.create_product(
            actor=request.auth,
            shop=shop,
            code=payload.code,
            title=payload.title,
            category=services.get_or_create_category(payload.category),
            role=payload.role.value,
            description=payload.description,
            main_image_url=payload.main_image_url,
        )
    return 201, _product_with_stock(product)


@router.get("/products/{product_id}", response={200: ProductOut, **ERRORS})
def get_product(request, product_id: int):
    product = get_or_404(Product.objects.select_related("shop", "category"), _("Product"), pk=product_id)
    return _product_with_stock(product)


@router.patch("/products/{product_id}", response={200: ProductOut, **ERRORS})
def update_product(request, product_id: int, payload: ProductPatch):
    product = get_or_404(Product.objects.select_related("shop", "category"), _("Product"), pk=product_id)
    changes: dict[str, Any] = payload.dict(exclude_unset=True, exclude_none=True)
    if "role" in changes:
        changes["role"] = payload.role.value
    with transaction.atomic():
        if "category" in changes:
            changes["category"] = services.get_or_create_category(changes["category"])
        product = services.update_product(actor=request.auth, product=product, **changes)
    return _product_with_stock(product)


@router.post("/products/{product_id}/list", response={200: ProductOut, **ERRORS})
def list_product(request, product_id: int, payload: NoteIn | None = None):
    """Put on sale every SKU with stock; SKUs without stock wait off sale (reason out_of_stock)."""
    product = get_or_404(Product.objects.all(), _("Product"), pk=product_id)
    note = payload.note if payload else ""
    return _product_with_stock(services.list_product(actor=request.auth, product=product, note=note))


@router.post("/products/{product_id}/delist", response={200: ProductOut, **ERRORS})
def delist_product(request, product_id: int, payload: DelistIn):
    product = get_or_404(Product.objects.all(), _("Product"), pk=product_id)
    product = services.delist_product(
        actor=request.auth, product=product, reason=payload.reason.value, note=payload.note
    )
    return _product_with_stock(product)


@router.get("/products/{product_id}/title-check", response={200: TitleCheckOut, **ERRORS})
def title_check(request, product_id: int):
    """The title as the channel sees it: its counted length, the limit, blocking problems, duplicates."""
    product = get_or_404(Product.objects.select_related("shop"), _("Product"), pk=product_id)
    report = selectors.title_report(product, services.banned_words_for(product.shop.channel))
    return {"product_id": product.pk, "title": product.title, "channel": product.shop.channel, **report}


@router.post("/skus", response={201: SkuOut, **ERRORS})
def create_sku(request, payload: SkuIn):
    """A new SKU of a product, in draft; it needs both edit_catalog and change_price (it sets a price)."""
    product = get_or_404(Product.objects.select_related("shop"), _("Product"), pk=payload.product_id)
    sku = services.create_sku(
        actor=request.auth,
        product=product,
        code=payload.code,
        price=payload.price,
        cost=payload.cost if payload.cost is not None else "0",
        barcode=payload.barcode,
        spec=payload.spec,
        weight_g=payload.weight_g,
        safety_stock=payload.safety_stock,
    )
    return 201, sku


@router.get("/skus/{sku_id}", response={200: SkuDetailOut, **ERRORS})
def get_sku(request, sku_id: int, moves: int = Query(50, ge=0, le=500, description="Recent ledger moves")):
    """A SKU with its stock per warehouse and its most recent ledger moves (newest first)."""
    sku = get_or_404(Sku.objects.select_related("product", "shop"), _("SKU"), pk=sku_id)
    reader = stock_figures.reader()
    sku.balance_rows = list(reader.balances(sku))
    sku.move_rows = list(reader.ledger(sku, moves)) if moves else []
    return sku


@router.patch("/skus/{sku_id}", response={200: SkuOut, **ERRORS})
def update_sku(request, sku_id: int, payload: SkuPatch):
    """Descriptive fields only: the price goes through /price, the status through /list and /delist."""
    sku = get_or_404(Sku.objects.select_related("shop"), _("SKU"), pk=sku_id)
    return services.update_sku(actor=request.auth, sku=sku, **payload.dict(exclude_unset=True, exclude_none=True))


@router.post("/skus/{sku_id}/price", response={200: SkuOut, **ERRORS})
def set_price(request, sku_id: int, payload: PriceIn):
    """Change the price and/or the cost (店长/运营 only); the audit trail keeps before and after."""
    sku = get_or_404(Sku.objects.all(), _("SKU"), pk=sku_id)
    if payload.price is None and payload.cost is None:
        raise ValidationFailed(_("Send a price, a cost or both."))
    return services.set_price(actor=request.auth, sku=sku, price=payload.price, cost=payload.cost, note=payload.note)


@router.post("/skus/{sku_id}/list", response={200: SkuOut, **ERRORS})
def list_sku(request, sku_id: int, payload: NoteIn | None = None):
    sku = get_or_404(Sku.objects.all(), _("SKU"), pk=sku_id)
    return services.list_sku(actor=request.auth, sku=sku, note=payload.note if payload else "")


@router.post("/skus/{sku_id}/delist", response={200: SkuOut, **ERRORS})
def delist_sku(request, sku_id: int, payload: DelistIn):
    sku = get_or_404(Sku.objects.all(), _("SKU"), pk=sku_id)
    return services.delist_sku(actor=request.auth, sku=sku, reason=payload.reason.value, note=payload.note)
