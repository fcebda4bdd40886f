"""`zhanggui import-catalog --shop CODE FILE`: the CLI edge of catalog.imports.import_catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from zhanggui.catalog.commands import shop_named
from zhanggui.catalog.imports import import_catalog
from zhanggui.core.commands import USAGE_ERROR, acting_user
from zhanggui.core.errors import DomainError


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # translated when --help runs, not at import
        return _(
            "Import products and SKUs from an XLSX or CSV file (UTF-8, UTF-8 with BOM or GBK) into one shop. "
            "All or nothing: if any row is rejected, nothing is written and each rejected row is listed with its "
            "line number, column and reason. Importing the same file again changes nothing. "
            "The columns are described in docs/catalog-import.md."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help=_("The .xlsx or .csv file to import."))
        parser.add_argument(
            "--shop", required=True, metavar="CODE", help=_("Code of the shop to import into, e.g. TM01.")
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Check every row and report what would change, without writing anything."),
        )
        parser.add_argument(
            "--actor",
            metavar="USERNAME",
            help=_(
                "Act as this user: their permissions apply and the audit trail names them (default: the system user)."
            ),
        )
        parser.epilog = _(
            "Exit status: 0 imported (or nothing to change); 1 rows rejected or the file refused, nothing "
            "written; 2 wrong arguments (unknown shop or user, no such file)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stderr.style_func = None  # plain text: the output goes to logs and mails
        shop = shop_named(options["shop"])
        actor = acting_user(options["actor"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path}, returncode=USAGE_ERROR)

        try:
            report = import_catalog(actor=actor, shop=shop, file=path, filename=path.name, dry_run=options["dry_run"])
        except DomainError as exc:
            self.stderr.write(_("%(file)s refused: %(message)s") % {"file": path.name, "message": exc.message})
            raise SystemExit(1) from exc
        if not report.ok:
            for line in report.summary():
                self.stderr.write(line)
            raise SystemExit(1)
        for line in report.summary():
            self.stdout.write(line)
