"""`zhanggui export-catalog [--shop CODE] -o FILE`: the CLI edge of catalog.exports.export_catalog."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from zhanggui.catalog.commands import shop_named
from zhanggui.catalog.exports import ENCODINGS, FORMATS, export_catalog
from zhanggui.core.commands import USAGE_ERROR
from zhanggui.core.errors import DomainError


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


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # translated when --help runs, not at import
        return _(
            "Export products and SKUs (one row per SKU) as XLSX or CSV, in the format import-catalog reads: "
            "an untouched export imports with no change."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--shop", metavar="CODE", help=_("Only this shop (default: every shop)."))
        parser.add_argument(
            "--format",
            choices=FORMATS,
            help=_("xlsx or csv (default: from the name of the output file; csv on standard output)."),
        )
        parser.add_argument(
            "--encoding",
            choices=ENCODINGS,
            default="utf-8-sig",
            help=_("CSV encoding (default utf-8-sig: UTF-8 with a BOM, which Excel opens correctly)."),
        )
        parser.add_argument(
            "-o",
            "--output",
            metavar="FILE",
            help=_("The file to write (replaced if it exists). Without it, CSV goes to standard output."),
        )
        parser.add_argument(
            "--plain",
            action="store_true",
            help=_('CSV for scripts: codes as stored, without the ="..." that keeps Excel from changing them.'),
        )
        parser.epilog = _(
            "Exit status: 0 written; 1 the export failed (e.g. text not writable in GBK); 2 wrong arguments."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stderr.style_func = None
        shop = None
        if options["shop"]:
            shop = shop_named(options["shop"])
        output = options["output"]
        to_stdout = output in (None, "-")
        fmt = options["format"] or ("xlsx" if not to_stdout and output.lower().endswith(".xlsx") else "csv")
        if fmt == "xlsx" and to_stdout:
            raise CommandError(_("An .xlsx export needs -o FILE."), returncode=USAGE_ERROR)

        buffer = io.BytesIO()
        try:
            rows = export_catalog(
                out=buffer, shop=shop, fmt=fmt, encoding=options["encoding"], excel_safe=not options["plain"]
            )
        except DomainError as exc:
            self.stderr.write(_("Export failed: %(message)s") % {"message": exc.message})
            raise SystemExit(1) from exc

        if to_stdout:
            stream = getattr(self.stdout._out, "buffer", None)
            if stream is None:  # a text stream (tests, call_command(stdout=StringIO()))
                encoding = "utf-8" if options["encoding"] == "utf-8-sig" else options["encoding"]
                self.stdout.write(buffer.getvalue().decode(encoding).lstrip("\ufeff"), ending="")
            else:
                self.stdout.flush()
                stream.write(buffer.getvalue())
                stream.flush()
            return
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(_("No such folder: %(path)s") % {"path": path.parent}, returncode=USAGE_ERROR)
        _write_atomically(path, buffer.getvalue())
        self.stdout.write(_("%(rows)s rows written to %(path)s.") % {"rows": rows, "path": path})
