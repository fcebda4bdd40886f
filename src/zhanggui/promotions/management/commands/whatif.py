"""`zhanggui whatif`: what a draft promotion would do to a list of carts, or to the last N days of a shop's
orders (`--orders-days N --shop CODE`, a source the orders app registers), printed as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhanggui.catalog.commands import shop_named
from zhanggui.catalog.selectors import costs_by_sku_code
from zhanggui.core.commands import USAGE_ERROR
from zhanggui.core.errors import ValidationFailed
from zhanggui.promotions.management.jsonfile import read_json
from zhanggui.promotions.pricing.whatif import MAX_DAYS, ORDERS, source_carts, what_if
from zhanggui.promotions.spec import STACKING, SpecError, parse_cart, parse_promotion, parse_promotions


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _(
            "Replay a draft promotion over a list of carts (JSON, formats in docs/pricing.md): carts touched, "
            "revenue before and after, the draft's discount, margin per SKU at catalog cost, and the share of "
            "carts that would reach it by buying more. --orders-days N replays the last N days of the --shop's "
            "orders instead of --carts."
        )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--draft", required=True, type=Path, help="DRAFT.json: one promotion")
        carts = parser.add_mutually_exclusive_group(required=True)
        carts.add_argument("--carts", type=Path, help="CARTS.json: a list of carts")
        carts.add_argument(
            "--orders-days",
            type=int,
            metavar="N",
            help=f"replay the last N days (1-{MAX_DAYS}, today included) of the --shop's orders, one cart an order",
        )
        parser.add_argument("--promotions", type=Path, help="RUNNING.json: the promotions already running")
        parser.add_argument("--shop", help="take unit costs (and the stacking policy) from this shop (by SKU code)")
        parser.add_argument(
            "--stacking",
            choices=STACKING,
            help="how layers combine: platform (the default) or best_for_buyer (default: the shop's)",
        )

    def handle(self, *args, **options) -> None:
        days = options["orders_days"]
        if days is not None and not options["shop"]:
            raise CommandError(
                _("--orders-days needs --shop: the shop whose orders to replay."), returncode=USAGE_ERROR
            )
        if days is not None and not 1 <= days <= MAX_DAYS:
            raise CommandError(
                _("--orders-days: a number from 1 to %(max)s.") % {"max": MAX_DAYS}, returncode=USAGE_ERROR
            )
        try:
            draft = parse_promotion(read_json(options["draft"]), "draft")
            carts = []
            if days is None:
                raw_carts = read_json(options["carts"])
                if not isinstance(raw_carts, list):
                    raise CommandError(_("%(file)s: a list of carts") % {"file": options["carts"]}, returncode=1)
                carts = [parse_cart(c) for c in raw_carts]
            running = parse_promotions(read_json(options["promotions"])) if options["promotions"] else []
        except SpecError as exc:
            raise CommandError(exc.message, returncode=1) from exc
        costs, policy, shop = None, options["stacking"], None
        if options["shop"]:
            shop = shop_named(options["shop"])
            costs = costs_by_sku_code(shop)
            policy = policy or shop.pricing_policy
        facts = None
        if days is not None:
            try:
                sourced = source_carts(ORDERS, shop=shop, days=days)
            except ValidationFailed as exc:
                raise CommandError(exc.message, returncode=1) from exc
            carts, facts = [parse_cart(c) for c in sourced.carts], sourced.facts
        report = what_if(draft, carts, running, costs, policy).as_dict()
        if facts is not None:
            report[ORDERS] = facts
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
