"""The orders API: importing an upload (multipart), the list by deadline with its filters, one order with the
phone shown by role, and each step with its refusals."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from zhanggui.channels import records
from zhanggui.channels import zhanggui as own_format
from zhanggui.core.services import create_api_token
from zhanggui.inventory.models import StockMove
from zhanggui.orders import imports
from zhanggui.orders.models import Order, OrderStatus
from zhanggui.orders.tests.factories import PAID_AT, parse_result, parsed_line, parsed_order

pytestmark = pytest.mark.django_db

API = "/api/v1/orders"
S = OrderStatus


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def client_for(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {create_api_token(user=user, name='test')[1]}"})


def post(client: Client, url: str, data: dict | None = None):
    return client.post(url, data=data or {}, content_type="application/json")


def own_file(*orders, name: str = "orders.csv") -> SimpleUploadedFile:
    """Our own order format (channels.zhanggui), as export-orders writes it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(own_format.HEADER)
    for order in orders:
        writer.writerows(own_format.rows(order))
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), content_type="text/csv")


def imported(actor, shop, *orders):
    imports.import_orders(actor=actor, shop=shop, result=parse_result(*orders))
    return {order.platform_order_no: order for order in Order.objects.all()}


# ----- import ---------------------------------------------------------------------------------------------------


def test_import_an_upload(operator, shop, stocked):
    stocked("TEE-M", 5)
    upload = own_file(parsed_order("W1", parsed_line("TEE-M", 2), platform=records.ZHANGGUI, shipping_fee="6.00"))
    response = client_for(operator).post(f"{API}/import", {"shop": "tb01", "file": upload})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "orders_created": 1,
        "orders_updated": 0,
        "orders_unchanged": 0,
        "lines": 1,
        "units": 2,
        "paid_total": "204.00",
        "held": 0,
        "rejected": [],
    }
    order = Order.objects.get()
    assert (order.platform, order.platform_order_no, order.status) == ("zhanggui", "W1", S.PAID)


def test_an_upload_with_a_bad_row_is_a_422_and_stores_nothing(operator, shop):
    good = own_format.rows(parsed_order("W1", platform=records.ZHANGGUI))[0]
    bad = list(good)
    bad[own_format.HEADER.index("quantity")] = "两件"
    bad[own_format.HEADER.index("order_no")] = "W2"
    buffer = io.StringIO()
    csv.writer(buffer).writerows([own_format.HEADER, good, bad])
    upload = SimpleUploadedFile("orders.csv", buffer.getvalue().encode("utf-8"))
    response = client_for(operator).post(f"{API}/import?lang=en", {"shop": "tb01", "file": upload})
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["message"]) == ("import_rejected", "1 rows rejected; nothing was stored.")
    assert ("orders.csv", 3, "quantity") in [(r["file"], r["line"], r["column"]) for r in body["details"]["rejected"]]
    assert Order.objects.count() == 0


def test_a_dry_run_upload_stores_nothing(operator, shop):
    upload = own_file(parsed_order("W1", platform=records.ZHANGGUI))
    response = client_for(operator).post(f"{API}/import", {"shop": "tb01", "file": upload, "dry_run": "true"})
    assert (response.status_code, response.json()["orders_created"]) == (200, 1)
    assert Order.objects.count() == 0


def test_both_files_and_the_platform_reach_the_reader(operator, shop, monkeypatch):
    seen = []

    def read(files, platform=None):
        seen.append(([name for _file, name in files], platform))
        return parse_result(parsed_order("T1"))

    monkeypatch.setattr(imports, "read_orders", read)
    response = client_for(operator).post(
        f"{API}/import",
        {
            "shop": "tb01",
            "platform": "taobao",
            "file": SimpleUploadedFile("ExportOrderList.csv", b"x"),
            "second_file": SimpleUploadedFile("ExportOrderDetailList.csv", b"y"),
        },
    )
    assert response.status_code == 200, response.content
    assert seen == [(["ExportOrderList.csv", "ExportOrderDetailList.csv"], "taobao")]


def test_an_unreadable_upload_is_a_422(operator, shop):
    upload = SimpleUploadedFile("notes.csv", "名称,数量\n茶杯,1\n".encode())
    response = client_for(operator).post(f"{API}/import", {"shop": "tb01", "file": upload})
    assert (response.status_code, response.json()["code"]) == (422, "unknown_platform")


def test_importing_needs_the_import_capability(users, shop):
    upload = own_file(parsed_order("W1", platform=records.ZHANGGUI))
    response = client_for(users["warehouse"]).post(f"{API}/import", {"shop": "tb01", "file": upload})
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert Order.objects.count() == 0


# ----- reading ---------------------------------------------------------------------------------------------------


def test_the_list_is_by_deadline_with_filters_and_masked_phones(manager, shop, stocked):
    stocked("TEE-M", 5)
    orders = imported(
        manager,
        shop,
        parsed_order("LATE", ship_by=PAID_AT + timedelta(hours=40)),
        parsed_order("SOON", ship_by=PAID_AT + timedelta(hours=2)),
        parsed_order("UNPAID", status=records.UNPAID),
        parsed_order("HELD", parsed_line("NEW")),
    )
    client = client_for(manager)
    body = client.get(API).json()
    assert [item["platform_order_no"] for item in body["items"]] == ["SOON", "HELD", "LATE", "UNPAID"]
    assert body["items"][0]["receiver_phone"] == "138****5678"
    assert body["count"] == 4

    queue = client.get(f"{API}?shop=tb01&status=paid&status=on_hold").json()
    assert [item["platform_order_no"] for item in queue["items"]] == ["SOON", "HELD", "LATE"]
    due = client.get(API, {"due_before": (PAID_AT + timedelta(hours=3)).isoformat()}).json()
    assert [item["platform_order_no"] for item in due["items"]] == ["SOON"]
    assert orders["HELD"].hold_reason == "商家编码 NEW is not in the catalog"
    assert client.get(f"{API}?shop=nope").status_code == 404
    assert client.get(f"{API}?status=lost").status_code == 422
    assert client.get(f"{API}?due_before=0001-01-01T00:00:00%2B08:00").status_code == 422


def test_the_list_takes_the_same_number_of_queries_for_more_orders(manager, shop, django_assert_max_num_queries):
    imported(manager, shop, *(parsed_order(f"T{i}") for i in range(3)))
    client = client_for(manager)
    client.get(API)
    with django_assert_max_num_queries(6) as few:
        client.get(API)
    imported(manager, shop, *(parsed_order(f"U{i}") for i in range(30)))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(API).json()["items"]) == 33


@pytest.mark.parametrize(
    ("role", "phone"),
    [
        ("manager", "13812345678"),
        ("service", "13812345678"),
        ("warehouse", "138****5678"),
        ("operator", "13812345678"),
        ("designer", "138****5678"),
        ("copywriter", "138****5678"),
    ],
)
def test_one_order_shows_the_whole_phone_to_the_roles_that_need_it(users, shop, stocked, role, phone):
    stocked("TEE-M")
    order = imported(users["manager"], shop, parsed_order("T1"))["T1"]
    body = client_for(users[role]).get(f"{API}/{order.pk}").json()
    assert body["receiver_phone"] == phone
    assert [line["sub_order_id"] for line in body["lines"]] == ["T1:TEE-M"]
    assert [(e["from_status"], e["to_status"], e["actor"]) for e in body["events"]] == [("", "paid", "manager")]


def test_an_unknown_order_is_a_404(manager):
    client = client_for(manager)
    for order_id in (999, 2**63, 2**70):
        response = client.get(f"{API}/{order_id}")
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), order_id


# ----- steps -------------------------------------------------------------------------------------------------------


def test_review_allocate_ship(users, shop, stocked):
    tee = stocked("TEE-M", 5)
    order = imported(users["operator"], shop, parsed_order("T1", parsed_line("TEE-M", 2)))["T1"]
    assert post(client_for(users["service"]), f"{API}/{order.pk}/review").json()["status"] == "reviewed"
    body = post(client_for(users["warehouse"]), f"{API}/{order.pk}/allocate").json()
    assert (body["status"], body["stock_reserved"]) == ("allocated", True)
    response = post(client_for(users["warehouse"]), f"{API}/{order.pk}/ship", {"carrier": "中通", "tracking_no": "ZT1"})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["tracking_no"]) == ("shipped", "ZT1")
    assert StockMove.objects.get(sku=tee, reason="sale_issue").quantity == -2


def test_allocating_short_comes_back_on_hold(manager, warehouse_user, shop, stocked):
    stocked("TEE-M", 1)
    order = imported(manager, shop, parsed_order("T1", parsed_line("TEE-M", 2)))["T1"]
    body = post(client_for(warehouse_user), f"{API}/{order.pk}/allocate?lang=en").json()
    assert (body["status"], body["hold_reason"]) == ("on_hold", "out of stock: SKU TEE-M: 2 wanted, 1 available")


def test_hold_release_cancel(users, shop, stocked):
    stocked("TEE-M", 5)
    order = imported(users["operator"], shop, parsed_order("T1"))["T1"]
    client = client_for(users["service"])
    assert post(client, f"{API}/{order.pk}/hold", {"reason": "等买家确认地址"}).json()["status"] == "on_hold"
    assert post(client, f"{API}/{order.pk}/release", {}).json()["status"] == "paid"
    body = post(client, f"{API}/{order.pk}/cancel", {"reason": "买家不要了"}).json()
    assert (body["status"], body["events"][-1]["reason"]) == ("cancelled", "买家不要了")


def test_refusals_are_json_with_their_codes(users, shop, stocked):
    stocked("TEE-M", 1)
    order = imported(users["operator"], shop, parsed_order("T1", parsed_line("TEE-M", 3)))["T1"]
    warehouse = client_for(users["warehouse"])
    response = post(warehouse, f"{API}/{order.pk}/ship", {"carrier": "顺丰", "tracking_no": "SF1"})
    assert (response.status_code, response.json()["code"]) == (409, "insufficient_stock")
    response = post(warehouse, f"{API}/{order.pk}/release", {})
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    response = post(client_for(users["service"]), f"{API}/{order.pk}/release", {})
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")
    response = post(client_for(users["service"]), f"{API}/{order.pk}/cancel", {"reason": ""})
    assert response.status_code == 422
    response = post(warehouse, f"{API}/{order.pk}/ship", {"carrier": "顺丰"})
    assert response.status_code == 422
    order.refresh_from_db()
    assert order.status == S.PAID
