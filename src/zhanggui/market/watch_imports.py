"""Importing rank observations, competitor snapshots and the category board (docs/market.md).

The rules are the keyword import's (market.imports): every row is read and checked first and any refused row
refuses the whole import (nothing stored, each refusal with its file, line, column and reason); a row is
created when new, updated when a later export restates it, left alone when it is the same, so the same file twice
writes nothing and leaves no audit entry. Snapshots come from a `CompetitorSource` (files by default, a team's
collector otherwise).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from django.db import models, transaction
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Product, Shop
from zhanggui.channels.records import RowError
from zhanggui.channels.report_files import COUNT, Field, ReportRow, read_value
from zhanggui.core import roles
from zhanggui.core.services import record_audit
from zhanggui.core.tabular import FileSource
from zhanggui.market.imports import REJECTED_LISTED, SourceRejected, _describe, _plain
from zhanggui.market.keywords import normalize_keyword
from zhanggui.market.models import (
    BoardRow,
    CompetitorItem,
    CompetitorShop,
    Device,
    ItemSnapshot,
    Keyword,
    RankObservation,
)
from zhanggui.market.ranks import parse_device, parse_position
from zhanggui.market.traffic import products_of_items
from zhanggui.market.watch_files import (
    BOARD,
    JD_COMPETITORS,
    RANKS,
    SNAPSHOTS,
    read_competitor_file,
    read_watch_file,
)

#: Who imports these files and keeps the list of competitors: those who import the platforms' exports (店长, 运营).
IMPORT_WATCH = roles.IMPORT_ORDERS
_COUNT = Field("count", (), COUNT)


@dataclass
class WatchImportReport:
    """What an import did, or with refusals why it did nothing."""

    what: str
    shop_code: str = ""
    sources: list[str] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    added: dict[str, int] = field(default_factory=dict)  # keywords, competitor shops, items made on the way
    rejected: list[RowError] = field(default_factory=list)
    rejected_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.rejected

    def as_dict(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "shop": self.shop_code,
            "sources": self.sources,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "added": self.added,
            "rejected_rows": self.rejected_rows,
            "rejected": [error.as_dict() for error in self.rejected],
        }

    def summary(self) -> list[str]:
        if not self.ok:
            head = _("%(count)s rows rejected; nothing was stored.") % {"count": self.rejected_rows}
            return [head, *(_describe(error) for error in self.rejected)]
        return [
            _("%(rows)s rows: %(created)s new, %(updated)s updated, %(same)s unchanged.")
            % {"rows": self.rows, "created": self.created, "updated": self.updated, "same": self.unchanged}
        ]

    def refuse(self, errors: list[RowError]) -> WatchImportReport:
        errors.sort(key=lambda error: (error.file, error.line))
        self.rejected = errors[:REJECTED_LISTED]
        self.rejected_rows = len({(error.file, error.line) for error in errors})
        return self


def _read(file: FileSource, filename: str, kind: Any) -> tuple[list[ReportRow], list[RowError], Any]:
    result = read_watch_file(file=file, filename=filename, kind=kind)
    return result.rows, list(result.errors), result


def _deduplicate(
    rows: list[tuple[tuple[Any, ...], dict[str, Any], ReportRow]],
    errors: list[RowError],
    header: str,
    what: Callable[[tuple[Any, ...]], str],
) -> dict[tuple[Any, ...], tuple[dict[str, Any], ReportRow]]:
    """One row a key: the same key twice with other values is refused (keep one)."""
    chosen: dict[tuple[Any, ...], tuple[dict[str, Any], ReportRow]] = {}
    for key, values, row in rows:
        earlier = chosen.get(key)
        if earlier is None:
            chosen[key] = (values, row)
        elif {k: _plain(v) for k, v in earlier[0].items()} != {k: _plain(v) for k, v in values.items()}:
            errors.append(
                RowError(
                    row.file,
                    row.line,
                    header,
                    _("%(what)s is on line %(line)s with other figures; keep one.")
                    % {"what": what(key), "line": earlier[1].line},
                )
            )
    return chosen


def _store(
    model: type[models.Model],
    chosen: dict[tuple[Any, ...], dict[str, Any]],
    stored: Mapping[tuple[Any, ...], Any],
    make: Callable[[tuple[Any, ...], dict[str, Any]], models.Model],
    compared: Sequence[str],
    report: WatchImportReport,
) -> None:
    """Create the new rows, update the restated ones, count the same ones (compared on `compared`)."""
    new, changed = [], []
    for key, values in chosen.items():
        current = stored.get(key)
        if current is None:
            new.append(make(key, values))
        elif any(_plain(getattr(current, name)) != _plain(values[name]) for name in compared):
            for name, value in values.items():
                setattr(current, name, value)
            changed.append(current)
        else:
            report.unchanged += 1
    model.objects.bulk_create(new)  # type: ignore[attr-defined]
    if changed:
        model.objects.bulk_update(changed, list(values_keys(chosen)))  # type: ignore[attr-defined]
    report.created, report.updated = len(new), len(changed)


def values_keys(chosen: dict[tuple[Any, ...], dict[str, Any]]) -> list[str]:
    return list(next(iter(chosen.values())).keys()) if chosen else []


# --------------------------------------------------------------------------------------------------------
# Rank observations
# --------------------------------------------------------------------------------------------------------

RANK_FIGURES = ("position", "product_id", "competitor_item_id", "source")


def import_ranks(
    *, actor: Any, shop: Shop, files: Sequence[tuple[FileSource, str]], device: str = Device.MOBILE
) -> WatchImportReport:
    """Import a rank-tracking export into the shop; `device` is the device of a file without a 设备 column."""
    roles.require(actor, IMPORT_WATCH)
    report = WatchImportReport(what="ranks", shop_code=shop.code, sources=[name for _f, name in files])
    errors: list[RowError] = []
    read: list[tuple[tuple[Any, ...], dict[str, Any], ReportRow]] = []
    codes: dict[tuple[Any, ...], str] = {}
    header = RANKS.field("position").names[0]
    for file, name in files:
        rows, file_errors, result = _read(file, name, RANKS)
        errors.extend(file_errors)
        header = result.header("position") if result.kind else header
        for row in rows:
            values, bad = row.values, False
            keyword = normalize_keyword(values["keyword"] or "")
            if not keyword:
                errors.append(
                    RowError(row.file, row.line, result.header("keyword"), _("Required: the row names no keyword."))
                )
                bad = True
            try:
                position = parse_position(values["position"] or "")
            except ValueError as exc:
                errors.append(RowError(row.file, row.line, result.header("position"), str(exc)))
                bad = True
            try:
                row_device = parse_device(values["device"]) if values.get("device") else device
            except ValueError as exc:
                errors.append(RowError(row.file, row.line, result.header("device"), str(exc)))
                bad = True
            if bad:
                continue
            key = (keyword, values["item_id"], row_device, row.day)
            codes[key] = values.get("item_code") or ""
            read.append((key, {"position": position}, row))
    chosen = _deduplicate(
        read,
        errors,
        header,
        lambda key: (
            _("The item %(item)s for %(keyword)s on %(day)s")
            % {"item": key[1], "keyword": key[0], "day": key[3].isoformat()}
        ),
    )
    if errors:
        return report.refuse(errors)
    report.rows = len(chosen)
    source = ", ".join(report.sources)[:255]
    with transaction.atomic():
        Shop.objects.select_for_update().filter(pk=shop.pk).first()
        keyword_ids = _keywords({key[0] for key in chosen}, report)
        item_ids = {key[1] for key in chosen}
        products, competitor_items = _match_items(
            shop, item_ids, {codes[k] for k in chosen} - {""}, max(k[3] for k in chosen) if chosen else None
        )
        by_code = products.pop("__codes__", {})
        observed: dict[tuple[Any, ...], dict[str, Any]] = {}
        for key, (figures, _row) in chosen.items():
            product = by_code.get(codes[key]) or products.get(key[1])
            observed[key] = {
                "position": figures["position"],
                "product_id": product,
                "competitor_item_id": None if product else competitor_items.get(key[1]),
                "source": source,
            }
        stored = {
            (o.keyword.text, o.item_id, o.device, o.day): o
            for o in RankObservation.objects.filter(
                shop=shop, item_id__in=item_ids, day__in={k[3] for k in chosen}
            ).select_related("keyword")
        }
        _store(
            RankObservation,
            observed,
            stored,
            lambda key, v: RankObservation(
                shop=shop, keyword_id=keyword_ids[key[0]], item_id=key[1], device=key[2], day=key[3], **v
            ),
            ("position", "product_id", "competitor_item_id"),
            report,
        )
        _audit(actor, "market.import_ranks", shop, report)
    return report


def _keywords(texts: set[str], report: WatchImportReport) -> dict[str, int]:
    existing = set(Keyword.objects.filter(text__in=texts).values_list("text", flat=True))
    Keyword.objects.bulk_create([Keyword(text=t) for t in sorted(texts - existing)], ignore_conflicts=True)
    report.added["keywords"] = len(texts - existing)
    return dict(Keyword.objects.filter(text__in=texts).values_list("text", "pk"))


def _match_items(
    shop: Shop, item_ids: set[str], item_codes: set[str], until: date | None
) -> tuple[dict[str, Any], dict[str, int]]:
    """Our product and the competitor item behind each item ID: a 货号 column naming a product code of the
    shop, else the traffic reports' match (market.traffic), else a product whose code is the item ID; a
    competitor item with that ID."""
    products: dict[str, Any] = {}
    if until is not None:
        products.update(products_of_items(shop=shop, item_ids=item_ids, until=until))
    for code, pk in Product.objects.filter(shop=shop, code__in=item_ids - set(products)).values_list("code", "pk"):
        products[code] = pk
    products["__codes__"] = dict(Product.objects.filter(shop=shop, code__in=item_codes).values_list("code", "pk"))
    competitor_items = dict(CompetitorItem.objects.filter(item_id__in=item_ids).values_list("item_id", "pk"))
    return products, competitor_items


def match_item(*, shop: Shop, item_id: str, until: date) -> tuple[int | None, int | None]:
    """(product id, competitor item id) of one item ID, by the rules of `_match_items`."""
    products, competitor_items = _match_items(shop, {item_id}, set(), until)
    product = products.get(item_id)
    return product, None if product else competitor_items.get(item_id)


def _audit(actor: Any, action: str, shop: models.Model, report: WatchImportReport) -> None:
    if report.created or report.updated:
        record_audit(
            actor=actor,
            action=action,
            obj=shop,
            after={"sources": report.sources, "created": report.created, "updated": report.updated},
        )


# --------------------------------------------------------------------------------------------------------
# Competitor snapshots
# --------------------------------------------------------------------------------------------------------

PLUGIN_FIGURES = ("price", "promotion", "monthly_sales", "review_count", "main_image_hash")
#: The indices of the platforms' 竞品 exports (生意参谋, 京东商智).
INDEX_FIGURES = (
    "trade_index",
    "traffic_index",
    "search_popularity",
    "favourite_popularity",
    "cart_popularity",
    "conversion_index",
)
SNAPSHOT_FIGURES = (*PLUGIN_FIGURES, *INDEX_FIGURES)
#: What a platform's 竞品 export says of an item: its price and indices (no promotion, sales or image).
PLATFORM_FIGURES = ("price", *INDEX_FIGURES)
_EMPTY_FIGURES: dict[str, Any] = {
    name: "" if name in ("promotion", "main_image_hash") else None for name in SNAPSHOT_FIGURES
}


@dataclass(frozen=True)
class SnapshotRow:
    """One competitor item's figures on one day, wherever they came from (a file's line, a collector's call)."""

    shop_name: str
    item_id: str
    day: date
    title: str = ""
    url: str = ""
    price: Decimal | None = None
    promotion: str = ""
    monthly_sales: int | None = None
    review_count: int | None = None
    main_image_hash: str = ""
    trade_index: int | None = None
    traffic_index: int | None = None
    search_popularity: int | None = None
    favourite_popularity: int | None = None
    cart_popularity: int | None = None
    conversion_index: int | None = None
    file: str = ""
    line: int = 0
    # The figures the source gives (the others of a stored snapshot are kept): every one by default.
    carries: tuple[str, ...] = SNAPSHOT_FIGURES
    platform: str = ""  # of a competitor shop not watched yet; empty: the one chosen on the import

    def figures(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.carries}


class CompetitorSource(Protocol):
    """Where competitor snapshots come from. `fetch` gives the rows of `day` (every day it holds when None) or
    raises SourceRejected naming the rows it could not read. Files are the default (FileCompetitorSource); a
    team's collector implements this and is passed to `import_snapshots_from`, so nothing needs the network."""

    label: str

    def fetch(self, day: date | None) -> list[SnapshotRow]: ...


def _sales(text: str | None) -> int | None:
    """月销量 as plug-ins write it: "1200", "1.2万", "1000+" (taken as 1000); empty: unknown."""
    if not text:
        return None
    plain = text.strip().rstrip("+＋").strip()
    return read_value(_COUNT, plain) if plain not in ("-", "--") else None


def _index(text: str | None) -> int | None:
    """An index as the platforms write it: "12,345", "1.2万"; empty or "-": unknown (never 0)."""
    if not text or text.strip() in ("-", "--"):
        return None
    return read_value(_COUNT, text.strip())


class FileCompetitorSource:
    """A competitor file (.csv in UTF-8 or GBK, or .xlsx): a plug-in's export, or the 竞品 export of 生意参谋 or
    京东商智, told by its header row (watch_files.COMPETITOR_KINDS)."""

    def __init__(self, file: FileSource, filename: str) -> None:
        self.file, self.filename, self.label = file, filename, filename

    def fetch(self, day: date | None) -> list[SnapshotRow]:
        result = read_competitor_file(file=self.file, filename=self.filename)
        rows, errors = result.rows, list(result.errors)
        platform_export = result.kind is not None and result.kind is not SNAPSHOTS
        read_counts: tuple[tuple[str, Callable[[str | None], int | None]], ...] = (
            tuple((key, _index) for key in INDEX_FIGURES)
            if platform_export
            else (("monthly_sales", _sales), ("review_count", _sales))
        )
        found = []
        for row in rows:
            if day is not None and row.day != day:
                continue
            values, counts = row.values, {}
            for key, read in read_counts:
                try:
                    counts[key] = read(values.get(key))
                except ValueError as exc:
                    errors.append(RowError(row.file, row.line, result.header(key), str(exc)))
            if len(counts) < len(read_counts):
                continue
            if not values.get("shop_name"):
                errors.append(
                    RowError(row.file, row.line, result.header("shop_name"), _("Required: the row names no shop."))
                )
                continue
            image = values.get("main_image_hash") or ""
            if not image and values.get("main_image_url"):
                image = hashlib.sha256(values["main_image_url"].strip().encode()).hexdigest()
            found.append(
                SnapshotRow(
                    shop_name=values["shop_name"],
                    item_id=values["item_id"],
                    day=row.day,
                    title=values.get("title") or "",
                    url=values.get("url") or "",
                    price=values.get("price") or None,  # 0.00 (an empty cell) is no price
                    promotion=" ".join((values.get("promotion") or "").split()),
                    main_image_hash=image.lower(),
                    file=row.file,
                    line=row.line,
                    carries=PLATFORM_FIGURES if platform_export else PLUGIN_FIGURES,
                    platform="jd" if result.kind is JD_COMPETITORS else "",
                    **counts,
                )
            )
        if errors:
            raise SourceRejected(errors, [])
        return found


def import_snapshots(
    *, actor: Any, files: Sequence[tuple[FileSource, str]], platform: str = "taobao"
) -> WatchImportReport:
    """Import competitor-watch exports; shops and items not watched yet are added (on `platform`)."""
    roles.require(actor, IMPORT_WATCH)
    return _import_snapshots(actor, [FileCompetitorSource(f, name) for f, name in files], None, platform)


def import_snapshots_from(
    *, actor: Any, source: CompetitorSource, day: date | None, platform: str = "taobao"
) -> WatchImportReport:
    """Import what a collector fetches, by the same rules as a file."""
    roles.require(actor, IMPORT_WATCH)
    return _import_snapshots(actor, [source], day, platform)


def _import_snapshots(
    actor: Any, sources: Sequence[CompetitorSource], day: date | None, platform: str
) -> WatchImportReport:
    report = WatchImportReport(what="snapshots", sources=[s.label for s in sources])
    errors: list[RowError] = []
    read = []
    names: dict[tuple[Any, ...], SnapshotRow] = {}
    for source in sources:
        try:
            rows = source.fetch(day)
        except SourceRejected as exc:
            errors.extend(exc.errors)
            continue
        for row in rows:
            # A plug-in's row and a platform export's row of one item and day are two halves of its snapshot.
            key = (row.shop_name, row.item_id, row.day, row.carries)
            names.setdefault(key[:3], row)
            read.append((key, row.figures(), ReportRow(row.file, row.line, row.day, {})))
    chosen = _deduplicate(
        read,
        errors,
        SNAPSHOTS.field("item_id").names[0],
        lambda key: (
            _("The item %(item)s of %(shop)s on %(day)s") % {"item": key[1], "shop": key[0], "day": key[2].isoformat()}
        ),
    )
    if errors:
        return report.refuse(errors)
    report.rows = len(chosen)
    source_file = ", ".join(report.sources)[:255]
    with transaction.atomic():
        shop_names = {key[0] for key in chosen}
        shops = {s.name: s for s in CompetitorShop.objects.select_for_update().filter(name__in=shop_names)}
        platforms = {key[0]: row.platform for key, row in sorted(names.items()) if row.platform}
        new_shops = [
            CompetitorShop(name=n, platform=platforms.get(n, platform)) for n in sorted(shop_names - set(shops))
        ]
        CompetitorShop.objects.bulk_create(new_shops)
        shops.update({s.name: s for s in CompetitorShop.objects.filter(name__in=shop_names)})
        items = {
            (i.competitor.name, i.item_id): i
            for i in CompetitorItem.objects.filter(competitor__in=shops.values()).select_related("competitor")
        }
        wanted = {(key[0], key[1]): names[key[:3]] for key in sorted(chosen, key=lambda k: k[2])}
        new_items = [
            CompetitorItem(competitor=shops[n], item_id=i, title=row.title[:200], url=row.url[:500])
            for (n, i), row in wanted.items()
            if (n, i) not in items
        ]
        CompetitorItem.objects.bulk_create(new_items)
        report.added = {"competitor_shops": len(new_shops), "competitor_items": len(new_items)}
        items.update(
            {
                (i.competitor.name, i.item_id): i
                for i in CompetitorItem.objects.filter(competitor__in=shops.values()).select_related("competitor")
            }
        )
        given: dict[tuple[Any, ...], dict[str, Any]] = {}
        for k, (figures, _row) in chosen.items():
            given.setdefault((items[(k[0], k[1])].pk, k[2]), {}).update(figures)
        stored = {
            (s.item_id, s.day): s
            for s in ItemSnapshot.objects.filter(item_id__in={k[0] for k in given}, day__in={k[1] for k in given})
        }
        # The figures a source does not give are the stored snapshot's (or unknown for a new one), so a plug-in's
        # file and a platform export of the same day fill one snapshot, in either order.
        values: dict[tuple[Any, ...], dict[str, Any]] = {}
        for item_day, figures in given.items():
            current = stored.get((item_day[0], item_day[1]))
            kept = {n: getattr(current, n) for n in SNAPSHOT_FIGURES} if current is not None else _EMPTY_FIGURES
            values[item_day] = {**kept, **figures, "source_file": source_file}
        _store(
            ItemSnapshot,
            values,
            stored,
            lambda key, v: ItemSnapshot(item_id=key[0], day=key[1], **v),
            SNAPSHOT_FIGURES,
            report,
        )
        # One entry an import, on the first competitor shop it names (the sources say the rest).
        if shop_names:
            _audit(actor, "market.import_snapshots", shops[min(shop_names)], report)
    return report


# --------------------------------------------------------------------------------------------------------
# The category board
# --------------------------------------------------------------------------------------------------------

BOARD_FIGURES = ("rank", "title", "shop_name", "price", "trade_index", "traffic_index")


def import_board(
    *, actor: Any, shop: Shop, files: Sequence[tuple[FileSource, str]], category: str = ""
) -> WatchImportReport:
    """Import 生意参谋 市场排行 exports into the shop's board; `category` names the category of a file without
    a 类目 column (the export is made for one category)."""
    roles.require(actor, IMPORT_WATCH)
    report = WatchImportReport(what="board", shop_code=shop.code, sources=[name for _f, name in files])
    errors: list[RowError] = []
    read = []
    ranks: dict[tuple[str, date, int], ReportRow] = {}
    for file, name in files:
        rows, file_errors, result = _read(file, name, BOARD)
        errors.extend(file_errors)
        for row in rows:
            values = row.values
            row_category = " ".join((values.get("category") or category).split())
            if not row_category:
                errors.append(
                    RowError(
                        row.file, row.line, result.header("category"), _("Required: the category (类目) of the row.")
                    )
                )
                continue
            if not values["rank"]:
                errors.append(RowError(row.file, row.line, result.header("rank"), _("A rank starts at 1.")))
                continue
            taken = ranks.setdefault((row_category, row.day, values["rank"]), row)
            if taken is not row and taken.values["item_id"] != values["item_id"]:
                errors.append(
                    RowError(
                        row.file,
                        row.line,
                        result.header("rank"),
                        _("Rank %(rank)s is given to another item on line %(line)s.")
                        % {"rank": values["rank"], "line": taken.line},
                    )
                )
                continue
            figures = {
                "rank": values["rank"],
                "title": values.get("title") or "",
                "shop_name": values.get("shop_name") or "",
                "price": values.get("price") or None,
                "trade_index": values.get("trade_index"),
                "traffic_index": values.get("traffic_index"),
            }
            read.append(((row_category, row.day, values["item_id"]), figures, row))
    chosen = _deduplicate(
        read,
        errors,
        BOARD.field("item_id").names[0],
        lambda key: (
            _("The item %(item)s of %(category)s on %(day)s")
            % {"item": key[2], "category": key[0], "day": key[1].isoformat()}
        ),
    )
    if errors:
        return report.refuse(errors)
    report.rows = len(chosen)
    source_file = ", ".join(report.sources)[:255]
    with transaction.atomic():
        Shop.objects.select_for_update().filter(pk=shop.pk).first()
        board: dict[tuple[Any, ...], dict[str, Any]] = {
            key: {**figures, "source_file": source_file} for key, (figures, _row) in chosen.items()
        }
        stored = {
            (r.category, r.day, r.item_id): r
            for r in BoardRow.objects.filter(
                shop=shop, category__in={k[0] for k in chosen}, day__in={k[1] for k in chosen}
            )
        }
        # A day imported again is that day's board as the new file gives it: items it no longer has go.
        gone = [r.pk for key, r in stored.items() if key not in board]
        BoardRow.objects.filter(pk__in=gone).delete()
        _store(
            BoardRow,
            board,
            stored,
            lambda key, v: BoardRow(shop=shop, category=key[0], day=key[1], item_id=key[2], **v),
            BOARD_FIGURES,
            report,
        )
        report.updated += len(gone)
        _audit(actor, "market.import_board", shop, report)
    return report
