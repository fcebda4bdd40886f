"""`zhanggui import-reviews --shop CODE FILE… [--day YYYY-MM-DD] [--questions]`: review exports (a snapshot
of the items' reviews on the day: 删评 flagged) or 问大家."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from zhanggui.market import reviews
from zhanggui.market.management.commands._watch_command import WatchImportCommand


class Command(WatchImportCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Import review exports as the snapshot of their items on a day (删评 flagged; bad reviews become 客服 "
            "tasks), or 问大家 with --questions; all or nothing (docs/market.md)."
        )

    def add_options(self, parser: Any) -> None:
        parser.add_argument("--day", type=date.fromisoformat, help=_("The snapshot day (default: today)."))
        parser.add_argument("--questions", action="store_true", help=_("The files are 问大家 exports."))

    def run_import(self, *, actor: Any, shop: Any, files: Any, options: dict[str, Any]) -> Any:
        if options["questions"]:
            return reviews.import_questions(actor=actor, shop=shop, files=files)
        return reviews.import_reviews(actor=actor, shop=shop, files=files, snapshot_day=options["day"])
