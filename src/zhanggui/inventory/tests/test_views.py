"""The warehouse pages: stock list, purchase orders and receiving, stocktakes, safety-stock alerts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhanggui.catalog.tests.factories import CategoryFactory, ShopFactory, SkuFactory
from zhanggui.core.services import system_user
from zhanggui.inventory import services
from zhanggui.inventory.models import (
    MoveReason,
    PurchaseOrder,
    PurchaseStatus,
    StockBalance,
    StockMove,
    Stocktake,
    StocktakeStatus,
)
from zhanggui.inventory.purchasing import services as purchasing
from zhanggui.inventory.stocktakes import services as stocktakes
from zhanggui.inventory.tests.factories import SupplierFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def login(client, user):
    client.force_login(user)
    return client


def receive(sku, warehouse, quantity):
    return services.book_move(
        actor=system_user(), sku=sku, warehouse=warehouse, quantity=quantity, reason=MoveReason.PURCHASE_RECEIPT
    )


def on_hand(sku, warehouse) -> int:
    return StockBalance.objects.filter(sku=sku, warehouse=warehouse).values_list("on_hand", flat=True).first() or 0


def make_po(*lines, warehouse=None):
    return purchasing.create_purchase_order(
        actor=system_user(),
        supplier=SupplierFactory(),
        warehouse=warehouse or WarehouseFactory(),
        lines=[(sku, quantity, Decimal("10.00")) for sku, quantity in lines],
    )


# --------------------------------------------------------------------------------------------------------
# Stock list
# --------------------------------------------------------------------------------------------------------


def test_stock_list_filters_by_warehouse_and_search(client, users):
    main, second = WarehouseFactory(), WarehouseFactory()
    shirt = SkuFactory(code="TX-1", product__title="纯棉T恤")
    jeans = SkuFactory(code="KZ-1", product__title="牛仔裤", barcode="690000111")
    receive(shirt, main, 5)
    receive(shirt, second, 2)
    receive(jeans, main, 9)
    services.reserve(actor=system_user(), reference="o1", lines={jeans.pk: 4}, warehouse=main)
    login(client, users["service"])
    url = reverse("inventory:stock-list")

    rows = {(b.sku.code, b.warehouse_id): (b.on_hand, b.reserved, b.available) for b in client.get(url).context["page"]}
    assert rows == {("KZ-1", main.pk): (9, 4, 5), ("TX-1", main.pk): (5, 0, 5), ("TX-1", second.pk): (2, 0, 2)}
    assert [(b.sku.code, b.warehouse_id) for b in client.get(url, {"warehouse": second.pk}).context["page"]] == [
        ("TX-1", second.pk)
    ]
    assert {b.sku.code for b in client.get(url, {"q": "牛仔"}).context["page"]} == {"KZ-1"}
    assert {b.sku.code for b in client.get(url, {"q": "690000111"}).context["page"]} == {"KZ-1"}
    fragment = client.get(url, {"q": "T恤"}, **HTMX).content.decode()
    assert 'id="stock-table"' in fragment and "<html" not in fragment


def test_stock_list_query_count_does_not_grow_with_the_rows(client, users):
    wh = WarehouseFactory()
    login(client, users["warehouse"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("inventory:stock-list")).status_code == 200
        return len(ctx.captured_queries)

    receive(SkuFactory(), wh, 1)
    few = queries()
    for _ in range(25):
        receive(SkuFactory(), wh, 1)
    assert queries() == few


# --------------------------------------------------------------------------------------------------------
# Purchase orders
# --------------------------------------------------------------------------------------------------------


def test_operator_creates_a_purchase_order_from_sku_codes(client, users):
    wh, supplier = WarehouseFactory(), SupplierFactory()
    shirt, jeans = SkuFactory(code="TX-1", cost=Decimal("30.00")), SkuFactory(code="KZ-1", barcode="690000222")
    login(client, users["operator"])
    data = {
        "supplier": supplier.pk,
        "warehouse": wh.pk,
        "expected_on": "2030-05-01",
        "note": "春季补货",
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-0-sku": "TX-1",
        "lines-0-quantity": "100",
        "lines-0-unit_cost": "",
        "lines-1-sku": "690000222",
        "lines-1-quantity": "20",
        "lines-1-unit_cost": "55.50",
        "lines-2-sku": "",
        "lines-2-quantity": "",
        "lines-2-unit_cost": "",
        "place": "1",
    }
    response = client.post(reverse("inventory:purchase-create"), data)
    po = PurchaseOrder.objects.get()
    assert response["Location"] == reverse("inventory:purchase-detail", args=[po.pk])
    assert (po.status, po.supplier, po.warehouse, po.note, str(po.expected_on)) == (
        PurchaseStatus.ORDERED,
        supplier,
        wh,
        "春季补货",
        "2030-05-01",
    )
    lines = {line.sku: (line.quantity, line.unit_cost) for line in po.lines.all()}
    assert lines == {shirt: (100, Decimal("30.00")), jeans: (20, Decimal("55.50"))}


def test_an_unknown_sku_code_keeps_every_typed_line(client, users):
    wh, supplier = WarehouseFactory(), SupplierFactory()
    SkuFactory(code="TX-1")
    login(client, users["warehouse"])
    data = {
        "supplier": supplier.pk,
        "warehouse": wh.pk,
        "note": "急单",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-0-sku": "TX-1",
        "lines-0-quantity": "7",
        "lines-1-sku": "NOPE-9",
        "lines-1-quantity": "3",
    }
    response = client.post(reverse("inventory:purchase-create"), data)
    assert response.status_code == 422
    body = response.content.decode()
    assert 'value="TX-1"' in body and 'value="NOPE-9"' in body and 'value="急单"' in body
    assert "NOPE-9" in response.context["lines"].forms[1].errors["sku"][0]
    assert not PurchaseOrder.objects.exists()


def test_a_sku_code_used_in_two_shops_needs_the_shop_code(client, users):
    wh, supplier = WarehouseFactory(), SupplierFactory()
    SkuFactory(code="SAME", product__shop=ShopFactory(code="tm"))
    jd_sku = SkuFactory(code="SAME", product__shop=ShopFactory(code="jd"))
    login(client, users["manager"])
    data = {
        "supplier": supplier.pk,
        "warehouse": wh.pk,
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-sku": "SAME",
        "lines-0-quantity": "7",
    }
    response = client.post(reverse("inventory:purchase-create"), data)
    assert response.status_code == 422
    assert "jd/SAME" in response.context["lines"].forms[0].errors["sku"][0]
    data["lines-0-sku"] = "jd/SAME"
    assert client.post(reverse("inventory:purchase-create"), data).status_code == 302
    assert PurchaseOrder.objects.get().lines.get().sku == jd_sku


def test_an_order_without_lines_is_refused(client, users):
    login(client, users["manager"])
    data = {
        "supplier": SupplierFactory().pk,
        "warehouse": WarehouseFactory().pk,
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("inventory:purchase-create"), data)
    assert response.status_code == 422
    assert response.context["lines"].non_form_errors()
    assert not PurchaseOrder.objects.exists()


@pytest.mark.parametrize("role", ["service", "designer", "copywriter"])
def test_roles_without_purchasing_cannot_create_orders(client, users, role):
    login(client, users[role])
    assert client.get(reverse("inventory:purchase-create")).status_code == 403
    assert 'id="new-purchase"' not in client.get(reverse("inventory:purchase-list")).content.decode()


def test_receiving_part_now_and_the_rest_later(client, users):
    sku = SkuFactory()
    po = make_po((sku, 100))
    login(client, users["warehouse"])
    url = reverse("inventory:purchase-receive", args=[po.pk])
    page = client.get(url).content.decode()
    assert f'name="receive_{sku.pk}" value=""' in page  # blank: what arrived is counted, never assumed

    response = client.post(url, {f"receive_{sku.pk}": "60", "action": "book"})
    assert response.status_code == 302
    po.refresh_from_db()
    assert po.status == PurchaseStatus.PARTIAL
    assert on_hand(sku, po.warehouse) == 60
    line = po.lines.get()
    assert (line.received_quantity, line.open_quantity) == (60, 40)
    page = client.get(url).content.decode()
    assert f'name="receive_{sku.pk}" value=""' in page and 'max="40"' in page

    client.post(url, {f"receive_{sku.pk}": "40", "note": "第二批", "action": "book"})
    po.refresh_from_db()
    assert po.status == PurchaseStatus.RECEIVED
    assert on_hand(sku, po.warehouse) == 100
    moves = list(StockMove.objects.filter(document=po.number).order_by("id").values_list("quantity", "note"))
    assert moves == [(60, ""), (40, "第二批")]


def test_receiving_more_than_is_open_books_nothing_and_keeps_the_input(client, users):
    a, b = SkuFactory(), SkuFactory()
    po = make_po((a, 10), (b, 5))
    login(client, users["warehouse"])
    response = client.post(
        reverse("inventory:purchase-receive", args=[po.pk]) + "?lang=en",
        {f"receive_{a.pk}": "10", f"receive_{b.pk}": "8", "note": "到货多了"},
    )
    assert response.status_code == 422
    assert "only 5 are still open" in response.context["receive_form"].non_field_errors()[0]
    body = response.content.decode()
    assert 'value="8"' in body and 'value="到货多了"' in body
    po.refresh_from_db()
    assert po.status == PurchaseStatus.ORDERED
    assert not StockMove.objects.exists()
    assert [line.received_quantity for line in po.lines.all()] == [0, 0]


@pytest.mark.parametrize("role", ["operator", "service", "designer"])
def test_only_manager_and_warehouse_receive(client, users, role):
    sku = SkuFactory()
    po = make_po((sku, 10))
    login(client, users[role])
    page = client.get(reverse("inventory:purchase-detail", args=[po.pk])).content.decode()
    assert 'id="receive-button"' not in page
    response = client.post(reverse("inventory:purchase-receive", args=[po.pk]), {f"receive_{sku.pk}": "10"})
    assert response.status_code == 403
    po.refresh_from_db()
    assert (po.status, po.lines.get().received_quantity) == (PurchaseStatus.ORDERED, 0)
    assert not StockMove.objects.exists()


def test_return_to_supplier(client, users):
    sku = SkuFactory()
    po = make_po((sku, 10))
    purchasing.receive_purchase_order(actor=system_user(), po=po, quantities={sku.pk: 10})
    login(client, users["warehouse"])
    response = client.post(
        reverse("inventory:purchase-return", args=[po.pk]), {f"return_{sku.pk}": "3", "note": "次品"}
    )
    assert response.status_code == 302
    assert on_hand(sku, po.warehouse) == 7
    assert po.lines.get().returned_quantity == 3
    move = StockMove.objects.get(reason=MoveReason.SUPPLIER_RETURN)
    assert (move.quantity, move.document, move.note) == (-3, po.number, "次品")

    response = client.post(reverse("inventory:purchase-return", args=[po.pk]), {f"return_{sku.pk}": "9"})
    assert response.status_code == 422
    assert on_hand(sku, po.warehouse) == 7


def test_closing_an_order_stops_the_receiving(client, users):
    sku = SkuFactory()
    po = make_po((sku, 10))
    purchasing.receive_purchase_order(actor=system_user(), po=po, quantities={sku.pk: 4})
    login(client, users["service"])
    assert client.post(reverse("inventory:purchase-close", args=[po.pk])).status_code == 403
    po.refresh_from_db()
    assert po.status == PurchaseStatus.PARTIAL

    login(client, users["operator"])
    response = client.post(reverse("inventory:purchase-close", args=[po.pk]), follow=True)
    po.refresh_from_db()
    assert po.status == PurchaseStatus.CLOSED
    assert 'id="receive-button"' not in response.content.decode()


def test_a_draft_order_is_placed_from_its_page(client, users):
    sku = SkuFactory()
    po = purchasing.create_purchase_order(
        actor=system_user(),
        supplier=SupplierFactory(),
        warehouse=WarehouseFactory(),
        lines=[(sku, 5, "1.00")],
        place=False,
    )
    login(client, users["operator"])
    client.post(reverse("inventory:purchase-place", args=[po.pk]))
    po.refresh_from_db()
    assert po.status == PurchaseStatus.ORDERED


def test_purchase_list_filters_orders_still_to_receive(client, users):
    a, b = SkuFactory(), SkuFactory()
    waiting = make_po((a, 10))
    done = make_po((b, 2))
    purchasing.receive_purchase_order(actor=system_user(), po=done, quantities={b.pk: 2})
    login(client, users["designer"])
    response = client.get(reverse("inventory:purchase-list"), {"status": "open"})
    assert [po.number for po in response.context["page"]] == [waiting.number]
    row = response.context["page"][0]
    assert (row.line_count, row.ordered, row.received) == (1, 10, 0)


def test_ledger_document_links_to_its_purchase_order(client, users):
    sku = SkuFactory()
    po = make_po((sku, 3))
    login(client, users["service"])
    response = client.get(reverse("inventory:document", args=[po.number]))
    assert response["Location"] == reverse("inventory:purchase-detail", args=[po.pk])
    assert client.get(reverse("inventory:document", args=["NOPE"])).status_code == 404


# --------------------------------------------------------------------------------------------------------
# Stocktake
# --------------------------------------------------------------------------------------------------------


def make_sheet(*stock, category=None):
    wh = WarehouseFactory()
    for sku, quantity in stock:
        receive(sku, wh, quantity)
    return stocktakes.create_stocktake(actor=system_user(), warehouse=wh, category=category)


def test_warehouse_creates_a_count_sheet(client, users):
    wh = WarehouseFactory()
    a, b = SkuFactory(), SkuFactory()
    receive(a, wh, 5)
    receive(b, wh, 2)
    login(client, users["warehouse"])
    response = client.post(reverse("inventory:stocktake-list"), {"warehouse": wh.pk})
    take = Stocktake.objects.get()
    assert response["Location"] == reverse("inventory:stocktake-detail", args=[take.pk])
    assert sorted(take.lines.values_list("sku_id", "expected")) == sorted([(a.pk, 5), (b.pk, 2)])


def test_a_count_sheet_for_one_category(client, users):
    wh = WarehouseFactory()
    tees = CategoryFactory(name="T恤")
    tee, other = SkuFactory(product__category=tees), SkuFactory()
    receive(other, wh, 3)
    login(client, users["manager"])
    client.post(reverse("inventory:stocktake-list"), {"warehouse": wh.pk, "category": tees.pk})
    assert list(Stocktake.objects.get().lines.values_list("sku_id", "expected")) == [(tee.pk, 0)]


def test_counts_saved_per_line_with_htmx(client, users):
    sku = SkuFactory()
    take = make_sheet((sku, 10))
    login(client, users["warehouse"])
    url = reverse("inventory:stocktake-count-line", args=[take.pk, sku.pk])
    response = client.post(url, {f"count_{sku.pk}": "8"}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(f'<tr id="line-{sku.pk}"')
    assert 'value="8"' in body and "\u22122" in body  # −2, a real minus sign
    assert take.lines.get().counted == 8

    response = client.post(url, {f"count_{sku.pk}": "-1"}, **HTMX)
    assert response.status_code == 422
    assert 'value="-1"' in response.content.decode()
    assert take.lines.get().counted == 8


def test_a_saved_count_refreshes_the_figures_block(client, users):
    sku = SkuFactory(cost=Decimal("2.00"))
    take = make_sheet((sku, 10))
    login(client, users["warehouse"])
    url = reverse("inventory:stocktake-count-line", args=[take.pk, sku.pk])
    response = client.post(url, {f"count_{sku.pk}": "7"}, **HTMX)
    assert response["HX-Trigger"] == "counts-changed"
    summary = client.get(reverse("inventory:stocktake-detail", args=[take.pk]), {"part": "summary"}, **HTMX)
    body = summary.content.decode()
    assert body.startswith('<section class="card report" id="report"')
    assert 'id="loss-units">−3' in body and 'id="loss-value">−¥6.00' in body


def test_save_all_only_writes_the_lines_that_changed_on_the_page(client, users):
    a, b, c = SkuFactory(code="A"), SkuFactory(code="B"), SkuFactory(code="C")
    take = make_sheet((a, 5), (b, 5), (c, 5))
    stocktakes.enter_counts(actor=system_user(), stocktake=take, counts={b.pk: 4})
    login(client, users["warehouse"])
    # Someone else counted C while this page was open; this page still shows C blank.
    stocktakes.enter_counts(actor=system_user(), stocktake=take, counts={c.pk: 6})
    response = client.post(
        reverse("inventory:stocktake-counts", args=[take.pk]),
        {
            f"count_{a.pk}": "7",
            f"seen_{a.pk}": "",
            f"count_{b.pk}": "4",
            f"seen_{b.pk}": "4",
            f"count_{c.pk}": "",
            f"seen_{c.pk}": "",
        },
    )
    assert response.status_code == 302
    counted = dict(take.lines.values_list("sku_id", "counted"))
    assert counted == {a.pk: 7, b.pk: 4, c.pk: 6}


def test_a_bad_count_in_save_all_keeps_every_typed_value(client, users):
    a, b = SkuFactory(code="A"), SkuFactory(code="B")
    take = make_sheet((a, 5), (b, 5))
    login(client, users["warehouse"])
    response = client.post(
        reverse("inventory:stocktake-counts", args=[take.pk]),
        {f"count_{a.pk}": "7", f"seen_{a.pk}": "", f"count_{b.pk}": "abc", f"seen_{b.pk}": ""},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'value="7"' in body and 'value="abc"' in body
    assert set(take.lines.values_list("counted", flat=True)) == {None}


def test_booking_the_stocktake_reports_gains_and_losses_at_cost(client, users):
    a = SkuFactory(code="A", cost=Decimal("12.50"))
    b = SkuFactory(code="B", cost=Decimal("40.00"))
    c = SkuFactory(code="C", cost=Decimal("3.00"))
    take = make_sheet((a, 10), (b, 5), (c, 2))
    stocktakes.enter_counts(actor=system_user(), stocktake=take, counts={a.pk: 12, b.pk: 3})
    login(client, users["warehouse"])
    response = client.post(
        reverse("inventory:stocktake-book", args=[take.pk]), {"confirm": "1", "uncounted": "leave_out"}, follow=True
    )
    take.refresh_from_db()
    assert (take.status, take.booked_by) == (StocktakeStatus.BOOKED, users["warehouse"])
    report = response.context["report"]
    assert (report.gain_units, report.gain_value, report.loss_units, report.loss_value) == (
        2,
        Decimal("25.00"),
        2,
        Decimal("80.00"),
    )
    assert report.net_value == Decimal("-55.00")
    moves = dict(StockMove.objects.filter(reason=MoveReason.STOCKTAKE).values_list("sku_id", "quantity"))
    assert moves == {a.pk: 2, b.pk: -2}  # C was not counted: not booked
    body = response.content.decode()
    assert 'id="gain-value">+¥25.00' in body and 'id="loss-value">−¥80.00' in body
    assert 'id="net-value">−¥55.00' in body
    assert 'id="book-stocktake"' not in body


@pytest.mark.parametrize("role", ["operator", "service", "designer"])
def test_only_manager_and_warehouse_count_and_book(client, users, role):
    sku = SkuFactory()
    take = make_sheet((sku, 10))
    stocktakes.enter_counts(actor=system_user(), stocktake=take, counts={sku.pk: 7})
    login(client, users[role])
    page = client.get(reverse("inventory:stocktake-detail", args=[take.pk])).content.decode()
    assert 'id="book-stocktake"' not in page and 'id="save-counts"' not in page
    assert client.post(reverse("inventory:stocktake-book", args=[take.pk])).status_code == 403
    count_url = reverse("inventory:stocktake-count-line", args=[take.pk, sku.pk])
    assert client.post(count_url, {f"count_{sku.pk}": "1"}, **HTMX).status_code == 403
    assert client.post(reverse("inventory:stocktake-list"), {"warehouse": take.warehouse_id}).status_code == 403
    take.refresh_from_db()
    assert (take.status, take.lines.get().counted) == (StocktakeStatus.OPEN, 7)
    assert Stocktake.objects.count() == 1
    assert not StockMove.objects.filter(reason=MoveReason.STOCKTAKE).exists()
    assert on_hand(sku, take.warehouse) == 10


def test_a_found_sku_is_added_to_the_sheet(client, users):
    on_sheet, found = SkuFactory(), SkuFactory(code="FOUND-1")
    take = make_sheet((on_sheet, 1))
    login(client, users["warehouse"])
    response = client.post(reverse("inventory:stocktake-add-line", args=[take.pk]), {"sku": "FOUND-1", "counted": 4})
    assert response.status_code == 302
    assert take.lines.get(sku=found).counted == 4


def test_booking_twice_is_refused_with_a_message(client, users):
    sku = SkuFactory()
    take = make_sheet((sku, 1))
    stocktakes.enter_counts(actor=system_user(), stocktake=take, counts={sku.pk: 2})
    stocktakes.book_stocktake(actor=system_user(), stocktake=take)
    login(client, users["warehouse"])
    response = client.post(reverse("inventory:stocktake-book", args=[take.pk]), follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert StockMove.objects.filter(reason=MoveReason.STOCKTAKE).count() == 1


def test_cancel_a_count_sheet(client, users):
    take = make_sheet((SkuFactory(), 1))
    login(client, users["warehouse"])
    client.post(reverse("inventory:stocktake-cancel", args=[take.pk]))
    take.refresh_from_db()
    assert take.status == StocktakeStatus.CANCELLED


def upload(name: str, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_counts_uploaded_from_a_csv(client, users):
    a, b = SkuFactory(code="A-1"), SkuFactory(code="B-1")
    take = make_sheet((a, 5), (b, 5))
    login(client, users["warehouse"])
    response = client.post(
        reverse("inventory:stocktake-upload", args=[take.pk]),
        {"file": upload("counts.csv", "商家编码,实盘数量\nA-1,4\nB-1,6\n")},
    )
    assert response.status_code == 302
    assert dict(take.lines.values_list("sku__code", "counted")) == {"A-1": 4, "B-1": 6}


def test_an_uploaded_sheet_with_a_bad_row_enters_nothing_and_lists_the_row(client, users):
    a = SkuFactory(code="A-1")
    take = make_sheet((a, 5))
    login(client, users["warehouse"])
    response = client.post(
        reverse("inventory:stocktake-upload", args=[take.pk]) + "?lang=en",
        {"file": upload("counts.csv", "商家编码,实盘数量\nA-1,4\nNOPE,2\n")},
    )
    assert response.status_code == 422
    report = response.context["upload_report"]
    assert [(e.line, e.code) for e in report.errors] == [(3, "unknown_sku")]
    body = response.content.decode()
    assert 'id="import-report"' in body and "NOPE" in body
    assert take.lines.get().counted is None


def test_an_upload_that_is_not_a_spreadsheet_is_refused(client, users):
    take = make_sheet((SkuFactory(), 5))
    login(client, users["warehouse"])
    response = client.post(reverse("inventory:stocktake-upload", args=[take.pk]), {"file": upload("counts.txt", "x")})
    assert response.status_code == 422
    assert "file" in response.context["upload_form"].errors


def test_an_unreadable_sheet_is_a_form_error(client, users):
    take = make_sheet((SkuFactory(), 5))
    login(client, users["warehouse"])
    response = client.post(
        reverse("inventory:stocktake-upload", args=[take.pk]), {"file": upload("counts.csv", "名称,备注\nx,y\n")}
    )
    assert response.status_code == 422
    assert response.context["upload_form"].non_field_errors()


def test_operator_cannot_upload_counts(client, users):
    a = SkuFactory(code="A-1")
    take = make_sheet((a, 5))
    login(client, users["operator"])
    response = client.post(
        reverse("inventory:stocktake-upload", args=[take.pk]),
        {"file": upload("counts.csv", "商家编码,实盘数量\nA-1,4\n")},
    )
    assert response.status_code == 403
    assert take.lines.get().counted is None


# --------------------------------------------------------------------------------------------------------
# Alerts
# --------------------------------------------------------------------------------------------------------


def test_alerts_show_cover_and_reorder_with_a_link_to_order(client, users):
    wh = WarehouseFactory()
    low = SkuFactory(code="LOW-1", safety_stock=10, cost=Decimal("20.00"))
    fine = SkuFactory(code="FINE-1", safety_stock=2)
    receive(low, wh, 40)
    receive(fine, wh, 50)
    services.reserve(actor=system_user(), reference="o1", lines={low.pk: 30})
    services.issue_reserved(actor=system_user(), reference="o1")
    StockMove.objects.filter(reason=MoveReason.SALE_ISSUE).update(
        created_at=StockMove.objects.first().created_at - timedelta(days=1)
    )
    login(client, users["operator"])
    response = client.get(reverse("inventory:alert-list"))
    [alert] = response.context["alerts"]
    assert (alert.sku, alert.available, alert.issued_30d, alert.days_of_cover) == (low, 10, 30, 10.0)
    # 1 a day × (7 days lead time + 30) + 10 safety − 10 available − 0 on order
    assert alert.suggested_reorder == 37
    body = response.content.decode()
    link = reverse("inventory:purchase-create") + f"?line={low.pk}:37"
    assert link in body

    form = client.get(link).context["lines"]
    assert form.forms[0].initial == {"sku": "LOW-1", "quantity": 37, "unit_cost": Decimal("20.00")}


def test_a_prefilled_line_is_ordered_without_being_touched(client, users):
    sku = SkuFactory(code="LOW-1", cost=Decimal("20.00"))
    login(client, users["warehouse"])
    page = client.get(reverse("inventory:purchase-create"), {"line": f"{sku.pk}:37"}).content.decode()
    assert 'value="LOW-1"' in page and 'value="37"' in page
    data = {
        "supplier": SupplierFactory().pk,
        "warehouse": WarehouseFactory().pk,
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-0-sku": "LOW-1",
        "lines-0-quantity": "37",
        "lines-0-unit_cost": "20.00",
    }
    assert client.post(reverse("inventory:purchase-create"), data).status_code == 302
    assert PurchaseOrder.objects.get().lines.get().quantity == 37


def test_a_code_used_in_two_shops_is_prefilled_with_its_shop(client, users):
    sku = SkuFactory(code="SAME", product__shop=ShopFactory(code="jd"))
    SkuFactory(code="SAME", product__shop=ShopFactory(code="tm"))
    login(client, users["operator"])
    lines = client.get(reverse("inventory:purchase-create"), {"line": f"{sku.pk}:3"}).context["lines"]
    assert lines.forms[0].initial["sku"] == "jd/SAME"


def test_service_sees_alerts_without_order_buttons(client, users):
    wh = WarehouseFactory()
    sku = SkuFactory(safety_stock=5)
    receive(sku, wh, 1)
    login(client, users["service"])
    body = client.get(reverse("inventory:alert-list")).content.decode()
    assert sku.code in body
    assert reverse("inventory:purchase-create") not in body
