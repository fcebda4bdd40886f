"""Competitor watch (竞品, docs/market.md "Competitor watch"): what changed between two snapshots of an item,
and the daily digest the morning desk shows.

Change detection compares a snapshot with the item's snapshot before it (the latest earlier day, within
LOOKBACK days), as pure functions of the two:
- **price cut**: any lower price (both known), with the cut in yuan and as a percentage of the old price;
- **new promotion**: a promotion text that was empty and is not, or that changed (white space ignored); a
  promotion that ends is not a change we report;
- **sales jump**: monthly sales up by SALES_JUMP (30 %) or more of the earlier figure (both known, the earlier
  above 0): 100 → 130 is a jump, 100 → 129 is not;
- **new main image**: the main image's hash changed (both known).
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
LOOKBACK = 7

PRICE_CUT, NEW_PROMOTION, SALES_JUMPED, NEW_IMAGE = "price_cut", "new_promotion", "sales_jump", "new_image"
KIND_LABELS = {
    PRICE_CUT: gettext_lazy("Price cut"),
    NEW_PROMOTION: gettext_lazy("New promotion"),
    SALES_JUMPED: gettext_lazy("Sales jump"),
    NEW_IMAGE: gettext_lazy("New main image"),
}
KINDS = list(KIND_LABELS)


@dataclass(frozen=True)
class Snap:
    """The figures of a snapshot change detection reads (ItemSnapshot's, or a test's)."""

    price: Decimal | None = None
    promotion: str = ""
    monthly_sales: int | None = None
    main_image_hash: str = ""

    @classmethod
    def of(cls, row: ItemSnapshot) -> Snap:
        return cls(row.price, row.promotion, row.monthly_sales, row.main_image_hash)


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


def changes(before: Snap, after: Snap) -> list[Change]:
    """Every change between two snapshots of an item, in the order of KINDS."""
    found = (rule(before, after) for rule in (price_cut, new_promotion, sales_jump, new_image))
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
