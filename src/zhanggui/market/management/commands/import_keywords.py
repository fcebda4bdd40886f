"""`zhanggui import-keywords --shop CODE FILE [FILE ...] [--json]`: search-term exports into the keyword library."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from zhanggui.catalog.commands import shop_named
from zhanggui.core.commands import USAGE_ERROR, acting_user
from zhanggui.core.errors import DomainError
from zhanggui.market import imports
from zhanggui.market.keyword_files import KEYWORD_KINDS


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # translated when --help runs, not at import
        return _(
            "Import search-term exports (生意参谋 搜索分析 / 相关搜索词, 京东商智 搜索词; CSV in UTF-8 or GBK, "
            "or XLSX) into a shop's keyword library. All or nothing: with any rejected row nothing is stored. The same "
            "file twice changes nothing; a keyword's day imported again is updated (docs/market.md)."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help=_("The report files, .csv or .xlsx."))
        parser.add_argument("--shop", required=True, metavar="CODE", help=_("Code of the shop the reports are of."))
        parser.add_argument(
            "--kind",
            choices=tuple(KEYWORD_KINDS),
            help=_("The kind of every file, when their header rows should not decide."),
        )
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
            report = imports.import_keywords(
                actor=actor, shop=shop, files=[(path, path.name) for path in paths], kind=options["kind"]
            )
        except DomainError as exc:
            self.stderr.write(_("Refused: %(message)s") % {"message": exc.message})
            raise SystemExit(1) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        out = self.stdout if report.ok else self.stderr
        if not options["json"]:
            for line in report.summary():
                out.write(line)
        if not report.ok:
            raise SystemExit(1)
