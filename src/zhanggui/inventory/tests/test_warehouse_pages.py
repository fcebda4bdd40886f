"""Warehouse flows, the pages: the receiving screen (blank lines, scans, receive all, the review before booking),
the purchase-order page without "close" once all came in, alerts → purchase orders per supplier, the PO form's
product names and SKU search, counting by scanning, blind sheets, the question before booking uncounted lines,
the printed documents, and money written one way."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from zhanggui.catalog.tests.factories import ShopFactory, SkuFactory
from zhanggui.core.services import system_user
from zhanggui.core.tests.pages import login
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


def on_hand(sku, warehouse) -> int:
    return StockBalance.objects.filter(sku=sku, warehouse=warehouse).values_list("on_hand", flat=True).first() or 0


def stock(sku, warehouse, quantity):
    services.book_move(
        actor=system_user(), sku=sku, warehouse=warehouse, quantity=quantity, reason=MoveReason.PURCHASE_RECEIPT
    )


def make_po(*lines, warehouse=None, supplier=None):
    return purchasing.create_purchase_order(
        actor=system_user(),
        supplier=supplier or SupplierFactory(),
        warehouse=warehouse or WarehouseFactory(),
        lines=[(sku, quantity, Decimal("10.00")) for sku, quantity in lines],
    )


# --------------------------------------------------------------------------------------------------------
# Receiving
# --------------------------------------------------------------------------------------------------------


@pytest.fixture
def po(db):
    shirt = SkuFactory(code="TX-1", barcode="6901111111111", product__title="纯棉T恤")
    jeans = SkuFactory(code="KZ-1", barcode="6902222222222", product__title="牛仔裤")
    return make_po((shirt, 10), (jeans, 4), warehouse=WarehouseFactory(name="杭州主仓"))


def lines_of(po):
    return {line.sku.code: line.sku for line in po.lines.select_related("sku")}


def test_the_receiving_page_starts_blank_with_the_scan_box_first(client, users, po):
    login(client, users["warehouse"])
    body = client.get(reverse("inventory:purchase-receive", args=[po.pk])).content.decode()
    shirt = lines_of(po)["TX-1"]
    assert f'name="receive_{shirt.pk}" value=""' in body
    assert body.index('id="scan"') < body.index('id="receive-lines"')
    assert 'name="scan"' in body and "autofocus" in body[body.index('id="scan"') - 200 : body.index('id="scan"') + 200]
    assert 'id="receive-all"' in body and 'data-barcode="6901111111111"' in body


def test_each_scan_adds_one_unit_and_books_nothing(client, users, po):
    login(client, users["warehouse"])
    shirt = lines_of(po)["TX-1"]
    url = reverse("inventory:purchase-receive", args=[po.pk])
    data = {"action": "scan", "scan": "6901111111111", f"receive_{shirt.pk}": ""}
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"]["receive_" + str(shirt.pk)].value() == "1"
    data[f"receive_{shirt.pk}"] = "1"
    response = client.post(url, {**data, "scan": "TX-1"})  # the SKU code works as well as the barcode
    assert response.context["form"]["receive_" + str(shirt.pk)].value() == "2"
    assert response.context["scanned"] == shirt.pk
    assert not StockMove.objects.exists()


def test_an_unknown_scan_is_an_error_under_the_box_and_keeps_what_was_typed(client, users, po):
    login(client, users["warehouse"])
    skus = lines_of(po)
    with translation.override("en"):
        response = client.post(
            reverse("inventory:purchase-receive", args=[po.pk]) + "?lang=en",
            {"action": "scan", "scan": "999000", f"receive_{skus['TX-1'].pk}": "3", "note": "到货"},
        )
    assert response.status_code == 422
    assert response.context["scan_error"] == "999000 is not on this purchase order."
    body = response.content.decode()
    assert 'value="3"' in body and 'value="到货"' in body
    assert not StockMove.objects.exists()


def test_a_scan_beyond_what_is_open_is_refused(client, users, po):
    jeans = lines_of(po)["KZ-1"]
    login(client, users["warehouse"])
    response = client.post(
        reverse("inventory:purchase-receive", args=[po.pk]) + "?lang=en",
        {"action": "scan", "scan": "KZ-1", f"receive_{jeans.pk}": "4"},
    )
    assert response.status_code == 422
    assert response.context["scan_error"] == "KZ-1: all 4 open units are already counted."
    assert response.context["form"][f"receive_{jeans.pk}"].value() == "4"


def test_receive_all_remaining_fills_every_open_quantity(client, users, po):
    skus = lines_of(po)
    purchasing.receive_purchase_order(actor=system_user(), po=po, quantities={skus["KZ-1"].pk: 1})
    login(client, users["warehouse"])
    response = client.post(reverse("inventory:purchase-receive", args=[po.pk]), {"action": "all"})
    form = response.context["form"]
    assert (form[f"receive_{skus['TX-1'].pk}"].value(), form[f"receive_{skus['KZ-1'].pk}"].value()) == ("10", "3")
    assert StockMove.objects.count() == 1


def test_the_review_shows_what_will_be_booked_before_booking(client, users, po):
    skus = lines_of(po)
    login(client, users["warehouse"])
    url = reverse("inventory:purchase-receive", args=[po.pk])
    response = client.post(url, {f"receive_{skus['TX-1'].pk}": "2", f"receive_{skus['KZ-1'].pk}": "", "note": "第一批"})
    assert response.status_code == 200
    assert [(line.sku.code, quantity) for line, quantity, _location in response.context["rows"]] == [("TX-1", 2)]
    body = response.content.decode()
    assert "纯棉T恤" in body and "杭州主仓" in body and 'id="book-receipt"' in body
    assert f'name="receive_{skus["TX-1"].pk}" value="2"' in body and 'name="note" value="第一批"' in body
    assert not StockMove.objects.exists()

    response = client.post(url, {f"receive_{skus['TX-1'].pk}": "2", "note": "第一批", "action": "book"})
    assert response.status_code == 302
    assert response["Location"] == reverse("inventory:purchase-detail", args=[po.pk]) + "#receipts"
    assert on_hand(skus["TX-1"], po.warehouse) == 2
    assert list(StockMove.objects.values_list("quantity", "note", "document")) == [(2, "第一批", po.number)]


def test_change_goes_back_to_the_lines_with_the_quantities(client, users, po):
    skus = lines_of(po)
    login(client, users["warehouse"])
    response = client.post(
        reverse("inventory:purchase-receive", args=[po.pk]), {f"receive_{skus['TX-1'].pk}": "2", "action": "edit"}
    )
    assert response.templates[0].name == "inventory/purchase_receive.html"
    assert response.context["form"][f"receive_{skus['TX-1'].pk}"].value() == "2"


def test_reviewing_nothing_or_too_much_is_refused_on_the_lines(client, users, po):
    skus = lines_of(po)
    login(client, users["warehouse"])
    url = reverse("inventory:purchase-receive", args=[po.pk]) + "?lang=en"
    response = client.post(url, {"action": "review"})
    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == ["Enter at least one received quantity."]
    response = client.post(url, {"action": "review", f"receive_{skus['KZ-1'].pk}": "5"})
    assert response.status_code == 422
    assert "only 4 are still open" in response.context["form"].non_field_errors()[0]
    assert not StockMove.objects.exists()


def test_roles_without_stock_booking_cannot_open_the_receiving_page(client, users, po):
    login(client, users["operator"])
    assert client.get(reverse("inventory:purchase-receive", args=[po.pk])).status_code == 403


def test_close_is_not_offered_once_everything_came_in(client, users, po):
    skus = lines_of(po)
    login(client, users["manager"])
    detail = reverse("inventory:purchase-detail", args=[po.pk])
    assert 'id="close-po"' in client.get(detail).content.decode()
    purchasing.receive_purchase_order(actor=system_user(), po=po, quantities={skus["TX-1"].pk: 10})
    assert 'id="close-po"' in client.get(detail).content.decode()  # partial: the rest may never come
    purchasing.receive_purchase_order(actor=system_user(), po=po, quantities={skus["KZ-1"].pk: 4})
    body = client.get(detail).content.decode()
    assert 'id="close-po"' not in body and 'id="receive-button"' not in body


def test_the_order_page_lists_its_receiving_notes_to_print(client, users, po):
    skus = lines_of(po)
    purchasing.receive_purchase_order(actor=system_user(), po=po, quantities={skus["TX-1"].pk: 6})
    purchasing.receive_purchase_order(actor=system_user(), po=po, quantities={skus["TX-1"].pk: 4})
    login(client, users["service"])
    response = client.get(reverse("inventory:purchase-detail", args=[po.pk]))
    assert [r.number for r in response.context["receipts"]] == [f"{po.number}-1", f"{po.number}-2"]
    body = response.content.decode()
    assert reverse("inventory:purchase-receipt-print", args=[po.pk, 2]) in body


# --------------------------------------------------------------------------------------------------------
# Printing
# --------------------------------------------------------------------------------------------------------


def test_a_receiving_note_prints_one_delivery_on_the_shared_layout(client, users):
    shop = ShopFactory(name="棉语旗舰店")
    sku = SkuFactory(code="TX-1", product__shop=shop, product__title="纯棉T恤", cost=Decimal("18.50"))
    po = make_po((sku, 10))
    purchasing.receive_purchase_order(actor=system_user(), po=po, quantities={sku.pk: 6})
    purchasing.receive_purchase_order(actor=system_user(), po=po, quantities={sku.pk: 4}, note="第二批")
    login(client, users["warehouse"])
    response = client.get(reverse("inventory:purchase-receipt-print", args=[po.pk, 2]) + "?lang=en")
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["inventory/print_receipt.html", "core/print_base.html"]
    body = response.content.decode()
    assert 'id="shop-name">棉语旗舰店<' in body
    assert f'id="doc-number">{po.number}-2<' in body
    assert "Receiving note" in body and "第二批" in body and "纯棉T恤" in body
    for label in ("Prepared by", "Warehouse", "Approved by"):
        assert f'<span class="signature-label">{label}</span>' in body
    assert 'id="print-button"' in body and "zhanggui/print.css" in body
    assert client.get(reverse("inventory:purchase-receipt-print", args=[po.pk, 3])).status_code == 404


def test_printed_documents_in_chinese_carry_the_signature_words(client, users):
    sku = SkuFactory()
    po = make_po((sku, 3))
    login(client, users["warehouse"], language="zh-hans")
    body = client.get(reverse("inventory:purchase-print", args=[po.pk])).content.decode()
    assert "采购单" in body
    for label in ("制单", "仓管", "审核"):
        assert f'<span class="signature-label">{label}</span>' in body


def test_the_purchase_order_prints_its_lines_and_total(client, users):
    sku = SkuFactory(code="TX-1", product__title="纯棉T恤", barcode="690123")
    po = make_po((sku, 12))
    login(client, users["service"])
    response = client.get(reverse("inventory:purchase-print", args=[po.pk]) + "?lang=en")
    body = response.content.decode()
    assert f'id="doc-number">{po.number}<' in body
    assert "纯棉T恤" in body and "690123" in body and "¥120.00" in body
    assert response.context["shop_name"] == sku.shop.name


def test_a_blind_count_sheet_prints_without_the_quantities_on_the_books(client, users):
    wh = WarehouseFactory()
    sku = SkuFactory(code="TX-1")
    stock(sku, wh, 37)
    open_sheet = stocktakes.create_stocktake(actor=system_user(), warehouse=wh)
    blind = stocktakes.create_stocktake(actor=system_user(), warehouse=wh, blind=True)
    login(client, users["warehouse"])
    page = client.get(reverse("inventory:stocktake-print", args=[open_sheet.pk]) + "?lang=en").content.decode()
    assert "Expected" in page and ">37<" in page and 'id="signatures"' in page
    page = client.get(reverse("inventory:stocktake-print", args=[blind.pk]) + "?lang=en").content.decode()
    assert "TX-1" in page and "Expected" not in page and ">37<" not in page


# --------------------------------------------------------------------------------------------------------
# Alerts → purchase orders
# --------------------------------------------------------------------------------------------------------


def test_one_alert_opens_the_form_with_the_usual_supplier_and_the_short_warehouse(client, users):
    main, south = WarehouseFactory(priority=1), WarehouseFactory(priority=2)
    usual = SupplierFactory()
    sku = SkuFactory(code="LOW-1", product__title="速干T恤", cost=Decimal("20.00"))
    make_po((sku, 1), supplier=SupplierFactory(), warehouse=main)
    make_po((sku, 1), supplier=usual, warehouse=main)
    stock(sku, main, 9)
    stock(sku, south, 1)
    login(client, users["operator"])
    response = client.get(reverse("inventory:purchase-create"), {"line": f"{sku.pk}:37"})
    assert response.context["form"].initial == {"supplier": usual.pk, "warehouse": south.pk}
    assert response.context["lines"].forms[0].initial == {"sku": "LOW-1", "quantity": 37, "unit_cost": Decimal("20.00")}
    assert response.context["rows"][0][1] == "速干T恤 颜色:白;尺码:M"  # the product beside the code


def test_order_all_suggested_shows_one_order_per_supplier_and_makes_them(client, users):
    wh = WarehouseFactory()
    cotton, denim = SupplierFactory(name="棉纺厂"), SupplierFactory(name="牛仔厂")
    tee, polo, jeans = SkuFactory(code="TEE"), SkuFactory(code="POLO"), SkuFactory(code="JEANS")
    make_po((tee, 1), (polo, 1), supplier=cotton, warehouse=wh)
    make_po((jeans, 1), supplier=denim, warehouse=wh)
    before = PurchaseOrder.objects.count()
    login(client, users["warehouse"])
    query = f"?line={tee.pk}:30&line={polo.pk}:20&line={jeans.pk}:12"
    response = client.get(reverse("inventory:purchase-create") + query)
    assert response.templates[0].name == "inventory/purchase_plan.html"
    assert response.context["order_count"] == 2
    assert sorted(
        (group.supplier.name, [line.sku.code for line in group.lines]) for group, _rows in response.context["groups"]
    ) == [("棉纺厂", ["POLO", "TEE"]), ("牛仔厂", ["JEANS"])]

    data = {"sku": [tee.pk, polo.pk, jeans.pk], f"qty_{tee.pk}": "30", f"qty_{polo.pk}": "25", f"qty_{jeans.pk}": "12"}
    response = client.post(reverse("inventory:purchase-from-alerts") + "?lang=en", {**data, "place": "1"}, follow=True)
    made = PurchaseOrder.objects.order_by("pk")[before:]
    assert len(made) == 2
    assert {po.supplier.name: dict(po.lines.values_list("sku__code", "quantity")) for po in made} == {
        "棉纺厂": {"TEE": 30, "POLO": 25},
        "牛仔厂": {"JEANS": 12},
    }
    assert {po.status for po in made} == {PurchaseStatus.ORDERED}
    [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith("2 purchase orders created: ")


def test_order_all_asks_for_a_supplier_of_skus_never_ordered(client, users):
    WarehouseFactory()
    known, fresh = SkuFactory(code="OLD"), SkuFactory(code="NEW")
    usual, chosen = SupplierFactory(), SupplierFactory()
    make_po((known, 1), supplier=usual)
    before = PurchaseOrder.objects.count()
    login(client, users["operator"])
    page = client.get(reverse("inventory:purchase-create"), {"line": [f"{known.pk}:2", f"{fresh.pk}:3"]})
    assert page.context["needs_supplier"] is True
    data = {"sku": [known.pk, fresh.pk], f"qty_{known.pk}": "2", f"qty_{fresh.pk}": "3", "draft": "1"}
    response = client.post(reverse("inventory:purchase-from-alerts") + "?lang=en", data)
    assert response.status_code == 422
    assert "NEW never came from a supplier before" in response.context["form"].non_field_errors()[0]
    assert PurchaseOrder.objects.count() == before

    response = client.post(reverse("inventory:purchase-from-alerts"), {**data, "supplier": chosen.pk})
    assert response.status_code == 302
    made = PurchaseOrder.objects.order_by("pk")[before:]
    assert {(po.supplier_id, po.status) for po in made} == {(usual.pk, "draft"), (chosen.pk, "draft")}


def test_roles_without_purchasing_cannot_order_from_alerts(client, users):
    sku = SkuFactory()
    make_po((sku, 1))
    before = PurchaseOrder.objects.count()
    login(client, users["service"])
    response = client.post(reverse("inventory:purchase-from-alerts"), {"sku": [sku.pk], f"qty_{sku.pk}": "3"})
    assert response.status_code == 403
    assert PurchaseOrder.objects.count() == before


def test_the_sku_picker_searches_the_catalog_by_name(client, users):
    tee = SkuFactory(code="TX-1", product__title="纯棉圆领T恤", cost=Decimal("18.50"))
    SkuFactory(code="KZ-1", product__title="牛仔裤")
    shared = SkuFactory(code="SAME", product__title="纯棉袜", product__shop=ShopFactory(code="tm"))
    SkuFactory(code="SAME", product__title="别的", product__shop=ShopFactory(code="jd"))
    login(client, users["operator"])
    response = client.get(reverse("inventory:purchase-sku-search"), {"q": "纯棉"}, **HTMX)
    assert [(sku, code) for sku, code, _label in response.context["found"]] == sorted(
        [(tee, "TX-1"), (shared, "tm/SAME")], key=lambda pair: pair[0].shop.code
    )
    body = response.content.decode()
    assert 'data-code="TX-1"' in body and 'data-cost="18.50"' in body and "纯棉圆领T恤" in body
    assert client.get(reverse("inventory:purchase-sku-search"), {"q": " "}).context["found"] == []


def test_the_order_form_has_a_row_template_and_names_typed_lines(client, users):
    sku = SkuFactory(code="TX-1", product__title="纯棉T恤")
    login(client, users["operator"])
    body = client.get(reverse("inventory:purchase-create")).content.decode()
    assert 'id="line-template"' in body and "lines-__prefix__-sku" in body and 'id="sku-search"' in body
    data = {
        "supplier": "",
        "warehouse": WarehouseFactory().pk,
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-sku": "TX-1",
        "lines-0-quantity": "3",
    }
    response = client.post(reverse("inventory:purchase-create"), data)
    assert response.status_code == 422  # no supplier: the lines come back with their names
    assert response.context["rows"][0][1] == f"纯棉T恤 {sku.spec}"


# --------------------------------------------------------------------------------------------------------
# Stocktake
# --------------------------------------------------------------------------------------------------------


def make_sheet(*stocked, blind=False):
    wh = WarehouseFactory()
    for sku, quantity in stocked:
        stock(sku, wh, quantity)
    return stocktakes.create_stocktake(actor=system_user(), warehouse=wh, blind=blind)


def test_a_blind_count_is_chosen_when_the_sheet_is_made(client, users):
    wh = WarehouseFactory()
    stock(SkuFactory(), wh, 4)
    login(client, users["warehouse"])
    assert 'name="blind"' in client.get(reverse("inventory:stocktake-list")).content.decode()
    client.post(reverse("inventory:stocktake-list"), {"warehouse": wh.pk, "blind": "on"})
    assert Stocktake.objects.get().blind is True


def test_a_blind_sheet_hides_the_books_from_the_counter_until_booked(client, users):
    sku = SkuFactory(code="TX-1", cost=Decimal("3.00"))
    take = make_sheet((sku, 37), blind=True)
    login(client, users["warehouse"])
    url = reverse("inventory:stocktake-detail", args=[take.pk])
    body = client.get(url + "?lang=en").content.decode()
    assert "TX-1" in body and ">37<" not in body and "Expected" not in body and 'id="loss-units"' not in body
    row = client.post(
        reverse("inventory:stocktake-count-line", args=[take.pk, sku.pk]), {f"count_{sku.pk}": "30"}, **HTMX
    ).content.decode()
    assert 'value="30"' in row and "\u22127" not in row and ">37<" not in row
    summary = client.get(url, {"part": "summary"}, **HTMX).content.decode()
    assert 'id="counted-count">1' in summary and 'id="loss-units"' not in summary

    client.post(reverse("inventory:stocktake-book", args=[take.pk]), {"confirm": "1"})
    body = client.get(url + "?lang=en").content.decode()
    assert ">37<" in body and 'id="loss-units">−7' in body and 'id="loss-value">−¥21.00' in body


def test_scanning_adds_one_to_the_row_and_highlights_it(client, users):
    sku = SkuFactory(code="TX-1", barcode="6901111111111")
    take = make_sheet((sku, 5))
    login(client, users["warehouse"])
    url = reverse("inventory:stocktake-scan", args=[take.pk])
    client.post(url, {"code": "6901111111111"}, **HTMX)
    response = client.post(url, {"code": "6901111111111"}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "counts-changed"
    body = response.content.decode()
    assert 'id="scan-message"' in body
    assert f'<tr id="line-{sku.pk}" data-sku="TX-1" hx-swap-oob="true"' in body and "scanned" in body
    assert f'name="count_{sku.pk}" value="2"' in body
    assert take.lines.get().counted == 2


def test_an_unknown_scan_is_an_error_and_changes_no_count(client, users):
    sku = SkuFactory(code="TX-1")
    take = make_sheet((sku, 5))
    stocktakes.enter_counts(actor=system_user(), stocktake=take, counts={sku.pk: 3})
    login(client, users["warehouse"])
    response = client.post(reverse("inventory:stocktake-scan", args=[take.pk]) + "?lang=en", {"code": "NOPE"}, **HTMX)
    assert response.status_code == 422
    assert "No SKU has the code or barcode NOPE." in response.content.decode()
    assert take.lines.get().counted == 3


def test_scanning_a_sku_not_on_the_sheet_adds_its_line_and_reloads(client, users):
    take = make_sheet((SkuFactory(), 5))
    found = SkuFactory(code="FOUND-1")
    login(client, users["warehouse"])
    response = client.post(reverse("inventory:stocktake-scan", args=[take.pk]), {"code": "FOUND-1"}, **HTMX)
    assert (response.status_code, response["HX-Refresh"]) == (204, "true")
    assert take.lines.get(sku=found).counted == 1


def test_operator_cannot_count_by_scanning(client, users):
    sku = SkuFactory(code="TX-1")
    take = make_sheet((sku, 5))
    login(client, users["operator"])
    assert client.post(reverse("inventory:stocktake-scan", args=[take.pk]), {"code": "TX-1"}).status_code == 403
    assert take.lines.get().counted is None


def test_booking_with_uncounted_lines_asks_and_never_decides_silently(client, users):
    a, b = SkuFactory(code="A"), SkuFactory(code="B")
    take = make_sheet((a, 5), (b, 2))
    stocktakes.enter_counts(actor=system_user(), stocktake=take, counts={a.pk: 4})
    login(client, users["warehouse"])
    url = reverse("inventory:stocktake-book", args=[take.pk])
    response = client.post(url + "?lang=en")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="book-question"' in body and "1 line was not counted" in body
    assert 'value="leave_out"' in body and 'value="zero"' in body
    response = client.post(url + "?lang=en", {"confirm": "1"})  # no answer: asked again
    assert response.status_code == 422
    assert response.context["book_form"].errors["uncounted"] == ["Choose what the lines nobody counted are."]
    take.refresh_from_db()
    assert take.status == StocktakeStatus.OPEN and not StockMove.objects.filter(reason=MoveReason.STOCKTAKE).exists()

    client.post(url, {"confirm": "1", "uncounted": "zero"})
    take.refresh_from_db()
    assert take.status == StocktakeStatus.BOOKED
    assert dict(StockMove.objects.filter(reason=MoveReason.STOCKTAKE).values_list("sku_id", "quantity")) == {
        a.pk: -1,
        b.pk: -2,
    }
    assert (on_hand(a, take.warehouse), on_hand(b, take.warehouse)) == (4, 0)
    assert services.check_ledger() == []


def test_a_fully_counted_sheet_asks_only_to_confirm(client, users):
    sku = SkuFactory()
    take = make_sheet((sku, 5))
    stocktakes.enter_counts(actor=system_user(), stocktake=take, counts={sku.pk: 5})
    login(client, users["warehouse"])
    body = client.post(reverse("inventory:stocktake-book", args=[take.pk])).content.decode()
    assert 'id="book-question"' in body and 'id="uncounted-choice"' not in body
    client.post(reverse("inventory:stocktake-book", args=[take.pk]), {"confirm": "1"})
    take.refresh_from_db()
    assert take.status == StocktakeStatus.BOOKED


# --------------------------------------------------------------------------------------------------------
# Money written one way
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "style", "shown"),
    [
        (Decimal("-308.7"), "", "\u2212¥308.70"),
        (Decimal("1299"), "", "¥1,299.00"),
        (Decimal("12"), "signed", "+¥12.00"),
        (Decimal("-0.5"), "signed", "\u2212¥0.50"),
        (Decimal("0"), "signed", "¥0.00"),
        (None, "", "—"),
    ],
)
def test_the_yuan_filter_writes_money_one_way(value, style, shown):
    template = Template("{% load money %}{{ value|yuan:style }}")
    assert template.render(Context({"value": value, "style": style})) == shown


def test_a_loss_on_the_count_sheet_is_minus_yuan(client, users):
    sku = SkuFactory(cost=Decimal("102.90"))
    take = make_sheet((sku, 5))
    stocktakes.enter_counts(actor=system_user(), stocktake=take, counts={sku.pk: 2})
    login(client, users["warehouse"])
    body = client.get(reverse("inventory:stocktake-detail", args=[take.pk])).content.decode()
    assert "\u2212¥308.70" in body and "¥-" not in body
