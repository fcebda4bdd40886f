"""Everything the title studio shows for one product, put together once for the page and the API."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from zhanggui.catalog.models import Product
from zhanggui.market import selectors, traffic
from zhanggui.market.models import ShopWord, TitleChange
from zhanggui.market.optimiser import Infeasible
from zhanggui.market.titles import WORD, ScoredKeyword, Suggestion, TitleReading, read_title, suggest


@dataclass
class HistoryRow:
    change: TitleChange
    before: traffic.Window
    after: traffic.Window


@dataclass
class StudioView:
    product: Product
    reading: TitleReading
    keywords: list[ScoredKeyword]
    required: list[str]
    suggestions: list[Suggestion]
    infeasible: bool
    history: list[HistoryRow]
    shop_words: list[ShopWord] = field(default_factory=list)

    @property
    def words(self) -> list[str]:
        """The title's distinct words, for the required-word ticks."""
        return list(dict.fromkeys(t.text for t in self.reading.tokens if t.kind == WORD))


def studio(*, product: Product, required: list[str] | None = None) -> StudioView:
    """The reading of the product's title against its shop's best keywords, the suggestions (`required` words
    kept; by default the shop's keep-whole words the title holds), and the history of its changes with the
    item's traffic in the days before and after each."""
    shop = product.shop
    keep = selectors.keep_words(shop=shop)
    banned = selectors.banned_words(shop=shop)
    keywords = selectors.top_keywords(shop=shop)
    reading = read_title(product.title, channel=shop.channel, keywords=keywords, keep=keep, banned=banned)
    if required is None:
        required = [t.text for t in reading.tokens if t.kind == WORD and t.text in keep]
    try:
        suggestions = suggest(reading, keywords=keywords, keep=keep, banned=banned, required=required)
        infeasible = False
    except Infeasible:
        suggestions, infeasible = [], True
    history = []
    for change in selectors.title_changes(product=product):
        before, after = traffic.around(product=product, day=timezone.localdate(change.changed_at))
        history.append(HistoryRow(change, before, after))
    return StudioView(
        product=product,
        reading=reading,
        keywords=keywords,
        required=list(required),
        suggestions=suggestions,
        infeasible=infeasible,
        history=history,
        shop_words=selectors.shop_words(shop=shop),
    )
