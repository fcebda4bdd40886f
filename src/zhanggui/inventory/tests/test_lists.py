"""The warehouse's lists on the shared list block (core/listing.py, inventory/lists.py): stock, purchase orders,
stocktakes and safety-stock alerts sort, export what is filtered, total, and run batch actions row by row."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhanggui.catalog import selectors as catalog_selectors
from zhanggui.catalog.models import Sku
from zhanggui.catalog.tests.factories import ShopFactory, SkuFactory
from zhanggui.core.models import AuditEntry
from zhanggui.core.services import system_user
from zhanggui.core.tests.pages import login
from zhanggui.inventory import services
from zhanggui.inventory.lists import price_after
from zhanggui.inventory.models import (
    MoveReason,
    PurchaseOrder,
    PurchaseStatus,
    Stocktake,
    StocktakeStatus,
)
from zhanggui.inventory.purchasing import services as purchasing
from zhanggui.inventory.stocktakes import services as stocktakes
from zhanggui.inventory.tests.factories import SupplierFactory, WarehouseFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
STOCK = reverse("inventory:stock-list")
PURCHASES = reverse("inventory:purchase-list")
STOCKTAKES = reverse("inventory:stocktake-list")
ALERTS = reverse("inventory:alert-list")


def receive(sku, warehouse, quantity):
    services.book_move(
        actor=system_user(), sku=sku, warehouse=warehouse, quantity=quantity, reason=MoveReason.PURCHASE_RECEIPT
    )


def xlsx_rows(response) -> list[tuple]:
    assert response.status_code == 200
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


# --------------------------------------------------------------------------------------------------------
# Stock
# --------------------------------------------------------------------------------------------------------


@pytest.fixture
def shelves():
    """Three SKUs in two warehouses: TX-1 in both (5 and 2), KZ-1 9 with 4 reserved, MZ-1 1."""
    main, second = WarehouseFactory(code="main", priority=1), WarehouseFactory(code="second", priority=2)
    shirt = SkuFactory(code="TX-1", product__title="纯棉T恤", price=Decimal("59.90"), cost=Decimal("20.00"))
    jeans = SkuFactory(code="KZ-1", product__title="牛仔裤", price=Decimal("50.00"), cost=Decimal("48.00"))
    hat = SkuFactory(code="MZ-1", product__title="帽子", price=Decimal("0.05"), cost=Decimal("0.00"))
    receive(shirt, main, 5)
    receive(shirt, second, 2)
    receive(jeans, main, 9)
    receive(hat, second, 1)
    services.reserve(actor=system_user(), reference="o1", lines={jeans.pk: 4}, warehouse=main)
    return {"main": main, "second": second, "shirt": shirt, "jeans": jeans, "hat": hat}


def stock_rows(response) -> list[tuple[str, str]]:
    return [(b.sku.code, b.warehouse.code) for b in response.context["page"]]


def test_price_after_rounds_half_up_to_the_fen():
    assert price_after(Decimal("59.90"), Decimal("-10")) == Decimal("53.91")
    assert price_after(Decimal("0.05"), Decimal("-50")) == Decimal("0.03")  # 0.025 → 0.03
    assert price_after(Decimal("0.01"), Decimal("-50")) == Decimal("0.01")  # 0.005 → 0.01
    assert price_after(Decimal("99.00"), Decimal("2.5")) == Decimal("101.48")  # 101.475 → 101.48
    assert price_after(Decimal("10.00"), Decimal("0")) == Decimal("10.00")


def test_stock_sorts_by_available_both_ways_and_by_sku_by_default(client, users, shelves):
    login(client, users["service"])
    assert stock_rows(client.get(STOCK)) == [("KZ-1", "main"), ("MZ-1", "second"), ("TX-1", "main"), ("TX-1", "second")]
    # available: KZ-1 5, TX-1@main 5, TX-1@second 2, MZ-1 1 (ties by row id)
    assert [b.available for b in client.get(STOCK, {"sort": "-available"}).context["page"]] == [5, 5, 2, 1]
    assert [b.available for b in client.get(STOCK, {"sort": "available"}).context["page"]] == [1, 2, 5, 5]
    assert stock_rows(client.get(STOCK, {"sort": "-warehouse"}))[0][1] == "second"


def test_stock_totals_sum_every_filtered_row_not_only_the_page(client, users):
    wh = WarehouseFactory()
    for n in range(30):
        receive(SkuFactory(code=f"S{n:02d}"), wh, n + 1)
    login(client, users["service"])
    response = client.get(STOCK, {"size": "25"})
    assert len(response.context["page"]) == 25
    listing = response.context["listing"]
    assert listing.totals == {"on_hand": 465, "reserved": 0, "available": 465}  # 1 + 2 + … + 30
    body = response.content.decode()
    assert "Total (all filtered rows)" in body and ">465<" in body
    assert client.get(STOCK, {"q": "S0"}).context["listing"].totals["on_hand"] == sum(range(1, 11))


def test_stock_export_holds_the_filtered_rows_in_the_chosen_order(client, users, shelves):
    login(client, users["service"])
    rows = xlsx_rows(client.get(STOCK, {"warehouse": shelves["main"].pk, "sort": "-on_hand", "export": "xlsx"}))
    assert rows[0] == (
        "SKU code", "Product", "Spec", "Warehouse", "Location", "On hand", "Reserved", "Available", "Safety stock"
    )  # fmt: skip
    assert [(r[0], r[5], r[6], r[7]) for r in rows[1:]] == [("KZ-1", 9, 4, 5), ("TX-1", 5, 0, 5)]
    lines = csv_rows(client.get(STOCK, {"q": "T恤", "export": "csv"}))
    assert [line[0] for line in lines[1:]] == ["TX-1", "TX-1"]


def test_htmx_swaps_the_stock_results_only(client, users, shelves):
    login(client, users["warehouse"])
    html = client.get(STOCK, {"sort": "-available"}, **HTMX).content.decode()
    assert 'id="stock-table"' in html and "<html" not in html
    assert 'id="list-sort" value="-available" hx-swap-oob="true"' in html


def test_set_safety_stock_changes_each_ticked_sku_once(client, users, shelves):
    shirt, hat = shelves["shirt"], shelves["hat"]
    ticked = list(shirt.balances.values_list("pk", flat=True)) + list(hat.balances.values_list("pk", flat=True))
    assert len(ticked) == 3
    login(client, users["warehouse"])
    back = STOCK + "?q=&sort=-available"
    response = client.post(
        reverse("inventory:stock-batch"),
        {"action": "safety_stock", "ids": ticked, "safety_stock": "20", "next": back},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == back
    assert "Set safety stock: 2 done." in response.content.decode()
    safety = dict(Sku.objects.values_list("code", "safety_stock"))
    assert safety == {"TX-1": 20, "MZ-1": 20, "KZ-1": 0}
    assert AuditEntry.objects.filter(action="sku.update").count() == 2


def test_safety_stock_must_be_a_whole_number(client, users, shelves):
    login(client, users["warehouse"])
    ids = list(shelves["shirt"].balances.values_list("pk", flat=True))
    for typed in ("-1", "2.5", "many", ""):
        response = client.post(
            reverse("inventory:stock-batch"), {"action": "safety_stock", "ids": ids, "safety_stock": typed}, follow=True
        )
        assert "Safety stock: write a whole number from 0 to 100,000,000." in response.content.decode()
    assert Sku.objects.get(code="TX-1").safety_stock == 0


def test_price_change_applies_or_waits_for_approval_and_says_how_many_wait(client, users, shelves):
    shirt, jeans, hat = shelves["shirt"], shelves["jeans"], shelves["hat"]
    ids = [b.pk for sku in (shirt, jeans, hat) for b in sku.balances.all()]
    login(client, users["operator"])
    response = client.post(
        reverse("inventory:stock-batch"), {"action": "price", "ids": ids, "percent": "−10%"}, follow=True
    )
    text = response.content.decode()
    assert "Change price by %: 3 done. 1 waits for a manager&#x27;s approval." in text
    prices = dict(Sku.objects.values_list("code", "price"))
    # ¥59.90 × 0.9 = ¥53.91 applies; ¥0.05 × 0.9 = ¥0.045 → ¥0.05, no change; ¥50 × 0.9 = ¥45 is below the cost
    # of ¥48: it waits for a manager and the SKU keeps its price.
    assert prices == {"TX-1": Decimal("53.91"), "KZ-1": Decimal("50.00"), "MZ-1": Decimal("0.05")}
    assert catalog_selectors.pending_price_change(jeans).price_asked == Decimal("45.00")
    assert catalog_selectors.pending_price_change(shirt) is None


def test_price_change_names_a_refused_sku_and_changes_the_others(client, users, shelves):
    shirt = shelves["shirt"]
    huge = SkuFactory(code="BIG", price=Decimal("600000000000.00"), cost=Decimal("0"))
    receive(huge, shelves["main"], 1)
    ids = [*shirt.balances.values_list("pk", flat=True), *huge.balances.values_list("pk", flat=True)]
    login(client, users["manager"])
    response = client.post(
        reverse("inventory:stock-batch"), {"action": "price", "ids": ids, "percent": "100"}, follow=True
    )
    text = response.content.decode()
    assert "Change price by %: 1 done. 1 refused: BIG " in text  # ¥1,200,000,000,000 is beyond what we keep
    assert Sku.objects.get(code="TX-1").price == Decimal("119.80")
    assert Sku.objects.get(code="BIG").price == Decimal("600000000000.00")


def test_price_change_refuses_a_cut_of_100_percent_or_more(client, users, shelves):
    login(client, users["operator"])
    ids = list(shelves["shirt"].balances.values_list("pk", flat=True))
    for typed in ("-100", "abc", "", "1e3"):
        response = client.post(
            reverse("inventory:stock-batch"), {"action": "price", "ids": ids, "percent": typed}, follow=True
        )
        assert "Price change: write a percentage above −100" in response.content.decode()
    assert Sku.objects.get(code="TX-1").price == Decimal("59.90")


def test_stock_batch_is_offered_by_role_and_refused_if_posted(client, users, shelves):
    ids = list(shelves["shirt"].balances.values_list("pk", flat=True))
    login(client, users["service"])
    assert 'id="batch-form"' not in client.get(STOCK).content.decode()
    response = client.post(reverse("inventory:stock-batch"), {"action": "safety_stock", "ids": ids, "safety_stock": 5})
    assert response.status_code == 403

    login(client, users["warehouse"])  # safety stock yes, prices no
    body = client.get(STOCK).content.decode()
    assert 'id="batch-form"' in body and 'value="safety_stock"' in body and 'value="price"' not in body
    response = client.post(reverse("inventory:stock-batch"), {"action": "price", "ids": ids, "percent": "-10"})
    assert response.status_code == 403

    login(client, users["designer"])  # designers may not change safety stock (the field rule)
    response = client.post(reverse("inventory:stock-batch"), {"action": "safety_stock", "ids": ids, "safety_stock": 5})
    assert response.status_code == 403
    shirt = Sku.objects.get(code="TX-1")
    assert (shirt.safety_stock, shirt.price) == (0, Decimal("59.90"))


# --------------------------------------------------------------------------------------------------------
# Purchase orders
# --------------------------------------------------------------------------------------------------------


def make_po(*lines, place=True, supplier=None):
    return purchasing.create_purchase_order(
        actor=system_user(),
        supplier=supplier or SupplierFactory(),
        warehouse=WarehouseFactory(code="main"),
        lines=[(sku, quantity, Decimal(cost)) for sku, quantity, cost in lines],
        place=place,
    )


@pytest.fixture
def orders():
    """Four purchase orders: ordered (¥30.30), partially received (¥100.10), draft (¥0.15), received (¥5.00)."""
    a, b, c, d = SkuFactory(code="A"), SkuFactory(code="B"), SkuFactory(code="C"), SkuFactory(code="D")
    ordered = make_po((a, 3, "10.10"))
    partial = make_po((b, 10, "10.01"))
    purchasing.receive_purchase_order(actor=system_user(), po=partial, quantities={b.pk: 4})
    draft = make_po((c, 3, "0.05"), place=False)
    received = make_po((d, 2, "2.50"))
    purchasing.receive_purchase_order(actor=system_user(), po=received, quantities={d.pk: 2})
    return {"ordered": ordered, "partial": partial, "draft": draft, "received": received}


def numbers(response) -> list[str]:
    return [po.number for po in response.context["page"]]


def test_purchase_orders_sort_by_amount_and_newest_first_by_default(client, users, orders):
    login(client, users["service"])
    o = {k: po.number for k, po in orders.items()}
    assert numbers(client.get(PURCHASES)) == [o["received"], o["draft"], o["partial"], o["ordered"]]
    assert numbers(client.get(PURCHASES, {"sort": "-value"})) == [o["partial"], o["ordered"], o["received"], o["draft"]]
    assert numbers(client.get(PURCHASES, {"sort": "value"})) == [o["draft"], o["received"], o["ordered"], o["partial"]]
    row = client.get(PURCHASES, {"sort": "-value"}).context["page"][0]
    assert (row.line_count, row.ordered, row.received, row.amount) == (1, 10, 4, Decimal("100.10"))


def test_purchase_totals_cover_the_filtered_orders(client, users, orders):
    login(client, users["service"])
    response = client.get(PURCHASES, {"status": "open"})
    assert response.context["listing"].totals == {
        "units_ordered": 13,
        "units_received": 4,
        "value": Decimal("130.40"),
    }
    assert "¥100.10" in response.content.decode()


def test_purchase_orders_filter_on_the_created_date(client, users, orders):
    old = timezone.now() - timedelta(days=10)
    PurchaseOrder.objects.filter(pk=orders["draft"].pk).update(created_at=old)
    login(client, users["service"])
    day = timezone.localdate(old).isoformat()
    assert numbers(client.get(PURCHASES, {"from": day, "to": day})) == [orders["draft"].number]
    assert orders["draft"].number not in numbers(client.get(PURCHASES, {"from": timezone.localdate().isoformat()}))


def test_purchase_export_holds_every_filtered_order(client, users, orders):
    for _n in range(30):
        make_po((SkuFactory(), 1, "1.00"), place=False)
    login(client, users["service"])
    rows = xlsx_rows(client.get(PURCHASES, {"status": "draft", "size": "25", "export": "xlsx"}))
    assert rows[0][:4] == ("Number", "Supplier", "Warehouse", "Status")
    assert len(rows) == 1 + 31
    assert {r[3] for r in rows[1:]} == {"Draft"}
    lines = csv_rows(client.get(PURCHASES, {"status": "open", "sort": "-value", "export": "csv"}))
    assert [(line[0], line[7]) for line in lines[1:]] == [
        (orders["partial"].number, "100.10"),
        (orders["ordered"].number, "30.30"),
    ]


def test_purchase_list_swaps_its_results_with_htmx_and_keeps_the_new_button(client, users, orders):
    login(client, users["operator"])
    page = client.get(PURCHASES).content.decode()
    assert 'id="new-purchase"' in page and 'hx-target="#results"' in page
    html = client.get(PURCHASES, {"status": "open"}, **HTMX).content.decode()
    assert 'id="purchase-table"' in html and "<html" not in html and "new-purchase" not in html


def test_batch_close_closes_open_orders_and_names_the_refused(client, users, orders):
    login(client, users["warehouse"])
    ids = [orders["ordered"].pk, orders["partial"].pk, orders["draft"].pk]
    back = PURCHASES + "?status=open"
    response = client.post(
        reverse("inventory:purchase-batch"), {"action": "close", "ids": ids, "next": back}, follow=True
    )
    assert response.redirect_chain[-1][0] == back
    text = response.content.decode()
    draft = orders["draft"].number
    assert f"Close order: 2 done. 1 refused: {draft} — Purchase order {draft} cannot go from draft to closed." in text
    statuses = dict(PurchaseOrder.objects.values_list("number", "status"))
    assert statuses[orders["ordered"].number] == statuses[orders["partial"].number] == PurchaseStatus.CLOSED
    assert statuses[draft] == PurchaseStatus.DRAFT


def test_purchase_batch_is_not_offered_to_customer_service_and_refused_if_posted(client, users, orders):
    login(client, users["service"])
    assert 'id="batch-form"' not in client.get(PURCHASES).content.decode()
    response = client.post(reverse("inventory:purchase-batch"), {"action": "close", "ids": [orders["ordered"].pk]})
    assert response.status_code == 403
    assert PurchaseOrder.objects.get(pk=orders["ordered"].pk).status == PurchaseStatus.ORDERED


# --------------------------------------------------------------------------------------------------------
# Stocktakes
# --------------------------------------------------------------------------------------------------------


@pytest.fixture
def sheets():
    """Three count sheets: an open one with 1 of 2 lines counted, a booked one, an open empty one in another
    warehouse."""
    main, back = WarehouseFactory(code="main"), WarehouseFactory(code="back")
    a, b = SkuFactory(code="A"), SkuFactory(code="B")
    receive(a, main, 3)
    receive(b, main, 4)
    half = stocktakes.create_stocktake(actor=system_user(), warehouse=main)
    stocktakes.enter_counts(actor=system_user(), stocktake=half, counts={a.pk: 3})
    booked = stocktakes.create_stocktake(actor=system_user(), warehouse=main)
    stocktakes.enter_counts(actor=system_user(), stocktake=booked, counts={a.pk: 3, b.pk: 4})
    stocktakes.book_stocktake(actor=system_user(), stocktake=booked)
    empty = stocktakes.create_stocktake(actor=system_user(), warehouse=back)
    return {"half": half, "booked": booked, "empty": empty, "main": main}


def sheet_numbers(response) -> list[str]:
    return [t.number for t in response.context["page"]]


def test_stocktakes_sort_filter_and_take_a_date_range(client, users, sheets):
    s = {k: t.number for k, t in sheets.items() if k != "main"}
    login(client, users["warehouse"])
    assert sheet_numbers(client.get(STOCKTAKES)) == [s["empty"], s["booked"], s["half"]]
    assert sheet_numbers(client.get(STOCKTAKES, {"sort": "-counted"})) == [s["booked"], s["half"], s["empty"]]
    assert sheet_numbers(client.get(STOCKTAKES, {"status": "open", "warehouse": sheets["main"].pk})) == [s["half"]]
    old = timezone.now() - timedelta(days=40)
    Stocktake.objects.filter(pk=sheets["half"].pk).update(created_at=old)
    day = timezone.localdate(old).isoformat()
    assert sheet_numbers(client.get(STOCKTAKES, {"from": day, "to": day})) == [s["half"]]
    body = client.get(STOCKTAKES).content.decode()
    assert "1 / 2" in body and 'id="create-stocktake"' in body  # the new-sheet form stays beside the list


def test_stocktake_export_holds_the_filtered_sheets(client, users, sheets):
    login(client, users["service"])
    rows = xlsx_rows(client.get(STOCKTAKES, {"status": "open", "sort": "number", "export": "xlsx"}))
    assert rows[0] == ("Number", "Warehouse", "Category", "Status", "Counted", "Created", "Booked")
    assert [(r[0], r[3], r[4]) for r in rows[1:]] == [
        (sheets["half"].number, "Counting", "1 / 2"),
        (sheets["empty"].number, "Counting", "0 / 0"),
    ]


def test_batch_cancel_cancels_open_sheets_and_names_the_booked_one(client, users, sheets):
    login(client, users["warehouse"])
    ids = [sheets["half"].pk, sheets["booked"].pk]
    response = client.post(reverse("inventory:stocktake-batch"), {"action": "cancel", "ids": ids}, follow=True)
    assert response.redirect_chain[-1][0] == STOCKTAKES
    booked = sheets["booked"].number
    refused = f"Cancel sheet: 1 done. 1 refused: {booked} — Only an open stocktake can be cancelled."
    assert refused in response.content.decode()
    statuses = dict(Stocktake.objects.values_list("number", "status"))
    assert statuses[sheets["half"].number] == StocktakeStatus.CANCELLED
    assert statuses[booked] == StocktakeStatus.BOOKED
    assert statuses[sheets["empty"].number] == StocktakeStatus.OPEN


def test_stocktake_batch_is_not_offered_to_customer_service_and_refused_if_posted(client, users, sheets):
    login(client, users["service"])
    assert 'id="batch-form"' not in client.get(STOCKTAKES).content.decode()
    response = client.post(reverse("inventory:stocktake-batch"), {"action": "cancel", "ids": [sheets["half"].pk]})
    assert response.status_code == 403
    assert Stocktake.objects.get(pk=sheets["half"].pk).status == StocktakeStatus.OPEN


def test_a_refused_new_sheet_still_shows_the_list(client, users, sheets):
    login(client, users["warehouse"])
    response = client.post(STOCKTAKES, {"warehouse": ""})
    assert response.status_code == 422
    assert sheets["half"].number in response.content.decode()


# --------------------------------------------------------------------------------------------------------
# Safety-stock alerts
# --------------------------------------------------------------------------------------------------------


def short(code: str, safety: int, shop=None) -> Sku:
    """Nothing in stock and nothing issued: an alert whose suggested reorder is the safety stock."""
    extra = {"product__shop": shop} if shop else {}
    return SkuFactory(code=code, safety_stock=safety, **extra)


def alert_codes(response) -> list[str]:
    return [a.sku.code for a in response.context["page"]]


def test_alerts_sort_by_any_column_both_ways(client, users):
    short("B", 5), short("A", 9), short("C", 1)
    login(client, users["service"])
    assert alert_codes(client.get(ALERTS)) == ["A", "B", "C"]  # no cover anywhere: by code, as before
    assert alert_codes(client.get(ALERTS, {"sort": "-reorder"})) == ["A", "B", "C"]
    assert alert_codes(client.get(ALERTS, {"sort": "reorder"})) == ["C", "B", "A"]
    assert alert_codes(client.get(ALERTS, {"sort": "-sku"})) == ["C", "B", "A"]


def test_alert_export_holds_every_alert_of_the_filter_not_just_the_page(client, users):
    tmall = ShopFactory(code="tm")
    for n in range(30):
        short(f"T{n:02d}", n + 1, tmall)
    short("JD-1", 3)
    login(client, users["service"])
    response = client.get(ALERTS, {"shop": tmall.pk, "size": "25"})
    assert len(response.context["page"]) == 25
    rows = xlsx_rows(client.get(ALERTS, {"shop": tmall.pk, "size": "25", "sort": "-reorder", "export": "xlsx"}))
    assert rows[0][0] == "SKU code" and rows[0][6] == "Issued in 30 days" and len(rows[0]) == 9
    assert len(rows) == 31 and rows[1][0] == "T29" and rows[1][8] == 30 and rows[-1][0] == "T00"


def test_order_links_keep_their_format_and_order_all_covers_every_page(client, users):
    skus = [short(f"S{n:02d}", n + 1) for n in range(30)]
    login(client, users["operator"])
    body = client.get(ALERTS, {"size": "25", "sort": "-reorder"}).content.decode()
    create = reverse("inventory:purchase-create")
    assert f'href="{create}?line={skus[29].pk}:30"' in body
    order_all = "&amp;".join(f"line={s.pk}:{s.safety_stock}" for s in skus)
    assert f'id="order-all" href="{create}?{order_all}"' in body
    fragment = client.get(ALERTS, {"size": "25"}, **HTMX).content.decode()
    assert "<html" not in fragment and 'id="order-all-slot" hx-swap-oob="true"' in fragment


def test_alerts_offer_no_batch_actions(client, users):
    short("A", 2)
    login(client, users["manager"])
    body = client.get(ALERTS).content.decode()
    assert 'id="alert-table"' in body and 'id="batch-form"' not in body and 'data-export="xlsx"' in body
