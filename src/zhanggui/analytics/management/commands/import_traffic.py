"""`zhanggui import-traffic --shop CODE FILE [FILE ...] [--json]`: 生意参谋 / 京东商智 reports into a shop."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from zhanggui.analytics import report_imports
from zhanggui.analytics.management.commands._report_command import ReportCommand
from zhanggui.channels.traffic import TRAFFIC_KINDS


class Command(ReportCommand):
    kinds = tuple(TRAFFIC_KINDS)

    @property
    def help(self) -> str:  # type: ignore[override]  # translated when --help runs, not at import
        return _(
            "Import traffic reports as the platforms export them (生意参谋 shop overview, 商品排行, 流量来源; "
            "京东商智 shop and items; CSV in UTF-8 or GBK, or XLSX), each file's kind told by its header row. All "
            "or nothing: with any rejected row nothing is stored. Each day in the files replaces that day's "
            "figures of the same report; the same file twice changes nothing (docs/metrics.md)."
        )

    def importer(self) -> Callable[..., report_imports.ReportImportReport]:
        return report_imports.import_traffic
