"""Property-based testing of the whole API against its own OpenAPI schema (schemathesis, in-process over WSGI).

For every operation of the schema, schemathesis generates requests (valid ones and ones that break the schema;
path ids sometimes those of a seeded dataset, so calls reach real rows) and sends them to
`zhanggui.wsgi.application` with an API token, as the manager (who may do everything) and, for writes, as a role
that may not (a 仓管 for catalog writes, a 美工 elsewhere). Every response must hold:

- no 5xx;
- every 4xx is JSON `{"code": str, "message": str}`;
- a refused write (any 4xx, a 403 above all) changes no row of our tables, the audit trail included;
- a role without the capability never gets a 2xx on a write, except the few any caller may make;
- a 2xx conforms to the schema (body and content type).

Reproducing a failure: the run is derandomized, so the same test id fails again; the failure prints the
endpoint, the role and a curl command for the falsifying request (its `Authorization` header is filtered: send
a token of that role, `zhanggui create-token USER NAME`). Explicit probes (the inputs issue #8 broke the desk
with) run first on every run.
`ZHANGGUI_FUZZ_EXAMPLES=200` runs more examples per test; `ZHANGGUI_FUZZ_RANDOM=1` explores new examples
(Hypothesis then prints `@reproduce_failure` for the one that failed).
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import Group, User
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, example, given, note, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from zhanggui.api import api
from zhanggui.core import roles
from zhanggui.core.services import create_api_token, system_user
from zhanggui.core.tests import strategies as zs
from zhanggui.core.tests.rows import built_for_the_module, changed_tables, snapshot
from zhanggui.core.tests.strategies import rolled_back
from zhanggui.wsgi import application

pytestmark = pytest.mark.django_db

# The schema as the app serves it at /api/v1/openapi.json, built in-process (no request, no database).
SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema())
SCHEMA.app = application
OPERATIONS = {f"{op.method.upper()} {op.path}": op for op in (r.ok() for r in SCHEMA.get_all_operations())}

#: Writes any authenticated caller may make: computed answers, and a shopper's flash-sale buy (docs/permissions.md).
ANY_CALLER_WRITES = {
    "POST /api/v1/pricing/quote",
    "POST /api/v1/pricing/what-if",
    "POST /api/v1/campaigns/check",
    "POST /api/v1/campaigns/stored/{campaign_id}/check",
    "POST /api/v1/promotions/flash-sales/{sale_id}/buy",
}
ALLOWED = roles.MANAGER


def denied_role(endpoint: str) -> str | None:
    """A role that holds none of the capabilities this endpoint's writes need, read from the one table of what
    each endpoint needs (test_api_permissions.ENDPOINTS); None when every role may make the call."""
    from zhanggui.core.tests.test_api_permissions import ENDPOINTS

    need = ENDPOINTS.get(endpoint)
    if need is None:
        return roles.DESIGNER
    allowed = need.allowed_roles()
    refused = [r for r in (roles.DESIGNER, roles.SERVICE, roles.WAREHOUSE, roles.COPYWRITER) if r not in allowed]
    return refused[0] if refused else None


_SCALE = int(os.environ.get("ZHANGGUI_FUZZ_EXAMPLES", "0"))
EXAMPLES = {"read": _SCALE or 10, "write": _SCALE or 25, "denied": _SCALE or 8}
RANDOM = os.environ.get("ZHANGGUI_FUZZ_RANDOM") == "1"

CASES = [(endpoint, ALLOWED) for endpoint in OPERATIONS] + [
    (endpoint, role)
    for endpoint in OPERATIONS
    if not endpoint.startswith("GET ") and (role := denied_role(endpoint)) is not None
]


# ----- the seeded dataset -----------------------------------------------------------------------------------


def build_world() -> dict[str, Any]:
    """A small desk: shops, products and SKUs with stock, warehouses, a supplier and POs, a stocktake, a flash
    sale with a purchase, promotions and campaigns; made with the factories and the services."""
    from zhanggui.catalog import services as catalog
    from zhanggui.catalog.tests.factories import CategoryFactory, ProductFactory, ShopFactory, SkuFactory
    from zhanggui.inventory import services as stock
    from zhanggui.inventory.models import MoveReason
    from zhanggui.inventory.purchasing import services as purchasing
    from zhanggui.inventory.stocktakes import services as stocktakes
    from zhanggui.inventory.tests.factories import SupplierFactory, WarehouseFactory
    from zhanggui.promotions.campaigns import services as campaigns
    from zhanggui.promotions.flash import services as flash
    from zhanggui.promotions.offers import services as promotions

    system = system_user()
    roles.ensure_roles()
    shop = ShopFactory(code="tm01")
    ShopFactory(code="jd01", channel="jd")
    category = CategoryFactory(name="被子被芯")
    main = WarehouseFactory(code="main", priority=1)
    WarehouseFactory(code="east", priority=2)
    product = ProductFactory(shop=shop, code="QUILT", title="蚕丝被 春秋款", category=category)
    sku = SkuFactory(product=product, code="QUILT-200")
    other = SkuFactory(product=product, code="QUILT-220")
    for item in (sku, other):
        stock.book_move(actor=system, sku=item, warehouse=main, quantity=50, reason=MoveReason.PURCHASE_RECEIPT)
    catalog.list_product(actor=system, product=product, note="")
    stock.reserve(actor=system, reference="R1", lines=[(sku.pk, 2)])
    supplier = SupplierFactory(code="acme")
    purchasing.create_purchase_order(
        actor=system, supplier=supplier, warehouse=main, lines=[(sku, 10, "5.00")], place=False
    )
    po = purchasing.create_purchase_order(actor=system, supplier=supplier, warehouse=main, lines=[(sku, 10, "5.00")])
    purchasing.receive_purchase_order(actor=system, po=po, quantities={sku.pk: 4})
    stocktake = stocktakes.create_stocktake(actor=system, warehouse=main)
    now = timezone.now()
    sale = flash.create_flash_sale(
        actor=system,
        sku=sku,
        price="59.00",
        stock_cap=10,
        per_buyer_cap=2,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
    )
    purchase = flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="buyer-1", quantity=1)
    window = {
        "starts_at": (now + timedelta(days=1)).replace(microsecond=0).isoformat(),
        "ends_at": (now + timedelta(days=3)).replace(microsecond=0).isoformat(),
    }
    promotion = promotions.create_promotion(
        actor=system,
        shop=shop,
        raw_spec={"id": "mj300", "kind": "spend_save", "name": "满300减30", "tiers": [["300", "30"]], **window},
    )
    campaign = campaigns.create_campaign(
        actor=system,
        shop=shop,
        raw_spec={"id": "cyh", "name": "超优汇", "rules": [{"kind": "min_sales", "days": 30, "units": 10}]},
    )
    from zhanggui.aftersales import services as aftersales
    from zhanggui.aftersales.compensation import services as aftersales_compensation
    from zhanggui.aftersales.tests.conftest import two_line_order

    order = two_line_order(shop, "F1")
    case = aftersales.open_case(
        actor=system, order=order, kind="refund_shipped", reason="quality", lines=[(order.lines.first().pk, 1)]
    )
    offer = aftersales_compensation.offer(actor=system, case=case, offer="partial_refund", amount="30.00")  # waits
    tokens = {}
    for role in roles.ROLES:
        user = User.objects.create_user(username=f"fuzz-{role}")
        user.groups.add(Group.objects.get(name=role))
        tokens[role] = create_api_token(user=user, name="schema fuzz")[1]
    return {
        "tokens": tokens,
        "ids": {
            "product_id": product.pk,
            "sku_id": sku.pk,
            "po_id": po.pk,
            "stocktake_id": stocktake.pk,
            "sale_id": sale.pk,
            "purchase_id": purchase.pk,
            "promotion_id": promotion.pk,
            "campaign_id": campaign.pk,
            "reference": "R1",
            "case_id": case.pk,
            "compensation_id": offer.pk,
        },
        # Fields of request bodies that name a row: a patched case (see `with_real_rows`) fills them with these.
        "body": {
            "sku_id": sku.pk,
            "product_id": product.pk,
            "shop": "tm01",
            "warehouse": "main",
            "source": "main",
            "destination": "east",
            "supplier": "acme",
        },
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once, in a transaction rolled back after the module; each test and each example is a savepoint."""
    with built_for_the_module(django_db_blocker, build_world) as built:
        yield built


@pytest.fixture
def same_connection():
    """Calls go through the WSGI handler, which closes "old" connections at each request's start and end; inside
    the test's transaction that would close it. Django's test client disconnects the same handler."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# ----- checks -----------------------------------------------------------------------------------------------


def body_of(response: Any) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def check_response(endpoint: str, role: str, case: Any, response: Any, before: dict | None) -> None:
    status = response.status_code
    text = response.content[:2000].decode("utf-8", "replace")
    assert status < 500, f"{status} server error: {text}"
    if 400 <= status < 500:
        body = body_of(response)
        content_type = (response.headers.get("content-type") or [""])[0]
        assert content_type.startswith("application/json"), f"{status} not JSON ({content_type}): {text}"
        assert isinstance(body, dict), f"{status} body is not an object: {text}"
        assert isinstance(body.get("code"), str) and body["code"], f"{status} without a code: {text}"
        assert isinstance(body.get("message"), str) and body["message"], f"{status} without a message: {text}"
        if before is not None:
            changed = changed_tables(before, snapshot())
            assert changed == [], f"a refused write ({status} {body['code']}) changed {changed}"
    if role != ALLOWED and before is not None and endpoint not in ANY_CALLER_WRITES:
        assert not 200 <= status < 300, f"{role} may not call {endpoint}, got {status}: {text}"
        if status == 403:
            assert body_of(response)["code"] == "permission_denied", text
    # Every status the endpoint answers is one its schema documents; a success has the documented body.
    checks = [status_code_conformance]
    if 200 <= status < 300:
        checks += [response_schema_conformance, content_type_conformance]
    case.validate_response(response, checks=checks)


# ----- the test ---------------------------------------------------------------------------------------------


def _fill(value: Any, real: dict[str, Any]) -> Any:
    """`value` with every field that names a row set to a seeded one; SKU-keyed maps keyed by the seeded SKU."""
    if isinstance(value, list):
        return [_fill(item, real) for item in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if key in real and not isinstance(item, dict | list):
            out[key] = real[key]
        elif key in ("quantities", "counts") and isinstance(item, dict) and item:
            out[key] = {str(real["sku_id"]): next(iter(item.values()))}
        else:
            out[key] = _fill(item, real)
    return out


def with_real_rows(case: Any, real: dict[str, Any]) -> Any:
    """The case with its body naming seeded rows, so a generated quantity or price reaches the services."""
    if isinstance(case.body, dict | list):
        case.body = _fill(case.body, real)
    return case


BIG = 10**20
YEAR_ONE = "0001-01-01T00:00:00+08:00"

# The pricing payloads are free-form objects in the schema (docs/pricing.md has their format), so schemathesis
# alone sends nothing a parser would get far with: these build carts and specs with hostile values in them.
HOSTILE = st.one_of(
    st.integers(),
    st.sampled_from([BIG, 2**63, -(2**63), 0, -1, 1.5, "1e30", "１２", "NaN", "-1", "2", "", None, [1], {"a": 1}]),
)
_LINES = st.fixed_dictionaries(
    {
        "sku": st.one_of(zs.codes(), st.integers(), st.just([1])),
        "quantity": st.one_of(st.integers(min_value=1, max_value=5), HOSTILE),
        "unit_price": st.one_of(zs.money_cells().map(lambda cell: cell[0]), HOSTILE),
    },
    optional={"floor": HOSTILE, "category": st.one_of(st.just("被子被芯"), HOSTILE)},
)
_CARTS = st.fixed_dictionaries(
    {"lines": st.lists(_LINES, min_size=1, max_size=3)},
    optional={
        "at": st.sampled_from([YEAR_ONE, "9999-12-31T23:59:59-12:00", "2031-06-18T20:00:00+08:00", "x", 1]),
        "buyer": st.one_of(
            st.just([1]),
            st.fixed_dictionaries({}, optional={"id": HOSTILE, "past_spend": HOSTILE, "coupon_uses": HOSTILE}),
        ),
        "coupons": st.one_of(st.just("x"), st.lists(zs.codes(), max_size=2), HOSTILE),
        "max_discount": HOSTILE,
        "max_discount_rate": HOSTILE,
    },
)


@st.composite
def _specs(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Specs from the import strategies, some running now (no window), one field sometimes made hostile."""
    specs = draw(zs.promotion_specs(max_items=2))
    for spec in specs:
        if draw(st.booleans()):
            spec.pop("starts_at"), spec.pop("ends_at")
    if draw(st.booleans()):
        _kinds, field, value, _verdict = draw(st.sampled_from(zs.PROMOTION_MUTATIONS))
        specs[0][field] = value
    return specs


PAYLOADS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "POST /api/v1/pricing/quote": st.fixed_dictionaries({"cart": _CARTS}, optional={"promotions": _specs()}),
    "POST /api/v1/pricing/what-if": st.fixed_dictionaries(
        {"draft": _specs().map(lambda specs: specs[0]), "carts": st.lists(_CARTS, min_size=1, max_size=2)},
        optional={"promotions": _specs()},
    ),
}


def strategy_for(endpoint: str, world: dict[str, Any]) -> st.SearchStrategy:
    """Positive and negative cases; half of them aimed at seeded rows (path ids and the rows a body names)."""
    operation = OPERATIONS[endpoint]
    names = [p.name for p in operation.path_parameters]
    real_path = {name: world["ids"][name] for name in names if name in world["ids"]}
    strategies = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        strategies.append(operation.as_strategy(mode))
        aimed = operation.as_strategy(mode, path_parameters=real_path) if real_path else operation.as_strategy(mode)
        strategies.append(aimed.map(lambda case: with_real_rows(case, world["body"])))
    if endpoint in PAYLOADS:
        strategies.append(PAYLOADS[endpoint].map(lambda body: operation.Case(body=body, media_type="application/json")))
    return st.one_of(strategies)


_QUOTE_PROMOTIONS = [{"id": "mj", "kind": "spend_save", "tiers": [["300.00", "30.00"]]}]


def _quote(cart: dict[str, Any] | None = None, **line: Any) -> dict[str, Any]:
    return {
        "promotions": _QUOTE_PROMOTIONS,
        "cart": {"lines": [{"sku": "A", "quantity": 2, "unit_price": "160.00", **line}], **(cart or {})},
    }


def probes(world: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The inputs issue #8's probe broke the desk with, tried first on every run (explicit examples)."""
    sku, ids = world["ids"]["sku_id"], world["ids"]
    move = {"sku_id": sku, "warehouse": "main", "reason": "adjustment", "note": "probe"}
    return {
        "POST /api/v1/inventory/moves": [{"body": {**move, "quantity": q}} for q in (BIG, 2**63, -(2**63), 2**62)]
        + [{"body": {**move, "warehouse": "main\x00", "quantity": 1}}],
        "POST /api/v1/inventory/transfers": [
            {"body": {"sku_id": sku, "source": "main", "destination": "east", "quantity": q}} for q in (BIG, -(2**63))
        ],
        "POST /api/v1/inventory/reservations": [
            {"body": {"reference": "PROBE", "lines": [{"sku_id": sku, "quantity": BIG}]}},
            {"body": {"reference": "PROBE\x00", "lines": [{"sku_id": sku, "quantity": 1}]}},
            {"body": {"reference": "PROBE", "lines": [{"sku_id": 10**12, "quantity": 1}]}},
        ],
        "POST /api/v1/inventory/purchase-orders": [
            {
                "body": {
                    "supplier": "acme",
                    "warehouse": "main",
                    "lines": [{"sku_id": sku, "quantity": q, "unit_cost": c}],
                }
            }
            for q, c in ((BIG, "5.00"), (1, "-1"), (1, "1e30"))
        ],
        "POST /api/v1/promotions/flash-sales/{sale_id}/buy": [
            {"path_parameters": {"sale_id": ids["sale_id"]}, "body": {"buyer_ref": "probe", "quantity": BIG}}
        ],
        "GET /api/v1/catalog/products": [{"query": {"page": BIG}}, {"query": {"category_id": BIG}}],
        "GET /api/v1/promotions/calendar": [{"query": {"from": "0001-01-01", "to": "0001-01-01"}}],
        "POST /api/v1/catalog/products": [
            {"body": {"shop": "tm01", "code": code, "title": "探针"}} for code in ("A\x00B", "A\u202eB")
        ],
        "POST /api/v1/pricing/quote": [
            {"body": _quote(unit_price="1e30")},
            {"body": _quote(quantity=BIG)},
            {"body": _quote(quantity="2")},
            {"body": _quote(cart={"at": YEAR_ONE})},
            {"body": _quote(cart={"buyer": [1]})},
            {"body": _quote(cart={"coupons": "x"})},
            {"body": _quote(cart={"max_discount_rate": 1.5})},
            {"body": _quote(cart={"max_discount_rate": "2"})},
        ],
        "POST /api/v1/pricing/what-if": [
            {"body": {"draft": _QUOTE_PROMOTIONS[0], "carts": [_quote(quantity=BIG)["cart"]]}},
        ],
    }


def test_the_denied_roles_hold_no_capability_of_the_endpoints_they_are_denied():
    """If the matrix gives them one, `denied_role` must pick another role (the fuzz checks would pass vacuously)."""
    catalog_caps = {cap for cap in roles.CAPABILITIES if cap.startswith("catalog.")}
    other_caps = set(roles.CAPABILITIES) - catalog_caps
    assert roles.ROLE_CAPABILITIES[denied_role("POST /api/v1/catalog/products")] & catalog_caps == set()
    assert roles.ROLE_CAPABILITIES[denied_role("POST /api/v1/inventory/moves")] & other_caps == set()


def test_every_operation_of_the_schema_is_fuzzed():
    paths = api.get_openapi_schema()["paths"]
    assert len(OPERATIONS) == sum(len(methods) for methods in paths.values())
    assert {endpoint for endpoint, _role in CASES} == set(OPERATIONS)


@pytest.mark.parametrize(("endpoint", "role"), CASES, ids=[f"{e} as {r}" for e, r in CASES])
def test_operation_holds_under_fuzzing(world, same_connection, endpoint, role):
    write = not endpoint.startswith("GET ")
    examples = EXAMPLES["denied" if role != ALLOWED else "write" if write else "read"]
    headers = {"Authorization": f"Bearer {world['tokens'][role]}"}

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=not RANDOM,
        database=None,
        print_blob=RANDOM,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: each call is a request, and the case is printed
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy_for(endpoint, world))
    def call(case):
        note(f"{endpoint} as {role} ({case.meta.generation.mode.value if case.meta else 'explicit probe'} case)")
        note("reproduce with: " + case.as_curl_command(headers=headers))
        with rolled_back():
            before = snapshot() if write else None
            response = case.call(headers=headers)
            check_response(endpoint, role, case, response, before)

    operation = OPERATIONS[endpoint]
    for probe in probes(world).get(endpoint, []):
        media = {"media_type": "application/json"} if "body" in probe else {}
        call = example(case=operation.Case(**probe, **media))(call)
    call()
