"""The pages of reviews (/market/reviews/) and complaint themes (/market/themes/). Views parse, call one service
or selector, render (docs/market.md)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.core import edges, roles
from zhanggui.market import charts, reviews, themes, watch_imports
from zhanggui.market.forms import ReviewImportForm, ThemeNameForm, ThemeRunForm
from zhanggui.market.models import Grade, Question, Theme
from zhanggui.market.watch_views import _day, _shop

#: Reviews listed on the page (the newest; the filters narrow them).
REVIEWS_SHOWN = 200


@login_required
@edges.guarded
def reviews_page(request: HttpRequest) -> HttpResponse:
    """The shop's reviews with filters, the review rate by week, 删评 and 问大家, and the upload."""
    shops, shop = _shop(request)
    status, report = 200, None
    upload_form = ReviewImportForm(initial={"shop": shop, "snapshot_day": timezone.localdate()})
    if request.method == "POST":
        edges.require(request, watch_imports.IMPORT_WATCH)
        upload_form = ReviewImportForm(request.POST, request.FILES)
        status = edges.FORM_ERROR
        if upload_form.is_valid():
            data = upload_form.cleaned_data
            upload, shop = data["file"], data["shop"]
            files = [(upload, upload.name or "upload")]
            if data["kind"] == "questions":
                report = reviews.import_questions(actor=request.user, shop=shop, files=files)
            else:
                report = reviews.import_reviews(
                    actor=request.user, shop=shop, files=files, snapshot_day=data["snapshot_day"]
                )
            status = 200 if report.ok else edges.FORM_ERROR
    context: dict[str, Any] = {
        "shops": shops,
        "shop": shop,
        "upload_form": upload_form,
        "report": report,
        "may_import": roles.holds(request.user, watch_imports.IMPORT_WATCH),
        "grades": Grade.choices,
    }
    if shop is not None:
        item = request.GET.get("item", "").strip()
        grade = request.GET.get("grade", "") if request.GET.get("grade") in Grade.values else ""
        rating = request.GET.get("rating", "")
        rating_n = int(rating) if rating in ("1", "2", "3", "4", "5") else None
        removed = {"yes": True, "no": False}.get(request.GET.get("removed", ""))
        until = _day(request.GET.get("day")) or timezone.localdate()
        rate = reviews.review_rate(shop=shop, until=until)
        found = reviews.reviews(shop=shop, item=item, grade=grade, removed=removed, rating=rating_n)
        context.update(
            item=item,
            grade=grade,
            rating=rating_n,
            removed=request.GET.get("removed", ""),
            reviews=found[:REVIEWS_SHOWN],
            review_count=found.count(),
            removed_reviews=reviews.removed_reviews(shop=shop)[:50],
            rate=rate,
            rate_weeks=rate[0].weeks if rate else [],
            rate_chart=charts.review_rate_chart(rate, "review-rate-chart") if rate else "",
            questions=Question.objects.filter(shop=shop).select_related("product").order_by("-day", "pk")[:50],
        )
    return render(request, "market/reviews.html", context, status=status)


@login_required
@edges.guarded
def themes_page(request: HttpRequest) -> HttpResponse:
    """The shop's complaint themes with their names, examples and counts by week and SKU; run them again."""
    shops, shop = _shop(request)
    status, run_form = 200, ThemeRunForm()
    if request.method == "POST" and shop is not None:
        edges.require(request, themes.EDIT_THEMES)
        run_form = ThemeRunForm(request.POST)
        if run_form.is_valid():
            done = themes.run(actor=request.user, shop=shop, k=run_form.cleaned_data["themes"])
            messages.success(
                request,
                _("%(sentences)s sentences in %(themes)s themes; %(kept)s names kept.")
                % {"sentences": done.sentences, "themes": done.themes, "kept": done.kept_names},
            )
            return redirect(f"{reverse('market:themes')}?{urlencode({'shop': shop.code})}")
        status = edges.FORM_ERROR
    context: dict[str, Any] = {
        "shops": shops,
        "shop": shop,
        "run_form": run_form,
        "may_edit": roles.holds(request.user, themes.EDIT_THEMES),
    }
    if shop is not None:
        weeks, found = themes.overview(shop=shop, until=timezone.localdate())
        context.update(weeks=weeks, themes=found, name_form=ThemeNameForm())
    return render(request, "market/themes.html", context, status=status)


@login_required
@edges.guarded
@require_POST
def theme_rename(request: HttpRequest, theme_id: int) -> HttpResponse:
    theme = get_object_or_404(Theme.objects.select_related("shop"), pk=theme_id)
    edges.require(request, themes.EDIT_THEMES)
    form = ThemeNameForm(request.POST)
    if form.is_valid():
        themes.rename(actor=request.user, theme=theme, name=form.cleaned_data["name"])
        messages.success(request, _("The theme's name is saved."))
    return redirect(f"{reverse('market:themes')}?{urlencode({'shop': theme.shop.code})}")
