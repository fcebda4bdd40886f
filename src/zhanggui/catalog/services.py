"""Writes of the catalog: products, SKUs, prices, listing status; every price and listing change audited."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhanggui.catalog import price_changes, stock
from zhanggui.catalog.errors import DuplicateCode, InvalidPrice, ListingNotAllowed, TitleRejected
from zhanggui.catalog.models import (
    BannedWord,
    Category,
    DelistReason,
    ListingStatus,
    Product,
    ProductRole,
    Shop,
    Sku,
)
from zhanggui.catalog.titles import check_title, normalize_title
from zhanggui.core import roles, text
from zhanggui.core.money import MoneyError, to_fen
from zhanggui.core.services import record_audit
from zhanggui.core.text import CleanCharField, CleanTextField

PRODUCT_FIELDS = ("title", "category", "role", "description", "main_image_url")
SKU_FIELDS = ("barcode", "spec", "weight_g", "safety_stock")


def banned_words_for(channel: str) -> list[str]:
    return list(BannedWord.objects.filter(channel__in=["", channel]).values_list("word", flat=True).distinct())


def validate_title(*, title: str, shop: Shop) -> str:
    title = normalize_title(title)
    problems = check_title(title, shop.channel, banned_words_for(shop.channel))
    if problems:
        raise TitleRejected(" ".join(p.message for p in problems), problems=[p.code for p in problems])
    return title


def _money(value: Any, field: str) -> Decimal:
    try:
        amount = to_fen(value)
    except MoneyError as exc:
        raise InvalidPrice(_("%(field)s: %(error)s") % {"field": field, "error": exc}) from exc
    if amount < 0:
        raise InvalidPrice(_("%(field)s must not be negative.") % {"field": field})
    return amount


def get_or_create_category(name: str) -> Category | None:
    """The category of that name, created when new; a name with control characters is refused (a code)."""
    name = (name or "").strip()
    if not name:
        return None
    error = text.code_error(name, _("category"))
    if error is not None:
        raise ValidationError({"category": [error]})
    category, _created = Category.objects.get_or_create(name=name)
    return category


@transaction.atomic
def create_product(
    *,
    actor: Any,
    shop: Shop,
    code: str,
    title: str,
    category: Category | None = None,
    role: str = ProductRole.PROFIT,
    description: str = "",
    main_image_url: str = "",
) -> Product:
    roles.require(actor, roles.EDIT_CATALOG)
    code = code.strip()
    if Product.objects.filter(shop=shop, code=code).exists():
        raise DuplicateCode(_("Product code %(code)s already exists in this shop.") % {"code": code})
    if role not in ProductRole.values:
        raise TitleRejected(_("Unknown product role: %(role)s") % {"role": role})
    product = Product(
        shop=shop,
        code=code,
        title=validate_title(title=title, shop=shop),
        category=category,
        role=role,
        description=description,
        main_image_url=main_image_url,
    )
    product.full_clean()
    product.save()
    record_audit(actor=actor, action="product.create", obj=product, after={"title": product.title})
    return product


@transaction.atomic
def update_product(*, actor: Any, product: Product, **changes: Any) -> Product:
    """Change a product's descriptive fields; the title is checked against the channel's rules."""
    roles.require_fields(actor, product, ())
    unknown = set(changes) - set(PRODUCT_FIELDS)
    if unknown:
        raise TypeError(f"update_product does not change {sorted(unknown)}")
    if "title" in changes:
        changes["title"] = validate_title(title=changes["title"], shop=product.shop)
    _apply_changes(product, changes, actor=actor, action="product.update")
    return product


def _apply_changes(obj: Product | Sku, changes: dict[str, Any], *, actor: Any, action: str) -> None:
    """Set the fields that really change, validate, save only those, and audit them with before/after.

    Free text is compared as it will be stored (core.text cleans it), so a stray NUL is not a change and the
    audit trail records the stored value. Each changed field needs its own capability (roles.FIELD_CAPABILITIES):
    a form that sends back a field the person may not change, unchanged, is not refused.
    """
    before, after = {}, {}
    for field, value in changes.items():
        model_field = obj._meta.get_field(field)
        if isinstance(value, str) and isinstance(model_field, CleanCharField | CleanTextField):
            value = model_field.to_python(value)
        if getattr(obj, field) != value:
            before[field], after[field] = getattr(obj, field), value
    roles.require_fields(actor, obj, after)
    for field, value in after.items():
        setattr(obj, field, value)
    if after:
        obj.full_clean()
        obj.save(update_fields=[*after, "updated_at"])
        record_audit(actor=actor, action=action, obj=obj, before=before, after=after)


@transaction.atomic
def create_sku(
    *,
    actor: Any,
    product: Product,
    code: str,
    price: Decimal | str,
    cost: Decimal | str = "0",
    barcode: str = "",
    spec: str = "",
    weight_g: int = 0,
    safety_stock: int = 0,
) -> Sku:
    roles.require(actor, roles.EDIT_CATALOG)
    roles.require(actor, roles.CHANGE_PRICE)
    code = code.strip()
    if Sku.objects.filter(shop=product.shop, code=code).exists():
        raise DuplicateCode(_("SKU code %(code)s already exists in this shop.") % {"code": code})
    sku = Sku(
        product=product,
        shop=product.shop,
        code=code,
        price=_money(price, _("price")),
        cost=_money(cost, _("cost")),
        barcode=barcode,
        spec=spec,
        weight_g=weight_g,
        safety_stock=safety_stock,
        listing_status=ListingStatus.DRAFT,
    )
    sku.full_clean()
    sku.save()
    record_audit(actor=actor, action="sku.create", obj=sku, after={"price": sku.price, "cost": sku.cost})
    return sku


@transaction.atomic
def update_sku(*, actor: Any, sku: Sku, **changes: Any) -> Sku:
    """Change a SKU's descriptive fields: spec with edit_catalog; barcode, weight, safety stock with
    edit_sku_logistics (the warehouse keeps those, the designer and copywriter do not)."""
    roles.require_fields(actor, sku, ())
    unknown = set(changes) - set(SKU_FIELDS)
    if unknown:
        raise TypeError(f"update_sku does not change {sorted(unknown)}")
    _apply_changes(sku, changes, actor=actor, action="sku.update")
    return sku


@transaction.atomic
def set_price(
    *,
    actor: Any,
    sku: Sku,
    price: Decimal | str | None = None,
    cost: Decimal | str | None = None,
    note: str = "",
) -> Sku:
    """Change a SKU's price and/or cost, recording before and after.

    The price needs `change_price` (manager, operator), the cost `change_cost` (manager): margins and the price
    rule read it. A lower price below the cost, or deeper than the approval limit, does not apply: the SKU keeps
    its price and the new one waits for a manager (catalog.price_changes; `selectors.pending_price_change`
    tells the caller). The cost is applied first, so a new price is checked against the new cost.
    """
    roles.require(actor, roles.CHANGE_PRICE)
    new_price = _money(price, _("price")) if price is not None else None
    new_cost = _money(cost, _("cost")) if cost is not None else None
    sku = Sku.objects.select_for_update().get(pk=sku.pk)
    before, after = {}, {}
    if new_cost is not None and new_cost != sku.cost:
        roles.require(actor, roles.CHANGE_COST)
        before["cost"], after["cost"] = sku.cost, new_cost
        sku.cost = new_cost
    if new_price is not None and new_price != sku.price:
        check = price_changes.check_price(price_before=sku.price, price=new_price, cost=sku.cost)
        if check.needs_approval:
            price_changes.ask_for_approval(actor=actor, sku=sku, check=check, note=note)
        else:
            price_changes.replace_pending(actor=actor, sku=sku)
            before["price"], after["price"] = sku.price, new_price
            sku.price = new_price
    if after:
        sku.save(update_fields=[*after, "updated_at"])
        record_audit(actor=actor, action="sku.price", obj=sku, before=before, after=after, note=note)
    return sku


def _set_listing(obj: Product | Sku, *, actor: Any, status: str, reason: str, note: str) -> bool:
    if obj.listing_status == status and obj.delist_reason == reason:
        return False
    before = {"listing_status": obj.listing_status, "delist_reason": obj.delist_reason}
    obj.listing_status, obj.delist_reason = status, reason
    obj.save(update_fields=["listing_status", "delist_reason", "updated_at"])
    kind = "product" if isinstance(obj, Product) else "sku"
    record_audit(
        actor=actor,
        action=f"{kind}.{'list' if status == ListingStatus.LISTED else 'delist'}",
        obj=obj,
        before=before,
        after={"listing_status": status, "delist_reason": reason},
        note=note,
    )
    return True


def _refresh_product_listing(product: Product, *, actor: Any, note: str) -> None:
    """A product is on sale while any of its SKUs is; it follows its SKUs off sale when stock ran out."""
    statuses = list(product.skus.values_list("listing_status", "delist_reason"))
    any_listed = any(s == ListingStatus.LISTED for s, _r in statuses)
    if any_listed and (
        product.listing_status != ListingStatus.LISTED
        and (product.delist_reason == DelistReason.OUT_OF_STOCK or product.listing_status == ListingStatus.DRAFT)
    ):
        _set_listing(product, actor=actor, status=ListingStatus.LISTED, reason="", note=note)
    elif not any_listed and statuses and product.listing_status == ListingStatus.LISTED:
        reason = (
            DelistReason.OUT_OF_STOCK
            if all(r == DelistReason.OUT_OF_STOCK for _s, r in statuses)
            else DelistReason.MANUAL
        )
        _set_listing(product, actor=actor, status=ListingStatus.DELISTED, reason=reason, note=note)


@transaction.atomic
def list_product(*, actor: Any, product: Product, note: str = "") -> Product:
    """Put a product on sale with every SKU that has stock; SKUs without stock wait off sale
    (reason out_of_stock) and go on sale by themselves when stock arrives."""
    roles.require(actor, roles.CHANGE_LISTING)
    product = Product.objects.select_for_update().get(pk=product.pk)
    skus = list(product.skus.all())
    if not skus:
        raise ListingNotAllowed(_("A product without SKUs cannot go on sale."))
    available = stock.available_for(s.pk for s in skus)
    any_stock = False
    for sku in skus:
        has_stock = available is None or available.get(sku.pk, 0) > 0
        any_stock = any_stock or has_stock
        if has_stock:
            _set_listing(sku, actor=actor, status=ListingStatus.LISTED, reason="", note=note)
        else:
            _set_listing(sku, actor=actor, status=ListingStatus.DELISTED, reason=DelistReason.OUT_OF_STOCK, note=note)
    if any_stock:
        _set_listing(product, actor=actor, status=ListingStatus.LISTED, reason="", note=note)
    else:
        _set_listing(product, actor=actor, status=ListingStatus.DELISTED, reason=DelistReason.OUT_OF_STOCK, note=note)
    return product


@transaction.atomic
def delist_product(*, actor: Any, product: Product, reason: str = DelistReason.MANUAL, note: str = "") -> Product:
    roles.require(actor, roles.CHANGE_LISTING)
    if reason not in DelistReason.values or not reason:
        raise ListingNotAllowed(_("Unknown delist reason: %(reason)s") % {"reason": reason})
    product = Product.objects.select_for_update().get(pk=product.pk)
    for sku in product.skus.all():
        if sku.listing_status == ListingStatus.LISTED or sku.delist_reason == DelistReason.OUT_OF_STOCK:
            _set_listing(sku, actor=actor, status=ListingStatus.DELISTED, reason=reason, note=note)
    _set_listing(product, actor=actor, status=ListingStatus.DELISTED, reason=reason, note=note)
    return product


@transaction.atomic
def list_sku(*, actor: Any, sku: Sku, note: str = "") -> Sku:
    roles.require(actor, roles.CHANGE_LISTING)
    sku = Sku.objects.select_for_update().get(pk=sku.pk)
    available = stock.available_for([sku.pk])
    if available is not None and available.get(sku.pk, 0) <= 0:
        _set_listing(sku, actor=actor, status=ListingStatus.DELISTED, reason=DelistReason.OUT_OF_STOCK, note=note)
    else:
        _set_listing(sku, actor=actor, status=ListingStatus.LISTED, reason="", note=note)
    if sku.product.listing_status != ListingStatus.LISTED and sku.listing_status == ListingStatus.LISTED:
        _set_listing(sku.product, actor=actor, status=ListingStatus.LISTED, reason="", note=note)
    return sku


@transaction.atomic
def delist_sku(*, actor: Any, sku: Sku, reason: str = DelistReason.MANUAL, note: str = "") -> Sku:
    roles.require(actor, roles.CHANGE_LISTING)
    if reason not in DelistReason.values or not reason:
        raise ListingNotAllowed(_("Unknown delist reason: %(reason)s") % {"reason": reason})
    sku = Sku.objects.select_for_update().get(pk=sku.pk)
    _set_listing(sku, actor=actor, status=ListingStatus.DELISTED, reason=reason, note=note)
    _refresh_product_listing(sku.product, actor=actor, note=note)
    return sku


def sync_listing_with_stock(*, actor: Any, available: dict[int, int]) -> list[int]:
    """Apply the out-of-stock rule after a stock change (called by inventory, inside its transaction).

    A listed SKU whose available stock is 0 goes off sale with reason out_of_stock; a SKU taken off for that
    reason goes back on sale when stock returns. Manual delistings are never undone. Returns the SKU ids whose
    status changed. No permission check: the stock change that caused it was already authorised.
    """
    changed: list[int] = []
    candidates = (
        Sku.objects.select_related("product")
        .filter(pk__in=list(available))
        .filter(listing_status__in=[ListingStatus.LISTED, ListingStatus.DELISTED])
    )
    products: dict[int, Product] = {}
    for sku in candidates:
        units = available.get(sku.pk, 0)
        if units <= 0 and sku.listing_status == ListingStatus.LISTED:
            _set_listing(
                sku,
                actor=actor,
                status=ListingStatus.DELISTED,
                reason=DelistReason.OUT_OF_STOCK,
                note="auto: available reached 0",
            )
        elif units > 0 and sku.delist_reason == DelistReason.OUT_OF_STOCK:
            if sku.product.listing_status == ListingStatus.DELISTED and sku.product.delist_reason not in (
                DelistReason.OUT_OF_STOCK,
            ):
                continue  # the whole product was taken off by a person: stock coming back changes nothing
            _set_listing(sku, actor=actor, status=ListingStatus.LISTED, reason="", note="auto: stock is back")
        else:
            continue
        changed.append(sku.pk)
        products[sku.product_id] = sku.product
    for product in products.values():
        _refresh_product_listing(product, actor=actor, note="auto")
    return changed


def add_banned_words(*, actor: Any, words: Iterable[str], channel: str = "", reason: str = "") -> int:
    roles.require(actor, roles.MANAGE_SHOPS)
    created = 0
    for word in {w.strip() for w in words if w.strip()}:
        _obj, was_created = BannedWord.objects.get_or_create(word=word, channel=channel, defaults={"reason": reason})
        created += int(was_created)
    return created
