"""`zhanggui import-ranks --shop CODE FILE… [--device pc|mobile]`: a rank-tracking plug-in's export."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from zhanggui.market import watch_imports
from zhanggui.market.management.commands._watch_command import WatchImportCommand
from zhanggui.market.models import Device


class Command(WatchImportCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Import rank-tracking exports (排名监控) into a shop, all or nothing (docs/market.md).")

    def add_options(self, parser: Any) -> None:
        parser.add_argument(
            "--device", choices=Device.values, default=Device.MOBILE, help=_("The device of a file without 设备.")
        )

    def run_import(self, *, actor: Any, shop: Any, files: Any, options: dict[str, Any]) -> Any:
        return watch_imports.import_ranks(actor=actor, shop=shop, files=files, device=options["device"])
