"""The deep-discount rule as a property (issue 8): no promotion that can price a cart below the approval limit
is approved on submission.

For any promotion spec and any cart of the shop's SKUs — including a SKU added to the catalog after the
promotion was written, in any category, product or role its scope may reach — if `needs_approval` says no,
the engine must not price the cart below the limit (7折 by default): payable ≥ 0.7 × list, less at most one fen
per unit for the half-up rounding of each unit price (docs/money.md). A spec that could go deeper has to wait
for a manager other than its author (the approval flow itself is tested in test_promotions.py).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhanggui.catalog.tests.factories import CategoryFactory, ProductFactory, ShopFactory, SkuFactory
from zhanggui.promotions import spec
from zhanggui.promotions.engine import quote
from zhanggui.promotions.offers import services

pytestmark = pytest.mark.django_db

# code → (price, product, category, role): the shop's catalog when the promotion is submitted.
CATALOG = {
    "A1": ("100.00", "PA", "毛巾", "traffic"),
    "A2": ("35.50", "PA", "毛巾", "traffic"),
    "B1": ("669.00", "PB", "被子被芯", "profit"),
    "C1": ("9.90", "PC", "床单", "campaign"),
}
CODES = [*CATALOG, "GHOST"]  # GHOST: a code the shop does not have yet
PRODUCTS, CATEGORIES, ROLES = ["PA", "PB", "PC", "PN"], ["毛巾", "被子被芯", "床单"], ["traffic", "profit", "campaign"]


@pytest.fixture
def shop(db):
    shop = ShopFactory(code="tm")
    products = {}
    for code, (price, product, category, role) in CATALOG.items():
        if product not in products:
            products[product] = ProductFactory(
                shop=shop, code=product, category=CategoryFactory(name=category), role=role
            )
        SkuFactory(code=code, price=Decimal(price), product=products[product])
    return shop


def yuan(low: int, high: int):
    return st.integers(low, high).map(lambda fen: f"{Decimal(fen) / 100:.2f}")


rates = st.integers(10, 99).map(lambda tenths: f"{Decimal(tenths) / 10}")  # "1.0" .. "9.9" 折


def subset(values):
    return st.lists(st.sampled_from(values), max_size=3, unique=True)


@st.composite
def scopes(draw):
    if draw(st.booleans()):
        return "all"
    scope = {
        "skus": draw(subset(CODES)),
        "products": draw(subset(PRODUCTS)),
        "categories": draw(subset(CATEGORIES)),
        "roles": draw(subset(ROLES)),
    }
    if draw(st.booleans()):
        scope["exclude_skus"] = draw(subset(CODES))
        scope["exclude_categories"] = draw(subset(CATEGORIES))
    return {key: value for key, value in scope.items() if value}


@st.composite
def tiers(draw, threshold, benefit):
    return draw(st.lists(st.tuples(threshold, benefit), min_size=1, max_size=3, unique_by=lambda t: t[0]))


@st.composite
def promotions(draw):
    kind = draw(st.sampled_from(sorted(spec.KINDS)))
    raw: dict = {"id": "p", "kind": kind, "scope": draw(scopes())}
    if kind == "price_cut":
        raw["amount"] = draw(yuan(1, 80000))
    elif kind in ("discount", "member_discount"):
        raw["rate"] = draw(rates)
        if kind == "member_discount":
            raw["min_past_spend"] = "0.00"
    elif kind in ("special_price", "flash_sale", "group_buy"):
        raw["price"] = draw(yuan(1, 80000))
        if kind == "flash_sale":
            raw["per_buyer_cap"] = draw(st.integers(1, 3))
        if kind == "group_buy":
            raw["min_buyers"], raw["joined"] = 2, 2
    elif kind == "member_price":
        raw["prices"] = draw(st.dictionaries(st.just("gold"), yuan(1, 80000)))
        raw["rates"] = {} if raw["prices"] else {"gold": draw(rates)}
    elif kind == "spend_save":
        raw["tiers"] = [[t, o] for t, o in draw(tiers(yuan(100, 100000), yuan(1, 100000)))]
        if draw(st.booleans()):
            raw["repeat"] = {"every": draw(yuan(100, 50000)), "off": draw(yuan(1, 50000))}
    elif kind == "spend_discount":
        raw["tiers"] = [[t, r] for t, r in draw(tiers(yuan(0, 100000), rates))]
    elif kind == "quantity_discount":
        raw["tiers"] = [[n, r] for n, r in draw(tiers(st.integers(1, 4), rates))]
    elif kind == "any_n_for":
        raw["n"], raw["price"] = draw(st.integers(2, 4)), draw(yuan(1, 150000))
    elif kind == "quantity_save":
        raw["tiers"] = [[n, o] for n, o in draw(tiers(st.integers(1, 4), yuan(1, 100000)))]
    elif kind == "multibuy":
        if draw(st.booleans()):
            raw["nth"], raw["rate"] = draw(st.integers(2, 4)), draw(rates)
        else:
            raw["buy"], raw["free"] = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    elif kind == "bundle":
        items = draw(st.lists(st.sampled_from(CODES), min_size=2, max_size=3, unique=True))
        raw["items"] = [{"sku": code, "quantity": draw(st.integers(1, 2))} for code in items]
        raw["price"] = draw(yuan(1, 150000))
    elif kind == "gift":
        raw["threshold"], raw["gift_sku"] = draw(yuan(0, 50000)), "C1"
    elif kind == "coupon":
        raw["codes"] = ["C"]
        raw["min_spend"] = draw(st.one_of(st.just("0.00"), yuan(100, 100000)))
        if draw(st.booleans()):
            raw["amount"] = draw(yuan(1, 50000))
        else:  # 折扣券, maybe with a maximum
            raw["rate"] = draw(rates)
            if draw(st.booleans()):
                raw["max_amount"] = draw(yuan(1, 50000))
    return raw


@st.composite
def carts(draw):
    """Lines of the catalog's SKUs and, maybe, NEW: a SKU added after the promotion, of any price."""
    lines = []
    for code in draw(st.lists(st.sampled_from(list(CATALOG)), min_size=0, max_size=4, unique=True)):
        price, product, category, role = CATALOG[code]
        lines.append({"sku": code, "unit_price": price, "product": product, "category": category, "role": role})
    if draw(st.booleans()) or not lines:
        lines.append(
            {
                "sku": draw(st.sampled_from(["NEW", "GHOST"])),
                "unit_price": draw(yuan(1, 100000)),
                "product": draw(st.sampled_from(PRODUCTS)),
                "category": draw(st.sampled_from(CATEGORIES)),
                "role": draw(st.sampled_from(ROLES)),
            }
        )
    for line in lines:
        line["quantity"] = draw(st.integers(1, 4))
    return {"lines": lines, "buyer": {"tier": "gold", "past_spend": "100000.00"}, "coupons": ["C"]}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=promotions(), raw_cart=carts())
def test_a_promotion_approved_on_submission_never_prices_a_cart_below_the_limit(shop, raw, raw_cart):
    try:
        promotion = spec.parse_promotion(raw)
    except spec.SpecError:
        return  # a spec the desk refuses is never stored, so never approved
    if services.needs_approval(promotion, shop=shop):
        return
    cart = spec.parse_cart(raw_cart)
    priced = quote(cart, [promotion])
    units = sum(line.quantity for line in cart.lines)
    floor = services.approval_limit() * priced.list_total - units
    assert priced.payable >= floor, (
        f"approved on submission, yet {raw} prices the cart at {priced.payable} fen of {priced.list_total} "
        f"({Fraction(priced.payable, priced.list_total)} < {services.approval_limit()})"
    )
