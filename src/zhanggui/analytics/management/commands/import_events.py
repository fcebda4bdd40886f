"""`zhanggui import-events --shop CODE FILE [FILE ...] [--json]`: the CLI edge of analytics.services."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from zhanggui.analytics import services
from zhanggui.catalog.commands import shop_named
from zhanggui.core.commands import USAGE_ERROR, acting_user
from zhanggui.core.errors import DomainError


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # translated when --help runs, not at import
        return _(
            "Import behaviour events (user_id, item_id, category_id, behavior_type, timestamp, optionally "
            "session_id and source; CSV with or without a header, or Parquet) into one shop. All or nothing: if "
            "any row is rejected, nothing is stored and the rows are listed. The same file twice changes nothing; "
            "only the days whose events changed are recomputed (docs/metrics.md)."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help=_("The event files, .csv or .parquet."))
        parser.add_argument("--shop", required=True, metavar="CODE", help=_("Code of the shop the events are for."))
        parser.add_argument("--json", action="store_true", help=_("Print the report as JSON."))
        parser.add_argument(
            "--actor",
            metavar="USERNAME",
            help=_("Act as this user: their permissions apply (default: the system user)."),
        )
        parser.epilog = _(
            "Exit status: 0 imported (or nothing to change); 1 rows rejected, nothing stored; 2 wrong arguments "
            "(unknown shop or user, no such file)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stderr.style_func = None  # plain text: the output goes to logs and mails
        shop = shop_named(options["shop"])
        actor = acting_user(options["actor"])
        paths = [Path(name) for name in options["files"]]
        for path in paths:
            if not path.is_file():
                raise CommandError(_("No such file: %(path)s") % {"path": path}, returncode=USAGE_ERROR)
        try:
            report = services.import_events(actor=actor, shop=shop, files=[(path, path.name) for path in paths])
        except DomainError as exc:
            if options["json"]:
                self.stdout.write(json.dumps({"error": exc.as_dict()}, ensure_ascii=False, indent=2))
            self.stderr.write(_("Refused: %(message)s") % {"message": exc.message})
            raise SystemExit(1) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        elif report.ok:
            for line in report.summary():
                self.stdout.write(line)
        if not report.ok:
            if not options["json"]:
                for line in report.summary():
                    self.stderr.write(line)
            raise SystemExit(1)
