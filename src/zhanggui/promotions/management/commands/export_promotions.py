"""`zhanggui export-promotions`: the stored promotions as a JSON list in the spec format of docs/pricing.md.

The file is what `zhanggui import-promotions` reads: exporting and importing it again changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zhanggui.catalog.commands import shop_named
from zhanggui.promotions.offers.selectors import export_promotions


class Command(BaseCommand):
    @property
    def help(self) -> str:  # a property: gettext at import time would freeze the language
        return _(
            "Export the promotions of a shop (or, without --shop, those of every shop) as JSON in the format of "
            "docs/pricing.md; cancelled promotions are left out."
        )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--shop", help="shop code (default: the promotions of every shop)")
        parser.add_argument("-o", "--output", type=Path, help="FILE.json to write (default: standard output)")

    def handle(self, *args, **options) -> None:
        shop = shop_named(options["shop"]) if options["shop"] else None
        text = json.dumps(export_promotions(shop=shop), ensure_ascii=False, indent=2) + "\n"
        if options["output"] is None:
            self.stdout.write(text, ending="")
            return
        options["output"].write_text(text, encoding="utf-8")
        self.stderr.write(
            _("%(count)s promotions written to %(file)s.") % {"count": len(json.loads(text)), "file": options["output"]}
        )
