"""What the market's file imports share on the command line (import-ranks, import-snapshots, import-board,
import-reviews): files, --actor, --json, the exit status of import-keywords (0 imported, 1 rejected, 2 usage)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from zhanggui.catalog.commands import shop_named
from zhanggui.core.commands import USAGE_ERROR, acting_user
from zhanggui.core.errors import DomainError


class WatchImportCommand(BaseCommand):
    needs_shop = True

    def add_options(self, parser: CommandParser) -> None:
        """The command's own options."""

    def run_import(self, *, actor: Any, shop: Any, files: list[tuple[Path, str]], options: dict[str, Any]) -> Any:
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help=_("The files, .csv or .xlsx."))
        if self.needs_shop:
            parser.add_argument("--shop", required=True, metavar="CODE", help=_("Code of the shop the files are of."))
        self.add_options(parser)
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
        shop = shop_named(options["shop"]) if self.needs_shop else None
        actor = acting_user(options["actor"])
        paths = [Path(name) for name in options["files"]]
        for path in paths:
            if not path.is_file():
                raise CommandError(_("No such file: %(path)s") % {"path": path}, returncode=USAGE_ERROR)
        try:
            report = self.run_import(
                actor=actor, shop=shop, files=[(path, path.name) for path in paths], options=options
            )
        except DomainError as exc:
            self.stderr.write(_("Refused: %(message)s") % {"message": exc.message})
            raise SystemExit(1) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            out = self.stdout if report.ok else self.stderr
            for line in report.summary():
                out.write(line)
        if not report.ok:
            raise SystemExit(1)
