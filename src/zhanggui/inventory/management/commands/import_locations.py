"""`zhanggui import-locations [--warehouse CODE] FILE`: the CLI edge of inventory.locations.import_locations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from zhanggui.catalog.commands import shop_named
from zhanggui.core.commands import USAGE_ERROR, acting_user
from zhanggui.core.errors import DomainError
from zhanggui.inventory.locations import import_locations
from zhanggui.inventory.models import Warehouse


def warehouse_named(code: str) -> Warehouse:
    """The warehouse with this code; an unknown code stops the command (exit 2) naming the warehouses there are."""
    warehouse = Warehouse.objects.filter(code=code).first()
    if warehouse is None:
        known = ", ".join(Warehouse.objects.values_list("code", flat=True)) or "-"
        raise CommandError(
            _("No warehouse with code %(code)s (known warehouses: %(known)s).") % {"code": code, "known": known},
            returncode=USAGE_ERROR,
        )
    return warehouse


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # translated when --help runs, not at import
        return _(
            "Set the bin locations (库位) of SKUs from an XLSX or CSV file: columns 商家编码 (SKU code), 库位 "
            "(location), 仓库 (warehouse; not needed with --warehouse) and 店铺 (shop, when a SKU code is used in "
            "several shops). All or nothing: if any row is rejected, nothing is written and each rejected row is "
            "listed with its line number, column and reason. Importing the same file again changes nothing."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help=_("The .xlsx or .csv file to import."))
        parser.add_argument(
            "--warehouse",
            metavar="CODE",
            help=_("Code of the warehouse the locations are in; without it, each row's 仓库 column says."),
        )
        parser.add_argument("--shop", metavar="CODE", help=_("Only SKUs of this shop (code, e.g. TM01)."))
        parser.add_argument(
            "--actor",
            metavar="USERNAME",
            help=_(
                "Act as this user: their permissions apply and the audit trail names them (default: the system user)."
            ),
        )
        parser.epilog = _(
            "Exit status: 0 imported (or nothing to change); 1 rows rejected or the file refused, nothing "
            "written; 2 wrong arguments (unknown warehouse, shop or user, no such file)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stderr.style_func = None  # plain text: the output goes to logs and mails
        warehouse = warehouse_named(options["warehouse"]) if options["warehouse"] else None
        shop = shop_named(options["shop"]) if options["shop"] else None
        actor = acting_user(options["actor"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path}, returncode=USAGE_ERROR)

        try:
            report = import_locations(actor=actor, file=path, filename=path.name, warehouse=warehouse, shop=shop)
        except DomainError as exc:
            self.stderr.write(_("%(file)s refused: %(message)s") % {"file": path.name, "message": exc.message})
            raise SystemExit(1) from exc
        if not report.ok:
            for line in report.summary():
                self.stderr.write(line)
            raise SystemExit(1)
        for line in report.summary():
            self.stdout.write(line)
