"""`zhanggui import-orders --shop CODE [--platform P] FILE [FILE ...]`: the CLI edge of orders.imports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from zhanggui.catalog.commands import shop_named
from zhanggui.channels.records import PLATFORMS
from zhanggui.core.commands import USAGE_ERROR, acting_user
from zhanggui.core.errors import DomainError
from zhanggui.orders import imports


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # translated when --help runs, not at import
        return _(
            "Import a platform's order export into one shop: one file (JD, Pinduoduo, our own format) or "
            "Taobao's two (订单报表 and 宝贝报表, in any order). The platform is found from the headers unless "
            "given. All or nothing: if any row is rejected, nothing is stored and each rejected row is listed. "
            "Importing the same file again changes nothing; a later export updates the orders (docs/orders.md)."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help=_("The export file(s), .xlsx or .csv."))
        parser.add_argument("--shop", required=True, metavar="CODE", help=_("Code of the shop the orders are for."))
        parser.add_argument(
            "--platform", choices=PLATFORMS, help=_("Whose export the files are (default: found from the headers).")
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Check everything and report what would change; store nothing.")
        )
        parser.add_argument("--json", action="store_true", help=_("Print the report as JSON."))
        parser.add_argument(
            "--actor",
            metavar="USERNAME",
            help=_(
                "Act as this user: their permissions apply and the orders' timeline names them "
                "(default: the system user)."
            ),
        )
        parser.epilog = _(
            "Exit status: 0 imported (or nothing to change); 1 rows rejected or the files refused, nothing "
            "stored; 2 wrong arguments (unknown shop or user, no such file)."
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
            report = imports.import_files(
                actor=actor,
                shop=shop,
                files=[(path, path.name) for path in paths],
                platform=options["platform"],
                dry_run=options["dry_run"],
            )
        except DomainError as exc:
            if options["json"]:
                self.stdout.write(json.dumps({"error": exc.as_dict()}, ensure_ascii=False, indent=2))
            self.stderr.write(_("Refused: %(message)s") % {"message": exc.message})
            raise SystemExit(1) from exc

        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        elif report.ok:
            self._table(report)
        if not report.ok:
            if not options["json"]:
                for line in report.summary():
                    self.stderr.write(line)
            raise SystemExit(1)

    def _table(self, report: imports.ImportReport) -> None:
        self.stdout.write(report.summary()[0])
        rows = [
            (_("orders created"), report.orders_created),
            (_("orders updated"), report.orders_updated),
            (_("orders unchanged"), report.orders_unchanged),
            (_("orders on hold"), report.held),
            (_("lines"), report.lines),
            (_("units"), report.units),
            (_("paid"), report.paid_total),
        ]
        width = max(len(str(label)) for label, _value in rows)
        for label, value in rows:
            self.stdout.write(f"  {label:<{width}}  {value:>6}")
