"""`zhanggui export-orders --shop CODE [--status S] [--from D --to D] -o FILE`: the CLI edge of orders.exports."""

from __future__ import annotations

import io
import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from zhanggui.catalog.commands import shop_named
from zhanggui.core.commands import USAGE_ERROR
from zhanggui.core.errors import DomainError
from zhanggui.orders.exports import FORMATS, export_orders
from zhanggui.orders.models import OrderStatus


def _write_atomically(path: Path, data: bytes) -> None:
    """Replace the file in one step, so a failed export never leaves half a file behind."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _day(text: str | None, option: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            _("%(option)s %(value)s is not a day; write it as 2026-06-18.") % {"option": option, "value": text},
            returncode=USAGE_ERROR,
        ) from None


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # translated when --help runs, not at import
        return _(
            "Export a shop's orders, one row per line, as XLSX or CSV in our own order format: the file "
            "import-orders reads, so an untouched export imports with no change."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--shop", required=True, metavar="CODE", help=_("Code of the shop."))
        parser.add_argument(
            "--status",
            action="append",
            default=[],
            metavar="STATUS",
            help=_("Only orders in this status (ours: %(statuses)s); repeat it or separate with commas.")
            % {"statuses": ", ".join(OrderStatus.values)},
        )
        parser.add_argument("--from", dest="paid_from", metavar="DAY", help=_("Paid on or after this day."))
        parser.add_argument("--to", dest="paid_to", metavar="DAY", help=_("Paid on or before this day."))
        parser.add_argument("--format", choices=FORMATS, help=_("xlsx or csv (default: from the file's name)."))
        parser.add_argument(
            "-o",
            "--output",
            metavar="FILE",
            help=_("The file to write (replaced if it exists); CSV goes to standard output without it."),
        )
        parser.epilog = _("Exit status: 0 written; 1 the export failed; 2 wrong arguments.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stderr.style_func = None
        shop = shop_named(options["shop"])
        statuses = [s.strip() for text in options["status"] for s in text.split(",") if s.strip()]
        unknown = [s for s in statuses if s not in OrderStatus.values]
        if unknown:
            raise CommandError(
                _("Unknown status %(status)s; use %(statuses)s.")
                % {"status": ", ".join(unknown), "statuses": ", ".join(OrderStatus.values)},
                returncode=USAGE_ERROR,
            )
        paid_from, paid_to = _day(options["paid_from"], "--from"), _day(options["paid_to"], "--to")
        output = options["output"]
        to_stdout = output in (None, "-")
        fmt = options["format"] or ("xlsx" if not to_stdout and output.lower().endswith(".xlsx") else "csv")
        if fmt == "xlsx" and to_stdout:
            raise CommandError(_("An .xlsx export needs -o FILE."), returncode=USAGE_ERROR)
        if not to_stdout and not Path(output).parent.is_dir():
            raise CommandError(_("No such folder: %(path)s") % {"path": Path(output).parent}, returncode=USAGE_ERROR)

        buffer = io.BytesIO()
        try:
            rows = export_orders(
                out=buffer, shop=shop, statuses=statuses, paid_from=paid_from, paid_to=paid_to, fmt=fmt
            )
        except DomainError as exc:
            self.stderr.write(_("Export failed: %(message)s") % {"message": exc.message})
            raise SystemExit(1) from exc
        if to_stdout:
            stream = getattr(self.stdout._out, "buffer", None)
            if stream is None:  # a text stream (tests, call_command(stdout=StringIO()))
                self.stdout.write(buffer.getvalue().decode("utf-8").lstrip("\ufeff"), ending="")
            else:
                self.stdout.flush()
                stream.write(buffer.getvalue())
                stream.flush()
            return
        _write_atomically(Path(output), buffer.getvalue())
        self.stdout.write(_("%(rows)s rows written to %(path)s.") % {"rows": rows, "path": output})
