"""Catalog pages: the product list, the product page and the SKU page with its stock ledger.

Every role reads; each write checks its right first (edges.require), calls one service and shows the
result. A refused write answers 403 and changes nothing; a rule the service enforces comes back as an error
on the form, with the input kept.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.catalog import selectors, services
from zhanggui.catalog.errors import TitleRejected
from zhanggui.catalog.forms import (
    AdjustForm,
    ListingForm,
    PriceForm,
    ProductFilterForm,
    ProductForm,
    SkuForm,
    TransferForm,
)
from zhanggui.catalog.models import ListingStatus, Product, Sku
from zhanggui.core import edges, roles
from zhanggui.core.selectors import audit_for
from zhanggui.inventory import selectors as stock_selectors
from zhanggui.inventory import services as stock_services

PAGE_SIZE = 50


@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    form = ProductFilterForm(request.GET or None)
    page = Paginator(form.products(), PAGE_SIZE).get_page(request.GET.get("page"))
    return edges.render_page(
        request,
        "catalog/product_list.html",
        {"form": form, "page": page},
        fragment="catalog/_product_results.html",
    )


# --------------------------------------------------------------------------------------------------------
# Product page
# --------------------------------------------------------------------------------------------------------


def _product_page(request: HttpRequest, product: Product, *, status: int = 200, **forms: Any) -> HttpResponse:
    skus = list(product.skus.all())
    totals = stock_selectors.stock_totals(s.pk for s in skus)
    rows = []
    for sku in skus:
        on_hand, reserved = totals[sku.pk]
        rows.append((sku, on_hand, reserved, on_hand - reserved))
    context = {
        "product": product,
        "rows": rows,
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
    balances = list(stock_selectors.balances_for(sku))
    on_hand = sum(b.on_hand for b in balances)
    reserved = sum(b.reserved for b in balances)
    main_warehouse = max(balances, key=lambda b: b.on_hand).warehouse_id if balances else None
    return {
        "sku": sku,
        "balances": balances,
        "on_hand": on_hand,
        "reserved": reserved,
        "available": on_hand - reserved,
        "moves": stock_selectors.ledger_for(sku),
        "audit": audit_for(sku)[:50],
        "price_form": forms.get("price_form") or PriceForm.for_sku(sku),
        "sku_form": forms.get("sku_form") or SkuForm.for_sku(sku),
        "listing_form": forms.get("listing_form") or ListingForm(),
        # The warehouse that holds the SKU is the likely one to correct or move from.
        "adjust_form": forms.get("adjust_form") or AdjustForm(initial={"warehouse": main_warehouse}),
        "transfer_form": forms.get("transfer_form") or TransferForm(initial={"source": main_warehouse}),
    }


def _sku_page(request: HttpRequest, sku: Sku, *, status: int = 200, **forms: Any) -> HttpResponse:
    return edges.render_page(request, "catalog/sku_detail.html", _sku_context(sku, **forms), status=status)


def _back_to_sku(sku: Sku, anchor: str = "") -> HttpResponse:
    return redirect(reverse("catalog:sku-detail", args=[sku.pk]) + (f"#{anchor}" if anchor else ""))


@login_required
def sku_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _sku_page(request, _sku(pk))


@login_required
@edges.guarded
@require_POST
def sku_price(request: HttpRequest, pk: int) -> HttpResponse:
    """Price and cost: saved in place with htmx (the card swaps itself), or a plain POST without JS."""
    edges.require(request, roles.CHANGE_PRICE)
    sku = _sku(pk)
    form = PriceForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with edges.form_errors(form) as outcome:
            sku = services.set_price(
                actor=request.user, sku=sku, price=data["price"], cost=data["cost"], note=data["note"]
            )
        if outcome.ok:
            if edges.wants_fragment(request):
                return edges.render_page(
                    request,
                    "catalog/_sku_price.html",
                    {"sku": sku, "price_form": PriceForm.for_sku(sku), "saved": True},
                )
            messages.success(request, _("Price saved."))
            return _back_to_sku(sku)
    if edges.wants_fragment(request):
        return edges.render_page(
            request, "catalog/_sku_price.html", {"sku": sku, "price_form": form}, status=edges.FORM_ERROR
        )
    return _sku_page(request, sku, price_form=form, status=edges.FORM_ERROR)


@login_required
@edges.guarded
@require_POST
def sku_edit(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, roles.EDIT_CATALOG)
    sku = _sku(pk)
    form = SkuForm(request.POST)
    if form.is_valid():
        with edges.form_errors(form) as outcome:
            services.update_sku(actor=request.user, sku=sku, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, _("SKU saved."))
            return _back_to_sku(sku)
        sku = _sku(pk)
    return _sku_page(request, sku, sku_form=form, status=edges.FORM_ERROR)


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
            return _back_to_sku(sku)
    return _sku_page(request, _sku(pk), listing_form=form, status=edges.FORM_ERROR)


@login_required
@edges.guarded
@require_POST
def sku_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    """Book a correction found outside a stocktake (damaged, found); the note saying why is required."""
    edges.require(request, roles.BOOK_STOCK)
    sku = _sku(pk)
    form = AdjustForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with edges.form_errors(form) as outcome:
            move = stock_services.adjust_stock(
                actor=request.user,
                sku=sku,
                warehouse=data["warehouse"],
                quantity=data["quantity"],
                note=data["note"],
            )
        if outcome.ok:
            messages.success(
                request,
                _("Adjustment booked: %(qty)+d in %(warehouse)s, on hand now %(on_hand)s.")
                % {"qty": move.quantity, "warehouse": data["warehouse"], "on_hand": move.on_hand_after},
            )
            return _back_to_sku(sku, "ledger")
    return _sku_page(request, _sku(pk), adjust_form=form, status=edges.FORM_ERROR)


@login_required
@edges.guarded
@require_POST
def sku_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, roles.BOOK_STOCK)
    sku = _sku(pk)
    form = TransferForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with edges.form_errors(form) as outcome:
            stock_services.transfer_stock(
                actor=request.user,
                sku=sku,
                source=data["source"],
                destination=data["destination"],
                quantity=data["quantity"],
                note=data["note"],
            )
        if outcome.ok:
            messages.success(
                request,
                _("Moved %(qty)s from %(source)s to %(destination)s.")
                % {"qty": data["quantity"], "source": data["source"], "destination": data["destination"]},
            )
            return _back_to_sku(sku, "ledger")
    return _sku_page(request, _sku(pk), transfer_form=form, status=edges.FORM_ERROR)
