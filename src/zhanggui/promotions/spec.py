"""The promotion spec: what a promotion, a cart and a buyer look like to the pricing engine.

The same JSON is used by `zhanggui quote`, `POST /api/v1/pricing/quote` and (later) the promotion
import/export; docs/pricing.md documents every field with examples. Parsing is strict: an unknown kind, a
missing parameter or a float-looking amount that is not exact gives a SpecError naming the field.
Amounts are held as integer fen inside the engine; they come in and go out as decimal strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any, ClassVar

from django.utils.dateparse import parse_datetime

from zhanggui.core.errors import ValidationFailed
from zhanggui.core.money import MoneyError, plain_decimal, rate_range_text, rate_text  # noqa: F401 (re-exported)
from zhanggui.core.text import bad_code_character, describe

ITEM, SHOP, COUPON = "item", "shop", "coupon"
LAYERS = (ITEM, SHOP, COUPON)

# How promotions of different layers combine (docs/pricing.md "Stacking"). PLATFORM: as Taobao, Tmall, JD and
# Pinduoduo price — every item promotion applies, every shop activity whose condition is met applies, coupons
# are measured after them; nothing of an earlier layer is left out for a later one. BEST_FOR_BUYER: the search
# across layers (an item discount may be left out so that a 满减 is reached), for the own web store.
PLATFORM, BEST_FOR_BUYER = "platform", "best_for_buyer"
STACKING = (PLATFORM, BEST_FOR_BUYER)


class Kind(StrEnum):
    """The kinds of promotion, as a spec's "kind" names them (docs/pricing.md). A member equals its string."""

    PRICE_CUT = "price_cut"  # 直降: amount off the unit price
    DISCOUNT = "discount"  # 折: pay rate/10 of the unit price
    SPECIAL_PRICE = "special_price"  # 特价
    MEMBER_PRICE = "member_price"  # 会员价 by tier (price or rate per tier)
    MEMBER_DISCOUNT = "member_discount"  # 累计消费满 X 终身 N 折
    FLASH_SALE = "flash_sale"  # 秒杀: special price for at most per_buyer_cap units a buyer
    GROUP_BUY = "group_buy"  # 成团价 once min_buyers have joined
    SPEND_SAVE = "spend_save"  # 满减 (tiers) and 每满减 (repeat with a cap)
    SPEND_DISCOUNT = "spend_discount"  # 满折: spend X, pay rate/10
    QUANTITY_DISCOUNT = "quantity_discount"  # 满N件打折
    QUANTITY_SAVE = "quantity_save"  # 满N件减: N items in the scope, an amount off (tiers)
    MULTIBUY = "multibuy"  # 买N送M / 第N件 rate 折 (第二件半价)
    ANY_N_FOR = "any_n_for"  # 任选N件X元: any n units of the scope for a set price, as many sets as lower it
    BUNDLE = "bundle"  # 搭配套餐 at a set price
    GIFT = "gift"  # 满赠
    COUPON = "coupon"  # 优惠券


# kind → layer. The engine decides by these specs, never by a promotion's name.
KINDS: dict[str, str] = {
    Kind.PRICE_CUT: ITEM,
    Kind.DISCOUNT: ITEM,
    Kind.SPECIAL_PRICE: ITEM,
    Kind.MEMBER_PRICE: ITEM,
    Kind.MEMBER_DISCOUNT: ITEM,
    Kind.FLASH_SALE: ITEM,
    Kind.GROUP_BUY: ITEM,
    Kind.SPEND_SAVE: SHOP,
    Kind.SPEND_DISCOUNT: SHOP,
    Kind.QUANTITY_DISCOUNT: SHOP,
    Kind.QUANTITY_SAVE: SHOP,
    Kind.MULTIBUY: SHOP,
    Kind.ANY_N_FOR: SHOP,
    Kind.BUNDLE: SHOP,
    Kind.GIFT: SHOP,
    Kind.COUPON: COUPON,
}
assert set(KINDS) == set(Kind)  # every kind has its layer


class SpecError(ValidationFailed):
    # ClassVar: compiled by mypyc (ADR 0005), a bare class attribute would be an instance default that the base's
    # __init__ never sets, and the error would say "validation_failed".
    code: ClassVar[str] = "invalid_promotion_spec"


def _decimal(value: Any, where: str, what: str) -> Decimal:
    """A decimal written in plain digits (a string or an int): no float, no exponent, no NaN."""
    if isinstance(value, float | bool) or not isinstance(value, int | str | Decimal):
        raise SpecError(f"{where}: write {what.split()[-1]}s as strings or integers, not {value!r}")
    if isinstance(value, int | Decimal):
        return Decimal(value)
    try:
        return plain_decimal(value, value)
    except MoneyError:
        raise SpecError(f"{where}: not {what}: {value!r}") from None


def fen(value: Any, where: str) -> int:
    """An exact amount in integer fen, not negative; refuses floats, exponents and more than two decimals.

    No amount of a spec or a cart is below zero: a price cut of −¥1 or 满300减−30 would raise a price."""
    amount = _decimal(value, where, "an amount")
    if not amount.is_finite() or abs(amount) >= 10**12 or amount != amount.quantize(Decimal("0.01")):
        raise SpecError(f"{where}: not an amount to the fen: {value!r}")
    if amount < 0:
        raise SpecError(f"{where}: must not be negative, got {value!r}")
    return int(amount * 100)


RATE_ONE = 10_000  # rates are held as parts of 10,000: 8.5折 → 8,500


def rate(value: Any, where: str) -> int:
    """A 折 rate: '8.5' means pay 85 %, held as 8,500 parts of 10,000. Between 0 and 10, at most 3 decimals."""
    r = _decimal(value, where, "a rate")
    if not r.is_finite() or not 0 <= r <= 10:
        raise SpecError(f"{where}: a rate is between 0 and 10 (折), got {value!r}")
    parts = r * 1000
    if parts != parts.to_integral_value():
        raise SpecError(f"{where}: at most three decimals in a rate, got {value!r}")
    return int(parts)


# The largest count a spec or a cart may hold: units on a cart line, caps, tiers (a platform's own limit on a
# line is 99,999 units); larger numbers are refused rather than priced.
MAX_COUNT = 99_999
MAX_LINES = 500  # lines in one cart
# Moments are kept between these years: a date outside them is a typing error, and the database and the
# conversion to UTC cannot hold the ends of Python's range (0001-01-01+08:00 is before year 1 in UTC).
YEARS = (1970, 9998)


def count(value: Any, where: str, minimum: int = 0, maximum: int = MAX_COUNT, *, text: bool = True) -> int:
    """A whole number within [minimum, maximum]: a JSON integer, or (`text`) a string of ASCII digits as the
    spec editor sends it. A float, a bool, "1e3" or "٣" is refused; a cart's quantities take no strings."""
    if isinstance(value, str) and text and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise SpecError(f"{where}: not a whole number: {value!r}")
    if value < minimum:
        raise SpecError(f"{where}: must be at least {minimum}, got {value}")
    if value > maximum:
        raise SpecError(f"{where}: must be at most {maximum}, got {value}")
    return value


def moment(value: Any, where: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:  # well-formed but impossible: 2026-02-30
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise SpecError(f"{where}: not a date-time with time zone (ISO 8601): {value!r}")
    if not YEARS[0] <= parsed.year <= YEARS[1]:
        raise SpecError(f"{where}: a date between the years {YEARS[0]} and {YEARS[1]}, got {value!r}")
    return parsed


def _codes(raw: Any, where: str) -> frozenset[str]:
    """A list of codes (strings): a lone string would otherwise become a set of its characters."""
    if raw is None:
        return frozenset()
    if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw):
        raise SpecError(f"{where}: a list of codes (strings)")
    return frozenset(raw)


def _object(raw: Any, where: str) -> Mapping[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise SpecError(f"{where}: an object")
    return raw


def yuan(amount_fen: int) -> str:
    sign = "-" if amount_fen < 0 else ""
    return f"{sign}{abs(amount_fen) // 100}.{abs(amount_fen) % 100:02d}"


@dataclass(frozen=True)
class Scope:
    """Which lines a promotion covers: all, or listed SKUs/products/categories/roles; minus exclusions."""

    skus: frozenset[str] = frozenset()
    products: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()
    exclude_skus: frozenset[str] = frozenset()
    exclude_products: frozenset[str] = frozenset()
    exclude_categories: frozenset[str] = frozenset()
    exclude_roles: frozenset[str] = frozenset()

    @property
    def everything(self) -> bool:
        return not (self.skus or self.products or self.categories or self.roles)

    def covers(self, line: CartLine) -> bool:
        if self is _ALL:
            return True
        if (
            line.sku in self.exclude_skus
            or line.product in self.exclude_products
            or line.category in self.exclude_categories
            or line.role in self.exclude_roles
        ):
            return False
        return (
            self.everything
            or line.sku in self.skus
            or line.product in self.products
            or line.category in self.categories
            or line.role in self.roles
        )


_ALL = Scope()
SCOPE_KEYS = ("skus", "products", "categories", "roles")


def parse_scope(raw: Any, where: str) -> Scope:
    if raw in (None, "all", {}):
        return _ALL
    if not isinstance(raw, Mapping):
        raise SpecError(f"{where}: scope is 'all' or an object")
    allowed = {*SCOPE_KEYS, *(f"exclude_{k}" for k in SCOPE_KEYS)}
    unknown = set(raw) - allowed
    if unknown:
        raise SpecError(f"{where}: unknown scope keys {sorted(unknown)}")
    values = {}
    for key in allowed:
        items = raw.get(key, [])
        if isinstance(items, str) or not isinstance(items, Iterable):
            raise SpecError(f"{where}.{key}: a list of codes")
        values[key] = frozenset(code(i, f"{where}.{key}") for i in items)
    return Scope(**values)


def code(value: Any, where: str) -> str:
    """A code the engine matches on (a SKU, product, category, coupon code, an id): text without control or
    invisible characters (core.text), so a scope cannot hold a code that looks like another one."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise SpecError(f"{where}: a code is a string, not {value!r}")
    found = bad_code_character(value)
    if found is not None:
        raise SpecError(f"{where}: {value!r} holds the invisible or control character {describe(found[1])}")
    return value


@dataclass(frozen=True)
class Promotion:
    id: str
    kind: Kind
    name: str = ""
    scope: Scope = field(default_factory=Scope)
    params: Mapping[str, Any] = field(default_factory=dict)
    stackable: bool = False  # may combine with another promotion of its layer on the same unit
    exclusive: bool = False  # units it touches get nothing from later layers
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    @property
    def layer(self) -> str:
        return KINDS[self.kind]

    def running_at(self, at: datetime | None) -> bool:
        if at is None:
            return True
        return (self.starts_at is None or self.starts_at <= at) and (self.ends_at is None or at < self.ends_at)


COMMON_KEYS = {"id", "kind", "name", "scope", "stackable", "exclusive", "starts_at", "ends_at"}


def _tiers(raw: Any, where: str, threshold, benefit) -> tuple[tuple[Any, Any], ...]:
    if not isinstance(raw, list) or not raw:
        raise SpecError(f"{where}: a non-empty list of [threshold, benefit] pairs")
    tiers = []
    for i, pair in enumerate(raw):
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise SpecError(f"{where}[{i}]: a [threshold, benefit] pair")
        tiers.append((threshold(pair[0], f"{where}[{i}][0]"), benefit(pair[1], f"{where}[{i}][1]")))
    tiers.sort(key=lambda t: t[0])
    return tuple(tiers)


def _params(kind: Kind, raw: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Check and convert one kind's parameters (amounts to fen, rates to fractions)."""
    p: dict[str, Any] = {}
    get = raw.get

    def need(key: str) -> Any:
        if key not in raw:
            raise SpecError(f"{where}: {kind} needs '{key}'")
        return raw[key]

    if kind == Kind.PRICE_CUT:
        p["amount"] = fen(need("amount"), f"{where}.amount")
    elif kind == Kind.DISCOUNT:
        p["rate"] = rate(need("rate"), f"{where}.rate")
    elif kind in (Kind.SPECIAL_PRICE, Kind.FLASH_SALE, Kind.GROUP_BUY):
        p["price"] = fen(need("price"), f"{where}.price")
        if kind == Kind.FLASH_SALE:
            p["per_buyer_cap"] = count(need("per_buyer_cap"), f"{where}.per_buyer_cap", 1)
        if kind == Kind.GROUP_BUY:
            p["min_buyers"] = count(need("min_buyers"), f"{where}.min_buyers", 2)
            p["joined"] = count(get("joined", 0), f"{where}.joined")
    elif kind == Kind.MEMBER_PRICE:
        prices, rates = get("prices", {}), get("rates", {})
        if not prices and not rates:
            raise SpecError(f"{where}: member_price needs 'prices' or 'rates' by tier")
        p["prices"] = {str(t): fen(v, f"{where}.prices.{t}") for t, v in prices.items()}
        p["rates"] = {str(t): rate(v, f"{where}.rates.{t}") for t, v in rates.items()}
    elif kind == Kind.MEMBER_DISCOUNT:
        p["min_past_spend"] = fen(need("min_past_spend"), f"{where}.min_past_spend")
        p["rate"] = rate(need("rate"), f"{where}.rate")
    elif kind == Kind.SPEND_SAVE:
        if "tiers" not in raw and "repeat" not in raw:
            raise SpecError(f"{where}: spend_save needs 'tiers' and/or 'repeat'")
        p["tiers"] = _tiers(get("tiers"), f"{where}.tiers", fen, fen) if "tiers" in raw else ()
        if "repeat" in raw:
            rep = raw["repeat"]
            if not isinstance(rep, Mapping):
                raise SpecError(f"{where}.repeat: an object {{every, off, cap}}")
            every = fen(rep.get("every"), f"{where}.repeat.every")
            if every <= 0:
                raise SpecError(f"{where}.repeat.every: must be above 0")
            cap = rep.get("cap")
            p["repeat"] = (
                every,
                fen(rep.get("off"), f"{where}.repeat.off"),
                fen(cap, f"{where}.repeat.cap") if cap is not None else None,
            )
        else:
            p["repeat"] = None
    elif kind == Kind.SPEND_DISCOUNT:
        p["tiers"] = _tiers(need("tiers"), f"{where}.tiers", fen, rate)
    elif kind == Kind.QUANTITY_DISCOUNT:
        p["tiers"] = _tiers(need("tiers"), f"{where}.tiers", lambda v, w: count(v, w, 1), rate)
    elif kind == Kind.QUANTITY_SAVE:
        p["tiers"] = _tiers(need("tiers"), f"{where}.tiers", lambda v, w: count(v, w, 1), fen)
    elif kind == Kind.MULTIBUY:
        if "nth" in raw:
            p["nth"] = count(raw["nth"], f"{where}.nth", 2)
            p["rate"] = rate(need("rate"), f"{where}.rate")
        else:
            p["buy"] = count(need("buy"), f"{where}.buy", 1)
            p["free"] = count(need("free"), f"{where}.free", 1)
    elif kind == Kind.ANY_N_FOR:
        p["n"] = count(need("n"), f"{where}.n", 2)
        p["price"] = fen(need("price"), f"{where}.price")
    elif kind == Kind.BUNDLE:
        items = need("items")
        if not isinstance(items, list) or len(items) < 2 or not all(isinstance(it, Mapping) for it in items):
            raise SpecError(f"{where}.items: at least two {{sku, quantity}} items")
        if any("sku" not in it for it in items):
            raise SpecError(f"{where}.items: each item names its 'sku'")
        p["items"] = tuple(
            (
                code(it["sku"], f"{where}.items[{i}].sku"),
                count(it.get("quantity", 1), f"{where}.items[{i}].quantity", 1),
            )
            for i, it in enumerate(items)
        )
        skus = [sku for sku, _n in p["items"]]
        if len(set(skus)) != len(skus):
            raise SpecError(f"{where}.items: each SKU once (two of a SKU: its quantity is 2)")
        p["price"] = fen(need("price"), f"{where}.price")
    elif kind == Kind.GIFT:
        if "threshold" not in raw and "min_items" not in raw:
            raise SpecError(f"{where}: gift needs 'threshold' (amount) or 'min_items'")
        p["threshold"] = fen(raw["threshold"], f"{where}.threshold") if "threshold" in raw else None
        p["min_items"] = count(raw["min_items"], f"{where}.min_items", 1) if "min_items" in raw else None
        p["gift_sku"] = code(need("gift_sku"), f"{where}.gift_sku")
        p["gift_quantity"] = count(get("gift_quantity", 1), f"{where}.gift_quantity", 1)
        p["gift_stock"] = count(get("gift_stock"), f"{where}.gift_stock") if get("gift_stock") is not None else None
    elif kind == Kind.COUPON:
        # An amount off (¥20 券), or a rate (折扣券: pay rate/10 of the in-scope amount) with an optional
        # `max_amount` it never takes more than (JD and PDD issue these).
        if ("amount" in raw) == ("rate" in raw):
            raise SpecError(f"{where}: a coupon takes an 'amount' off, or a 'rate' (折扣券), not both")
        p["amount"] = fen(raw["amount"], f"{where}.amount") if "amount" in raw else None
        p["rate"] = rate(raw["rate"], f"{where}.rate") if "rate" in raw else None
        cap = get("max_amount")
        if cap is not None and p["rate"] is None:
            raise SpecError(f"{where}.max_amount: only a coupon with a 'rate' has a maximum")
        p["max_amount"] = fen(cap, f"{where}.max_amount") if cap is not None else None
        p["min_spend"] = fen(get("min_spend", 0), f"{where}.min_spend")
        codes = get("codes", [])
        if isinstance(codes, str) or not isinstance(codes, list):
            raise SpecError(f"{where}.codes: a list of codes")
        p["codes"] = frozenset(code(c, f"{where}.codes") for c in codes)
        if not p["codes"]:
            raise SpecError(f"{where}: a coupon needs 'codes' (one shared code or several single-use codes)")
        p["per_buyer_limit"] = count(get("per_buyer_limit", 1), f"{where}.per_buyer_limit", 1)
        p["combinable"] = bool(get("combinable", False))
    known = {
        Kind.PRICE_CUT: {"amount"},
        Kind.DISCOUNT: {"rate"},
        Kind.SPECIAL_PRICE: {"price"},
        Kind.FLASH_SALE: {"price", "per_buyer_cap", "stock_cap"},
        Kind.GROUP_BUY: {"price", "min_buyers", "joined"},
        Kind.MEMBER_PRICE: {"prices", "rates"},
        Kind.MEMBER_DISCOUNT: {"min_past_spend", "rate"},
        Kind.SPEND_SAVE: {"tiers", "repeat"},
        Kind.SPEND_DISCOUNT: {"tiers"},
        Kind.QUANTITY_DISCOUNT: {"tiers"},
        Kind.QUANTITY_SAVE: {"tiers"},
        Kind.MULTIBUY: {"nth", "rate", "buy", "free"},
        Kind.BUNDLE: {"items", "price"},
        Kind.ANY_N_FOR: {"n", "price"},
        Kind.GIFT: {"threshold", "min_items", "gift_sku", "gift_quantity", "gift_stock", "gift_value"},
        Kind.COUPON: {"amount", "rate", "max_amount", "min_spend", "codes", "per_buyer_limit", "combinable"},
    }[kind]
    unknown = set(raw) - known - COMMON_KEYS
    if unknown:
        raise SpecError(f"{where}: unknown parameters for {kind}: {sorted(unknown)}")
    return p


def parse_promotion(raw: Mapping[str, Any], where: str = "promotion") -> Promotion:
    if not isinstance(raw, Mapping):
        raise SpecError(f"{where}: an object")
    pid = str(raw.get("id") or "").strip()
    if not pid:
        raise SpecError(f"{where}: needs an 'id'")
    pid = code(pid, f"{where}.id")
    where = f"{where} {pid}"
    given = raw.get("kind")
    if given not in KINDS:
        raise SpecError(f"{where}: unknown kind {given!r}; one of {', '.join(KINDS)}")
    kind = Kind(given)
    return Promotion(
        id=pid,
        kind=kind,
        name=_name(raw.get("name", ""), f"{where}.name"),
        scope=parse_scope(raw.get("scope"), f"{where}.scope"),
        params=_params(kind, raw, where),
        stackable=bool(raw.get("stackable", kind == Kind.GIFT)),
        exclusive=bool(raw.get("exclusive", False)),
        starts_at=moment(raw.get("starts_at"), f"{where}.starts_at"),
        ends_at=moment(raw.get("ends_at"), f"{where}.ends_at"),
    )


def _name(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise SpecError(f"{where}: a string, not {value!r}")
    return value


def parse_promotions(raw: Any) -> list[Promotion]:
    items = raw.get("promotions") if isinstance(raw, Mapping) else raw
    if not isinstance(items, list):
        raise SpecError("promotions: a list (or an object with a 'promotions' list)")
    promotions = [parse_promotion(item, f"promotions[{i}]") for i, item in enumerate(items)]
    ids = [p.id for p in promotions]
    if len(set(ids)) != len(ids):
        raise SpecError("promotions: ids must be unique")
    return promotions


@dataclass(frozen=True)
class CartLine:
    sku: str
    quantity: int
    unit_price: int  # fen
    product: str = ""
    category: str = ""
    role: str = ""
    floor: int | None = None  # the lowest unit price allowed after every discount (最低折扣), fen


@dataclass(frozen=True)
class Buyer:
    id: str = ""
    tier: str = ""
    past_spend: int = 0  # fen
    coupon_uses: Mapping[str, int] = field(default_factory=dict)  # coupon promotion id → times used
    flash_bought: Mapping[str, int] = field(default_factory=dict)  # flash-sale promotion id → units bought


@dataclass(frozen=True)
class Cart:
    lines: tuple[CartLine, ...]
    buyer: Buyer = field(default_factory=Buyer)
    coupons: frozenset[str] = frozenset()  # coupon codes the buyer offers
    used_codes: frozenset[str] = frozenset()  # single-use codes already redeemed
    at: datetime | None = None
    max_discount: int | None = None  # cap on the order's total discount, fen
    max_discount_rate: Fraction | None = None  # cap as a share of the list total
    stacking: str | None = None  # PLATFORM or BEST_FOR_BUYER; None: the caller's (the shop's) policy


def _text(value: Any, where: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # a numeric SKU or buyer id written without quotes
    raise SpecError(f"{where}: a string, not {value!r}")


def _share(value: Any, where: str) -> Fraction:
    """A share of the list total between 0 and 1, written as a string ("0.3") or 0/1."""
    share = _decimal(value, where, "a share")
    if not share.is_finite() or not 0 <= share <= 1:
        raise SpecError(f'{where}: a share between 0 and 1 ("0.3" = 30 %), got {value!r}')
    return Fraction(share)


def parse_cart(raw: Mapping[str, Any]) -> Cart:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("lines"), list) or not raw["lines"]:
        raise SpecError("cart: an object with a non-empty 'lines' list")
    if len(raw["lines"]) > MAX_LINES:
        raise SpecError(f"cart.lines: at most {MAX_LINES} lines")
    lines = []
    for i, line in enumerate(raw["lines"]):
        w = f"cart.lines[{i}]"
        if not isinstance(line, Mapping) or "sku" not in line:
            raise SpecError(f"{w}: needs 'sku'")
        floor = line.get("floor")
        lines.append(
            CartLine(
                sku=_text(line["sku"], f"{w}.sku"),
                quantity=count(line.get("quantity", 1), f"{w}.quantity", 1, text=False),
                unit_price=fen(line.get("unit_price"), f"{w}.unit_price"),
                product=_text(line.get("product", ""), f"{w}.product"),
                category=_text(line.get("category", ""), f"{w}.category"),
                role=_text(line.get("role", ""), f"{w}.role"),
                floor=fen(floor, f"{w}.floor") if floor is not None else None,
            )
        )
    if any(line.unit_price < 0 for line in lines):
        raise SpecError("cart: unit prices cannot be negative")
    b = _object(raw.get("buyer"), "cart.buyer")
    uses = _object(b.get("coupon_uses"), "buyer.coupon_uses")
    bought = _object(b.get("flash_bought"), "buyer.flash_bought")
    buyer = Buyer(
        id=_text(b.get("id", ""), "buyer.id"),
        tier=_text(b.get("tier", ""), "buyer.tier"),
        past_spend=fen(b.get("past_spend", 0), "buyer.past_spend"),
        coupon_uses={str(k): count(v, f"buyer.coupon_uses.{k}") for k, v in uses.items()},
        flash_bought={str(k): count(v, f"buyer.flash_bought.{k}") for k, v in bought.items()},
    )
    cap_rate = raw.get("max_discount_rate")
    return Cart(
        lines=tuple(lines),
        buyer=buyer,
        coupons=_codes(raw.get("coupons"), "cart.coupons"),
        used_codes=_codes(raw.get("used_codes"), "cart.used_codes"),
        at=moment(raw.get("at"), "cart.at"),
        max_discount=fen(raw["max_discount"], "cart.max_discount") if raw.get("max_discount") is not None else None,
        max_discount_rate=_share(cap_rate, "cart.max_discount_rate") if cap_rate is not None else None,
        stacking=stacking(raw.get("stacking"), "cart.stacking"),
    )


def stacking(value: Any, where: str) -> str | None:
    """A stacking policy, or None when not given."""
    if value in (None, ""):
        return None
    if value not in STACKING:
        raise SpecError(f"{where}: one of {', '.join(STACKING)}, not {value!r}")
    return str(value)
