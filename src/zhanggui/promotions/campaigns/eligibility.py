"""Campaign eligibility (官方活动报名): the rules a platform campaign sets for a SKU, and the checker.

Pure: no database. A campaign is JSON (docs/campaigns.md), parsed strictly like the promotion spec: an unknown
rule kind or key, a missing parameter or an inexact amount gives a CampaignSpecError naming the field. The
facts of a SKU (its sales, price history, stock, reviews) come from `facts.sku_facts`, the offer
(campaign price, quantity, free shipping) from the person filling in the application. Each rule answers
pass, fail or unknown (a fact is missing, e.g. reviews: the desk has no review data yet) with a message that
names the rule, the required value and the actual one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanggui.core.money import FEN, LIMIT, fmt_money
from zhanggui.promotions.campaigns.errors import CampaignSpecError
from zhanggui.promotions.spec import rate_range_text, rate_text

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"

# kind → its parameters (required, optional). The checker decides by kind and parameters, never by name.
RULE_PARAMS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "min_sales": (frozenset({"days", "units"}), frozenset()),
    "min_reviews": (frozenset({"count"}), frozenset()),
    "min_offer_value": (frozenset({"amount"}), frozenset()),
    "offer_quantity": (frozenset(), frozenset({"min", "max"})),
    "price_not_above_recent_average": (frozenset({"days"}), frozenset()),
    "price_rate_of_original": (frozenset({"min_rate", "max_rate"}), frozenset()),
    "free_shipping": (frozenset(), frozenset()),
    "min_available": (frozenset(), frozenset({"units"})),
    "max_price": (frozenset({"amount"}), frozenset()),
}
RULE_KINDS = tuple(RULE_PARAMS)

RULE_LABELS = {
    "min_sales": gettext_lazy("Minimum sales"),
    "min_reviews": gettext_lazy("Minimum reviews"),
    "min_offer_value": gettext_lazy("Minimum offer value"),
    "offer_quantity": gettext_lazy("Offered quantity"),
    "price_not_above_recent_average": gettext_lazy("Price not above the recent average"),
    "price_rate_of_original": gettext_lazy("Discount off the original price"),
    "free_shipping": gettext_lazy("Free shipping"),
    "min_available": gettext_lazy("Stock to cover the offer"),
    "max_price": gettext_lazy("Maximum campaign price"),
}

MAX_DAYS = 365


# ----- parsing ----------------------------------------------------------------------------------------------


def _amount(value: Any, where: str) -> Decimal:
    """An exact amount in yuan, at most two decimals; strings or integers, never floats."""
    if isinstance(value, float | bool) or not isinstance(value, int | str | Decimal):
        raise CampaignSpecError(
            _('%(field)s: write amounts as strings such as "10000.00", not %(value)s')
            % {"field": where, "value": repr(value)}
        )
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise CampaignSpecError(
            _("%(field)s: not an amount: %(value)s") % {"field": where, "value": repr(value)}
        ) from None
    if not amount.is_finite() or amount < 0 or amount >= LIMIT or amount != amount.quantize(FEN):
        raise CampaignSpecError(
            _("%(field)s: not an amount to the fen: %(value)s") % {"field": where, "value": repr(value)}
        )
    return amount.quantize(FEN)


def _rate(value: Any, where: str) -> Decimal:
    """A 折 rate as a string: "5" means 5折 (pay 50 %); between 0 and 10, at most three decimals."""
    if isinstance(value, float | bool) or not isinstance(value, int | str | Decimal):
        raise CampaignSpecError(
            _('%(field)s: write rates as strings such as "5", not %(value)s') % {"field": where, "value": repr(value)}
        )
    try:
        r = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise CampaignSpecError(
            _("%(field)s: not a rate: %(value)s") % {"field": where, "value": repr(value)}
        ) from None
    if not r.is_finite() or not 0 <= r <= 10 or r != r.quantize(Decimal("0.001")):
        raise CampaignSpecError(
            _("%(field)s: a rate is between 0 and 10 (折) with at most three decimals, got %(value)s")
            % {"field": where, "value": repr(value)}
        )
    return r


def _whole(value: Any, where: str, minimum: int = 0, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CampaignSpecError(_("%(field)s: not a whole number: %(value)s") % {"field": where, "value": repr(value)})
    if value < minimum or (maximum is not None and value > maximum):
        if maximum is None:
            message = _("%(field)s: must be at least %(minimum)s, got %(value)s")
        else:
            message = _("%(field)s: must be between %(minimum)s and %(maximum)s, got %(value)s")
        raise CampaignSpecError(message % {"field": where, "minimum": minimum, "maximum": maximum, "value": value})
    return value


@dataclass(frozen=True)
class Rule:
    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return str(RULE_LABELS[self.kind])

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **{k: str(v) if isinstance(v, Decimal) else v for k, v in self.params.items()}}


@dataclass(frozen=True)
class Campaign:
    id: str
    name: str
    rules: tuple[Rule, ...]

    def windows(self) -> frozenset[int]:
        """The day windows the rules look back over: the facts to gather for them."""
        return frozenset(r.params["days"] for r in self.rules if "days" in r.params)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "rules": [r.as_dict() for r in self.rules]}


def parse_rule(raw: Any, where: str) -> Rule:
    if not isinstance(raw, Mapping):
        raise CampaignSpecError(_('%(field)s: a rule is an object with a "kind"') % {"field": where})
    kind = raw.get("kind")
    if kind not in RULE_PARAMS:
        raise CampaignSpecError(
            _("%(field)s.kind: unknown rule kind %(kind)s; known: %(known)s")
            % {"field": where, "kind": repr(kind), "known": ", ".join(RULE_KINDS)}
        )
    required, optional = RULE_PARAMS[kind]
    given = set(raw) - {"kind"}
    unknown = given - required - optional
    if unknown:
        raise CampaignSpecError(
            _("%(field)s: unknown keys %(keys)s for a %(kind)s rule")
            % {"field": where, "keys": ", ".join(sorted(unknown)), "kind": kind}
        )
    missing = required - given
    if missing:
        raise CampaignSpecError(
            _("%(field)s: a %(kind)s rule needs %(keys)s")
            % {"field": where, "kind": kind, "keys": ", ".join(sorted(missing))}
        )
    params: dict[str, Any] = {}
    for key in sorted(given):
        value, at = raw[key], f"{where}.{key}"
        if key == "days":
            params[key] = _whole(value, at, minimum=1, maximum=MAX_DAYS)
        elif key in ("units", "count", "min", "max"):
            params[key] = _whole(value, at)
        elif key == "amount":
            params[key] = _amount(value, at)
        else:  # min_rate, max_rate
            params[key] = _rate(value, at)
    if kind == "offer_quantity":
        if not params:
            raise CampaignSpecError(_("%(field)s: an offer_quantity rule needs min, max or both") % {"field": where})
        if "min" in params and "max" in params and params["min"] > params["max"]:
            raise CampaignSpecError(_("%(field)s.max: must not be below min") % {"field": where})
    if kind == "price_rate_of_original" and params["min_rate"] > params["max_rate"]:
        raise CampaignSpecError(_("%(field)s.max_rate: must not be below min_rate") % {"field": where})
    return Rule(kind=kind, params=params)


def parse_campaign(raw: Any, where: str = "campaign") -> Campaign:
    if not isinstance(raw, Mapping):
        raise CampaignSpecError(_("%(field)s: a campaign is an object with id, name and rules") % {"field": where})
    unknown = set(raw) - {"id", "name", "rules", "note"}
    if unknown:
        raise CampaignSpecError(
            _("%(field)s: unknown keys %(keys)s") % {"field": where, "keys": ", ".join(sorted(unknown))}
        )
    campaign_id = raw.get("id")
    if not isinstance(campaign_id, str) or not campaign_id.strip():
        raise CampaignSpecError(_("%(field)s.id: a non-empty string") % {"field": where})
    name = raw.get("name", "")
    if not isinstance(name, str):
        raise CampaignSpecError(_("%(field)s.name: a string") % {"field": where})
    rules = raw.get("rules")
    if not isinstance(rules, list) or not rules:
        raise CampaignSpecError(_("%(field)s.rules: a non-empty list of rules") % {"field": where})
    return Campaign(
        id=campaign_id.strip(),
        name=name.strip(),
        rules=tuple(parse_rule(r, f"{where}.rules[{i}]") for i, r in enumerate(rules)),
    )


# ----- facts, offer, outcome --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SkuFacts:
    """What is known of a SKU at a moment. A window missing from `sales`/`average_price`, or None, is unknown."""

    sku_id: int | None = None
    shop: str = ""
    code: str = ""
    price: Decimal | None = None  # the SKU's own (original) price at the moment
    sales: Mapping[int, int] = field(default_factory=dict)  # days → units issued by sale in those days
    average_price: Mapping[int, Decimal] = field(default_factory=dict)  # days → time-weighted average price
    lowest_price: Mapping[int, Decimal] = field(default_factory=dict)  # days → lowest price held in those days
    available: int | None = None  # on hand − reserved, over all warehouses
    reviews: int | None = None  # the desk has no review data: given by the person or a later market app


@dataclass(frozen=True)
class Offer:
    """What the shop offers the campaign: the campaign price, the quantity, and whether shipping is free."""

    price: Decimal
    quantity: int
    free_shipping: bool | None = None  # None: not said


@dataclass(frozen=True)
class RuleOutcome:
    rule: str
    label: str
    status: str  # pass, fail, unknown
    required: str
    actual: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "label": self.label,
            "status": self.status,
            "required": self.required,
            "actual": self.actual,
            "message": self.message,
        }


@dataclass(frozen=True)
class EligibilityResult:
    campaign: str
    facts: SkuFacts
    offer: Offer
    outcomes: tuple[RuleOutcome, ...]

    @property
    def eligible(self) -> bool:
        """Every rule passed: an unknown fact does not make a SKU eligible."""
        return all(o.status == PASS for o in self.outcomes)

    @property
    def failed(self) -> list[str]:
        return [o.rule for o in self.outcomes if o.status == FAIL]

    @property
    def unknown(self) -> list[str]:
        return [o.rule for o in self.outcomes if o.status == UNKNOWN]

    def as_dict(self) -> dict[str, Any]:
        return {
            "campaign": self.campaign,
            "sku_id": self.facts.sku_id,
            "shop": self.facts.shop,
            "code": self.facts.code,
            "offer": {
                "price": str(self.offer.price),
                "quantity": self.offer.quantity,
                "free_shipping": self.offer.free_shipping,
            },
            "eligible": self.eligible,
            "failed": self.failed,
            "unknown": self.unknown,
            "rules": [o.as_dict() for o in self.outcomes],
        }


def parse_offer(raw: Any, where: str = "offer") -> Offer:
    """{"price": "49.00", "quantity": 100, "free_shipping": true}; free_shipping may be left out (unknown)."""
    if not isinstance(raw, Mapping):
        raise CampaignSpecError(_("%(field)s: an object with price and quantity") % {"field": where})
    for key in ("price", "quantity"):
        if key not in raw:
            raise CampaignSpecError(_("%(field)s.%(key)s: required") % {"field": where, "key": key})
    free = raw.get("free_shipping")
    if free is not None and not isinstance(free, bool):
        raise CampaignSpecError(_("%(field)s.free_shipping: true or false") % {"field": where})
    return Offer(
        price=_amount(raw["price"], f"{where}.price"),
        quantity=_whole(raw["quantity"], f"{where}.quantity", minimum=1),
        free_shipping=free,
    )


def parse_reviews(raw: Any, where: str) -> int | None:
    return None if raw is None else _whole(raw, where)


# ----- the rules --------------------------------------------------------------------------------------------


def _status(ok: bool) -> str:
    return PASS if ok else FAIL


def _rate_of(price: Decimal, original: Decimal) -> Decimal:
    """price as 折 of original, for the message: 45 of 100 → 4.5 (half-up to 0.001 折, the precision of rates)."""
    return (price * 10 / original).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP).normalize()


def _plain(value: Decimal) -> str:
    """A rate as people write it: Decimal("5.000") → "5", Decimal("0.5") → "0.5"."""
    return format(value.normalize(), "f")


def _check_rule(rule: Rule, facts: SkuFacts, offer: Offer) -> RuleOutcome:
    p = rule.params
    status: str
    actual: str | None
    if rule.kind == "min_sales":
        days, units = p["days"], p["units"]
        required = f"≥ {units}"
        sold = facts.sales.get(days)
        if sold is None:
            status, actual = UNKNOWN, None
            message = _("Sales in the last %(days)s days: unknown; required ≥ %(units)s units") % {
                "days": days,
                "units": units,
            }
        else:
            status, actual = _status(sold >= units), str(sold)
            message = _("Sales in the last %(days)s days: %(actual)s units; required ≥ %(units)s units") % {
                "days": days,
                "actual": sold,
                "units": units,
            }
    elif rule.kind == "min_reviews":
        need = p["count"]
        required = f"≥ {need}"
        if facts.reviews is None:
            status, actual = UNKNOWN, None
            message = _("Reviews: unknown (the desk has no review data; give the count); required ≥ %(count)s") % {
                "count": need
            }
        else:
            status, actual = _status(facts.reviews >= need), str(facts.reviews)
            message = _("Reviews: %(actual)s; required ≥ %(count)s") % {"actual": facts.reviews, "count": need}
    elif rule.kind == "min_offer_value":
        amount = p["amount"]
        value = offer.price * offer.quantity
        required, actual = f"≥ {amount}", str(value.quantize(FEN))
        status = _status(value >= amount)
        message = _("Offer value (quantity × campaign price): %(actual)s; required ≥ %(amount)s") % {
            "actual": fmt_money(value),
            "amount": fmt_money(amount),
        }
    elif rule.kind == "offer_quantity":
        low, high = p.get("min"), p.get("max")
        if low is not None and high is not None:
            required = f"{low}–{high}"
            wanted = _("between %(min)s and %(max)s units") % {"min": low, "max": high}
        elif low is not None:
            required = f"≥ {low}"
            wanted = _("≥ %(min)s units") % {"min": low}
        else:
            required = f"≤ {high}"
            wanted = _("≤ %(max)s units") % {"max": high}
        actual = str(offer.quantity)
        status = _status((low is None or offer.quantity >= low) and (high is None or offer.quantity <= high))
        message = _("Offered quantity: %(actual)s units; required %(required)s") % {
            "actual": offer.quantity,
            "required": wanted,
        }
    elif rule.kind == "price_not_above_recent_average":
        days = p["days"]
        average = facts.average_price.get(days)
        if average is None:
            required, status, actual = "", UNKNOWN, None
            message = _(
                "Campaign price %(price)s; the average price over the last %(days)s days is unknown; "
                "required not above it"
            ) % {"price": fmt_money(offer.price), "days": days}
        else:
            required, actual = f"≤ {average}", str(offer.price)
            status = _status(offer.price <= average)
            message = _(
                "Campaign price %(price)s; average price over the last %(days)s days %(average)s; required not above it"
            ) % {"price": fmt_money(offer.price), "days": days, "average": fmt_money(average)}
    elif rule.kind == "price_rate_of_original":
        low_rate, high_rate = p["min_rate"], p["max_rate"]
        required = f"{_plain(low_rate)}–{_plain(high_rate)}"
        original = facts.price
        if original is None or original <= 0:
            status, actual = UNKNOWN, None
            message = _("Campaign price %(price)s; the original price is unknown; required %(required)s") % {
                "price": fmt_money(offer.price),
                "required": rate_range_text(low_rate, high_rate),
            }
        else:
            # exact: low ≤ price × 10 / original ≤ high, without dividing
            status = _status(low_rate * original <= offer.price * 10 <= high_rate * original)
            rate_now = _rate_of(offer.price, original)
            actual = _plain(rate_now)
            # "25% off" in English where Chinese says "7.5折" (spec.rate_text)
            message = _(
                "Campaign price %(price)s is %(rate)s the original price %(original)s; required %(required)s"
            ) % {
                "price": fmt_money(offer.price),
                "rate": rate_text(rate_now),
                "original": fmt_money(original),
                "required": rate_range_text(low_rate, high_rate),
            }
    elif rule.kind == "free_shipping":
        required = "true"
        if offer.free_shipping is None:
            status, actual = UNKNOWN, None
            message = _("Free shipping: not stated; required")
        elif offer.free_shipping:
            status, actual = PASS, "true"
            message = _("Free shipping: yes; required")
        else:
            status, actual = FAIL, "false"
            message = _("Free shipping: no; required")
    elif rule.kind == "min_available":
        # enough stock for the offered quantity, and at least `units` when the campaign names a number
        need = max(p.get("units", 0), offer.quantity)
        required = f"≥ {need}"
        if facts.available is None:
            status, actual = UNKNOWN, None
            message = _("Available stock: unknown; required ≥ %(units)s units") % {"units": need}
        else:
            status, actual = _status(facts.available >= need), str(facts.available)
            message = _("Available stock: %(actual)s units; required ≥ %(units)s units") % {
                "actual": facts.available,
                "units": need,
            }
    elif rule.kind == "max_price":
        amount = p["amount"]
        required, actual = f"≤ {amount}", str(offer.price)
        status = _status(offer.price <= amount)
        message = _("Campaign price %(price)s; required ≤ %(amount)s") % {
            "price": fmt_money(offer.price),
            "amount": fmt_money(amount),
        }
    else:  # pragma: no cover - parse_rule admits only the kinds above
        raise CampaignSpecError(f"unknown rule kind {rule.kind!r}")
    return RuleOutcome(
        rule=rule.kind, label=rule.label, status=status, required=required, actual=actual, message=message
    )


def check_campaign(campaign: Campaign, facts: SkuFacts, offer: Offer) -> EligibilityResult:
    """Every rule of the campaign against one SKU's facts and offer, in the campaign's order."""
    return EligibilityResult(
        campaign=campaign.id,
        facts=facts,
        offer=offer,
        outcomes=tuple(_check_rule(rule, facts, offer) for rule in campaign.rules),
    )


def check_many(campaign: Campaign, entries: Iterable[tuple[SkuFacts, Offer]]) -> list[EligibilityResult]:
    """check_campaign for each (facts, offer), in the given order (a SKU may come twice with two offers)."""
    return [check_campaign(campaign, facts, offer) for facts, offer in entries]
