"""The market's pages: the title studio (/market/titles/) and the keyword library (/market/keywords/).
Views parse, call one service or selector, render (docs/market.md)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from zhanggui.catalog.errors import TitleRejected
from zhanggui.catalog.models import Product, Shop
from zhanggui.core import edges, roles
from zhanggui.market import imports, selectors, services, studio
from zhanggui.market.errors import TitleNotSaved
from zhanggui.market.forms import KeywordImportForm, LibraryFilterForm, ShopWordsForm, TitleForm
from zhanggui.market.models import ShopWord


def _studio_url(product: Product, required: list[str] | None = None) -> str:
    query: list[tuple[str, Any]] = [("product", product.pk), *(("required", w) for w in required or [])]
    return f"{reverse('market:titles')}?{urlencode(query)}"


@login_required
@edges.guarded
def titles(request: HttpRequest) -> HttpResponse:
    """The studio: find a product, read its title, see suggestions, save a new title, see the history."""
    q = request.GET.get("q", "").strip()
    found = selectors.find_products(q=q) if q else []
    product = None
    if request.GET.get("product", "").isdigit():
        product = get_object_or_404(Product.objects.select_related("shop"), pk=int(request.GET["product"]))
    status = 200
    form = TitleForm()
    if request.method == "POST" and product is not None:
        edges.require(request, services.EDIT_TITLES)
        form = TitleForm(request.POST)
        if form.is_valid():
            with edges.form_errors(form, fields={TitleNotSaved: "title", TitleRejected: "title"}) as outcome:
                services.save_title(
                    actor=request.user,
                    product=product,
                    title=form.cleaned_data["title"],
                    reason=form.cleaned_data["reason"],
                )
            if outcome.ok:
                messages.success(request, _("The new title is saved."))
                return redirect(_studio_url(product))
        status = edges.FORM_ERROR
    context: dict[str, Any] = {"q": q, "found": found, "product": product, "form": form}
    if product is not None:
        required = [w for w in request.GET.getlist("required") if w.strip()]
        view = studio.studio(product=product, required=required or None)
        if request.method != "POST":
            form = TitleForm(initial={"title": product.title})
        context.update(
            form=form,
            view=view,
            words_form=ShopWordsForm(),
            may_edit=roles.holds(request.user, services.EDIT_TITLES),
        )
    return render(request, "market/titles.html", context, status=status)


@login_required
@edges.guarded
def shop_words_add(request: HttpRequest, product_id: int) -> HttpResponse:
    """Add words to the dictionary of the product's shop, then back to the studio on that product."""
    product = get_object_or_404(Product.objects.select_related("shop"), pk=product_id)
    edges.require(request, services.EDIT_TITLES)
    form = ShopWordsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with edges.message_errors(request) as outcome:
            added = services.add_shop_words(
                actor=request.user, shop=product.shop, kind=form.cleaned_data["kind"], words=form.cleaned_words()
            )
        if outcome.ok:
            messages.success(request, _("%(count)s words added to the shop's dictionary.") % {"count": added})
    elif request.method == "POST":
        messages.error(request, _("Type at least one word."))
    return redirect(_studio_url(product))


@login_required
@edges.guarded
def shop_word_remove(request: HttpRequest, word_id: int) -> HttpResponse:
    word = get_object_or_404(ShopWord.objects.select_related("shop"), pk=word_id)
    edges.require(request, services.EDIT_TITLES)
    if request.method == "POST":
        services.remove_shop_word(actor=request.user, word=word)
        messages.success(request, _("%(word)s is no longer in the shop's dictionary.") % {"word": word.word})
    return redirect(edges.safe_next(request, reverse("market:titles")))


@login_required
@edges.guarded
def keywords(request: HttpRequest) -> HttpResponse:
    """The keyword library of a shop: filters, sort by potential, long-tail words, and the upload."""
    shops = list(Shop.objects.order_by("code"))
    shop = next((s for s in shops if s.code == request.GET.get("shop")), shops[0] if shops else None)
    report = None
    status = 200
    if request.method == "POST":
        edges.require(request, imports.IMPORT_KEYWORDS)
        upload_form = KeywordImportForm(request.POST, request.FILES)
        if upload_form.is_valid():
            upload = upload_form.cleaned_data["file"]
            shop = upload_form.cleaned_data["shop"]
            with edges.form_errors(upload_form) as outcome:
                report = imports.import_keywords(
                    actor=request.user,
                    shop=shop,
                    files=[(upload, upload.name or "upload")],
                    kind=upload_form.cleaned_data["kind"] or None,
                )
            if not outcome.ok or report is None or not report.ok:
                status = edges.FORM_ERROR
        else:
            status = edges.FORM_ERROR
    else:
        upload_form = KeywordImportForm(initial={"shop": shop})
    filters = LibraryFilterForm(request.GET or None)
    q = category = ""
    sort = "potential"
    if filters.is_valid():
        q, category = filters.cleaned_data["q"], filters.cleaned_data["category"]
        sort = filters.cleaned_data["sort"] or "potential"
    context = {
        "shops": shops,
        "shop": shop,
        "filters": filters,
        "upload_form": upload_form,
        "report": report,
        "rows": selectors.library(shop=shop, q=q, category=category, sort=sort) if shop else [],
        "categories": selectors.categories(shop=shop) if shop else [],
        "long_tail": selectors.long_tail(shop=shop) if shop else [],
        "may_import": roles.holds(request.user, imports.IMPORT_KEYWORDS),
    }
    return render(request, "market/keywords.html", context, status=status)
