"""The pages of rank tracking (/market/ranks/), competitor watch (/market/competitors/) and the category board
(/market/board/). Views parse, call one service or selector, render (docs/market.md)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Shop
from zhanggui.core import edges, roles
from zhanggui.market import board as board_selectors
from zhanggui.market import charts, competitors, ranks, services, watch_imports
from zhanggui.market.forms import (
    BoardImportForm,
    CompetitorItemForm,
    CompetitorShopForm,
    DropAlertForm,
    ObservationForm,
    RankImportForm,
    SnapshotImportForm,
)
from zhanggui.market.models import CompetitorShop, Device, ItemSnapshot, RankObservation

#: The keywords drawn on the ranks page (the others are in the table).
CHARTS_SHOWN = 6
PERIOD_DAYS = 30


def _day(text: str | None) -> date | None:
    """A day from the address or the form; None when it is not one, or not one the desk can hold."""
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day is None or services.FIRST_DAY <= day <= services.LAST_DAY else None


def _shop(request: HttpRequest) -> tuple[list[Shop], Shop | None]:
    shops = list(Shop.objects.order_by("code"))
    code = request.POST.get("shop_code") or request.GET.get("shop")
    return shops, next((s for s in shops if s.code == code), shops[0] if shops else None)


@login_required
@edges.guarded
def ranks_page(request: HttpRequest) -> HttpResponse:
    """Positions of our items and competitors' for the shop's keywords: the day's alerts, trend charts, the
    latest positions, the upload and a form to type one."""
    shops, shop = _shop(request)
    status, report = 200, None
    upload_form = RankImportForm(initial={"shop": shop})
    typed_form = ObservationForm(initial={"shop": shop, "day": timezone.localdate()})
    setting_form = DropAlertForm(initial={"places": ranks.drop_setting(shop) if shop else ranks.DEFAULT_DROP})
    if request.method == "POST":
        edges.require(request, watch_imports.IMPORT_WATCH)
        action = request.POST.get("action")
        if action == "import":
            upload_form = RankImportForm(request.POST, request.FILES)
            status = edges.FORM_ERROR
            if upload_form.is_valid():
                upload, shop = upload_form.cleaned_data["file"], upload_form.cleaned_data["shop"]
                report = watch_imports.import_ranks(
                    actor=request.user,
                    shop=shop,
                    files=[(upload, upload.name or "upload")],
                    device=upload_form.cleaned_data["device"],
                )
                status = 200 if report.ok else edges.FORM_ERROR
        elif action == "observe":
            typed_form = ObservationForm(request.POST)
            if typed_form.is_valid():
                data = typed_form.cleaned_data
                with edges.form_errors(typed_form) as outcome:
                    services.record_observation(
                        actor=request.user,
                        shop=data["shop"],
                        keyword=data["keyword"],
                        item_id=data["item_id"],
                        device=data["device"],
                        day=data["day"],
                        position=data["position"],
                    )
                if outcome.ok:
                    messages.success(request, _("The position is recorded."))
                    return redirect(f"{reverse('market:ranks')}?{urlencode({'shop': data['shop'].code})}")
            status = edges.FORM_ERROR
        elif action == "setting" and shop is not None:
            setting_form = DropAlertForm(request.POST)
            if setting_form.is_valid():
                with edges.form_errors(setting_form) as outcome:
                    services.set_rank_drop_alert(
                        actor=request.user, shop=shop, places=setting_form.cleaned_data["places"]
                    )
                if outcome.ok:
                    messages.success(request, _("The alert setting is saved."))
                    return redirect(f"{reverse('market:ranks')}?{urlencode({'shop': shop.code})}")
            status = edges.FORM_ERROR
    context: dict[str, Any] = {
        "shops": shops,
        "shop": shop,
        "upload_form": upload_form,
        "typed_form": typed_form,
        "setting_form": setting_form,
        "report": report,
        "may_import": roles.holds(request.user, watch_imports.IMPORT_WATCH),
        "devices": Device.choices,
    }
    if shop is not None:
        latest = RankObservation.objects.filter(shop=shop).order_by("-day").values_list("day", flat=True).first()
        day = _day(request.GET.get("day")) or latest or timezone.localdate()
        keyword = request.GET.get("keyword", "").strip()
        device = request.GET.get("device", "") if request.GET.get("device") in Device.values else ""
        found = ranks.series(
            shop=shop, start=day - timedelta(days=PERIOD_DAYS - 1), end=day, keyword=keyword, device=device
        )
        by_keyword: dict[str, list[ranks.Series]] = {}
        for s in found:
            by_keyword.setdefault(s.keyword, []).append(s)
        context.update(
            day=day,
            keyword=keyword,
            device=device,
            keywords=ranks.keywords_tracked(shop=shop),
            alerts=ranks.alerts(day=day, shop=shop),
            drop=ranks.drop_setting(shop),
            series=found,
            page_size={d: ranks.page_size(shop.channel, d) for d in Device.values},
            charts=[
                {"keyword": k, "html": charts.rank_chart(s, f"rank-chart-{n}")}
                for n, (k, s) in enumerate(list(by_keyword.items())[:CHARTS_SHOWN])
            ],
        )
    return render(request, "market/ranks.html", context, status=status)


@login_required
@edges.guarded
def competitors_page(request: HttpRequest) -> HttpResponse:
    """The competitor shops and items watched with each item's latest snapshot, the day's changes, the forms to
    add a shop or an item and the snapshot upload."""
    status, report = 200, None
    shop_form, item_form, upload_form = CompetitorShopForm(), CompetitorItemForm(), SnapshotImportForm()
    if request.method == "POST":
        edges.require(request, watch_imports.IMPORT_WATCH)
        action = request.POST.get("action")
        status = edges.FORM_ERROR
        if action == "shop":
            shop_form = CompetitorShopForm(request.POST)
            if shop_form.is_valid():
                with edges.form_errors(shop_form) as outcome:
                    services.add_competitor_shop(actor=request.user, **shop_form.cleaned_data)
                if outcome.ok:
                    messages.success(request, _("The competitor shop is watched."))
                    return redirect("market:competitors")
        elif action == "item":
            item_form = CompetitorItemForm(request.POST)
            if item_form.is_valid():
                with edges.form_errors(item_form) as outcome:
                    services.add_competitor_item(actor=request.user, **item_form.cleaned_data)
                if outcome.ok:
                    messages.success(request, _("The competitor item is watched."))
                    return redirect("market:competitors")
        elif action == "import":
            upload_form = SnapshotImportForm(request.POST, request.FILES)
            if upload_form.is_valid():
                upload = upload_form.cleaned_data["file"]
                report = watch_imports.import_snapshots(
                    actor=request.user,
                    files=[(upload, upload.name or "upload")],
                    platform=upload_form.cleaned_data["platform"],
                )
                status = 200 if report.ok else edges.FORM_ERROR
    day = _day(request.GET.get("day")) or competitors.latest_day()
    digest = competitors.digest(day) if day else competitors.Digest(None, [])
    watched = list(CompetitorShop.objects.prefetch_related("items"))
    latest: dict[int, ItemSnapshot] = {}
    for snap in ItemSnapshot.objects.filter(item__competitor__in=watched).order_by("item_id", "-day"):
        latest.setdefault(snap.item_id, snap)
    context = {
        "digest": digest,
        "watched": [
            {
                "shop": c,
                "items": [(i, latest.get(i.pk), competitors.indices(latest.get(i.pk))) for i in c.items.all()],
            }
            for c in watched
        ],
        "shop_form": shop_form,
        "item_form": item_form,
        "upload_form": upload_form,
        "report": report,
        "may_import": roles.holds(request.user, watch_imports.IMPORT_WATCH),
    }
    return render(request, "market/competitors.html", context, status=status)


@login_required
@edges.guarded
def board_page(request: HttpRequest) -> HttpResponse:
    """A category's top N items on a day with their rank trend, and the upload."""
    shops, shop = _shop(request)
    status, report = 200, None
    upload_form = BoardImportForm(initial={"shop": shop})
    if request.method == "POST":
        edges.require(request, watch_imports.IMPORT_WATCH)
        upload_form = BoardImportForm(request.POST, request.FILES)
        status = edges.FORM_ERROR
        if upload_form.is_valid():
            upload, shop = upload_form.cleaned_data["file"], upload_form.cleaned_data["shop"]
            report = watch_imports.import_board(
                actor=request.user,
                shop=shop,
                files=[(upload, upload.name or "upload")],
                category=upload_form.cleaned_data["category"],
            )
            status = 200 if report.ok else edges.FORM_ERROR
    context: dict[str, Any] = {
        "shops": shops,
        "shop": shop,
        "upload_form": upload_form,
        "report": report,
        "may_import": roles.holds(request.user, watch_imports.IMPORT_WATCH),
    }
    if shop is not None:
        categories = board_selectors.categories(shop=shop)
        category = request.GET.get("category") if request.GET.get("category") in categories else ""
        category = category or (categories[0] if categories else "")
        top = request.GET.get("top", "")
        top_n = min(int(top), 100) if top.isdigit() and int(top) > 0 else board_selectors.DEFAULT_TOP
        shown = board_selectors.board(shop=shop, category=category, day=_day(request.GET.get("day")), top=top_n)
        context.update(
            categories=categories,
            category=category,
            top=top_n,
            board=shown,
            chart=charts.board_chart(shown, "board-chart") if shown.items else "",
        )
    return render(request, "market/board.html", context, status=status)
