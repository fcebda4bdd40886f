"""The category board (市场排行, docs/market.md "Category board"): a category's top N items on a day from the
imported 生意参谋 市场排行 files, and each of those items' rank day by day over the days before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from zhanggui.catalog.models import Shop
from zhanggui.market.models import BoardRow

DEFAULT_TOP = 10
#: The days of the trend drawn for the day shown (that day and the 29 before it).
TREND_DAYS = 30


@dataclass
class BoardItem:
    row: BoardRow
    previous_rank: int | None  # its rank on the board's day before (None: not on it)
    ranks: list[tuple[date, int | None]]  # its rank each day of the trend that has a board (None: not in it)

    @property
    def change(self) -> int | None:
        """Places gained since the day before (positive: up)."""
        return None if self.previous_rank is None else self.previous_rank - self.row.rank


@dataclass
class Board:
    category: str
    day: date | None
    days: list[date]  # the days of the trend with a board
    items: list[BoardItem]


def categories(*, shop: Shop) -> list[str]:
    return list(BoardRow.objects.filter(shop=shop).order_by("category").values_list("category", flat=True).distinct())


def days(*, shop: Shop, category: str) -> list[date]:
    return list(
        BoardRow.objects.filter(shop=shop, category=category).order_by("-day").values_list("day", flat=True).distinct()
    )


def board(*, shop: Shop, category: str, day: date | None = None, top: int = DEFAULT_TOP) -> Board:
    """The top `top` items of the category on `day` (its latest day with a board when None), with their ranks
    over the TREND_DAYS up to it, read in one query."""
    if day is None:
        day = (
            BoardRow.objects.filter(shop=shop, category=category).order_by("-day").values_list("day", flat=True).first()
        )
        if day is None:
            return Board(category, None, [], [])
    rows = list(
        BoardRow.objects.filter(shop=shop, category=category, day__range=(day - timedelta(days=TREND_DAYS - 1), day))
    )
    shown = sorted((r for r in rows if r.day == day and r.rank <= top), key=lambda r: r.rank)
    trend_days = sorted({r.day for r in rows})
    rank_of = {(r.item_id, r.day): r.rank for r in rows}
    earlier = [d for d in trend_days if d < day]
    before = earlier[-1] if earlier else None
    items = [
        BoardItem(
            row=r,
            previous_rank=rank_of.get((r.item_id, before)) if before else None,
            ranks=[(d, rank_of.get((r.item_id, d))) for d in trend_days],
        )
        for r in shown
    ]
    return Board(category, day, trend_days, items)
