"""`zhanggui quote`: price a cart from a JSON file and print the priced cart as JSON.

The promotions come from `--promotions SPEC.json` (offline, nothing stored is read) or, without it, from the
desk: the approved promotions running at the cart's moment, of `--shop` and of every shop.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhanggui.catalog.commands import shop_named
from zhanggui.promotions.engine import quote
from zhanggui.promotions.management.jsonfile import read_json
from zhanggui.promotions.offers.selectors import running_promotions
from zhanggui.promotions.spec import STACKING, SpecError, parse_cart, parse_promotions


class Command(BaseCommand):
    @property
    def help(self) -> str:  # a property: gettext at import time would freeze the language
        return _(
            "Price a cart against promotions: the files are JSON in the formats of docs/pricing.md; without "
            "--promotions, the stored promotions running at the cart's moment are used. "
            "Prints the priced cart (every line, every discount's share to the fen, gifts, totals, near misses)."
        )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--promotions", type=Path, help="SPEC.json: a list of promotions (default: the stored running ones)"
        )
        parser.add_argument("--shop", help="shop code whose stored promotions apply (with those of every shop)")
        parser.add_argument("--cart", required=True, type=Path, help="CART.json: lines, buyer, coupons")
        parser.add_argument("--member", help="the buyer's member tier (overrides the cart file's buyer.tier)")
        parser.add_argument("--past-spend", help="the buyer's past spend in yuan (overrides buyer.past_spend)")
        parser.add_argument("--coupon", action="append", default=[], help="a coupon code the buyer offers (repeat)")
        parser.add_argument("--at", help="the moment to price at, ISO 8601 with time zone (default: the cart's)")
        parser.add_argument(
            "--stacking",
            choices=STACKING,
            help="how layers combine: platform (Taobao, Tmall, JD, PDD; the default) or best_for_buyer "
            "(default: the cart's, else the shop's)",
        )

    def handle(self, *args, **options) -> None:
        cart_raw = read_json(options["cart"])
        if not isinstance(cart_raw, dict):
            raise CommandError(_("%(file)s: the cart must be a JSON object") % {"file": options["cart"]})
        buyer = dict(cart_raw.get("buyer") or {})
        if options["member"] is not None:
            buyer["tier"] = options["member"]
        if options["past_spend"] is not None:
            buyer["past_spend"] = options["past_spend"]
        cart_raw = {**cart_raw, "buyer": buyer}
        if options["coupon"]:
            cart_raw["coupons"] = [*cart_raw.get("coupons", []), *options["coupon"]]
        if options["at"]:
            cart_raw["at"] = options["at"]
        shop = shop_named(options["shop"]) if options["shop"] else None
        try:
            cart = parse_cart(cart_raw)
            if options["promotions"] is not None:
                promotions = parse_promotions(read_json(options["promotions"]))
            else:
                promotions = running_promotions(shop=shop, at=cart.at)
            result = quote(cart, promotions, options["stacking"] or (shop.pricing_policy if shop else None))
        except SpecError as exc:
            raise CommandError(exc.message, returncode=1) from exc
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
