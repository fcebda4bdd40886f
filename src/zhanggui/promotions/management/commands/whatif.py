"""`zhanggui whatif`: what a draft promotion would do to a list of carts, printed as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhanggui.catalog.commands import shop_named
from zhanggui.catalog.selectors import costs_by_sku_code
from zhanggui.promotions.management.jsonfile import read_json
from zhanggui.promotions.pricing.whatif import what_if
from zhanggui.promotions.spec import STACKING, SpecError, parse_cart, parse_promotion, parse_promotions


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _(
            "Replay a draft promotion over a list of carts (JSON, formats in docs/pricing.md): carts touched, "
            "revenue before and after, the draft's discount, margin per SKU at catalog cost, and the share of "
            "carts that would reach it by buying more."
        )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--draft", required=True, type=Path, help="DRAFT.json: one promotion")
        parser.add_argument("--carts", required=True, type=Path, help="CARTS.json: a list of carts")
        parser.add_argument("--promotions", type=Path, help="RUNNING.json: the promotions already running")
        parser.add_argument("--shop", help="take unit costs (and the stacking policy) from this shop (by SKU code)")
        parser.add_argument(
            "--stacking",
            choices=STACKING,
            help="how layers combine: platform (the default) or best_for_buyer (default: the shop's)",
        )

    def handle(self, *args, **options) -> None:
        try:
            draft = parse_promotion(read_json(options["draft"]), "draft")
            raw_carts = read_json(options["carts"])
            if not isinstance(raw_carts, list):
                raise CommandError(_("%(file)s: a list of carts") % {"file": options["carts"]}, returncode=1)
            carts = [parse_cart(c) for c in raw_carts]
            running = parse_promotions(read_json(options["promotions"])) if options["promotions"] else []
        except SpecError as exc:
            raise CommandError(exc.message, returncode=1) from exc
        costs, policy = None, options["stacking"]
        if options["shop"]:
            shop = shop_named(options["shop"])
            costs = costs_by_sku_code(shop)
            policy = policy or shop.pricing_policy
        report = what_if(draft, carts, running, costs, policy)
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
