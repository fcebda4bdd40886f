"""Reads of the market: the keyword library with its potential scores, the shop's dictionary, long-tail words,
the history of title changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

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
    """A longer search term built on a word our titles use: the head word, the term, its score."""

    head: str
    keyword: str
    score: Decimal | None
    in_titles: bool  # some title of the shop already holds every word of it


def long_tail(*, shop: Shop, limit: int = 50) -> list[LongTail]:
    """Long-tail words: the library's keywords that contain a word of the shop's own titles and are longer than
    it (the traffic reports we import carry no search terms, so the library is where they come from)."""
    keep = keep_words(shop=shop)
    titles = list(Product.objects.filter(shop=shop).values_list("title", flat=True))
    title_words: set[str] = set()
    for title in titles:
        title_words.update(normalize_keyword(w) for w in words_of(title, keep) if len(w) >= 2)
    found: list[LongTail] = []
    for row in library(shop=shop):
        words = [normalize_keyword(w) for w in words_of(row.keyword, keep)]
        heads = [w for w in words if w in title_words and w != row.keyword]
        if not heads or len(words) < 2:
            continue
        found.append(LongTail(heads[0], row.keyword, row.score, set(words) <= title_words))
    return found[:limit]


def find_products(*, q: str, shop: Shop | None = None, limit: int = 20) -> list[Product]:
    """The studio's product search: by title, product or SKU code (the catalog's list search)."""
    return list(catalog_selectors.products_for_list(q=q, shop=shop).order_by("shop__code", "code")[:limit])


def title_changes(*, product: Product) -> Sequence[TitleChange]:
    return list(TitleChange.objects.filter(product=product).select_related("changed_by"))
