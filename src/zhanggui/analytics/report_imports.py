"""Import the platforms' daily reports into a shop: traffic (生意参谋, 京东商智), ads (直通车, 京东快车, display,
淘宝客) and customer service (千牛/赤兔 and 京东 咚咚 客服绩效, and the shop's DSR / JD shop score).
docs/metrics.md, "Traffic and ads imports".

All or nothing: every file is read (channels.traffic, channels.ads) and checked first; any refused row, a file
whose kind cannot be told or that belongs to another platform's shops, or one row named twice with other values
refuses the whole import, and nothing is written.

Otherwise each file fills one *target*: the shop's days (ShopDayTraffic), its items' (ItemDayTraffic), its
sources' (SourceDayTraffic), one ad channel's (AdDay rows of that channel) or its agents' (ServiceDay). For each
target and each day the files hold, the day's rows become exactly the files' rows for it: a later export of the
same day replaces what an earlier one stored (platforms restate their figures), rows the new export no longer has
go, and a day the files do not hold is not touched. A day whose rows would come out the same is left as it is,
so importing the same file again changes nothing (no row is deleted or written).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from zhanggui.analytics.models import (
    AdDay,
    ItemDayTraffic,
    ServiceDay,
    ShopDayTraffic,
    ShopScoreDay,
    SourceDayTraffic,
)
from zhanggui.catalog import selectors as catalog
from zhanggui.catalog.models import Shop
from zhanggui.channels import ads, service, traffic
from zhanggui.channels.records import RowError
from zhanggui.channels.report_files import ReportFile, ReportKind, ReportRow, detect_kind
from zhanggui.core import roles
from zhanggui.core.services import record_audit
from zhanggui.core.tabular import FileSource, TableError

#: The capability an upload needs: the operators and managers who import the platforms' exports.
IMPORT_REPORTS = roles.IMPORT_ORDERS
TRAFFIC, ADS, SERVICE = "traffic", "ads", "service"
#: How many refusals a report lists (all are counted).
REJECTED_LISTED = 1000

TARGET_MODELS: dict[str, type[models.Model]] = {
    traffic.SHOP: ShopDayTraffic,
    traffic.ITEMS: ItemDayTraffic,
    traffic.SOURCES: SourceDayTraffic,
    ads.ADS: AdDay,
    service.SERVICE: ServiceDay,
    service.SCORES: ShopScoreDay,
}
Reader = Callable[..., ReportFile]
READERS: dict[str, tuple[Reader, dict[str, ReportKind]]] = {
    TRAFFIC: (traffic.read_traffic, traffic.TRAFFIC_KINDS),
    ADS: (ads.read_ads, ads.AD_KINDS),
    SERVICE: (service.read_service, service.SERVICE_KINDS),
}


@dataclass
class FileSummary:
    file: str
    kind: str
    label: str
    rows: int
    days: list[date]


@dataclass
class ReportImportReport:
    """What an import did, or with refusals why it did nothing; the shape `import-traffic --json` prints."""

    shop_code: str
    family: str  # TRAFFIC, ADS or SERVICE
    files: list[FileSummary] = field(default_factory=list)
    rows: int = 0
    days: list[date] = field(default_factory=list)
    days_replaced: list[date] = field(default_factory=list)
    rows_written: int = 0
    items_unmatched: int = 0  # item rows whose code names no product of the shop
    rejected: list[RowError] = field(default_factory=list)  # the first REJECTED_LISTED
    rejected_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.rejected

    def as_dict(self) -> dict[str, Any]:
        return {
            "shop": self.shop_code,
            "files": [
                {
                    "file": f.file,
                    "kind": f.kind,
                    "label": f.label,
                    "rows": f.rows,
                    "days": [d.isoformat() for d in f.days],
                }
                for f in self.files
            ],
            "rows": self.rows,
            "days": [day.isoformat() for day in self.days],
            "days_replaced": [day.isoformat() for day in self.days_replaced],
            "rows_written": self.rows_written,
            "items_unmatched": self.items_unmatched,
            "rejected_rows": self.rejected_rows,
            "rejected": [error.as_dict() for error in self.rejected],
        }

    def summary(self) -> list[str]:
        """The report as plain lines, for the CLI."""
        if not self.ok:
            head = _("%(count)s rows rejected; nothing was stored.") % {"count": self.rejected_rows}
            return [head, *(_describe(error) for error in self.rejected)]
        lines = [_("Imported into shop %(shop)s.") % {"shop": self.shop_code}]
        lines += [
            _("%(file)s: %(kind)s, %(rows)s rows, %(days)s days.")
            % {"file": f.file, "kind": f.label, "rows": f.rows, "days": len(f.days)}
            for f in self.files
        ]
        lines.append(
            _("Days in the files: %(days)s; replaced: %(replaced)s; rows written: %(written)s.")
            % {"days": len(self.days), "replaced": len(self.days_replaced), "written": self.rows_written}
        )
        if self.items_unmatched:
            lines.append(
                _("%(count)s item rows name no product of the shop by their code (货号/商家编码).")
                % {"count": self.items_unmatched}
            )
        return lines


def _describe(error: RowError) -> str:
    where = ":".join(str(part) for part in (error.file, error.line) if part)
    where = f"{where} {error.column}".strip() if error.column else where
    return f"{where}: {error.reason}" if where else error.reason


# --------------------------------------------------------------------------------------------------------
# Importing
# --------------------------------------------------------------------------------------------------------


def import_traffic(
    *, actor: Any, shop: Shop, files: Sequence[tuple[FileSource, str]], kind: str | None = None
) -> ReportImportReport:
    """Import traffic reports (生意参谋/京东商智: shop, items, sources), all or nothing (the module's docstring).
    `kind` (a key of channels.traffic.TRAFFIC_KINDS) names the kind of every file instead of their headers."""
    return _import(actor=actor, shop=shop, files=files, family=TRAFFIC, kind=kind)


def import_ads(
    *, actor: Any, shop: Shop, files: Sequence[tuple[FileSource, str]], kind: str | None = None
) -> ReportImportReport:
    """Import ad reports (直通车, 京东快车, 引力魔方/钻展, 淘宝客), all or nothing (the module's docstring)."""
    return _import(actor=actor, shop=shop, files=files, family=ADS, kind=kind)


def import_service(
    *, actor: Any, shop: Shop, files: Sequence[tuple[FileSource, str]], kind: str | None = None
) -> ReportImportReport:
    """Import customer-service reports (千牛/赤兔 客服绩效, 京东 咚咚), one row a day and agent, all or nothing (the
    module's docstring): each day in the files replaces that day's agents."""
    return _import(actor=actor, shop=shop, files=files, family=SERVICE, kind=kind)


def _import(
    *, actor: Any, shop: Shop, files: Sequence[tuple[FileSource, str]], family: str, kind: str | None
) -> ReportImportReport:
    roles.require(actor, IMPORT_REPORTS)
    reader, kinds = READERS[family]
    report = ReportImportReport(shop_code=shop.code, family=family)
    if kind and kind not in kinds:
        report.rejected = [RowError("", 0, "", _("Unknown kind of report %(kind)s.") % {"kind": kind})]
        report.rejected_rows = 1
        return report
    results = [reader(file=file, filename=name, kind=kind or None) for file, name in files]
    errors = [error for result in results for error in result.errors]
    for result in results:
        if result.kind is not None and not result.errors and shop.channel not in result.kind.platforms:
            errors.append(RowError(result.file, 0, "", _platform_refusal(result.kind, shop)))
    slots = _slots(results, errors)
    if errors:
        errors.sort(key=lambda error: (error.file, error.line))
        report.rejected = errors[:REJECTED_LISTED]
        report.rejected_rows = len({(error.file, error.line) for error in errors})
        return report
    report.files = [
        FileSummary(result.file, result.kind.key, str(result.kind.label), len(result.rows), result.days)
        for result in results
        if result.kind is not None
    ]
    report.rows = sum(len(result.rows) for result in results)
    report.days = sorted({row.day for result in results for row in result.rows})
    replaced: set[date] = set()
    with transaction.atomic():
        Shop.objects.select_for_update().filter(pk=shop.pk).first()  # one import into a shop at a time
        for (target, channel), by_day in slots.items():
            model = TARGET_MODELS[target]
            products = _products(shop, by_day) if model is ItemDayTraffic else {}
            for day, rows in sorted(by_day.items()):
                new = [_values(model, shop, report_kind, row, products) for report_kind, row in rows.values()]
                if model is ItemDayTraffic:
                    report.items_unmatched += sum(1 for values in new if values["product_id"] is None)
                stored = model._default_manager.filter(shop=shop, day=day, **({"channel": channel} if channel else {}))
                if _same(stored, new):
                    continue
                stored.delete()
                model._default_manager.bulk_create([model(**values) for values in new])
                report.rows_written += len(new)
                replaced.add(day)
        report.days_replaced = sorted(replaced)
        if replaced:
            record_audit(
                actor=actor,
                action=f"analytics.import_{family}",
                obj=shop,
                after={
                    "files": [f.file for f in report.files],
                    "days_replaced": [day.isoformat() for day in report.days_replaced],
                    "rows_written": report.rows_written,
                },
            )
    return report


def _platform_refusal(kind: ReportKind, shop: Shop) -> str:
    return _("A %(kind)s report cannot go into shop %(shop)s, a %(channel)s shop.") % {
        "kind": kind.label,
        "shop": shop.code,
        "channel": shop.get_channel_display(),
    }


Slot = tuple[str, str]  # (target, ad channel or "")


def _slots(
    results: Sequence[ReportFile], errors: list[RowError]
) -> dict[Slot, dict[date, dict[tuple[Any, ...], tuple[ReportKind, ReportRow]]]]:
    """The rows of every file by target, day and identity. A row repeated exactly (in a file or across files)
    is taken once; the same identity with other values is refused, naming the other row."""
    slots: dict[Slot, dict[date, dict[tuple[Any, ...], tuple[ReportKind, ReportRow]]]] = {}
    for result in results:
        kind = result.kind
        if kind is None or result.errors:
            continue
        by_day = slots.setdefault((kind.target, kind.channel), {})
        for row in result.rows:
            identity = row.identity(kind)
            day = by_day.setdefault(row.day, {})
            earlier = day.get(identity)
            if earlier is None:
                day[identity] = (kind, row)
            elif earlier[1].values != row.values:
                key = kind.identity[0] if kind.identity else "day"
                errors.append(
                    RowError(
                        row.file,
                        row.line,
                        result.header(key),
                        _("The same %(what)s of %(day)s is on line %(line)s of %(file)s with other figures; keep one.")
                        % {
                            "what": _what(kind),
                            "day": row.day.isoformat(),
                            "line": earlier[1].line,
                            "file": earlier[1].file,
                        },
                    )
                )
    return slots


def _what(kind: ReportKind) -> str:
    return {
        traffic.SHOP: _("shop day"),
        traffic.ITEMS: _("item"),
        traffic.SOURCES: _("source"),
        ads.ADS: _("plan, unit and keyword"),
        service.SERVICE: _("agent"),
        service.SCORES: _("shop day"),
    }[kind.target]


def _products(shop: Shop, by_day: dict[date, dict[tuple[Any, ...], tuple[ReportKind, ReportRow]]]) -> dict[str, int]:
    codes = {row.values.get("item_code") or "" for rows in by_day.values() for _kind, row in rows.values()}
    codes.discard("")
    return catalog.product_ids_by_code(shop, codes) if codes else {}


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.name != "shop"]


def _values(
    model: type[models.Model], shop: Shop, kind: ReportKind, row: ReportRow, products: dict[str, int]
) -> dict[str, Any]:
    """The model row of a report row: every field of the model, None for a figure the report does not give."""
    values: dict[str, Any] = {"shop_id": shop.pk}
    for f in _fields(model):
        if f.name == "day":
            values["day"] = row.day
        elif f.name == "report":
            values["report"] = kind.key
        elif f.name == "channel":
            values["channel"] = kind.channel
        elif f.name == "product":
            values["product_id"] = products.get(row.values.get("item_code") or "")
        else:
            value = row.values.get(f.name)
            values[f.name] = "" if value is None and isinstance(f, models.CharField) else value
    return values


def _same(stored: models.QuerySet, new: list[dict[str, Any]]) -> bool:
    """Whether the stored rows of a day are, field by field, the rows an import would write."""
    names = ["shop_id", *(f.attname for f in _fields(stored.model))]
    have = sorted((tuple(_plain(v) for v in row) for row in stored.values_list(*names)), key=repr)
    want = sorted((tuple(_plain(values[name]) for name in names) for values in new), key=repr)
    return have == want


def _plain(value: Any) -> Any:
    """Decimals compared by value whatever their exponent (the database may give back 0.1 for 0.100000)."""
    return value.normalize() if isinstance(value, Decimal) else value


def import_report(
    *, actor: Any, shop: Shop, file: FileSource, filename: str, kind: str | None = None
) -> ReportImportReport:
    """One upload of the page, traffic, ads or customer service: the kind named, else the first kind of a family
    the header row fits (traffic, then ads, then service); a file none knows is refused naming every kind."""
    roles.require(actor, IMPORT_REPORTS)
    families = (TRAFFIC, ADS, SERVICE)
    if kind:
        family = next((name for name in families if kind in READERS[name][1]), TRAFFIC)
    else:
        family = next((name for name in families if _fits(file, filename, READERS[name][1])), "")
    if not family:
        # Read as each family to name every kind (or say why the file cannot be read at all).
        reasons = [READERS[name][0](file=file, filename=filename).errors for name in families]
        report = ReportImportReport(shop_code=shop.code, family="")
        unknown = _(
            "%(file)s is none of the reports we read (traffic: %(traffic)s; ads: %(ads)s; customer service: "
            "%(service)s)."
        ) % {
            "file": filename,
            "traffic": "; ".join(k.describe() for k in traffic.TRAFFIC_KINDS.values()),
            "ads": "; ".join(k.describe() for k in ads.AD_KINDS.values()),
            "service": "; ".join(k.describe() for k in service.SERVICE_KINDS.values()),
        }
        unreadable = reasons[0] and all(reason == reasons[0] for reason in reasons)  # every reader says the same
        report.rejected = reasons[0] if unreadable else [RowError(filename, 0, "", unknown)]
        report.rejected_rows = 1
        return report
    return _import(actor=actor, shop=shop, files=[(file, filename)], family=family, kind=kind)


def _fits(file: FileSource, filename: str, kinds: dict[str, ReportKind]) -> bool:
    try:
        return detect_kind(file, filename, list(kinds.values())) is not None
    except TableError:
        return False
