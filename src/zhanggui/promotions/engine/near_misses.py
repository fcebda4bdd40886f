"""Near misses: threshold promotions not reached, or whose next tier is close, with what is missing and
what it would give ("再买 ¥23.00 可减 ¥30.00")."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.utils.translation import get_language

from zhanggui.promotions.engine.results import NearMiss
from zhanggui.promotions.spec import Kind, Promotion, rate_text, yuan

_THRESHOLD_KINDS = frozenset(
    {Kind.SPEND_SAVE, Kind.SPEND_DISCOUNT, Kind.QUANTITY_DISCOUNT, Kind.QUANTITY_SAVE, Kind.GIFT, Kind.ANY_N_FOR}
)


def find_near_misses(lots, covered, shop, coupons, plan, lot_left, _) -> list[NearMiss]:
    """Threshold promotions not reached (or whose next tier is close): what is missing and what it would give."""
    result: list[NearMiss] = []
    language = get_language()  # once: rates name it
    used = {p.id for p, _o in plan.shop} | {p.id for p in plan.coupons}
    # Per line, over its units that later layers may touch: the price after the item layer, after the shop
    # layer, and how many (a scope covers whole lines).
    n_lines = len(covered.line_lots)
    line_price, line_left, line_open = [0] * n_lines, [0] * n_lines, [0] * n_lines
    for lot in lots:
        if not lot.locked:
            line_price[lot.line] += lot.price * lot.count
            line_left[lot.line] += lot_left[lot.index]
            line_open[lot.line] += lot.count
    lines_of = covered.lines_of
    for p in shop:
        q = p.params
        if p.kind not in _THRESHOLD_KINDS or (p.kind == Kind.GIFT and (p.id in used or q["threshold"] is None)):
            continue
        amount = sum([line_price[li] for li in lines_of[p.id]])
        if p.kind == Kind.SPEND_SAVE:
            for threshold, off in q["tiers"]:
                if amount < threshold:
                    result.append(_miss(p, threshold - amount, 0, _("save ¥%(off)s") % {"off": yuan(off)}, _))
                    break
            if q["repeat"] and not q["tiers"]:
                every, off, cap = q["repeat"]
                if cap is None or (amount // every) * off < cap:
                    benefit = _("save ¥%(off)s more") % {"off": yuan(off)}
                    result.append(_miss(p, every - amount % every, 0, benefit, _))
        elif p.kind == Kind.SPEND_DISCOUNT:
            for threshold, r in q["tiers"]:
                if amount < threshold:
                    result.append(_miss(p, threshold - amount, 0, _("get %(rate)s") % {"rate": _rate(r, language)}, _))
                    break
        elif p.kind == Kind.QUANTITY_DISCOUNT:
            items_n = sum([line_open[li] for li in lines_of[p.id]])
            for n, r in q["tiers"]:
                if items_n < n:
                    result.append(_miss(p, 0, n - items_n, _("get %(rate)s") % {"rate": _rate(r, language)}, _))
                    break
        elif p.kind == Kind.QUANTITY_SAVE:
            items_n = sum([line_open[li] for li in lines_of[p.id]])
            for n, off in q["tiers"]:
                if items_n < n:
                    result.append(_miss(p, 0, n - items_n, _("save ¥%(off)s") % {"off": yuan(off)}, _))
                    break
        elif p.kind == Kind.ANY_N_FOR:  # 任选N件X元: a set not yet full (none yet, or one more begun)
            items_n = sum([line_open[li] for li in lines_of[p.id]])
            if items_n % q["n"]:
                benefit = _("get any %(n)s for ¥%(price)s") % {"n": q["n"], "price": yuan(q["price"])}
                result.append(_miss(p, 0, q["n"] - items_n % q["n"], benefit, _))
        elif p.kind == Kind.GIFT and amount < q["threshold"]:
            benefit = _("get %(sku)s free") % {"sku": q["gift_sku"]}
            result.append(_miss(p, q["threshold"] - amount, 0, benefit, _))
    for p in coupons:
        if p.id in used:
            continue
        amount = sum([line_left[li] for li in lines_of[p.id]])
        if amount < p.params["min_spend"]:
            q = p.params
            if q["rate"] is None:
                benefit = _("use coupon: ¥%(off)s off") % {"off": yuan(q["amount"])}
            else:
                benefit = _("use coupon: %(rate)s") % {"rate": _rate(q["rate"], language)}
            result.append(_miss(p, p.params["min_spend"] - amount, 0, benefit, _))
    return result


_RATES: dict[tuple[str | None, int], str] = {}  # (language, rate) → its text


def _rate(r: int, language: str | None) -> str:
    """A rate held in parts of 10,000 as the language says it: "8.5折" in Chinese, "15% off" in English (each
    rate's text made once a language: a quote may name several)."""
    key = (language, r)
    text = _RATES.get(key)
    if text is None:
        if len(_RATES) >= 10_000:
            _RATES.clear()
        text = _RATES[key] = rate_text(Decimal(r) / 1000)
    return text


def _miss(p: Promotion, missing: int, missing_items: int, benefit: str, _: Callable[[str], str]) -> NearMiss:
    if missing_items:
        message = _("Add %(n)s more items to %(benefit)s") % {"n": missing_items, "benefit": benefit}
    else:
        message = _("Spend ¥%(missing)s more to %(benefit)s") % {"missing": yuan(missing), "benefit": benefit}
    return NearMiss(p.id, p.kind, missing, missing_items, benefit, message)
