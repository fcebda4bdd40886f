"""The facts of SKUs for campaign eligibility, read from the desk: sales, price history, stock.

Three queries whatever the number of SKUs (sales, price changes, stock), plus none for the SKUs themselves,
which the caller passes in. Sources (docs/campaigns.md):
- sales in N days: the `sale_issue` moves of the stock ledger in [at − N days, at);
- the price at `at`, its time-weighted average and its lowest over N days: the SKU's current price, walked back
  through the audit trail's `sku.price` entries (each holds the price before and after the change);
- available stock: inventory.selectors.available_by_sku (on hand − reserved now, whatever `at` is);
- reviews: unknown (None) unless the caller gives them: the desk has no review data yet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from zhanggui.catalog.models import Sku
from zhanggui.core.models import AuditEntry
from zhanggui.core.money import FEN
from zhanggui.inventory.models import MoveReason, StockMove
from zhanggui.inventory.selectors import available_by_sku
from zhanggui.promotions.campaigns.eligibility import SkuFacts

DEFAULT_WINDOWS = frozenset({30})
PRICE_ACTION = "sku.price"
SKU_OBJECT_TYPE = Sku._meta.label_lower  # "catalog.sku", as core.services.record_audit writes it


def _fen(price: Decimal) -> int:
    return int(price.quantize(FEN) * 100)


def _micros(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def average_price(
    *, price_at: Decimal, changes: list[tuple[datetime, Decimal]], start: datetime, end: datetime
) -> Decimal:
    """Time-weighted average of a price over [start, end), rounded down to the fen.

    `price_at` is the price at `end`; `changes` are (moment, price before the change) for the changes in
    (start, end], newest first. Walking back from `end`, each change closes a segment priced at what the
    price was after it; the segment before the oldest change is priced at that change's "before".

        average = Σ price_k × duration_k / Σ duration_k

    Rounded down so that a campaign price that passes "not above the average" is never above the exact one.
    An empty window (start ≥ end) averages to the price itself.
    """
    if start >= end:
        return price_at
    # integer fen × microseconds: exact whatever the prices and the window
    weighted, current, segment_end = 0, _fen(price_at), end
    for moment, before in changes:
        weighted += current * _micros(segment_end - moment)
        current, segment_end = _fen(before), moment
    weighted += current * _micros(segment_end - start)
    average_fen = weighted // _micros(end - start)  # rounded down
    return (Decimal(average_fen) / 100).quantize(FEN)


def _price_changes(sku_ids: list[int], since: datetime) -> dict[int, list[tuple[datetime, Decimal]]]:
    """(moment, price before) of each price change since `since`, newest first, per SKU. One query."""
    result: dict[int, list[tuple[datetime, Decimal]]] = defaultdict(list)
    rows = (
        AuditEntry.objects.filter(
            action=PRICE_ACTION,
            object_type=SKU_OBJECT_TYPE,
            object_id__in=[str(i) for i in sku_ids],
            at__gt=since,
        )
        .order_by("-at", "-id")
        .values_list("object_id", "at", "before")
    )
    for object_id, moment, before in rows:
        # a change of the cost alone has no "price" in its before/after
        if isinstance(before, Mapping) and before.get("price") is not None:
            result[int(object_id)].append((moment, Decimal(str(before["price"]))))
    return result


def _sales(sku_ids: list[int], windows: frozenset[int], at: datetime) -> dict[int, dict[int, int]]:
    """Units issued by sale per SKU and window, in one query (a conditional sum per window)."""
    result = {i: dict.fromkeys(windows, 0) for i in sku_ids}
    if not windows:
        return result
    sums = {
        f"d{days}": Sum("quantity", filter=Q(created_at__gte=at - timedelta(days=days)), default=0) for days in windows
    }
    rows = (
        StockMove.objects.filter(
            sku_id__in=sku_ids,
            reason=MoveReason.SALE_ISSUE,
            created_at__gte=at - timedelta(days=max(windows)),
            created_at__lt=at,
        )
        .values("sku_id")
        .annotate(**sums)
    )
    for row in rows:
        # issues are negative moves; returns are their own reason and are not subtracted here
        result[row["sku_id"]] = {days: -row[f"d{days}"] for days in windows}
    return result


def sku_facts(
    skus: Iterable[Sku],
    *,
    at: datetime | None = None,
    windows: Iterable[int] = DEFAULT_WINDOWS,
    reviews: Mapping[int, int | None] | None = None,
) -> dict[int, SkuFacts]:
    """The facts of each SKU at `at` (default now), for the day windows the campaign's rules use.

    `reviews` (SKU id → count) comes from the person or a market app; without it reviews are unknown.
    """
    at = at or timezone.now()
    sku_list = list(skus)
    ids = [s.pk for s in sku_list]
    days = frozenset(windows)
    if not ids:
        return {}
    oldest = at - timedelta(days=max(days, default=0))
    changes = _price_changes(ids, oldest)
    sales = _sales(ids, days, at)
    available = available_by_sku(ids)
    reviews = reviews or {}
    facts = {}
    for sku in sku_list:
        history = changes.get(sku.pk, [])
        # changes after `at` are undone first: the price at `at` is the "before" of the oldest of them
        price_at = sku.price
        later = [c for c in history if c[0] > at]
        if later:
            price_at = later[-1][1]
        within = [c for c in history if c[0] <= at]
        averages, lowest = {}, {}
        for n in days:
            start = max(at - timedelta(days=n), sku.created_at)  # a SKU has no price before it existed
            window = [c for c in within if c[0] > start]
            averages[n] = average_price(price_at=price_at, changes=window, start=start, end=at)
            # the prices held in the window: the one at `at` and the one before each change in it
            lowest[n] = min([price_at, *(before for _moment, before in window)]) if start < at else price_at
        facts[sku.pk] = SkuFacts(
            sku_id=sku.pk,
            shop=sku.shop.code,
            code=sku.code,
            price=price_at,
            sales=sales[sku.pk],
            average_price=averages,
            lowest_price=lowest,
            available=available[sku.pk],
            reviews=reviews.get(sku.pk),
        )
    return facts
