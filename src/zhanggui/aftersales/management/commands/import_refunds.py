"""`zhanggui import-refunds --shop CODE [--platform taobao|jd|pdd] FILE [--json] [--dry-run]`: the CLI edge of
aftersales.imports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from zhanggui.aftersales import imports
from zhanggui.catalog.commands import shop_named
from zhanggui.channels.refund_exports import REFUND_PLATFORMS
from zhanggui.core.commands import USAGE_ERROR, acting_user
from zhanggui.core.errors import DomainError


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # translated when --help runs, not at import
        return _(
            "Import a platform's refund export (Taobao/Tmall 退款管理, JD 赔付单 or 售后服务单, Pinduoduo 售后) into "
            "one shop's after-sales cases; the platform is told by the file's columns. All or "
            "nothing: if any row is rejected, nothing is stored and each rejected row is listed. Importing the "
            "same file again changes nothing; a later export updates the cases (docs/aftersales.md)."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help=_("The export file, .xlsx or .csv."))
        parser.add_argument("--shop", required=True, metavar="CODE", help=_("Code of the shop the refunds are for."))
        parser.add_argument(
            "--platform",
            choices=REFUND_PLATFORMS,
            help=_("The platform of the export; by default it is told by the file's columns."),
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Check everything and report what would change; store nothing.")
        )
        parser.add_argument("--json", action="store_true", help=_("Print the report as JSON."))
        parser.add_argument(
            "--actor",
            metavar="USERNAME",
            help=_("Act as this user: their permissions apply and the cases' timeline names them."),
        )
        parser.epilog = _(
            "Exit status: 0 imported (or nothing to change); 1 rows rejected or the file refused, nothing "
            "stored; 2 wrong arguments (unknown shop or user, no such file)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stderr.style_func = None  # plain text: the output goes to logs and mails
        shop = shop_named(options["shop"])
        actor = acting_user(options["actor"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path}, returncode=USAGE_ERROR)
        try:
            report = imports.import_refund_file(
                actor=actor,
                shop=shop,
                file=path,
                filename=path.name,
                dry_run=options["dry_run"],
                platform=options["platform"],
            )
        except DomainError as exc:
            if options["json"]:
                self.stdout.write(json.dumps({"error": exc.as_dict()}, ensure_ascii=False, indent=2))
            self.stderr.write(_("Refused: %(message)s") % {"message": exc.message})
            raise SystemExit(1) from exc

        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        if report.ok:
            if not options["json"]:
                for line in report.summary():
                    self.stdout.write(line)
            return
        if not options["json"]:
            for line in report.summary():
                self.stderr.write(line)
        raise SystemExit(1)
