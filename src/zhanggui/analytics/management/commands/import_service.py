"""`zhanggui import-service --shop CODE FILE [FILE ...] [--json]`: 千牛/赤兔 and 京东 咚咚 客服绩效 reports."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from zhanggui.analytics import report_imports
from zhanggui.analytics.management.commands._report_command import ReportCommand
from zhanggui.channels.service import SERVICE_KINDS


class Command(ReportCommand):
    kinds = tuple(SERVICE_KINDS)

    @property
    def help(self) -> str:  # type: ignore[override]  # translated when --help runs, not at import
        return _(
            "Import customer-service reports as the platforms export them (千牛/赤兔 客服绩效, 京东 咚咚; CSV in "
            "UTF-8 or GBK, or XLSX), one row a day and agent. All or nothing: with any rejected row nothing is "
            "stored. Each day in the files replaces that day's agents; the same file twice changes nothing "
            "(docs/metrics.md)."
        )

    def importer(self) -> Callable[..., report_imports.ReportImportReport]:
        return report_imports.import_service
