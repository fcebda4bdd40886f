"""Reads of the market: the keyword library with its potential scores, the shop's dictionary, long-tail words,
the history of title changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from zhanggui.analytics.models import AdDay
from zhanggui.catalog import selectors as catalog_selectors
from zhanggui.catalog import services as catalog_services
from zhanggui.catalog.models import Product, Shop
from zhanggui.market.keywords import normalize_keyword, points, potential_scores, raw_potential
from zhanggui.market.models import KeywordDay, ShopWord, ShopWordKind, TitleChange
from zhanggui.market.titles import DEFAULT_BANNED, ScoredKeyword, words_of

#: How many of the best keywords the studio checks a title against and draws suggestions from.
TOP_KEYWORDS = 20
SORTS = ("potential", "popularity", "keyword", "day")


@dataclass
class LibraryRow:
    """A keyword of the shop with the figures of its latest day and its potential score among the shop's."""

    keyword: str
    day: date
    search_popularity: int | None
    click_rate: Decimal | None
    conversion: Decimal | None
    competing_listings: int | None
    category: str
    raw: Decimal | None
    score: Decimal | None
    days: int  # how many days of it the library holds


def library(*, shop: Shop, q: str = "", category: str = "", sort: str = "potential") -> list[LibraryRow]:
    """Each keyword of the shop at its latest day, scored against every other keyword's latest day (the score
    does not depend on the filter), filtered by text and category, sorted (potential: best first, unknown last)."""
    latest: dict[int, KeywordDay] = {}
    counts: dict[int, int] = {}
    for row in KeywordDay.objects.filter(shop=shop).select_related("keyword").order_by("keyword_id", "-day"):
        latest.setdefault(row.keyword_id, row)
        counts[row.keyword_id] = counts.get(row.keyword_id, 0) + 1
    raws = {
        pk: raw_potential(
            search_popularity=row.search_popularity,
            click_rate=row.click_rate,
            conversion=row.conversion,
            competing_listings=row.competing_listings,
        )
        for pk, row in latest.items()
    }
    scores = potential_scores(raws)
    rows = [
        LibraryRow(
            keyword=row.keyword.text,
            day=row.day,
            search_popularity=row.search_popularity,
            click_rate=row.click_rate,
            conversion=row.conversion,
            competing_listings=row.competing_listings,
            category=row.category,
            raw=raws[pk],
            score=scores[pk],
            days=counts[pk],
        )
        for pk, row in latest.items()
    ]
    needle = normalize_keyword(q)
    if needle:
        rows = [row for row in rows if needle in row.keyword]
    if category:
        rows = [row for row in rows if row.category == category]
    if sort == "popularity":
        rows.sort(key=lambda r: (-(r.search_popularity or 0), r.keyword))
    elif sort == "keyword":
        rows.sort(key=lambda r: r.keyword)
    elif sort == "day":
        rows.sort(key=lambda r: (r.day, r.keyword), reverse=True)
    else:
        rows.sort(key=lambda r: (r.score is None, -(r.score or 0), r.keyword))
    return rows


def categories(*, shop: Shop) -> list[str]:
    return sorted(set(KeywordDay.objects.filter(shop=shop).exclude(category="").values_list("category", flat=True)))


def top_keywords(*, shop: Shop, count: int = TOP_KEYWORDS) -> list[ScoredKeyword]:
    """The shop's best keywords by potential (those with a score above 0), best first."""
    rows = [row for row in library(shop=shop) if row.score]
    return [ScoredKeyword(row.keyword, row.score, points(row.score)) for row in rows[:count] if row.score]


def keep_words(*, shop: Shop) -> list[str]:
    return list(ShopWord.objects.filter(shop=shop, kind=ShopWordKind.KEEP).values_list("word", flat=True))


def shop_banned_words(*, shop: Shop) -> list[str]:
    return list(ShopWord.objects.filter(shop=shop, kind=ShopWordKind.BANNED).values_list("word", flat=True))


def banned_words(*, shop: Shop) -> list[str]:
    """Every word the shop's titles must not use: the 广告法 default list, the catalog's for the platform, the
    shop's own."""
    words = [*DEFAULT_BANNED, *catalog_services.banned_words_for(shop.channel), *shop_banned_words(shop=shop)]
    return list(dict.fromkeys(words))


def shop_words(*, shop: Shop) -> list[ShopWord]:
    return list(ShopWord.objects.filter(shop=shop))


@dataclass
class LongTail:
    """A longer search term built on a word our titles use: the head word, the term, where it was found (the
    keyword library, with its score, or the ad reports' keywords, with the clicks they brought)."""

    head: str
    keyword: str
    score: Decimal | None
    in_titles: bool  # some title of the shop already holds every word of it
    source: str = "library"  # "library" or "ads"
    clicks: int | None = None  # ads: the clicks of the last AD_DAYS days


#: How far back the ad reports' keywords are read for long-tail words.
AD_DAYS = 90


def long_tail(*, shop: Shop, limit: int = 50, today: date | None = None) -> list[LongTail]:
    """Long-tail words: search terms longer than a word of the shop's own titles and holding it — the keyword
    library's (by potential), then the keywords of the imported ad reports (直通车/京东快车 keyword rows, by the
    clicks of the last 90 days) that the library does not hold. The traffic reports we import carry no search
    terms; the ad reports' keyword rows are the search terms buyers reached the shop's ads with."""
    keep = keep_words(shop=shop)
    titles = list(Product.objects.filter(shop=shop).values_list("title", flat=True))
    title_words: set[str] = set()
    for title in titles:
        title_words.update(normalize_keyword(w) for w in words_of(title, keep) if len(w) >= 2)

    def built_on(term: str) -> tuple[str, bool] | None:
        words = [normalize_keyword(w) for w in words_of(term, keep)]
        heads = [w for w in words if w in title_words and w != term]
        if not heads or len(words) < 2:
            return None
        return heads[0], set(words) <= title_words

    found: list[LongTail] = []
    seen: set[str] = set()
    for row in library(shop=shop):
        seen.add(normalize_keyword(row.keyword))
        hit = built_on(row.keyword)
        if hit is not None:
            found.append(LongTail(hit[0], row.keyword, row.score, hit[1]))
    since = (today or timezone.localdate()) - timedelta(days=AD_DAYS)
    ads = (
        AdDay.objects.filter(shop=shop, day__gte=since)
        .exclude(keyword="")
        .values("keyword")
        .annotate(clicks=Sum("clicks"))
        .order_by("-clicks", "keyword")
    )
    for ad in ads:
        term = normalize_keyword(ad["keyword"])
        if term in seen:
            continue
        seen.add(term)
        hit = built_on(term)
        if hit is not None:
            found.append(LongTail(hit[0], term, None, hit[1], source="ads", clicks=ad["clicks"] or 0))
    return found[:limit]


def find_products(*, q: str, shop: Shop | None = None, limit: int = 20) -> list[Product]:
    """The studio's product search: by title, product or SKU code (the catalog's list search)."""
    return list(catalog_selectors.products_for_list(q=q, shop=shop).order_by("shop__code", "code")[:limit])


def title_changes(*, product: Product) -> Sequence[TitleChange]:
    return list(TitleChange.objects.filter(product=product).select_related("changed_by"))
