"""Rank tracking (排名监控, docs/market.md "Rank tracking"): pages of search results, the reading of a position
as plug-ins write it, the alerts of a day, and the observations behind the page's trend charts.

An alert is about one of our items (an observation with a product) for a keyword on a device, comparing the day's
observation with the one before it (the latest earlier day observed, within LOOKBACK days):
- **off the first page**: it was on the first page and is not any more (further down, or not found);
- **not found**: it was found (past the first page) and is not found any more;
- **dropped**: both positions are known and the new one is more than N places lower (N: the shop's setting,
  DEFAULT_DROP = 10); a drop of exactly N does not alert.
One alert a series and day, the first rule that applies in that order.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanggui.catalog.models import Shop
from zhanggui.market.models import Device, MarketSettings, RankObservation

#: Results a page of search shows, by platform and device. Our assumption of what the platforms show today
#: (they change it; written in docs/market.md): Taobao/Tmall PC 44 (plus ads), their app 20 a screenful "page",
#: JD PC 60 (two halves of 30), JD app 20, Pinduoduo 20, our own store 20.
PAGE_SIZE = {
    ("taobao", Device.PC): 44,
    ("taobao", Device.MOBILE): 20,
    ("tmall", Device.PC): 44,
    ("tmall", Device.MOBILE): 20,
    ("jd", Device.PC): 60,
    ("jd", Device.MOBILE): 20,
    ("pdd", Device.PC): 20,
    ("pdd", Device.MOBILE): 20,
}
OTHER_PAGE_SIZE = 20
DEFAULT_DROP = 10
#: How far back the observation before a day is looked for.
LOOKBACK = 14

OFF_FIRST_PAGE, NOT_FOUND, DROPPED = "off_first_page", "not_found", "dropped"
ALERT_LABELS = {
    OFF_FIRST_PAGE: gettext_lazy("Off the first page"),
    NOT_FOUND: gettext_lazy("No longer found"),
    DROPPED: gettext_lazy("Dropped"),
}

_NOT_FOUND_WORDS = {"", "-", "--", "—", "未找到", "无", "没有", "未上榜", "n/a", "na", "none", "not found"}
_BEYOND_RE = re.compile(r"(?:>|＞)?\s*([0-9]+)\s*\+|(?:>|＞)\s*([0-9]+)|([0-9]+)名(?:以|之)外", re.ASCII)
_DEVICES = {
    "pc": Device.PC,
    "电脑": Device.PC,
    "电脑端": Device.PC,
    "pc端": Device.PC,
    "mobile": Device.MOBILE,
    "无线": Device.MOBILE,
    "无线端": Device.MOBILE,
    "手机": Device.MOBILE,
    "手机端": Device.MOBILE,
    "移动": Device.MOBILE,
    "移动端": Device.MOBILE,
    "app": Device.MOBILE,
    "h5": Device.MOBILE,
}


def page_size(platform: str, device: str) -> int:
    return PAGE_SIZE.get((platform, Device(device)), OTHER_PAGE_SIZE)


def page_of(position: int | None, size: int) -> int | None:
    """The page a position is on (1 to size is page 1); None when not found."""
    return None if position is None else (position - 1) // size + 1


def parse_position(text: str) -> int | None:
    """A plug-in's 排名 cell: a whole number from 1; empty, "-", "未找到", "100+", ">100", "100名以外" are not
    found in the pages searched (None). ValueError otherwise."""
    plain = unicodedata.normalize("NFKC", text).strip().lower()
    plain = plain.removeprefix("第").removesuffix("名") if re.fullmatch(r"第?[0-9]+名?", plain) else plain
    if plain in _NOT_FOUND_WORDS or _BEYOND_RE.fullmatch(plain):
        return None
    if not plain.isdigit() or int(plain) < 1:
        raise ValueError(
            _("%(value)s is not a position: a whole number from 1, or empty when not found.") % {"value": text}
        )
    return int(plain)


def parse_device(text: str) -> str:
    """The 设备 cell: PC (pc, 电脑) or mobile (无线, 手机, 移动, app); ValueError otherwise."""
    plain = unicodedata.normalize("NFKC", text).strip().lower()
    if plain not in _DEVICES:
        raise ValueError(_("%(value)s is not a device: write PC or 无线 (mobile).") % {"value": text})
    return _DEVICES[plain]


@dataclass(frozen=True)
class Step:
    """One series' observation of the day and the one before it."""

    previous: int | None
    current: int | None
    size: int


def alert_kind(step: Step, drop: int) -> str | None:
    """The alert a step raises (module docstring), or None."""
    before, now, size = step.previous, step.current, step.size
    if before is not None and before <= size and (now is None or now > size):
        return OFF_FIRST_PAGE
    if before is not None and now is None:
        return NOT_FOUND
    if before is not None and now is not None and now - before > drop:
        return DROPPED
    return None


def drop_setting(shop: Shop) -> int:
    found = MarketSettings.objects.filter(shop=shop).values_list("rank_drop_alert", flat=True).first()
    return DEFAULT_DROP if found is None else found


@dataclass
class Alert:
    shop_code: str
    day: date
    kind: str
    keyword: str
    item_id: str
    product_id: int
    product: str
    device: str
    previous_day: date
    previous: int | None
    current: int | None

    @property
    def label(self) -> str:
        return str(ALERT_LABELS[self.kind])

    @property
    def places(self) -> int | None:
        return None if self.previous is None or self.current is None else self.current - self.previous


def alerts(*, day: date, shop: Shop | None = None) -> list[Alert]:
    """The day's alerts of our items (every shop when `shop` is None), read in one query: every observation of
    our items from LOOKBACK days before to the day, each with its shop's N."""
    return _alerts(_observations(day, shop), day)


def latest_alerts(today: date) -> tuple[date | None, list[Alert]]:
    """The alerts of the latest day with observations of our items up to today (the morning desk's), in one
    query."""
    rows = list(_observations(today, None))
    day = max((row.day for row in rows), default=None)
    return day, _alerts(rows, day) if day else []


def _observations(day: date, shop: Shop | None) -> Iterable[RankObservation]:
    drop = MarketSettings.objects.filter(shop=OuterRef("shop")).values("rank_drop_alert")[:1]
    rows = (
        RankObservation.objects.filter(day__range=(day - timedelta(days=LOOKBACK), day), product__isnull=False)
        .annotate(drop=Subquery(drop))
        .select_related("keyword", "product", "shop")
        .order_by("shop_id", "keyword_id", "item_id", "device", "-day")
    )
    return rows.filter(shop=shop) if shop is not None else rows


def _alerts(rows: Iterable[RankObservation], day: date) -> list[Alert]:
    series: dict[tuple[int, int, str, str], list[RankObservation]] = defaultdict(list)
    for row in rows:
        series[(row.shop_id, row.keyword_id, row.item_id, row.device)].append(row)
    found = []
    for observed in series.values():
        if len(observed) < 2 or observed[0].day != day:
            continue
        now, before = observed[0], observed[1]
        size = page_size(now.shop.channel, now.device)
        drop = now.drop if now.drop is not None else DEFAULT_DROP  # type: ignore[attr-defined]
        kind = alert_kind(Step(before.position, now.position, size), drop)
        if kind is None:
            continue
        found.append(
            Alert(
                shop_code=now.shop.code,
                day=day,
                kind=kind,
                keyword=now.keyword.text,
                item_id=now.item_id,
                product_id=now.product_id or 0,
                product=str(now.product),
                device=now.device,
                previous_day=before.day,
                previous=before.position,
                current=now.position,
            )
        )
    order = [OFF_FIRST_PAGE, NOT_FOUND, DROPPED]
    found.sort(key=lambda a: (a.shop_code, order.index(a.kind), a.keyword, a.item_id, a.device))
    return found


@dataclass
class SeriesPoint:
    day: date
    position: int | None


@dataclass
class Series:
    """An item's positions for a keyword on a device, day by day: ours or a competitor's."""

    keyword: str
    item_id: str
    device: str
    label: str
    ours: bool
    points: list[SeriesPoint]

    @property
    def latest(self) -> int | None:
        return self.points[-1].position if self.points else None


def series(*, shop: Shop, start: date, end: date, keyword: str = "", device: str = "") -> list[Series]:
    """Every item's positions between two days (ours first, then competitors', then unknown items)."""
    rows = (
        RankObservation.objects.filter(shop=shop, day__range=(start, end))
        .select_related("keyword", "product", "competitor_item__competitor")
        .order_by("keyword__text", "item_id", "device", "day")
    )
    if keyword:
        rows = rows.filter(keyword__text=keyword)
    if device:
        rows = rows.filter(device=device)
    found: dict[tuple[str, str, str], Series] = {}
    for row in rows:
        key = (row.keyword.text, row.item_id, row.device)
        if key not in found:
            if row.product is not None:
                label, ours = f"{row.product.code} {row.product.title}", True
            elif row.competitor_item is not None:
                label, ours = (
                    f"{row.competitor_item.competitor.name} · {row.competitor_item.title or row.item_id}",
                    False,
                )
            else:
                label, ours = row.item_id, False
            found[key] = Series(row.keyword.text, row.item_id, row.device, label, ours, [])
        found[key].points.append(SeriesPoint(row.day, row.position))
    result = list(found.values())
    result.sort(key=lambda s: (s.keyword, not s.ours, s.label == s.item_id, s.label, s.device))
    return result


def keywords_tracked(*, shop: Shop) -> list[str]:
    return list(
        RankObservation.objects.filter(shop=shop)
        .order_by("keyword__text")
        .values_list("keyword__text", flat=True)
        .distinct()
    )
