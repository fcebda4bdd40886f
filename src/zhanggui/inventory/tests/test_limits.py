"""The ledger's doors: huge numbers, wrong signs, unknown ids and odd references are refused with a 4xx (an
error on the form, a rejected row) and write nothing; the limits are docs/inventory.md's."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from zhanggui.catalog.tests.factories import SkuFactory
from zhanggui.core.errors import NotFoundError
from zhanggui.inventory import limits, services
from zhanggui.inventory.errors import InvalidReference, OutOfLimits, StockRuleBroken, WrongSign
from zhanggui.inventory.imports import read_count_sheet
from zhanggui.inventory.models import (
    MoveReason,
    PurchaseOrder,
    PurchaseOrderLine,
    Reservation,
    ReservationStatus,
    StockBalance,
    StockMove,
    StocktakeLine,
)
from zhanggui.inventory.purchasing import services as purchasing
from zhanggui.inventory.stocktakes import services as stocktakes
from zhanggui.inventory.tests.factories import SupplierFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/inventory"
HUGE = [10**20, 2**63, -(2**63), 2**62]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, url: str, data: dict | None = None):
    return client.post(url, data=data or {}, content_type="application/json")


@pytest.fixture
def wh():
    return WarehouseFactory(code="main", priority=1)


@pytest.fixture
def stocked(manager, wh):
    sku = SkuFactory(code="TEE-M")
    services.book_move(actor=manager, sku=sku, warehouse=wh, quantity=10, reason=MoveReason.PURCHASE_RECEIPT)
    return sku


def snapshot():
    """Everything a refused write must leave as it was."""
    return (
        list(StockMove.objects.order_by("pk").values_list("pk", flat=True)),
        list(StockBalance.objects.order_by("pk").values_list("pk", "on_hand", "reserved")),
        list(Reservation.objects.order_by("pk").values_list("pk", "status")),
        list(PurchaseOrder.objects.order_by("pk").values_list("pk", "status")),
        list(PurchaseOrderLine.objects.order_by("pk").values_list("pk", "received_quantity", "returned_quantity")),
        list(StocktakeLine.objects.order_by("pk").values_list("pk", "counted")),
    )


def make_po(manager, sku, wh, quantity=10):
    return purchasing.create_purchase_order(
        actor=manager, supplier=SupplierFactory(code="acme"), warehouse=wh, lines=[(sku, quantity, Decimal("5.00"))]
    )


# --------------------------------------------------------------------------------------------------------
# Services: signs and bounds, whoever calls
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "quantity"),
    [
        (MoveReason.RETURN, -1),
        (MoveReason.PURCHASE_RECEIPT, -1),
        (MoveReason.SUPPLIER_RETURN, 1),
        (MoveReason.SALE_ISSUE, 1),
    ],
)
def test_a_move_against_its_kinds_sign_is_refused(manager, wh, stocked, reason, quantity):
    before = snapshot()
    with pytest.raises(WrongSign) as caught:
        services.book_move(actor=manager, sku=stocked, warehouse=wh, quantity=quantity, reason=reason)
    assert caught.value.code == "wrong_sign"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("reason", "quantity"),
    [(MoveReason.RETURN, 1), (MoveReason.PURCHASE_RECEIPT, 1), (MoveReason.SUPPLIER_RETURN, -1)],
)
def test_a_move_with_its_kinds_sign_is_booked(manager, wh, stocked, reason, quantity):
    move = services.book_move(actor=manager, sku=stocked, warehouse=wh, quantity=quantity, reason=reason)
    assert (move.quantity, move.on_hand_after) == (quantity, 10 + quantity)


@pytest.mark.parametrize("quantity", [-1, 1])
def test_an_adjustment_takes_either_sign(manager, wh, stocked, quantity):
    move = services.adjust_stock(actor=manager, sku=stocked, warehouse=wh, quantity=quantity, note="found")
    assert move.on_hand_after == 10 + quantity


@pytest.mark.parametrize("quantity", [*HUGE, limits.MAX_LINE_QUANTITY + 1, -limits.MAX_LINE_QUANTITY - 1])
def test_an_adjustment_beyond_the_line_limit_is_refused(manager, wh, stocked, quantity):
    before = snapshot()
    with pytest.raises(OutOfLimits):
        services.adjust_stock(actor=manager, sku=stocked, warehouse=wh, quantity=quantity, note="typo")
    assert snapshot() == before


def test_the_line_limit_itself_is_allowed(manager, wh, stocked):
    move = services.adjust_stock(
        actor=manager, sku=stocked, warehouse=wh, quantity=limits.MAX_LINE_QUANTITY, note="container"
    )
    assert move.on_hand_after == 10 + limits.MAX_LINE_QUANTITY


@pytest.mark.parametrize("quantity", [True, 1.0, Decimal("1"), "1"])
def test_a_quantity_is_a_whole_number_not_a_bool(manager, wh, stocked, quantity):
    before = snapshot()
    with pytest.raises(OutOfLimits):
        services.book_move(actor=manager, sku=stocked, warehouse=wh, quantity=quantity, reason=MoveReason.RETURN)
    with pytest.raises(OutOfLimits):
        services.reserve(actor=manager, reference="o1", lines={stocked.pk: quantity})
    assert snapshot() == before


@pytest.mark.parametrize("cost", [Decimal("-0.01"), limits.MAX_UNIT_COST + Decimal("0.01"), Decimal("1e20")])
def test_a_receipt_at_a_negative_or_absurd_unit_cost_is_refused(manager, wh, stocked, cost):
    before = snapshot()
    with pytest.raises(OutOfLimits):
        services.book_move(
            actor=manager, sku=stocked, warehouse=wh, quantity=1, reason=MoveReason.PURCHASE_RECEIPT, unit_cost=cost
        )
    assert snapshot() == before


def test_a_balance_never_grows_beyond_its_ceiling(manager, wh, stocked):
    take = stocktakes.create_stocktake(actor=manager, warehouse=wh)
    stocktakes.enter_counts(actor=manager, stocktake=take, counts={stocked.pk: limits.MAX_ON_HAND})
    stocktakes.book_stocktake(actor=manager, stocktake=take)
    before = snapshot()
    with pytest.raises(OutOfLimits):
        services.book_move(actor=manager, sku=stocked, warehouse=wh, quantity=1, reason=MoveReason.RETURN)
    assert snapshot() == before
    assert services.check_ledger() == []
    out = services.book_move(actor=manager, sku=stocked, warehouse=wh, quantity=-1, reason=MoveReason.SUPPLIER_RETURN)
    assert out.on_hand_after == limits.MAX_ON_HAND - 1


def test_a_balance_above_the_ceiling_from_before_still_gives_units_out(manager, wh, stocked):
    """Stock booked before the limits may exceed them; it can still leave the warehouse."""
    StockMove.objects.create(
        sku=stocked, warehouse=wh, quantity=limits.MAX_ON_HAND, reason=MoveReason.ADJUSTMENT, on_hand_after=0
    )
    StockBalance.objects.filter(sku=stocked).update(on_hand=limits.MAX_ON_HAND + 10)
    assert services.check_ledger() == []
    move = services.adjust_stock(actor=manager, sku=stocked, warehouse=wh, quantity=-5, note="sold off")
    assert move.on_hand_after == limits.MAX_ON_HAND + 5
    with pytest.raises(OutOfLimits):
        services.adjust_stock(actor=manager, sku=stocked, warehouse=wh, quantity=1, note="found")


@pytest.mark.parametrize(
    "lines",
    [
        [(1, limits.MAX_LINE_QUANTITY + 1, "1.00")],
        [(1, 10**20, "1.00")],
        [(1, True, "1.00")],
        [(1, 1, "-0.01")],
        [(1, 1, "1000000.01")],
        [(1, 1, "1e30")],
        [(1, 1001, "1000000.00")],  # line amount beyond MAX_LINE_AMOUNT
    ],
)
def test_purchase_order_lines_beyond_the_limits_are_refused(manager, wh, lines):
    skus = [SkuFactory() for _ in lines]
    supplier = SupplierFactory(code="acme")
    with pytest.raises(OutOfLimits):
        purchasing.create_purchase_order(
            actor=manager,
            supplier=supplier,
            warehouse=wh,
            lines=[(sku, q, cost) for sku, (_n, q, cost) in zip(skus, lines, strict=True)],
        )
    assert not PurchaseOrder.objects.exists()


def test_a_purchase_order_beyond_the_document_limits_is_refused(manager, wh):
    supplier = SupplierFactory(code="acme")
    per_line = limits.MAX_LINE_QUANTITY
    lines = [(SkuFactory(), per_line, Decimal("0.00")) for _ in range(limits.MAX_DOCUMENT_QUANTITY // per_line + 1)]
    with pytest.raises(OutOfLimits):
        purchasing.create_purchase_order(actor=manager, supplier=supplier, warehouse=wh, lines=lines)
    dear = [(SkuFactory(), 1000, limits.MAX_UNIT_COST) for _ in range(11)]  # 11 × ¥1e9 > ¥1e10
    with pytest.raises(OutOfLimits):
        purchasing.create_purchase_order(actor=manager, supplier=supplier, warehouse=wh, lines=dear)
    assert not PurchaseOrder.objects.exists()


@pytest.mark.parametrize("change", [{"quantity": limits.MAX_LINE_QUANTITY + 1}, {"unit_cost": Decimal("-1.00")}])
def test_a_draft_edited_beyond_the_limits_is_not_placed(manager, wh, stocked, change):
    """The admin edits a draft's lines directly; placing it checks them again."""
    po = purchasing.create_purchase_order(
        actor=manager,
        supplier=SupplierFactory(code="acme"),
        warehouse=wh,
        lines=[(stocked, 10, Decimal("5.00"))],
        place=False,
    )
    PurchaseOrderLine.objects.filter(purchase_order=po).update(**change)
    with pytest.raises(OutOfLimits):
        purchasing.place_purchase_order(actor=manager, po=po)
    po.refresh_from_db()
    assert po.status == "draft"


@pytest.mark.parametrize("quantity", [*HUGE, True])
def test_receipts_and_returns_beyond_the_limits_are_refused(manager, wh, stocked, quantity):
    po = make_po(manager, stocked, wh)
    purchasing.receive_purchase_order(actor=manager, po=po, quantities={stocked.pk: 5})
    before = snapshot()
    with pytest.raises((OutOfLimits, StockRuleBroken)):
        purchasing.receive_purchase_order(actor=manager, po=po, quantities={stocked.pk: quantity})
    with pytest.raises((OutOfLimits, StockRuleBroken)):
        purchasing.return_to_supplier(actor=manager, po=po, quantities={stocked.pk: quantity})
    assert snapshot() == before


@pytest.mark.parametrize("counted", [*HUGE, limits.MAX_COUNT + 1, True])
def test_a_count_beyond_the_limit_is_refused(manager, wh, stocked, counted):
    take = stocktakes.create_stocktake(actor=manager, warehouse=wh)
    before = snapshot()
    with pytest.raises(OutOfLimits):
        stocktakes.enter_counts(actor=manager, stocktake=take, counts={stocked.pk: counted})
    assert snapshot() == before


def test_counting_an_unknown_sku_is_not_found(manager, wh, stocked):
    take = stocktakes.create_stocktake(actor=manager, warehouse=wh)
    before = snapshot()
    with pytest.raises(NotFoundError):
        stocktakes.enter_counts(actor=manager, stocktake=take, counts={stocked.pk + 1000: 3})
    assert snapshot() == before


def test_reserving_an_unknown_sku_is_not_found(manager, stocked):
    before = snapshot()
    with pytest.raises(NotFoundError):
        services.reserve(actor=manager, reference="o1", lines={stocked.pk: 1, stocked.pk + 1000: 1})
    assert snapshot() == before


@pytest.mark.parametrize(
    "quantities",
    [
        {"a": limits.MAX_LINE_QUANTITY + 1},
        {"a": 10**20},
        # two lines each within the line limit, together beyond the document's
        {"a": limits.MAX_LINE_QUANTITY, **{f"x{i}": limits.MAX_LINE_QUANTITY for i in range(10)}},
    ],
)
def test_a_reservation_beyond_the_limits_is_refused(manager, stocked, quantities):
    skus = {name: (stocked if name == "a" else SkuFactory()) for name in quantities}
    before = snapshot()
    with pytest.raises(OutOfLimits):
        services.reserve(actor=manager, reference="o1", lines={skus[n].pk: q for n, q in quantities.items()})
    assert snapshot() == before


@pytest.mark.parametrize(
    "reference", ["PROBE/SL", " o1", "o1 ", "o\x001", "o\n1", "订单1", "o 1", "..", ".o1", "a?b", "a#b", "x" * 65, ""]
)
def test_a_reference_outside_its_characters_is_refused(manager, stocked, reference):
    before = snapshot()
    with pytest.raises(InvalidReference):
        services.reserve(actor=manager, reference=reference, lines={stocked.pk: 1})
    assert snapshot() == before


@pytest.mark.parametrize("reference", ["o1", "TM20260518-1", "FS12-ab09", "JD.2026:17_x", "x" * 64])
def test_references_of_the_allowed_characters_are_reserved(manager, stocked, reference):
    services.reserve(actor=manager, reference=reference, lines={stocked.pk: 1})
    assert Reservation.objects.get().reference == reference


# --------------------------------------------------------------------------------------------------------
# The API: a 4xx {code, message} for every such input, nothing written
# --------------------------------------------------------------------------------------------------------


def refused(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert body["message"]


@pytest.mark.parametrize("quantity", [*HUGE, True, "3", 1.5])
def test_api_move_with_a_huge_or_non_integer_quantity_is_a_422(warehouse_user, stocked, quantity):
    before = snapshot()
    response = post(
        client_for(warehouse_user),
        f"{API}/moves",
        {"sku_id": stocked.pk, "warehouse": "main", "quantity": quantity, "reason": "adjustment", "note": "x"},
    )
    refused(response, 422, "invalid_input")
    assert snapshot() == before


@pytest.mark.parametrize(("reason", "quantity"), [("return", -1), ("purchase_receipt", -1), ("supplier_return", 1)])
def test_api_move_of_the_wrong_sign_is_a_422_wrong_sign(warehouse_user, stocked, reason, quantity):
    before = snapshot()
    response = post(
        client_for(warehouse_user),
        f"{API}/moves",
        {"sku_id": stocked.pk, "warehouse": "main", "quantity": quantity, "reason": reason},
    )
    refused(response, 422, "wrong_sign")
    assert snapshot() == before


@pytest.mark.parametrize("cost", ["-1.00", "1000000.01"])
def test_api_receipt_at_a_negative_or_absurd_unit_cost_is_a_422(warehouse_user, stocked, cost):
    before = snapshot()
    response = post(
        client_for(warehouse_user),
        f"{API}/moves",
        {"sku_id": stocked.pk, "warehouse": "main", "quantity": 1, "reason": "purchase_receipt", "unit_cost": cost},
    )
    refused(response, 422, "invalid_input")
    assert snapshot() == before


@pytest.mark.parametrize("quantity", [*HUGE, True])
def test_api_transfer_with_a_huge_quantity_is_a_422(warehouse_user, stocked, quantity):
    WarehouseFactory(code="backup")
    before = snapshot()
    response = post(
        client_for(warehouse_user),
        f"{API}/transfers",
        {"sku_id": stocked.pk, "source": "main", "destination": "backup", "quantity": quantity},
    )
    refused(response, 422, "invalid_input")
    assert snapshot() == before


@pytest.mark.parametrize("quantity", [*HUGE, True])
def test_api_reservation_with_a_huge_quantity_is_a_422(warehouse_user, stocked, quantity):
    before = snapshot()
    response = post(
        client_for(warehouse_user),
        f"{API}/reservations",
        {"reference": "o1", "lines": [{"sku_id": stocked.pk, "quantity": quantity}]},
    )
    refused(response, 422, "invalid_input")
    assert snapshot() == before


@pytest.mark.parametrize("quantity", [*HUGE, True])
def test_api_purchase_order_with_a_huge_quantity_is_a_422(operator, stocked, quantity):
    SupplierFactory(code="acme")
    response = post(
        client_for(operator),
        f"{API}/purchase-orders",
        {
            "supplier": "acme",
            "warehouse": "main",
            "lines": [{"sku_id": stocked.pk, "quantity": quantity, "unit_cost": "1.00"}],
        },
    )
    refused(response, 422, "invalid_input")
    assert not PurchaseOrder.objects.exists()


@pytest.mark.parametrize("cost", ["-1.00", "1000000.01"])
def test_api_purchase_order_at_a_negative_or_absurd_unit_cost_is_a_422(operator, stocked, cost):
    SupplierFactory(code="acme")
    response = post(
        client_for(operator),
        f"{API}/purchase-orders",
        {"supplier": "acme", "warehouse": "main", "lines": [{"sku_id": stocked.pk, "quantity": 1, "unit_cost": cost}]},
    )
    refused(response, 422, "invalid_input")
    assert not PurchaseOrder.objects.exists()


def test_api_purchase_order_line_amount_beyond_the_limit_is_a_422(operator, stocked):
    SupplierFactory(code="acme")
    response = post(
        client_for(operator),
        f"{API}/purchase-orders",
        {
            "supplier": "acme",
            "warehouse": "main",
            "lines": [{"sku_id": stocked.pk, "quantity": 1001, "unit_cost": "1000000.00"}],
        },
    )
    refused(response, 422, "out_of_limits")
    assert not PurchaseOrder.objects.exists()


@pytest.mark.parametrize("action", ["receive", "return"])
@pytest.mark.parametrize("quantity", [*HUGE, True])
def test_api_receive_and_return_with_a_huge_quantity_is_a_422(manager, warehouse_user, wh, stocked, action, quantity):
    po = make_po(manager, stocked, wh)
    purchasing.receive_purchase_order(actor=manager, po=po, quantities={stocked.pk: 5})
    before = snapshot()
    response = post(
        client_for(warehouse_user),
        f"{API}/purchase-orders/{po.pk}/{action}",
        {"quantities": {str(stocked.pk): quantity}},
    )
    refused(response, 422, "invalid_input")
    assert snapshot() == before


@pytest.mark.parametrize("action", ["receive", "return"])
@pytest.mark.parametrize("sku_id", [10**20, 2**63, 999_999])
def test_api_receive_and_return_of_an_unknown_sku_is_a_404(manager, warehouse_user, wh, stocked, action, sku_id):
    po = make_po(manager, stocked, wh)
    purchasing.receive_purchase_order(actor=manager, po=po, quantities={stocked.pk: 5})
    before = snapshot()
    response = post(
        client_for(warehouse_user), f"{API}/purchase-orders/{po.pk}/{action}", {"quantities": {str(sku_id): 1}}
    )
    refused(response, 404, "not_found")
    assert snapshot() == before


@pytest.mark.parametrize("counted", [*HUGE, True, limits.MAX_COUNT + 1])
def test_api_count_with_a_huge_number_is_a_422(manager, warehouse_user, wh, stocked, counted):
    take = stocktakes.create_stocktake(actor=manager, warehouse=wh)
    before = snapshot()
    response = post(
        client_for(warehouse_user), f"{API}/stocktakes/{take.pk}/counts", {"counts": {str(stocked.pk): counted}}
    )
    refused(response, 422, "invalid_input")
    assert snapshot() == before


@pytest.mark.parametrize("sku_id", [10**20, 999_999])
def test_api_count_of_an_unknown_sku_is_a_404(manager, warehouse_user, wh, stocked, sku_id):
    take = stocktakes.create_stocktake(actor=manager, warehouse=wh)
    before = snapshot()
    response = post(client_for(warehouse_user), f"{API}/stocktakes/{take.pk}/counts", {"counts": {str(sku_id): 1}})
    refused(response, 404, "not_found")
    assert snapshot() == before


@pytest.mark.parametrize("sku_id", [999_999, 10**20, 2**63])
def test_api_reserving_an_unknown_sku_is_a_404_not_insufficient_stock(warehouse_user, stocked, sku_id):
    before = snapshot()
    response = post(
        client_for(warehouse_user),
        f"{API}/reservations",
        {"reference": "o1", "lines": [{"sku_id": stocked.pk, "quantity": 1}, {"sku_id": sku_id, "quantity": 1}]},
    )
    refused(response, 404, "not_found")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("moves", {"sku_id": 10**20, "warehouse": "main", "quantity": 1, "reason": "return"}),
        ("moves", {"sku_id": 1, "warehouse": "nowhere", "quantity": 1, "reason": "return"}),
        ("transfers", {"sku_id": 2**63, "source": "main", "destination": "main", "quantity": 1}),
        ("transfers", {"sku_id": 1, "source": "main", "destination": "nowhere", "quantity": 1}),
        ("reservations", {"reference": "o1", "lines": [{"sku_id": 1, "quantity": 1}], "warehouse": "nowhere"}),
        ("stocktakes", {"warehouse": "nowhere"}),
        ("stocktakes", {"warehouse": "main", "category_id": 10**20}),
        ("purchase-orders/99999/receive", {"quantities": {"1": 1}}),
        (f"purchase-orders/{10**20}/return", {"quantities": {"1": 1}}),
        (f"stocktakes/{2**63}/counts", {"counts": {"1": 1}}),
    ],
)
def test_api_unknown_sku_warehouse_or_document_is_a_404(manager, wh, stocked, url, body):
    body = {k: (stocked.pk if v == 1 and k == "sku_id" else v) for k, v in body.items()}
    before = snapshot()
    refused(post(client_for(manager), f"{API}/{url}", body), 404, "not_found")
    assert snapshot() == before


@pytest.mark.parametrize("path", [f"skus/{10**20}/balances", f"skus/{2**63}/moves", f"purchase-orders/{10**20}"])
def test_api_reads_of_huge_ids_are_a_404(warehouse_user, path):
    refused(client_for(warehouse_user).get(f"{API}/{path}"), 404, "not_found")


@pytest.mark.parametrize("query", [f"sku_id={10**20}", f"page={10**20}", f"sku_id={-(2**63)}"])
def test_api_balance_list_with_huge_numbers_does_not_crash(warehouse_user, stocked, query):
    response = client_for(warehouse_user).get(f"{API}/balances?{query}")
    assert response.status_code in {200, 422}, response.content
    if response.status_code == 200:
        assert response.json()["items"] == []


@pytest.mark.parametrize("reference", ["PROBE/SL", " o1", "o1 ", "o\u00001", "o\u202e1", "a#b"])
def test_api_reservation_reference_outside_its_characters_is_a_422(warehouse_user, stocked, reference):
    before = snapshot()
    response = post(
        client_for(warehouse_user),
        f"{API}/reservations",
        {"reference": reference, "lines": [{"sku_id": stocked.pk, "quantity": 1}]},
    )
    refused(response, 422, "invalid_input")
    assert snapshot() == before


def legacy_reservation(sku, wh, reference: str, quantity: int = 2) -> None:
    """A reservation made before references had their characters (the service refuses it now)."""
    Reservation.objects.create(reference=reference, sku=sku, warehouse=wh, quantity=quantity)
    StockBalance.objects.filter(sku=sku, warehouse=wh).update(reserved=quantity)
    assert services.check_ledger() == []


@pytest.mark.parametrize("reference", ["PROBE/SL", "a/b/c", "with space", "订单#1?x"])
@pytest.mark.parametrize("action", ["release", "issue"])
def test_api_every_existing_reservation_is_reachable(warehouse_user, wh, stocked, reference, action):
    from urllib.parse import quote

    legacy_reservation(stocked, wh, reference)
    client = client_for(warehouse_user)
    response = post(client, f"{API}/reservations/{quote(reference, safe='/')}/{action}")
    assert response.status_code == 200, response.content
    assert response.json()["reference"] == reference
    expected = ReservationStatus.RELEASED if action == "release" else ReservationStatus.ISSUED
    assert Reservation.objects.get().status == expected
    assert StockBalance.objects.get(sku=stocked, warehouse=wh).reserved == 0
    rows = client.get(f"{API}/reservations/{quote(reference, safe='')}").json()
    assert [(r["status"], r["quantity"]) for r in rows] == [(expected.value, 2)]
    assert services.check_ledger() == []


def test_api_a_reference_with_a_slash_escaped_is_reachable_too(warehouse_user, wh, stocked):
    legacy_reservation(stocked, wh, "PROBE/SL")
    response = post(client_for(warehouse_user), f"{API}/reservations/PROBE%2FSL/release")
    assert response.status_code == 200, response.content
    assert StockBalance.objects.get(sku=stocked, warehouse=wh).reserved == 0


def test_api_openapi_shows_the_limits(warehouse_user):
    schemas = client_for(warehouse_user).get("/api/v1/openapi.json").json()["components"]["schemas"]
    quantity = schemas["MoveIn"]["properties"]["quantity"]
    assert (quantity["minimum"], quantity["maximum"]) == (-limits.MAX_LINE_QUANTITY, limits.MAX_LINE_QUANTITY)
    assert schemas["TransferIn"]["properties"]["quantity"]["maximum"] == limits.MAX_LINE_QUANTITY
    assert schemas["ReservationLineIn"]["properties"]["quantity"]["maximum"] == limits.MAX_LINE_QUANTITY
    assert schemas["PurchaseLineIn"]["properties"]["quantity"]["maximum"] == limits.MAX_LINE_QUANTITY
    assert schemas["QuantitiesIn"]["properties"]["quantities"]["additionalProperties"]["maximum"] == (
        limits.MAX_LINE_QUANTITY
    )
    assert schemas["ReservationIn"]["properties"]["reference"]["pattern"] == limits.REFERENCE_PATTERN


# --------------------------------------------------------------------------------------------------------
# Pages and imports: a form error or a rejected row, never a 500
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("quantity", [str(10**20), str(2**63), str(-(2**63)), str(2**62)])
def test_page_purchase_order_with_a_huge_quantity_is_a_form_error(client, users, wh, stocked, quantity):
    client.force_login(users["manager"])
    data = {
        "supplier": SupplierFactory().pk,
        "warehouse": wh.pk,
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-sku": "TEE-M",
        "lines-0-quantity": quantity,
        "lines-0-unit_cost": "1.00",
    }
    response = client.post(reverse("inventory:purchase-create"), data)
    assert response.status_code == 422
    assert response.context["lines"].forms[0].errors["quantity"]
    assert not PurchaseOrder.objects.exists()


@pytest.mark.parametrize("field", ["receive", "return"])
@pytest.mark.parametrize("quantity", [str(10**20), str(2**63), str(2**62)])
def test_page_receive_and_return_with_a_huge_quantity_is_a_form_error(
    client, users, manager, wh, stocked, field, quantity
):
    po = make_po(manager, stocked, wh)
    purchasing.receive_purchase_order(actor=manager, po=po, quantities={stocked.pk: 5})
    before = snapshot()
    client.force_login(users["warehouse"])
    response = client.post(reverse(f"inventory:purchase-{field}", args=[po.pk]), {f"{field}_{stocked.pk}": quantity})
    assert response.status_code == 422
    form = response.context["receive_form" if field == "receive" else "return_form"]
    assert form.errors
    assert snapshot() == before


@pytest.mark.parametrize("counted", [str(10**20), str(2**63), str(2**62)])
def test_page_counts_with_a_huge_number_are_a_form_error(client, users, manager, wh, stocked, counted):
    take = stocktakes.create_stocktake(actor=manager, warehouse=wh)
    before = snapshot()
    client.force_login(users["warehouse"])
    sheet = client.post(
        reverse("inventory:stocktake-counts", args=[take.pk]),
        {f"count_{stocked.pk}": counted, f"seen_{stocked.pk}": ""},
    )
    assert sheet.status_code == 422
    assert sheet.context["counts_error"]
    line = client.post(
        reverse("inventory:stocktake-count-line", args=[take.pk, stocked.pk]),
        {f"count_{stocked.pk}": counted},
        HTTP_HX_REQUEST="true",
    )
    assert line.status_code == 422
    added = client.post(reverse("inventory:stocktake-add-line", args=[take.pk]), {"sku": "TEE-M", "counted": counted})
    assert added.status_code == 422
    assert added.context["add_form"].errors["counted"]
    assert snapshot() == before


@pytest.mark.parametrize("quantity", [str(10**20), str(-(2**63)), str(2**62)])
def test_page_sku_adjustment_and_transfer_with_a_huge_quantity_are_a_form_error(client, users, wh, stocked, quantity):
    other = WarehouseFactory(code="backup")
    before = snapshot()
    client.force_login(users["warehouse"])
    adjusted = client.post(
        reverse("catalog:sku-adjust", args=[stocked.pk]), {"warehouse": wh.pk, "quantity": quantity, "note": "typo"}
    )
    assert adjusted.status_code == 422
    moved = client.post(
        reverse("catalog:sku-transfer", args=[stocked.pk]),
        {"source": wh.pk, "destination": other.pk, "quantity": quantity, "note": ""},
    )
    assert moved.status_code == 422
    assert snapshot() == before


@pytest.mark.parametrize("counted", [str(10**20), str(2**63), str(limits.MAX_COUNT + 1)])
def test_import_a_huge_count_is_a_rejected_row_with_its_line(stocked, counted, tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text(f"商家编码,实盘数量\nTEE-M,{counted}\n", encoding="utf-8")
    counts, errors = read_count_sheet(file=path)
    assert counts == {}
    assert [(e.line, e.code) for e in errors] == [(2, "too_large")]


def test_page_upload_of_a_huge_count_enters_nothing(client, users, manager, wh, stocked):
    take = stocktakes.create_stocktake(actor=manager, warehouse=wh)
    before = snapshot()
    client.force_login(users["warehouse"])
    upload = SimpleUploadedFile("counts.csv", f"商家编码,实盘数量\nTEE-M,{10**20}\n".encode(), content_type="text/csv")
    response = client.post(reverse("inventory:stocktake-upload", args=[take.pk]), {"file": upload})
    assert response.status_code == 422
    assert [e.line for e in response.context["upload_report"].errors] == [2]
    assert snapshot() == before


def test_no_raw_sql_overflow_reaches_the_database(manager, wh, stocked):
    """The refusal happens before any statement carries the number: no query mentions it."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries, pytest.raises(OutOfLimits):
        services.reserve(actor=manager, reference="o1", lines={stocked.pk: 2**63})
    assert not any(str(2**63) in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize("line", [f"{10**20}:1", f"{2**63}:2", "²:1", "1:²", f"1:{10**20}"])
def test_page_new_order_prefilled_with_odd_numbers_still_opens(client, users, stocked, line):
    client.force_login(users["manager"])
    response = client.get(reverse("inventory:purchase-create"), {"line": line.replace("1:", f"{stocked.pk}:", 1)})
    assert response.status_code == 200


@pytest.mark.parametrize("sku_id", [10**20, 2**63, 999_999])
def test_page_count_line_of_an_unknown_sku_is_a_404(client, users, manager, wh, stocked, sku_id):
    take = stocktakes.create_stocktake(actor=manager, warehouse=wh)
    client.force_login(users["warehouse"])
    response = client.post(reverse("inventory:stocktake-count-line", args=[take.pk, sku_id]), {f"count_{sku_id}": "1"})
    assert response.status_code == 404
    assert take.lines.get().counted is None
