"""Competitor watch (竞品, docs/market.md "Competitor watch"): what changed between two snapshots of an item,
and the daily digest the morning desk shows.

Change detection compares a snapshot with the item's snapshot before it (the latest earlier day, within
LOOKBACK days), as pure functions of the two:
- **price cut**: any lower price (both known), with the cut in yuan and as a percentage of the old price;
- **new promotion**: a promotion text that was empty and is not, or that changed (white space ignored); a
  promotion that ends is not a change we report;
- **sales jump**: monthly sales up by SALES_JUMP (30 %) or more of the earlier figure (both known, the earlier
  above 0): 100 → 130 is a jump, 100 → 129 is not;
- **new main image**: the main image's hash changed (both known);
- **trade index jump**: the 交易指数 (京东商智's 成交金额指数) of a platform's 竞品 export up by INDEX_JUMP (30 %)
  or more of the earlier figure (both known, the earlier above 0): 8,000 → 10,400 is a jump, 8,000 → 10,399 is
  not. The index is the platform's non-linear transform of the amount (commonly read as growing slower than
  it), so a 30 % rise of it is taken as at least a 30 % rise of the sales behind it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy

from zhanggui.market.models import ItemSnapshot

#: A sales jump: monthly sales up by at least this share of the earlier figure.
SALES_JUMP = Decimal("0.30")
#: A trade index jump: the trade index up by at least this share of the earlier figure (as a sales jump).
INDEX_JUMP = SALES_JUMP
LOOKBACK = 7

PRICE_CUT, NEW_PROMOTION, SALES_JUMPED, NEW_IMAGE = "price_cut", "new_promotion", "sales_jump", "new_image"
INDEX_JUMPED = "trade_index_jump"
KIND_LABELS = {
    PRICE_CUT: gettext_lazy("Price cut"),
    NEW_PROMOTION: gettext_lazy("New promotion"),
    SALES_JUMPED: gettext_lazy("Sales jump"),
    NEW_IMAGE: gettext_lazy("New main image"),
    INDEX_JUMPED: gettext_lazy("Trade index jump"),
}
KINDS = list(KIND_LABELS)


@dataclass(frozen=True)
class Snap:
    """The figures of a snapshot change detection reads (ItemSnapshot's, or a test's)."""

    price: Decimal | None = None
    promotion: str = ""
    monthly_sales: int | None = None
    main_image_hash: str = ""
    trade_index: int | None = None

    @classmethod
    def of(cls, row: ItemSnapshot) -> Snap:
        return cls(row.price, row.promotion, row.monthly_sales, row.main_image_hash, row.trade_index)


@dataclass(frozen=True)
class Change:
    kind: str
    before: str
    after: str
    percent: Decimal | None = None  # the cut or the jump against the earlier figure, one decimal half up

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind])


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _text(value: str) -> str:
    return " ".join(value.split())


def price_cut(before: Snap, after: Snap) -> Change | None:
    if before.price is None or after.price is None or after.price >= before.price:
        return None
    cut = before.price - after.price
    return Change(
        PRICE_CUT, f"{before.price:.2f}", f"{after.price:.2f}", _percent(cut, before.price) if before.price else None
    )


def new_promotion(before: Snap, after: Snap) -> Change | None:
    old, new = _text(before.promotion), _text(after.promotion)
    if not new or new == old:
        return None
    return Change(NEW_PROMOTION, old, new)


def sales_jump(before: Snap, after: Snap) -> Change | None:
    old, new = before.monthly_sales, after.monthly_sales
    if not old or new is None or Decimal(new - old) < SALES_JUMP * old:
        return None
    return Change(SALES_JUMPED, str(old), str(new), _percent(Decimal(new - old), Decimal(old)))


def new_image(before: Snap, after: Snap) -> Change | None:
    if not before.main_image_hash or not after.main_image_hash or before.main_image_hash == after.main_image_hash:
        return None
    return Change(NEW_IMAGE, before.main_image_hash[:8], after.main_image_hash[:8])


def index_jump(before: Snap, after: Snap) -> Change | None:
    old, new = before.trade_index, after.trade_index
    if not old or new is None or Decimal(new - old) < INDEX_JUMP * old:
        return None
    return Change(INDEX_JUMPED, str(old), str(new), _percent(Decimal(new - old), Decimal(old)))


def changes(before: Snap, after: Snap) -> list[Change]:
    """Every change between two snapshots of an item, in the order of KINDS."""
    found = (rule(before, after) for rule in (price_cut, new_promotion, sales_jump, new_image, index_jump))
    return [change for change in found if change is not None]


@dataclass
class ItemChanges:
    """One competitor item's changes on a day against its snapshot before."""

    competitor: str
    competitor_id: int
    item_id: str
    title: str
    day: date
    previous_day: date
    price: Decimal | None
    changes: list[Change]


@dataclass
class Digest:
    day: date | None
    items: list[ItemChanges]

    @property
    def count(self) -> int:
        return sum(len(item.changes) for item in self.items)


def _digest_of(rows: Iterable[ItemSnapshot], day: date | None) -> Digest:
    """The digest of `day` (None: the latest day among the rows) from snapshots ordered by item, newest first."""
    by_item: dict[int, list[ItemSnapshot]] = {}
    for row in rows:
        by_item.setdefault(row.item_id, []).append(row)
    if day is None:
        day = max((snaps[0].day for snaps in by_item.values()), default=None)
    items = []
    for snaps in by_item.values():
        if len(snaps) < 2 or snaps[0].day != day:
            continue
        now, before = snaps[0], snaps[1]
        found = changes(Snap.of(before), Snap.of(now))
        if found:
            item = now.item
            items.append(
                ItemChanges(
                    competitor=item.competitor.name,
                    competitor_id=item.competitor_id,
                    item_id=item.item_id,
                    title=item.title,
                    day=now.day,
                    previous_day=before.day,
                    price=now.price,
                    changes=found,
                )
            )
    items.sort(key=lambda i: (i.competitor, i.item_id))
    return Digest(day, items)


def _snapshots(first: date, last: date):
    return (
        ItemSnapshot.objects.filter(day__range=(first, last))
        .select_related("item__competitor")
        .order_by("item_id", "-day")
    )


def digest(day: date) -> Digest:
    """The changes of every watched item on `day` against its snapshot before (one query)."""
    return _digest_of(_snapshots(day - timedelta(days=LOOKBACK), day), day)


def latest_digest(today: date) -> Digest:
    """The digest of the latest day with snapshots up to today (the morning's: today's export, or yesterday's
    when today's is not in yet), in one query."""
    return _digest_of(_snapshots(today - timedelta(days=LOOKBACK), today), None)


def latest_day() -> date | None:
    """The latest day with a snapshot (the competitors page's and the API's default digest)."""
    return ItemSnapshot.objects.order_by("-day").values_list("day", flat=True).first()


#: The indices of a platform's 竞品 export, in the order the competitors page shows them.
INDEX_LABELS = {
    "trade_index": gettext_lazy("Trade index"),
    "traffic_index": gettext_lazy("Traffic index"),
    "search_popularity": gettext_lazy("Search popularity"),
    "favourite_popularity": gettext_lazy("Favourite popularity"),
    "cart_popularity": gettext_lazy("Add-to-cart popularity"),
    "conversion_index": gettext_lazy("Conversion index"),
}


def indices(snapshot: ItemSnapshot | None) -> list[tuple[str, int]]:
    """The indices a snapshot has (label, value); none for a plug-in's snapshot."""
    if snapshot is None:
        return []
    found = ((str(label), getattr(snapshot, name)) for name, label in INDEX_LABELS.items())
    return [(label, value) for label, value in found if value is not None]
