"""`zhanggui import-promotions`: read a JSON list of promotions (docs/pricing.md) into a shop, all or nothing.

New codes become drafts; drafts and submitted promotions with the same code are updated; identical ones are
left alone, so importing the same file twice changes nothing. Exit 0 when imported (or a clean dry run),
1 when any promotion was refused (nothing written; each one named by index and id), 2 for a usage error.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhanggui.catalog.commands import shop_named
from zhanggui.core.commands import acting_user
from zhanggui.core.errors import DomainError
from zhanggui.promotions.management.jsonfile import read_json
from zhanggui.promotions.offers.imports import import_promotions

USAGE_ERROR, REFUSED = 2, 1


class Command(BaseCommand):
    @property
    def help(self) -> str:  # a property: gettext at import time would freeze the language
        return _(
            "Import promotions from a JSON file in the format of docs/pricing.md into a shop (or, without --shop, "
            "as promotions of every shop). All or nothing; re-importing the same file changes nothing."
        )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help='FILE.json: a list of promotions (or {"promotions": [...]})')
        parser.add_argument("--shop", help="shop code (default: promotions of every shop)")
        parser.add_argument("--actor", help="username recorded in the audit trail (default: system)")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")

    def handle(self, *args, **options) -> None:
        shop = shop_named(options["shop"]) if options["shop"] else None
        actor = acting_user(options["actor"])
        path: Path = options["file"]
        items = read_json(path)  # exit 2 when missing, 1 when not JSON, as the other promotion commands
        try:
            report = import_promotions(actor=actor, shop=shop, items=items, dry_run=options["dry_run"])
        except DomainError as exc:
            raise CommandError(exc.message, returncode=REFUSED) from exc
        for rejected in report.rejected:
            self.stderr.write(
                _("Promotion %(index)s (%(id)s) refused: %(reason)s")
                % {"index": rejected.index, "id": rejected.id or "?", "reason": rejected.reason}
            )
        counts = {"created": len(report.created), "updated": len(report.updated), "unchanged": len(report.unchanged)}
        if report.rejected:
            raise CommandError(
                _("%(count)s promotions refused: nothing was imported.") % {"count": len(report.rejected)},
                returncode=REFUSED,
            )
        if report.dry_run:
            self.stdout.write(
                _("Dry run, nothing written: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.") % counts
            )
        else:
            self.stdout.write(_("Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.") % counts)
