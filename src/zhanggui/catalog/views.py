"""Catalog pages: the product list, the product page and the SKU page.

Every role reads; each write checks its right first (edges.require), calls one service and shows the
result. A refused write answers 403 and changes nothing; a rule the service enforces comes back as an error
on the form, with the input kept. Stock is inventory's: the figures come through catalog.stock, and the SKU
page's stock panel (tiles, ledger, adjust and transfer) is registered by inventory in catalog.panels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from zhanggui.catalog import images, lists, panels, price_changes, selectors, services, stock
from zhanggui.catalog.errors import TitleRejected
from zhanggui.catalog.forms import (
    ImageSkuForm,
    ImageUploadForm,
    ListingForm,
    PriceForm,
    ProductFilterForm,
    ProductForm,
    SkuForm,
)
from zhanggui.catalog.models import ListingStatus, Product, ProductImage, Sku
from zhanggui.core import edges, roles
from zhanggui.core.errors import DomainError, PermissionDeniedError, ValidationFailed
from zhanggui.core.listing import batch_message, list_response, run_batch
from zhanggui.core.selectors import audit_for

PAGE_SIZE = 50


@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    """Filters, sort, page size and the date range in the URL; ?export=xlsx|csv answers every filtered row."""
    form = ProductFilterForm(request.GET or None)
    listing, export = list_response(request, lists.PRODUCTS, form.products())
    if export is not None:
        return export
    thumbs = images.main_thumbs(p.pk for p in listing.page)
    for product in listing.page:
        product.thumb_url = thumbs.get(product.pk, "")
    return edges.render_page(
        request,
        "catalog/product_list.html",
        {"form": form, "page": listing.page, "listing": listing},
        fragment="catalog/_product_results.html",
    )


@login_required
@edges.guarded
@require_POST
def product_batch(request: HttpRequest) -> HttpResponse:
    """A batch action on the ticked products, then back to the list as it was (its filters kept)."""
    with edges.message_errors(request):
        action, result = run_batch(request, lists.PRODUCTS, selectors.products_for_list())
        (messages.warning if result.refused else messages.success)(request, batch_message(action, result))
    return redirect(edges.safe_next(request, reverse("catalog:product-list")))


# --------------------------------------------------------------------------------------------------------
# Product page
# --------------------------------------------------------------------------------------------------------


def _product_page(request: HttpRequest, product: Product, *, status: int = 200, **forms: Any) -> HttpResponse:
    skus = list(product.skus.all())
    reader = stock.reader()
    totals = reader.totals([s.pk for s in skus])
    available = reader.available([s.pk for s in skus])  # a 次品仓's units are on hand, not for sale
    rows = []
    for sku in skus:
        on_hand, reserved = totals[sku.pk]
        rows.append((sku, on_hand, reserved, available[sku.pk]))
    context = {
        "product": product,
        "rows": rows,
        **_images_context(product, skus, forms.get("upload_form")),
        "title_check": selectors.title_report(product, services.banned_words_for(product.shop.channel)),
        "edit_form": forms.get("edit_form") or ProductForm.for_product(product),
        "listing_form": forms.get("listing_form") or ListingForm(),
        "audit": audit_for(product)[:50],
    }
    return edges.render_page(request, "catalog/product_detail.html", context, status=status)


def _product(pk: int) -> Product:
    return get_object_or_404(Product.objects.select_related("shop", "category"), pk=pk)


@login_required
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _product_page(request, _product(pk))


@login_required
@edges.guarded
@require_POST
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, roles.EDIT_CATALOG)
    product = _product(pk)
    form = ProductForm(request.POST)
    if form.is_valid():
        with edges.form_errors(form, fields={TitleRejected: "title"}) as outcome:
            services.update_product(actor=request.user, product=product, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, _("Product saved."))
            return redirect("catalog:product-detail", pk=product.pk)
        product.refresh_from_db()
    return _product_page(request, product, edit_form=form, status=edges.FORM_ERROR)


@login_required
@edges.guarded
@require_POST
def product_listing(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, roles.CHANGE_LISTING)
    product = _product(pk)
    form = ListingForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with edges.form_errors(form) as outcome:
            if data["action"] == ListingForm.LIST:
                product = services.list_product(actor=request.user, product=product, note=data["note"])
            else:
                product = services.delist_product(
                    actor=request.user, product=product, reason=data["reason"], note=data["note"]
                )
        if outcome.ok:
            if product.listing_status == ListingStatus.LISTED:
                messages.success(request, _("The product is on sale."))
            elif data["action"] == ListingForm.LIST:
                messages.warning(request, _("No SKU has stock: the product goes on sale when stock arrives."))
            else:
                messages.success(request, _("The product is off sale."))
            return redirect("catalog:product-detail", pk=product.pk)
    return _product_page(request, _product(pk), listing_form=form, status=edges.FORM_ERROR)


# --------------------------------------------------------------------------------------------------------
# SKU page
# --------------------------------------------------------------------------------------------------------


def _sku(pk: int) -> Sku:
    return get_object_or_404(Sku.objects.select_related("product", "shop"), pk=pk)


def _sku_context(sku: Sku, **forms: Any) -> dict[str, Any]:
    return {
        **panels.context_for("sku", sku, forms),  # the stock panel (inventory): tiles, ledger, its forms
        "sku": sku,
        "audit": audit_for(sku)[:50],
        **_price_card(sku, forms.get("price_form")),
        "sku_form": forms.get("sku_form") or SkuForm.for_sku(sku),
        "listing_form": forms.get("listing_form") or ListingForm(),
    }


def _price_card(sku: Sku, form: PriceForm | None = None, **extra: Any) -> dict[str, Any]:
    """The price card's context: the form, today's margin, and a price waiting for (or refused by) a manager."""
    return {
        "sku": sku,
        "price_form": form or PriceForm.for_sku(sku),
        "price_check": price_changes.check_price(price_before=sku.price, price=sku.price, cost=sku.cost),
        "price_request": selectors.price_request_to_show(sku),
        **extra,
    }


def _price_margin(request: HttpRequest, sku: Sku) -> HttpResponse:
    """The margin of the price and cost being typed (htmx, as they are typed): nothing is saved."""
    form = PriceForm(request.POST)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    price, cost = data.get("price"), data.get("cost")
    check = None
    if price is not None:
        cost = cost if cost is not None else sku.cost
        check = price_changes.check_price(price_before=sku.price, price=price, cost=cost)
    return edges.render_page(request, "catalog/_price_margin.html", {"sku": sku, "price_check": check, "typed": True})


def sku_page(request: HttpRequest, sku: Sku, *, status: int = 200, **forms: Any) -> HttpResponse:
    """The SKU page, with the bound forms of a refused post (a panel's too: inventory's stock forms use it)."""
    return edges.render_page(request, "catalog/sku_detail.html", _sku_context(sku, **forms), status=status)


def back_to_sku(sku: Sku, anchor: str = "") -> HttpResponse:
    return redirect(reverse("catalog:sku-detail", args=[sku.pk]) + (f"#{anchor}" if anchor else ""))


@login_required
def sku_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return sku_page(request, _sku(pk))


@login_required
@edges.guarded
@require_POST
def sku_price(request: HttpRequest, pk: int) -> HttpResponse:
    """Price and cost: saved in place with htmx (the card swaps itself), or a plain POST without JS; `check=1`
    only answers the margin of what is typed. A price below cost or cut deeper than the approval limit waits
    for a manager (catalog.price_changes): the card then says so and the SKU keeps its price."""
    edges.require(request, roles.CHANGE_PRICE)
    sku = _sku(pk)
    if request.POST.get("check"):
        return _price_margin(request, sku)
    form = PriceForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with edges.form_errors(form) as outcome:
            sku = services.set_price(
                actor=request.user, sku=sku, price=data["price"], cost=data["cost"], note=data["note"]
            )
        if outcome.ok:
            waiting = sku.price != data["price"] and selectors.pending_price_change(sku) is not None
            if edges.wants_fragment(request):
                card = _price_card(sku, saved=not waiting, waiting=waiting)
                return edges.render_page(request, "catalog/_sku_price.html", card)
            if waiting:
                messages.warning(
                    request,
                    _("¥%(price)s waits for a manager's approval; the SKU keeps ¥%(current)s until then.")
                    % {"price": data["price"], "current": sku.price},
                )
            else:
                messages.success(request, _("Price saved."))
            return back_to_sku(sku)
    if edges.wants_fragment(request):
        return edges.render_page(request, "catalog/_sku_price.html", _price_card(sku, form), status=edges.FORM_ERROR)
    return sku_page(request, sku, price_form=form, status=edges.FORM_ERROR)


@login_required
@edges.guarded
@require_POST
def sku_edit(request: HttpRequest, pk: int) -> HttpResponse:
    roles.require_fields(request.user, Sku, ())  # any field of the SKU: the warehouse keeps barcode and weight
    sku = _sku(pk)
    form = SkuForm(request.POST)
    if form.is_valid():
        with edges.form_errors(form) as outcome:
            services.update_sku(actor=request.user, sku=sku, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, _("SKU saved."))
            return back_to_sku(sku)
        sku = _sku(pk)
    return sku_page(request, sku, sku_form=form, status=edges.FORM_ERROR)


@login_required
@edges.guarded
@require_POST
def sku_listing(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, roles.CHANGE_LISTING)
    sku = _sku(pk)
    form = ListingForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with edges.form_errors(form) as outcome:
            if data["action"] == ListingForm.LIST:
                sku = services.list_sku(actor=request.user, sku=sku, note=data["note"])
            else:
                sku = services.delist_sku(actor=request.user, sku=sku, reason=data["reason"], note=data["note"])
        if outcome.ok:
            if sku.listing_status == ListingStatus.LISTED:
                messages.success(request, _("The SKU is on sale."))
            elif data["action"] == ListingForm.LIST:
                messages.warning(request, _("The SKU has no stock: it goes on sale when stock arrives."))
            else:
                messages.success(request, _("The SKU is off sale."))
            return back_to_sku(sku)
    return sku_page(request, _sku(pk), listing_form=form, status=edges.FORM_ERROR)


# --------------------------------------------------------------------------------------------------------
# Product pictures (catalog.images): upload, main image, gallery order, SKU, delete
# --------------------------------------------------------------------------------------------------------


def _images_context(product: Product, skus: list[Sku], upload_form: ImageUploadForm | None = None) -> dict[str, Any]:
    """The pictures card's context; each SKU gets `.image`, the picture its row in the SKU table shows."""
    gallery = images.gallery_for(product)
    for sku in skus:
        sku.image = gallery.by_sku.get(sku.pk)  # type: ignore[attr-defined]
    return {
        "gallery": gallery,
        "image_skus": skus,
        "image_rules": images.rules_for(product.shop.channel),
        "upload_form": upload_form or ImageUploadForm(product=product),
    }


def _back_to_images(product: Product) -> HttpResponse:
    return redirect(reverse("catalog:product-detail", args=[product.pk]) + "#images")


@login_required
@edges.guarded
@require_POST
def product_images(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload pictures: each file is checked on its own, so a refused one is named with the rule it breaks while
    the others are kept; the form keeps its choices for the next try."""
    edges.require(request, roles.EDIT_CATALOG)
    product = _product(pk)
    form = ImageUploadForm(request.POST, request.FILES, product=product)
    if form.is_valid():
        data = form.cleaned_data
        with edges.form_errors(form, fields={images.ImageRejected: "files"}) as outcome:
            result = images.upload_images(
                actor=request.user, product=product, uploads=data["files"], kind=data["kind"], sku=data["sku"]
            )
        if outcome.ok:
            if result.added:
                count = len(result.added)
                messages.success(
                    request, ngettext("%(count)d picture added.", "%(count)d pictures added.", count) % {"count": count}
                )
            if not result.refused:
                return _back_to_images(product)
            for refusal in result.refused:
                form.add_error("files", refusal.message)
    return _product_page(request, product, upload_form=form, status=edges.FORM_ERROR)


def _image_action(request: HttpRequest, pk: int, change: Callable[[ProductImage], object]) -> HttpResponse:
    """Run one change on a picture, then answer the pictures card (htmx) or the product page. A rule the change
    breaks (a gallery picture that is not square made the main image) is said on the card."""
    edges.require(request, roles.EDIT_CATALOG)
    try:
        image = images.image_of(pk)
    except ProductImage.DoesNotExist:
        raise Http404 from None
    error = ""
    try:
        change(image)
    except PermissionDeniedError:
        raise
    except DomainError as exc:
        error = exc.message
    product = _product(image.product_id)
    if edges.wants_fragment(request):
        skus = list(product.skus.all())
        context = {"product": product, "card_error": error, "oob": True, **_images_context(product, skus)}
        status = edges.FORM_ERROR if error else 200
        return edges.render_page(request, "catalog/_product_images.html", context, status=status)
    if error:
        messages.error(request, error)
    return _back_to_images(product)


@login_required
@edges.guarded
@require_POST
def image_main(request: HttpRequest, pk: int) -> HttpResponse:
    return _image_action(request, pk, lambda image: images.set_main_image(actor=request.user, image=image))


@login_required
@edges.guarded
@require_POST
def image_move(request: HttpRequest, pk: int) -> HttpResponse:
    step = -1 if request.POST.get("direction") == "up" else 1
    return _image_action(request, pk, lambda image: images.move_image(actor=request.user, image=image, step=step))


@login_required
@edges.guarded
@require_POST
def image_sku(request: HttpRequest, pk: int) -> HttpResponse:
    def change(image: ProductImage) -> object:
        form = ImageSkuForm(request.POST, product=image.product)
        if not form.is_valid():
            raise ValidationFailed(_("Choose one of this product's SKUs."))
        return images.set_image_sku(actor=request.user, image=image, sku=form.cleaned_data["sku"])

    return _image_action(request, pk, change)


@login_required
@edges.guarded
@require_POST
def image_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _image_action(request, pk, lambda image: images.delete_image(actor=request.user, image=image))
