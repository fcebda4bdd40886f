"""The inventory API: moves, transfers, reservations, purchasing, stocktakes, alerts and the ledger check."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from zhanggui.catalog.tests.factories import ShopFactory, SkuFactory
from zhanggui.inventory import services
from zhanggui.inventory.models import (
    MoveReason,
    PurchaseOrder,
    Reservation,
    StockBalance,
    StockMove,
    Stocktake,
    StocktakeStatus,
    Supplier,
)
from zhanggui.inventory.tests.factories import SupplierFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/inventory"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, url: str, data: dict | None = None):
    return client.post(url, data=data or {}, content_type="application/json")


def on_hand(sku, warehouse) -> tuple[int, int]:
    balance = StockBalance.objects.get(sku=sku, warehouse=warehouse)
    return balance.on_hand, balance.reserved


def receive(actor, sku, warehouse, quantity):
    services.book_move(actor=actor, sku=sku, warehouse=warehouse, quantity=quantity, reason=MoveReason.PURCHASE_RECEIPT)


@pytest.fixture
def wh():
    return WarehouseFactory(code="main", priority=1)


# ----- stock ---------------------------------------------------------------------------------------------


def test_warehouses_and_balances(warehouse_user, wh):
    other = WarehouseFactory(code="backup", priority=2)
    a, b = SkuFactory(code="A"), SkuFactory(code="B")
    receive(warehouse_user, a, wh, 5)
    receive(warehouse_user, a, other, 1)
    receive(warehouse_user, b, wh, 2)
    client = client_for(warehouse_user)

    assert [w["code"] for w in client.get(f"{API}/warehouses").json()] == ["main", "backup"]
    body = client.get(f"{API}/balances?warehouse=main").json()
    assert body["count"] == 2
    assert [(r["sku"], r["on_hand"], r["available"]) for r in body["items"]] == [("A", 5, 5), ("B", 2, 2)]
    rows = client.get(f"{API}/skus/{a.pk}/balances").json()
    assert [(r["warehouse"], r["on_hand"]) for r in rows] == [("main", 5), ("backup", 1)]


def test_adjustment_books_one_move_with_its_note(warehouse_user, wh):
    sku = SkuFactory()
    receive(warehouse_user, sku, wh, 10)
    response = post(
        client_for(warehouse_user),
        f"{API}/moves",
        {"sku_id": sku.pk, "warehouse": "main", "quantity": -2, "reason": "adjustment", "note": "破损"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["quantity"], body["reason"], body["on_hand_after"], body["note"]) == (-2, "adjustment", 8, "破损")
    assert on_hand(sku, wh) == (8, 0)
    assert services.check_ledger() == []


def test_adjustment_without_a_note_is_refused(warehouse_user, wh):
    sku = SkuFactory()
    response = post(
        client_for(warehouse_user),
        f"{API}/moves",
        {"sku_id": sku.pk, "warehouse": "main", "quantity": 3, "reason": "adjustment"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "stock_rule_broken"
    assert not StockMove.objects.exists()


def test_taking_out_more_than_is_free_is_a_409_naming_the_sku(warehouse_user, wh):
    sku = SkuFactory(code="TEE-M")
    receive(warehouse_user, sku, wh, 2)
    response = post(
        client_for(warehouse_user),
        f"{API}/moves",
        {"sku_id": sku.pk, "warehouse": "main", "quantity": -5, "reason": "adjustment", "note": "lost"},
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "insufficient_stock"
    assert "TEE-M" in body["message"]
    assert body["details"] == {"sku": "TEE-M", "wanted": 5, "available": 2}
    assert StockMove.objects.count() == 1


def test_customer_return_with_a_unit_cost(warehouse_user, wh):
    sku = SkuFactory()
    response = post(
        client_for(warehouse_user),
        f"{API}/moves",
        {
            "sku_id": sku.pk,
            "warehouse": "main",
            "quantity": 1,
            "reason": "return",
            "document": "RT-1",
            "unit_cost": "40.00",
        },
    )
    assert response.status_code == 201, response.content
    move = StockMove.objects.get()
    assert (move.reason, move.document, move.unit_cost) == (MoveReason.RETURN, "RT-1", Decimal("40.00"))
    assert response.json()["unit_cost"] == "40.00"


@pytest.mark.parametrize("reason", ["sale_issue", "stocktake", "transfer"])
def test_moves_with_their_own_flow_are_not_booked_directly(warehouse_user, wh, reason):
    sku = SkuFactory()
    response = post(
        client_for(warehouse_user),
        f"{API}/moves",
        {"sku_id": sku.pk, "warehouse": "main", "quantity": 1, "reason": reason},
    )
    assert response.status_code == 422
    assert not StockMove.objects.exists()


def test_unknown_warehouse_is_a_404(warehouse_user):
    sku = SkuFactory()
    response = post(
        client_for(warehouse_user),
        f"{API}/moves",
        {"sku_id": sku.pk, "warehouse": "nowhere", "quantity": 1, "reason": "return"},
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_transfer_moves_units_between_warehouses(warehouse_user, wh):
    other = WarehouseFactory(code="backup")
    sku = SkuFactory()
    receive(warehouse_user, sku, wh, 6)
    response = post(
        client_for(warehouse_user),
        f"{API}/transfers",
        {"sku_id": sku.pk, "source": "main", "destination": "backup", "quantity": 4},
    )
    assert response.status_code == 201, response.content
    assert sorted(m["quantity"] for m in response.json()) == [-4, 4]
    assert (on_hand(sku, wh), on_hand(sku, other)) == ((2, 0), (4, 0))


def test_sku_ledger_newest_first(warehouse_user, wh):
    sku = SkuFactory()
    receive(warehouse_user, sku, wh, 3)
    services.adjust_stock(actor=warehouse_user, sku=sku, warehouse=wh, quantity=-1, note="x")
    rows = client_for(warehouse_user).get(f"{API}/skus/{sku.pk}/moves").json()
    assert [(m["quantity"], m["on_hand_after"], m["actor"]) for m in rows] == [
        (-1, 2, "warehouse"),
        (3, 3, "warehouse"),
    ]


# ----- reservations --------------------------------------------------------------------------------------


def test_reserve_release_and_issue(warehouse_user, wh):
    sku = SkuFactory()
    receive(warehouse_user, sku, wh, 10)
    client = client_for(warehouse_user)

    made = post(client, f"{API}/reservations", {"reference": "T1", "lines": [{"sku_id": sku.pk, "quantity": 4}]})
    assert made.status_code == 201, made.content
    assert made.json() == {
        "reference": "T1",
        "status": "active",
        "lines": [{"sku_id": sku.pk, "warehouse_id": wh.pk, "quantity": 4}],
    }
    assert on_hand(sku, wh) == (10, 4)

    post(client, f"{API}/reservations", {"reference": "T2", "lines": [{"sku_id": sku.pk, "quantity": 3}]})
    released = post(client, f"{API}/reservations/T1/release")
    assert (released.status_code, released.json()["status"]) == (200, "released")
    issued = post(client, f"{API}/reservations/T2/issue", {"document": "SO-2"})
    assert (issued.status_code, issued.json()["status"]) == (200, "issued")

    assert on_hand(sku, wh) == (7, 0)
    assert StockMove.objects.get(reason=MoveReason.SALE_ISSUE).document == "SO-2"
    rows = client.get(f"{API}/reservations/T1").json()
    assert [(r["status"], r["quantity"]) for r in rows] == [("released", 4)]


def test_reservation_is_all_or_nothing(warehouse_user, wh):
    a, b = SkuFactory(code="A"), SkuFactory(code="B")
    receive(warehouse_user, a, wh, 5)
    receive(warehouse_user, b, wh, 1)
    response = post(
        client_for(warehouse_user),
        f"{API}/reservations",
        {"reference": "T1", "lines": [{"sku_id": a.pk, "quantity": 2}, {"sku_id": b.pk, "quantity": 2}]},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_stock"
    assert response.json()["details"]["sku"] == "B"
    assert not Reservation.objects.exists()
    assert on_hand(a, wh) == (5, 0)


def test_reservation_for_a_shop_and_in_a_given_warehouse(warehouse_user, wh):
    other = WarehouseFactory(code="backup", priority=9)
    sku = SkuFactory()
    receive(warehouse_user, sku, wh, 5)
    receive(warehouse_user, sku, other, 5)
    ShopFactory(code="tm01")
    response = post(
        client_for(warehouse_user),
        f"{API}/reservations",
        {"reference": "T1", "lines": [{"sku_id": sku.pk, "quantity": 1}], "shop": "tm01", "warehouse": "backup"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["lines"][0]["warehouse_id"] == other.pk


def test_releasing_an_unknown_reference_is_a_404(warehouse_user):
    response = post(client_for(warehouse_user), f"{API}/reservations/NOPE/release")
    assert response.status_code == 404
    assert response.json()["code"] == "reservation_not_found"


# ----- purchasing ----------------------------------------------------------------------------------------


def test_create_supplier(operator):
    response = post(client_for(operator), f"{API}/suppliers", {"code": "acme", "name": "义乌工厂"})
    assert response.status_code == 201, response.content
    assert Supplier.objects.get(code="acme").lead_time_days == 7


def test_duplicate_supplier_code_is_a_422_with_details(operator):
    SupplierFactory(code="acme")
    response = post(client_for(operator), f"{API}/suppliers", {"code": "acme", "name": "again"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert "code" in body["details"]


def test_purchase_order_from_creation_to_close(manager, wh):
    SupplierFactory(code="acme")
    a, b = SkuFactory(code="A"), SkuFactory(code="B")
    client = client_for(manager)

    created = post(
        client,
        f"{API}/purchase-orders",
        {
            "supplier": "acme",
            "warehouse": "main",
            "expected_on": str(timezone.localdate() + timedelta(days=7)),
            "lines": [
                {"sku_id": a.pk, "quantity": 100, "unit_cost": "12.50"},
                {"sku_id": b.pk, "quantity": 10, "unit_cost": "3.00"},
            ],
        },
    )
    assert created.status_code == 201, created.content
    po = created.json()
    assert (po["status"], po["supplier"], po["warehouse"]) == ("ordered", "acme", "main")
    assert [(ln["sku"], ln["quantity"], ln["unit_cost"], ln["open_quantity"]) for ln in po["lines"]] == [
        ("A", 100, "12.50", 100),
        ("B", 10, "3.00", 10),
    ]

    first = post(client, f"{API}/purchase-orders/{po['id']}/receive", {"quantities": {str(a.pk): 60}})
    assert first.status_code == 200, first.content
    assert first.json()["purchase_order"]["status"] == "partial"
    assert [(m["quantity"], m["unit_cost"]) for m in first.json()["moves"]] == [(60, "12.50")]

    over = post(client, f"{API}/purchase-orders/{po['id']}/receive", {"quantities": {str(a.pk): 41}})
    assert over.status_code == 409
    assert over.json()["code"] == "over_receipt"
    assert on_hand(a, wh) == (60, 0)

    back = post(client, f"{API}/purchase-orders/{po['id']}/return", {"quantities": {str(a.pk): 5}, "note": "瑕疵"})
    assert back.status_code == 200, back.content
    assert back.json()["moves"][0]["reason"] == "supplier_return"
    assert on_hand(a, wh) == (55, 0)

    closed = post(client, f"{API}/purchase-orders/{po['id']}/close")
    assert (closed.status_code, closed.json()["status"]) == (200, "closed")
    listed = client.get(f"{API}/purchase-orders?status=closed").json()
    assert [p["number"] for p in listed["items"]] == [po["number"]]


def test_draft_order_is_placed_later(manager, wh):
    SupplierFactory(code="acme")
    sku = SkuFactory()
    client = client_for(manager)
    po = post(
        client,
        f"{API}/purchase-orders",
        {
            "supplier": "acme",
            "warehouse": "main",
            "place": False,
            "lines": [{"sku_id": sku.pk, "quantity": 1, "unit_cost": "1.00"}],
        },
    ).json()
    assert po["status"] == "draft"
    refused = post(client, f"{API}/purchase-orders/{po['id']}/receive", {"quantities": {str(sku.pk): 1}})
    assert (refused.status_code, refused.json()["code"]) == (409, "invalid_state")
    assert post(client, f"{API}/purchase-orders/{po['id']}/place").json()["status"] == "ordered"


def test_purchase_order_with_an_unknown_sku_is_a_404(manager, wh):
    SupplierFactory(code="acme")
    response = post(
        client_for(manager),
        f"{API}/purchase-orders",
        {"supplier": "acme", "warehouse": "main", "lines": [{"sku_id": 999999, "quantity": 1, "unit_cost": "1.00"}]},
    )
    assert response.status_code == 404
    assert not PurchaseOrder.objects.exists()


# ----- stocktake -----------------------------------------------------------------------------------------


def test_a_blind_stocktake_hides_the_books_until_it_is_booked(warehouse_user, wh):
    a = SkuFactory(code="A", cost=Decimal("10.00"))
    receive(warehouse_user, a, wh, 10)
    client = client_for(warehouse_user)

    take = post(client, f"{API}/stocktakes", {"warehouse": "main", "blind": True}).json()
    assert take["blind"] is True and take["report"] is None
    assert [(ln["sku"], ln["expected"]) for ln in take["lines"]] == [("A", None)]
    counted = post(client, f"{API}/stocktakes/{take['id']}/counts", {"counts": {str(a.pk): 7}}).json()
    assert counted["lines"][0]["expected"] is None and counted["report"] is None

    post(client, f"{API}/stocktakes/{take['id']}/book")
    booked = client.get(f"{API}/stocktakes/{take['id']}").json()
    assert booked["lines"][0]["expected"] == 10 and booked["report"]["loss_units"] == 3


def test_stocktake_counts_and_books_gains_and_losses_at_cost(warehouse_user, wh):
    a = SkuFactory(code="A", cost=Decimal("10.00"))
    b = SkuFactory(code="B", cost=Decimal("2.50"))
    receive(warehouse_user, a, wh, 10)
    receive(warehouse_user, b, wh, 4)
    client = client_for(warehouse_user)

    take = post(client, f"{API}/stocktakes", {"warehouse": "main"})
    assert take.status_code == 201, take.content
    take = take.json()
    assert [(ln["sku"], ln["expected"], ln["counted"]) for ln in take["lines"]] == [("A", 10, None), ("B", 4, None)]

    counted = post(client, f"{API}/stocktakes/{take['id']}/counts", {"counts": {str(a.pk): 8, str(b.pk): 6}})
    assert counted.status_code == 200, counted.content
    assert counted.json()["report"] == {
        "gain_units": 2,
        "gain_value": "5.00",
        "loss_units": 2,
        "loss_value": "20.00",
        "net_value": "-15.00",
    }

    booked = post(client, f"{API}/stocktakes/{take['id']}/book")
    assert booked.status_code == 200, booked.content
    assert booked.json()["net_value"] == "-15.00"
    assert (on_hand(a, wh), on_hand(b, wh)) == ((8, 0), (6, 0))
    assert Stocktake.objects.get().status == StocktakeStatus.BOOKED
    again = post(client, f"{API}/stocktakes/{take['id']}/book")
    assert (again.status_code, again.json()["code"]) == (409, "invalid_state")
    assert client.get(f"{API}/stocktakes").json()[0]["status"] == "booked"


# ----- reads ---------------------------------------------------------------------------------------------


def test_alerts_list_skus_under_safety_stock(users, wh):
    manager = users["manager"]
    low, fine = SkuFactory(code="LOW", safety_stock=5), SkuFactory(code="FINE", safety_stock=1)
    receive(manager, low, wh, 6)
    receive(manager, fine, wh, 9)
    services.reserve(actor=manager, reference="o1", lines={low.pk: 3})
    services.issue_reserved(actor=manager, reference="o1")

    rows = client_for(users["service"]).get(f"{API}/alerts").json()

    assert [(r["sku"], r["available"], r["issued_30d"], r["safety_stock"]) for r in rows] == [("LOW", 3, 3, 5)]
    assert rows[0]["days_of_cover"] == 30.0
    assert rows[0]["suggested_reorder"] == 6  # ceil(3/30 a day × (7 + 30) days) + 5 safety − 3 available


def test_ledger_check_reports_no_drift(users, wh):
    receive(users["manager"], SkuFactory(), wh, 1)
    assert client_for(users["designer"]).get(f"{API}/ledger-check").json() == {"ok": True, "drifts": []}


def test_ledger_check_reports_a_drift(users, wh):
    sku = SkuFactory()
    receive(users["manager"], sku, wh, 3)
    StockBalance.objects.filter(sku=sku).update(on_hand=5)  # what a hand edit of the cache would do
    body = client_for(users["manager"]).get(f"{API}/ledger-check").json()
    assert body["ok"] is False
    assert body["drifts"] == [{"sku_id": sku.pk, "warehouse_id": wh.pk, "what": "on_hand", "cached": 5, "ledger": 3}]


def test_unknown_purchase_status_filter_is_a_422(manager):
    response = client_for(manager).get(f"{API}/purchase-orders?status=bogus")
    assert (response.status_code, response.json()["code"]) == (422, "invalid_input")
