"""`zhanggui import-ads --shop CODE FILE [FILE ...] [--json]`: 直通车, 京东快车, display and 淘宝客 reports."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from zhanggui.analytics import report_imports
from zhanggui.analytics.management.commands._report_command import ReportCommand
from zhanggui.channels.ads import AD_KINDS


class Command(ReportCommand):
    kinds = tuple(AD_KINDS)

    @property
    def help(self) -> str:  # type: ignore[override]  # translated when --help runs, not at import
        return _(
            "Import ad reports as the platforms export them (直通车/万相台, 京东快车/京准通, 引力魔方/钻展, "
            "淘宝客/淘宝联盟; CSV in UTF-8 or GBK, or XLSX), each file's kind told by its header row. All or "
            "nothing: with any rejected row nothing is stored. Each day in the files replaces that day's rows of "
            "the same ad channel; the same file twice changes nothing (docs/metrics.md)."
        )

    def importer(self) -> Callable[..., report_imports.ReportImportReport]:
        return report_imports.import_ads
