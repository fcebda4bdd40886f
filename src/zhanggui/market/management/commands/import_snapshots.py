"""`zhanggui import-snapshots FILE… [--platform P]`: a competitor-watch plug-in's daily export."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from zhanggui.market import watch_imports
from zhanggui.market.management.commands._watch_command import WatchImportCommand
from zhanggui.market.models import CHANNEL_CHOICES


class Command(WatchImportCommand):
    needs_shop = False

    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Import competitor snapshots (竞品监控), all or nothing; new shops and items are added.")

    def add_options(self, parser: Any) -> None:
        parser.add_argument(
            "--platform",
            choices=[c for c, _label in CHANNEL_CHOICES],
            default="taobao",
            help=_("The platform of competitor shops not watched yet."),
        )

    def run_import(self, *, actor: Any, shop: Any, files: Any, options: dict[str, Any]) -> Any:
        return watch_imports.import_snapshots(actor=actor, files=files, platform=options["platform"])
