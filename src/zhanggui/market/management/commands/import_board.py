"""`zhanggui import-board --shop CODE FILE… [--category C]`: 生意参谋 市场排行 exports."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from zhanggui.market import watch_imports
from zhanggui.market.management.commands._watch_command import WatchImportCommand


class Command(WatchImportCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Import 生意参谋 市场排行 exports into a shop's category board, all or nothing.")

    def add_options(self, parser: Any) -> None:
        parser.add_argument("--category", default="", help=_("The category of a file without 类目."))

    def run_import(self, *, actor: Any, shop: Any, files: Any, options: dict[str, Any]) -> Any:
        return watch_imports.import_board(actor=actor, shop=shop, files=files, category=options["category"])
