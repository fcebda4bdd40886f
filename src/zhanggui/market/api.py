"""Market endpoints (docs/market.md): the keyword library and its import, a product's title reading and
suggestions, saving a title; rank observations and alerts, competitors and their snapshots, the category
board. Reading is open to every role; the import and the save check their capability in
the services."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, UploadedFile

from zhanggui.catalog.api import ERRORS, get_or_404
from zhanggui.catalog.models import Product, Shop
from zhanggui.market import board as board_selectors
from zhanggui.market import competitors, imports, ranks, reviews, selectors, services, studio, themes, watch_imports
from zhanggui.market.errors import KeywordsRejected, NoFeasibleTitle
from zhanggui.market.models import (
    CompetitorShop,
    ItemSnapshot,
    Question,
    RankObservation,
    Review,
    Theme,
    TitleChange,
)
from zhanggui.market.schemas import (
    AnalysisOut,
    BoardOut,
    CompetitorOut,
    DigestOut,
    KeywordImportOut,
    KeywordListOut,
    ObservationIn,
    ObservationOut,
    QuestionOut,
    RankAlertOut,
    ReviewOut,
    SuggestionsOut,
    ThemeNameIn,
    ThemeOut,
    ThemeRunIn,
    ThemeRunOut,
    TitleChangeOut,
    TitleIn,
    WatchImportOut,
)

router = Router(tags=["market"])
KeywordKind = Literal["sycm_keywords", "jd_keywords"]
Sort = Literal["potential", "popularity", "keyword", "day"]


def _shop(code: str) -> Shop:
    return get_or_404(Shop.objects.all(), _("Shop"), code=code)


def _product(product_id: int) -> Product:
    return get_or_404(Product.objects.select_related("shop"), _("Product"), pk=product_id)


@router.get("/keywords", response={200: KeywordListOut, **ERRORS})
def keyword_list(
    request,
    shop: str = Query(..., description="Shop code"),
    q: str = Query("", max_length=64, description="Keyword contains"),
    category: str = Query("", max_length=64),
    sort: Sort = "potential",
):
    """The shop's keywords at their latest day with their potential score (0–100), best first by default."""
    found = _shop(shop)
    rows = selectors.library(shop=found, q=q, category=category, sort=sort)
    return {"shop": found.code, "keywords": [row.__dict__ for row in rows]}


@router.post("/keywords/import", response={200: KeywordImportOut, **ERRORS})
def keyword_import(
    request,
    shop: Annotated[str, Form(description="Shop code")],
    file: Annotated[UploadedFile, File(description="生意参谋 / 京东商智 search terms: .csv (UTF-8 or GBK) or .xlsx")],
    kind: Annotated[KeywordKind | None, Form(description="The kind, when the header row should not decide")] = None,
):
    """Import one search-term export, all or nothing; the same file twice changes nothing. With refused rows:
    422 `import_rejected`, each row's file, line, column and reason in `details`."""
    report = imports.import_keywords(
        actor=request.auth, shop=_shop(shop), files=[(file, file.name or "upload")], kind=kind
    )
    if not report.ok:
        raise KeywordsRejected(
            _("%(count)s rows rejected; nothing was stored.") % {"count": report.rejected_rows}, **report.as_dict()
        )
    return report.as_dict()


@router.get("/titles/{product_id}", response={200: AnalysisOut, **ERRORS})
def title_analysis(request, product_id: int):
    """The product's title read against its shop's best keywords: words, bytes, waste, repeats, banned words,
    coverage."""
    product = _product(product_id)
    reading = studio.studio(product=product).reading
    return {
        "product_id": product.pk,
        **{name: getattr(reading, name) for name in ("title", "bytes", "limit", "wasted_bytes", "repeated")},
        "banned": reading.banned,
        "points": reading.points,
        "tokens": [token.__dict__ for token in reading.tokens],
        "coverage": [c.__dict__ for c in reading.coverage],
    }


@router.get("/titles/{product_id}/suggestions", response={200: SuggestionsOut, **ERRORS})
def title_suggestions(request, product_id: int, required: list[str] = Query([])):  # noqa: B008 - ninja
    """Titles within the byte limit of the largest keyword value, holding the `required` words (by default the
    shop's keep-whole words the title has). 422 `no_feasible_title` when the required words alone are too long."""
    product = _product(product_id)
    view = studio.studio(product=product, required=[w for w in required if w.strip()] or None)
    if view.infeasible:
        raise NoFeasibleTitle(_("The required words alone are longer than the platform's limit."))
    return {
        "product_id": product.pk,
        "limit": view.reading.limit,
        "required": view.required,
        "suggestions": [s.__dict__ for s in view.suggestions],
    }


@router.post("/titles/{product_id}", response={200: TitleChangeOut, **ERRORS})
def title_save(request, product_id: int, payload: TitleIn):
    """Save a new title (the catalog checks its length and banned words; the studio's banned words too); the
    change is kept in the history."""
    change = services.save_title(
        actor=request.auth, product=_product(product_id), title=payload.title, reason=payload.reason
    )
    return _change(change)


@router.get("/titles/{product_id}/history", response={200: list[TitleChangeOut], **ERRORS})
def title_history(request, product_id: int):
    return [_change(change) for change in selectors.title_changes(product=_product(product_id))]


def _change(change: TitleChange) -> dict[str, Any]:
    return {
        "id": change.pk,
        "product_id": change.product_id,
        "old_title": change.old_title,
        "new_title": change.new_title,
        "changed_at": change.changed_at,
        "changed_by": change.changed_by.get_username() if change.changed_by else "",
        "reason": change.reason,
    }


# --------------------------------------------------------------------------------------------------------
# Ranks, competitors, the board (docs/market.md)
# --------------------------------------------------------------------------------------------------------

Device_ = Literal["pc", "mobile"]
Platform = Literal["taobao", "tmall", "jd", "pdd"]


def _refused(report: watch_imports.WatchImportReport) -> dict[str, Any]:
    if not report.ok:
        raise KeywordsRejected(
            _("%(count)s rows rejected; nothing was stored.") % {"count": report.rejected_rows}, **report.as_dict()
        )
    return report.as_dict()


def _observation(row: RankObservation, shop_code: str) -> dict[str, Any]:
    return {
        "id": row.pk,
        "shop": shop_code,
        "day": row.day,
        "keyword": row.keyword.text,
        "item_id": row.item_id,
        "device": row.device,
        "position": row.position,
        "product_id": row.product_id,
        "competitor_item_id": row.competitor_item_id,
        "source": row.source,
    }


@router.get("/ranks", response={200: list[ObservationOut], **ERRORS})
def rank_list(
    request,
    shop: str = Query(..., description="Shop code"),
    start: date = Query(..., alias="from"),  # noqa: B008 - "from" is a keyword
    end: date = Query(..., alias="to"),  # noqa: B008 - "from" is a keyword
    keyword: str = Query("", max_length=64),
):
    """The shop's observations between two days (position None: not found in the pages searched)."""
    found = _shop(shop)
    rows = RankObservation.objects.filter(shop=found, day__range=(start, end)).select_related("keyword")
    if keyword:
        rows = rows.filter(keyword__text=keyword)
    return [_observation(row, found.code) for row in rows.order_by("day", "keyword__text", "item_id", "device")]


@router.post("/ranks/import", response={200: WatchImportOut, **ERRORS})
def rank_import(
    request,
    shop: Annotated[str, Form(description="Shop code")],
    file: Annotated[UploadedFile, File(description="A rank-tracking export: 日期, 关键词, 商品ID, 排名, 设备")],
    device: Annotated[Device_, Form(description="The device of a file without a 设备 column")] = "mobile",
):
    """Import a rank-tracking export, all or nothing (422 `import_rejected` with each row's line)."""
    return _refused(
        watch_imports.import_ranks(
            actor=request.auth, shop=_shop(shop), files=[(file, file.name or "upload")], device=device
        )
    )


@router.post("/ranks", response={200: ObservationOut, **ERRORS})
def rank_record(request, payload: ObservationIn):
    """One position typed by hand (the day's observation of that keyword, item and device is replaced)."""
    found = _shop(payload.shop)
    row = services.record_observation(
        actor=request.auth,
        shop=found,
        keyword=payload.keyword,
        item_id=payload.item_id,
        device=payload.device,
        day=payload.day,
        position=payload.position,
    )
    return _observation(row, found.code)


@router.get("/ranks/alerts", response={200: list[RankAlertOut], **ERRORS})
def rank_alerts(request, day: date, shop: str = Query("", description="Shop code; every shop when empty")):
    """The day's alerts of our items: off the first page, no longer found, or down more than the shop's N."""
    return [a.__dict__ for a in ranks.alerts(day=day, shop=_shop(shop) if shop else None)]


@router.get("/competitors", response={200: list[CompetitorOut], **ERRORS})
def competitor_list(request):
    """The competitor shops watched, their items and each item's latest snapshot."""
    watched = list(CompetitorShop.objects.prefetch_related("items"))
    latest: dict[int, ItemSnapshot] = {}
    for snap in ItemSnapshot.objects.order_by("item_id", "-day"):
        latest.setdefault(snap.item_id, snap)
    return [
        {
            "id": c.pk,
            "name": c.name,
            "platform": c.platform,
            "url": c.url,
            "items": [
                {
                    "id": i.pk,
                    "item_id": i.item_id,
                    "title": i.title,
                    "url": i.url,
                    "latest": latest[i.pk].__dict__ if i.pk in latest else None,
                }
                for i in c.items.all()
            ],
        }
        for c in watched
    ]


@router.post("/competitors/snapshots/import", response={200: WatchImportOut, **ERRORS})
def snapshot_import(
    request,
    file: Annotated[UploadedFile, File(description="A competitor-watch export: 日期, 店铺, 商品ID, 价格, 促销 …")],
    platform: Annotated[Platform, Form(description="The platform of shops not watched yet")] = "taobao",
):
    """Import competitor snapshots, all or nothing; shops and items not watched yet are added."""
    return _refused(
        watch_imports.import_snapshots(actor=request.auth, files=[(file, file.name or "upload")], platform=platform)
    )


@router.get("/competitors/digest", response={200: DigestOut, **ERRORS})
def competitor_digest(request, day: date | None = None):
    """The changes of `day` (the latest day with snapshots when omitted): price cuts, new promotions, sales
    jumps of 30 % or more, new main images."""
    day = day or competitors.latest_day()
    found = competitors.digest(day) if day else competitors.Digest(None, [])
    return {
        "day": found.day,
        "items": [{**item.__dict__, "changes": [c.__dict__ for c in item.changes]} for item in found.items],
    }


@router.post("/board/import", response={200: WatchImportOut, **ERRORS})
def board_import(
    request,
    shop: Annotated[str, Form(description="Shop code")],
    file: Annotated[UploadedFile, File(description="生意参谋 市场排行: 排名, 商品ID, 商品名称, 店铺名称 …")],
    category: Annotated[str, Form(max_length=64, description="The category of a file without 类目")] = "",
):
    """Import a market ranking, all or nothing; a day imported again is replaced."""
    return _refused(
        watch_imports.import_board(
            actor=request.auth, shop=_shop(shop), files=[(file, file.name or "upload")], category=category
        )
    )


@router.get("/board", response={200: BoardOut, **ERRORS})
def board_list(
    request,
    shop: str = Query(..., description="Shop code"),
    category: str = Query(..., max_length=64),
    day: date | None = None,
    top: int = Query(board_selectors.DEFAULT_TOP, ge=1, le=100),
):
    """The category's top items on `day` (its latest day when omitted) with their ranks over the 30 days."""
    found = _shop(shop)
    shown = board_selectors.board(shop=found, category=category, day=day, top=top)
    return {
        "shop": found.code,
        "category": shown.category,
        "day": shown.day,
        "days": shown.days,
        "items": [
            {
                **{
                    k: getattr(i.row, k)
                    for k in ("rank", "item_id", "title", "shop_name", "price", "trade_index", "traffic_index")
                },
                "previous_rank": i.previous_rank,
                "ranks": [r for _d, r in i.ranks],
            }
            for i in shown.items
        ],
    }


# --------------------------------------------------------------------------------------------------------
# Reviews, 问大家 and complaint themes (docs/market.md)
# --------------------------------------------------------------------------------------------------------

GradeQ = Literal["", "good", "neutral", "bad"]


def _review(row: Review, shop_code: str) -> dict[str, Any]:
    return {
        "shop": shop_code,
        **{
            k: getattr(row, k)
            for k in ("item_id", "review_id", "product_id", "sku_id", "day", "rating", "grade", "text", "buyer")
        },
        **{k: getattr(row, k) for k in ("order_no", "first_seen", "last_seen", "removed_on")},
        "id": row.pk,
    }


@router.post("/reviews/import", response={200: WatchImportOut, **ERRORS})
def review_import(
    request,
    shop: Annotated[str, Form(description="Shop code")],
    file: Annotated[UploadedFile, File(description="Reviews: 评价时间, 商品ID, 评价ID, 评价内容, 评分 …; or 问大家")],
    kind: Annotated[Literal["reviews", "questions"], Form()] = "reviews",
    snapshot_day: Annotated[date | None, Form(description="The reviews' snapshot day (today when empty)")] = None,
):
    """Import a review export (the items' snapshot on `snapshot_day`: 删评 flagged) or 问大家, all or nothing."""
    files = [(file, file.name or "upload")]
    if kind == "questions":
        return _refused(reviews.import_questions(actor=request.auth, shop=_shop(shop), files=files))
    return _refused(
        reviews.import_reviews(actor=request.auth, shop=_shop(shop), files=files, snapshot_day=snapshot_day)
    )


@router.get("/reviews", response={200: list[ReviewOut], **ERRORS})
def review_list(
    request,
    shop: str = Query(..., description="Shop code"),
    item: str = Query("", max_length=64, description="Item ID or product code"),
    grade: GradeQ = "",
    removed: bool | None = None,
    limit: int = Query(200, ge=1, le=1000),
):
    """The shop's reviews, newest first."""
    found = _shop(shop)
    rows = reviews.reviews(shop=found, item=item, grade=grade, removed=removed)[:limit]
    return [_review(row, found.code) for row in rows]


@router.get("/reviews/removed", response={200: list[ReviewOut], **ERRORS})
def review_removed(request, shop: str = Query(..., description="Shop code")):
    """删评: reviews missing from a snapshot after being in the one before, latest first."""
    found = _shop(shop)
    return [_review(row, found.code) for row in reviews.removed_reviews(shop=found)]


@router.get("/questions", response={200: list[QuestionOut], **ERRORS})
def question_list(request, shop: str = Query(..., description="Shop code")):
    """问大家 with their answers."""
    found = _shop(shop)
    return [
        {
            "id": q.pk,
            "item_id": q.item_id,
            "product_id": q.product_id,
            "day": q.day,
            "question": q.question,
            "answers": [a for a in q.answers.split("\n") if a],
        }
        for q in Question.objects.filter(shop=found).order_by("-day", "pk")
    ]


def _theme(view: themes.ThemeView, weeks: list[date]) -> dict[str, Any]:
    return {
        "id": view.theme.pk,
        "name": view.theme.name,
        "top_words": view.theme.top_words,
        "sentences": view.theme.sentences,
        "examples": [m.sentence for m in view.examples],
        "weeks": weeks,
        "by_week": view.by_week,
        "by_sku": dict(view.by_sku),
    }


@router.get("/themes", response={200: list[ThemeOut], **ERRORS})
def theme_list(request, shop: str = Query(..., description="Shop code")):
    """The shop's complaint themes with examples and counts by week (8 weeks) and SKU."""
    weeks, found = themes.overview(shop=_shop(shop), until=timezone.localdate())
    return [_theme(view, weeks) for view in found]


@router.post("/themes/run", response={200: ThemeRunOut, **ERRORS})
def theme_run(request, payload: ThemeRunIn):
    """Find the shop's themes again (names kept by top-word overlap)."""
    return themes.run(actor=request.auth, shop=_shop(payload.shop), k=payload.themes).__dict__


@router.post("/themes/{theme_id}", response={200: ThemeOut, **ERRORS})
def theme_rename(request, theme_id: int, payload: ThemeNameIn):
    """Name a theme (empty: unnamed); the name stays through re-runs."""
    theme = get_or_404(Theme.objects.select_related("shop"), _("Theme"), pk=theme_id)
    themes.rename(actor=request.auth, theme=theme, name=payload.name)
    weeks, found = themes.overview(shop=theme.shop, until=timezone.localdate())
    return _theme(next(v for v in found if v.theme.pk == theme.pk), weeks)
