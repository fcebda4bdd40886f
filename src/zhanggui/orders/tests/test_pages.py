"""The order pages with Django's test client: the queue (sort, filters, export, batch), one order (phone by
role, steps and their refusals), the import page (report, refusal table, inputs kept), the SLA board and the
desk card."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.channels import records
from zhanggui.channels import zhanggui as own_format
from zhanggui.core.tests.pages import login
from zhanggui.inventory.models import StockMove
from zhanggui.orders.models import Order, OrderEvent, OrderStatus
from zhanggui.orders.tests.factories import OrderFactory, OrderLineFactory, levels, parsed_line, parsed_order

pytestmark = pytest.mark.django_db

S = OrderStatus
LIST = "/orders/"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def order_of(shop, *lines, **fields) -> Order:
    order = OrderFactory(shop=shop, **fields)
    for sku, quantity in lines:
        OrderLineFactory(order=order, sku=sku, quantity=quantity)
    return order


def numbers(response) -> list[str]:
    return [o.platform_order_no for o in response.context["page"]]


# --------------------------------------------------------------------------------------------------------
# The queue
# --------------------------------------------------------------------------------------------------------


@pytest.fixture
def queue(shop, stocked):
    """Three orders of two shops with different deadlines, payments and lines."""
    now = timezone.now()
    tee, cap = stocked("TEE-M", 10), stocked("CAP-RED", 10)
    other = ShopFactory(code="jd01", name="京东店")
    return {
        "late": order_of(
            shop,
            (tee, 2),
            platform_order_no="A-LATE",
            buyer_nick="zhang",
            paid_total=Decimal("198.00"),
            paid_at=now - timedelta(hours=30),
            ship_by=now - timedelta(hours=2, minutes=5),
        ),
        "soon": order_of(
            shop,
            (cap, 1),
            (tee, 1),
            platform_order_no="B-SOON",
            buyer_nick="wang",
            receiver_name="王五",
            paid_total=Decimal("150.50"),
            paid_at=now - timedelta(hours=21),
            ship_by=now + timedelta(hours=3, minutes=10),
        ),
        "later": order_of(
            other,
            (tee, 5),
            platform_order_no="C-LATER",
            buyer_nick="li",
            paid_total=Decimal("400.00"),
            paid_at=now - timedelta(hours=1),
            ship_by=now + timedelta(hours=23),
            status=S.REVIEWED,
        ),
        "tee": tee,
        "other": other,
    }


def test_the_queue_sorts_by_deadline_then_by_any_column(client, users, queue):
    login(client, users["warehouse"])
    assert numbers(client.get(LIST)) == ["A-LATE", "B-SOON", "C-LATER"]
    assert numbers(client.get(LIST, {"sort": "-paid_total"})) == ["C-LATER", "A-LATE", "B-SOON"]
    assert numbers(client.get(LIST, {"sort": "-items"})) == ["C-LATER", "B-SOON", "A-LATE"]  # 5, 2, 2 (ties: newest)
    assert numbers(client.get(LIST, {"sort": "-paid_at"})) == ["C-LATER", "B-SOON", "A-LATE"]


def test_the_queue_shows_the_promise_and_masks_phones(client, users, queue):
    body = login(client, users["manager"]).get(LIST).content.decode()
    assert "overdue 2 h" in body
    assert "due in 3 h" in body
    assert "138****5678" in body
    assert "13812345678" not in body


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "a-la"}, ["A-LATE"]),
        ({"q": "王五"}, ["B-SOON"]),
        ({"q": "cap-red"}, ["B-SOON"]),  # a line's SKU code, the order once
        ({"q": "TEE"}, ["A-LATE", "B-SOON", "C-LATER"]),
        ({"status": "reviewed"}, ["C-LATER"]),
        ({"due": "overdue"}, ["A-LATE"]),
        ({"due": "soon"}, ["B-SOON"]),
        ({"due": "nonsense"}, ["A-LATE", "B-SOON", "C-LATER"]),
    ],
)
def test_the_queue_filters(client, users, queue, params, expected):
    assert numbers(login(client, users["service"]).get(LIST, params)) == expected


def test_the_queue_filters_on_shop_and_paid_day(client, users, queue):
    login(client, users["service"])
    assert numbers(client.get(LIST, {"shop": queue["other"].pk})) == ["C-LATER"]
    today = timezone.localdate(queue["later"].paid_at).isoformat()
    assert "C-LATER" in numbers(client.get(LIST, {"from": today, "to": today}))
    assert "A-LATE" not in numbers(client.get(LIST, {"from": today, "to": today}))


def test_the_queue_totals_every_filtered_row(client, users, queue):
    response = login(client, users["service"]).get(LIST, {"shop": queue["late"].shop_id, "size": 25})
    totals = response.context["listing"].totals
    assert totals == {"items": 4, "paid_total": Decimal("348.50")}


def test_the_export_holds_the_filtered_rows_with_masked_phones(client, users, queue):
    login(client, users["warehouse"])
    response = client.get(LIST, {"q": "TEE", "due": "soon", "export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["Order number", "Shop", "Buyer", "Receiver"]
    assert [row[0] for row in rows[1:]] == ["B-SOON"]
    assert rows[1][3] == "王五 138****5678"
    assert rows[1][rows[0].index("Items")] == "2"

    xlsx = client.get(LIST, {"shop": queue["late"].shop_id, "export": "xlsx"})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["A-LATE", "B-SOON"]


def test_batch_review_names_the_refused_row_and_reviews_the_others(client, users, queue):
    login(client, users["service"])
    ids = [queue["late"].pk, queue["soon"].pk, queue["later"].pk]  # C-LATER is reviewed already
    response = client.post("/orders/batch/", {"action": "review", "ids": ids, "next": "/orders/?q=TEE"}, follow=True)
    assert response.redirect_chain[-1][0] == "/orders/?q=TEE"
    text = " ".join(str(m) for m in response.context["messages"])
    assert "Review: 2 done." in text
    assert "1 refused: C-LATER — Order C-LATER is reviewed: it cannot become reviewed." in text
    assert set(Order.objects.filter(status=S.REVIEWED).values_list("platform_order_no", flat=True)) == {
        "A-LATE",
        "B-SOON",
        "C-LATER",
    }


def test_batch_hold_and_cancel_take_their_reason(client, users, queue, stocked):
    login(client, users["manager"])
    client.post("/orders/batch/", {"action": "hold", "ids": [queue["late"].pk], "hold_reason": "买家要求晚发"})
    late = Order.objects.get(pk=queue["late"].pk)
    assert (late.status, late.hold_reason) == (S.ON_HOLD, "买家要求晚发")
    response = client.post(
        "/orders/batch/", {"action": "cancel", "ids": [queue["soon"].pk], "cancel_reason": ""}, follow=True
    )
    assert "Say why the order is cancelled." in " ".join(str(m) for m in response.context["messages"])
    assert Order.objects.get(pk=queue["soon"].pk).status == S.PAID
    client.post("/orders/batch/", {"action": "release", "ids": [late.pk]})
    assert Order.objects.get(pk=late.pk).status == S.PAID


def test_batch_allocate_reports_the_orders_it_held(client, users, queue):
    short = order_of(queue["late"].shop, (queue["tee"], 50), platform_order_no="D-SHORT")
    login(client, users["warehouse"])
    response = client.post("/orders/batch/", {"action": "allocate", "ids": [queue["late"].pk, short.pk]}, follow=True)
    text = " ".join(str(m) for m in response.context["messages"])
    assert "Allocate stock: 2 done." in text
    assert "1 put on hold instead: D-SHORT — out of stock: SKU TEE-M: 50 wanted" in text
    assert Order.objects.get(pk=queue["late"].pk).status == S.ALLOCATED


def test_batch_actions_follow_the_role(client, users, queue):
    login(client, users["warehouse"])
    names = [a.name for a in client.get(LIST).context["listing"].actions]
    assert names == ["allocate"]
    response = client.post("/orders/batch/", {"action": "cancel", "ids": [queue["late"].pk], "cancel_reason": "x"})
    assert response.status_code == 403
    assert Order.objects.get(pk=queue["late"].pk).status == S.PAID
    login(client, users["designer"])
    assert client.get(LIST).context["listing"].actions == []


def test_the_queue_reads_a_page_in_a_fixed_number_of_queries(client, users, queue, shop):
    login(client, users["service"])
    client.get(LIST)  # the session and the user's groups are read once, before counting

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    few = queries()
    for n in range(10):
        order_of(shop, (queue["tee"], 1), platform_order_no=f"M-{n}")
    assert queries() == few


def test_the_filter_trigger_is_scoped_to_the_filter_form(client, users, queue):
    body = login(client, users["service"]).get(LIST).content.decode()
    assert "change from:(#order-filters select)" in body


# --------------------------------------------------------------------------------------------------------
# One order
# --------------------------------------------------------------------------------------------------------


def test_the_order_page_masks_the_phone_for_the_warehouse_and_shows_it_to_service(client, users, queue):
    url = f"/orders/{queue['late'].pk}/"
    warehouse = login(client, users["warehouse"]).get(url)
    assert warehouse.context["phone"] == "138****5678"
    assert "13812345678" not in warehouse.content.decode()
    service = login(client, users["service"]).get(url)
    assert service.context["phone"] == "13812345678"
    assert login(client, users["manager"]).get(url).context["phone"] == "13812345678"
    assert login(client, users["designer"]).get(url).context["phone"] == "138****5678"


def test_the_order_page_shows_lines_linked_to_their_sku_and_buttons_by_role(client, users, queue):
    url = f"/orders/{queue['soon'].pk}/"
    body = login(client, users["warehouse"]).get(url).content.decode()
    assert reverse("catalog:sku-detail", args=[queue["tee"].pk]) in body
    assert 'id="allocate-button"' in body and 'id="ship-button"' in body
    assert 'id="review-button"' not in body and 'id="cancel-button"' not in body
    body = login(client, users["service"]).get(url).content.decode()
    assert 'id="review-button"' in body and 'id="hold-button"' in body and 'id="cancel-button"' in body
    assert 'id="allocate-button"' not in body and 'id="ship-button"' not in body


def test_review_allocate_and_ship_from_the_order_page(client, users, queue):
    order, tee = queue["soon"], queue["tee"]
    login(client, users["service"])
    client.post(f"/orders/{order.pk}/review/")
    login(client, users["warehouse"])
    client.post(f"/orders/{order.pk}/allocate/")
    assert levels(tee) == (10, 1)
    response = client.post(f"/orders/{order.pk}/ship/", {"ship-carrier": "顺丰速运", "ship-tracking_no": "SF123"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.carrier, order.tracking_no) == (S.SHIPPED, "顺丰速运", "SF123")
    assert levels(tee) == (9, 0)
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "shipped: 顺丰速运 SF123" in page
    steps = list(OrderEvent.objects.filter(order=order).values_list("from_status", "to_status", "actor__username"))
    assert steps == [("paid", "reviewed", "service"), ("reviewed", "allocated", "warehouse"),
                     ("allocated", "shipped", "warehouse")]  # fmt: skip


def test_a_refused_ship_shows_the_error_and_keeps_what_was_typed(client, users, queue):
    order = queue["soon"]
    login(client, users["warehouse"])
    response = client.post(f"/orders/{order.pk}/ship/", {"ship-carrier": "顺丰速运", "ship-tracking_no": "SF\u200b1"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "invisible or control character" in body
    assert 'value="顺丰速运"' in body
    order.refresh_from_db()
    assert order.status == S.PAID and not StockMove.objects.filter(document=order.platform_order_no).exists()


def test_hold_needs_a_reason_and_release_brings_it_back(client, users, queue):
    order = queue["late"]
    login(client, users["service"])
    response = client.post(f"/orders/{order.pk}/hold/", {"hold-reason": ""})
    assert response.status_code == 422
    assert Order.objects.get(pk=order.pk).status == S.PAID
    client.post(f"/orders/{order.pk}/hold/", {"hold-reason": "地址待确认"})
    body = client.get(f"/orders/{order.pk}/").content.decode()
    assert "地址待确认" in body and 'id="release-button"' in body
    client.post(f"/orders/{order.pk}/release/")
    assert Order.objects.get(pk=order.pk).status == S.PAID


def test_a_refused_step_is_a_message_on_the_page(client, users, queue):
    order = queue["later"]  # reviewed already
    login(client, users["service"])
    response = client.post(f"/orders/{order.pk}/review/", follow=True)
    assert "Order C-LATER is reviewed: it cannot become reviewed." in response.content.decode()


def test_a_step_without_the_right_is_403_and_changes_nothing(client, users, queue):
    order = queue["late"]
    login(client, users["warehouse"])
    assert client.post(f"/orders/{order.pk}/cancel/", {"cancel-reason": "x"}).status_code == 403
    login(client, users["service"])
    response = client.post(f"/orders/{order.pk}/ship/", {"ship-carrier": "SF", "ship-tracking_no": "1"})
    assert response.status_code == 403
    assert Order.objects.get(pk=order.pk).status == S.PAID
    assert not OrderEvent.objects.filter(order=order).exists()


def test_every_role_reads_the_pages(client, users, queue):
    for user in users.values():
        login(client, user)
        for url in (LIST, f"/orders/{queue['late'].pk}/", "/orders/sla/", "/orders/import/", "/orders/desk-card/"):
            assert client.get(url).status_code == 200, (user, url)


# --------------------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------------------


def own_file(*orders, name="orders.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(own_format.HEADER)
    for order in orders:
        writer.writerows(own_format.rows(order))
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8"), content_type="text/csv")


def test_the_import_page_imports_and_reports(client, users, shop, stocked):
    stocked("TEE-M", 5)
    upload = own_file(
        parsed_order("Z-1", platform=records.ZHANGGUI),
        parsed_order("Z-2", parsed_line("NEW-RED"), platform=records.ZHANGGUI),
    )
    login(client, users["operator"])
    response = client.post("/orders/import/", {"shop": shop.pk, "platform": "", "file": upload})
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.orders_created, report.orders_updated, report.orders_unchanged, report.held) == (2, 0, 0, 1)
    assert report.paid_total == Decimal("198.00")
    assert set(Order.objects.values_list("platform_order_no", flat=True)) == {"Z-1", "Z-2"}
    assert "¥198.00" in response.content.decode()


def test_a_dry_run_stores_nothing(client, users, shop, stocked):
    login(client, users["operator"])
    upload = own_file(parsed_order("Z-1", platform=records.ZHANGGUI))
    response = client.post("/orders/import/", {"shop": shop.pk, "file": upload, "dry_run": "on"})
    assert response.context["report"].orders_created == 1
    assert "Dry run: nothing was stored" in response.content.decode()
    assert not Order.objects.exists()


def test_a_refused_import_lists_every_row_and_keeps_the_choices(client, users, shop):
    bad = own_file(parsed_order("Z-1", platform=records.ZHANGGUI), name="bad.csv")
    text = bad.read().decode().replace(",1,99.00,", ",0,99.00,").replace("2026-06-18 10:30:00", "11/11/2026")
    upload = SimpleUploadedFile("bad.csv", text.encode(), content_type="text/csv")
    login(client, users["operator"])
    response = client.post("/orders/import/", {"shop": shop.pk, "platform": "zhanggui", "file": upload})
    assert response.status_code == 422
    rejected = response.context["report"].rejected
    assert {(e.file, e.line) for e in rejected} == {("bad.csv", 2)}
    assert {e.column for e in rejected} >= {"quantity", "paid_at"}
    body = response.content.decode()
    assert body.count("<tr><td>bad.csv</td>") == len(rejected)
    assert f'<option value="{shop.pk}" selected>' in body
    assert '<option value="zhanggui" selected>' in body
    assert not Order.objects.exists()


def test_a_file_of_no_platform_is_an_error_on_the_form(client, users, shop):
    login(client, users["operator"])
    upload = SimpleUploadedFile("x.csv", b"a,b\n1,2\n", content_type="text/csv")
    response = client.post("/orders/import/", {"shop": shop.pk, "file": upload})
    assert response.status_code == 422
    assert "is not an order export we can read" in response.content.decode()
    assert f'<option value="{shop.pk}" selected>' in response.content.decode()


def test_importing_needs_the_right(client, users, shop):
    login(client, users["warehouse"])
    upload = own_file(parsed_order("Z-1", platform=records.ZHANGGUI))
    assert client.post("/orders/import/", {"shop": shop.pk, "file": upload}).status_code == 403
    assert not Order.objects.exists()


# --------------------------------------------------------------------------------------------------------
# SLA board and the desk
# --------------------------------------------------------------------------------------------------------


def test_the_sla_board_counts_due_orders_and_the_late_rate(client, users, queue, shop):
    now = timezone.now()
    # Every shipment between the local midnight and now, so all four fall on today whatever the hour.
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    elapsed = now - midnight
    for n, late in enumerate((True, False, False, True)):
        order_of(
            shop,
            platform_order_no=f"S-{n}",
            status=S.SHIPPED,
            ship_by=midnight + elapsed / 2,
            shipped_at=midnight + elapsed * (3 if late else 1) / 4,
        )
    order_of(shop, platform_order_no="OLD", status=S.SHIPPED, ship_by=now - timedelta(days=20),
             shipped_at=now - timedelta(days=19))  # fmt: skip
    response = login(client, users["designer"]).get("/orders/sla/")
    by_shop = {row["shop"].code: (row["overdue"], row["soon"]) for row in response.context["by_shop"]}
    assert by_shop == {"tb01": (1, 1)}
    assert [o.platform_order_no for o in response.context["overdue"]] == ["A-LATE"]
    assert [o.platform_order_no for o in response.context["soon"]] == ["B-SOON"]
    late = response.context["late"]
    assert [(r.shop.code, r.shipped, r.late) for r in late] == [("tb01", 4, 2)]
    assert late[0].day == timezone.localdate(now)
    body = response.content.decode()
    assert "50%" in body
    assert f"?shop={shop.pk}&amp;due=late&amp;shipped_on={late[0].day.isoformat()}" in body
    # the link lands on the two late orders
    listed = login(client, users["designer"]).get(LIST, {"shop": shop.pk, "due": "late", "shipped_on": late[0].day})
    assert sorted(numbers(listed)) == ["S-0", "S-3"]


def test_the_desk_card_counts_today_overdue_and_held(client, users, queue, shop):
    OrderFactory(shop=shop, status=S.ON_HOLD, hold_reason="x", ship_by=timezone.now() + timedelta(days=3))
    login(client, users["copywriter"])
    response = client.get("/orders/desk-card/")
    assert response.context["overdue"] == 1
    assert response.context["held"] == 1
    today = Order.objects.filter(ship_by__date=timezone.localdate(), status__in=["paid", "reviewed"]).count()
    assert response.context["today"] == today
    assert 'href="/orders/?due=overdue"' in response.content.decode()
    home = client.get("/").content.decode()
    assert 'hx-get="/orders/desk-card/"' in home
    assert 'id="orders-card"' in home


def test_the_queue_opens_on_what_is_still_to_ship(client, users, queue):
    """Without filters the queue is the day's work: shipped and cancelled orders only when asked for."""
    shipped = order_of(queue["other"], (queue["tee"], 1), platform_order_no="D-SHIPPED", status=S.SHIPPED)
    login(client, users["warehouse"])
    assert numbers(client.get(LIST)) == ["A-LATE", "B-SOON", "C-LATER"]
    assert shipped.platform_order_no in numbers(client.get(LIST, {"status": ""}))
    assert 'value="open" selected' in client.get(LIST).content.decode()
