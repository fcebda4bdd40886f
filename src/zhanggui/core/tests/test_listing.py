"""The shared list block (core/listing.py) on the catalog's product list: sort, size, dates, export, batch."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from zhanggui.catalog.lists import PRODUCTS
from zhanggui.catalog.models import ListingStatus, Product
from zhanggui.catalog.tests.factories import ProductFactory, SkuFactory
from zhanggui.core.listing import MAX_EXPORT_ROWS, Column, ListSpec, ListState, export_rows
from zhanggui.core.models import AuditEntry
from zhanggui.core.services import system_user
from zhanggui.core.tests.pages import login
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import MoveReason
from zhanggui.inventory.tests.factories import WarehouseFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
URL = reverse("catalog:product-list")


def codes(response) -> list[str]:
    return [p.code for p in response.context["page"]]


@pytest.fixture
def three():
    """Three products: B costs most, C has no price range difference, A is the oldest."""
    a = SkuFactory(product__code="A", product__title="甲", price=Decimal("10.00")).product
    b = SkuFactory(product__code="B", product__title="乙", price=Decimal("30.00")).product
    c = SkuFactory(product__code="C", product__title="丙", price=Decimal("20.00")).product
    old = timezone.now() - timedelta(days=10)
    Product.objects.filter(pk=a.pk).update(updated_at=old)
    return a, b, c


# State from the URL ---------------------------------------------------------------------------------------------


def test_state_falls_back_to_defaults_on_nonsense():
    state = ListState(PRODUCTS, {"sort": "password", "size": "7", "from": "yesterday", "to": "2026-13-40"})
    assert (state.sort, state.size, state.date_from, state.date_to) == ("code", 50, None, None)


def test_a_reversed_date_range_is_put_the_right_way_round():
    state = ListState(PRODUCTS, {"from": "2026-12-06", "to": "2026-12-01"})
    assert (str(state.date_from), str(state.date_to)) == ("2026-12-01", "2026-12-06")


def test_links_keep_the_filters_and_go_back_to_page_one_on_a_new_sort():
    state = ListState(PRODUCTS, {"q": "T恤", "page": "3", "sort": "price", "export": "csv"})
    price = next(h for h in state.headers if h.column.key == "price")
    assert price.direction == "asc"
    assert price.url == "?q=T%E6%81%A4&sort=-price"  # no page, no export
    title = next(h for h in state.headers if h.column.key == "title")
    assert (title.direction, title.url) == ("", "?q=T%E6%81%A4&sort=title")
    assert dict(state.export_urls)["XLSX"] == "?q=T%E6%81%A4&page=3&sort=price&export=xlsx"


def test_an_export_stops_at_its_limit_and_says_so():
    spec = ListSpec("n", (Column("n", "N", "n", lambda n: n),), "n")
    with translation.override("en"):
        rows = list(export_rows(spec, range(MAX_EXPORT_ROWS + 5)))
    assert len(rows) == 1 + MAX_EXPORT_ROWS + 1
    assert rows[-1][0].startswith("Only the first")


# The product list ---------------------------------------------------------------------------------------------


def test_columns_sort_both_ways(client, manager, three):
    login(client, manager)
    assert codes(client.get(URL, {"sort": "-price"})) == ["B", "C", "A"]
    assert codes(client.get(URL, {"sort": "price"})) == ["A", "C", "B"]
    assert codes(client.get(URL)) == ["A", "B", "C"]


def test_page_size_is_chosen_and_kept_in_the_pager(client, manager):
    for n in range(30):
        ProductFactory(code=f"P{n:02d}")
    login(client, manager)
    response = client.get(URL, {"size": "25", "sort": "-code"})
    assert len(codes(response)) == 25 and codes(response)[0] == "P29"
    assert "size=25" in response.content.decode().split('class="pager"')[1]
    assert len(codes(client.get(URL, {"size": "100"}))) == 30


def test_the_date_range_takes_whole_days(client, manager, three):
    login(client, manager)
    today = timezone.localdate()
    assert codes(client.get(URL, {"from": today.isoformat()})) == ["B", "C"]
    old = (today - timedelta(days=10)).isoformat()
    assert codes(client.get(URL, {"from": old, "to": old})) == ["A"]


def test_xlsx_export_holds_every_filtered_row_not_just_the_page(client, manager):
    for n in range(60):
        SkuFactory(product__code=f"T{n:02d}", product__title=f"T恤{n}", price=Decimal("59.90"))
    ProductFactory(code="X1", title="帽子")
    login(client, manager, language="zh-hans")
    response = client.get(URL, {"q": "T恤", "size": "25", "sort": "-code", "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="products-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("货号", "标题", "店铺")
    assert len(rows) == 61 and rows[1][0] == "T59" and rows[-1][0] == "T00"
    price = rows[0].index("售价")
    assert rows[1][price] == 59.9  # a number the sheet can sum, not text


def test_csv_export_opens_in_excel_with_chinese(client, manager, three):
    login(client, manager, language="zh-hans")
    response = client.get(URL, {"export": "csv", "sort": "-price"})
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][0] == "货号"
    assert [r[0] for r in rows[1:]] == ["B", "C", "A"]


def test_htmx_swaps_keep_the_sort_for_the_filter_form(client, manager, three):
    login(client, manager)
    response = client.get(URL, {"sort": "-price"}, **HTMX)
    html = response.content.decode()
    assert 'id="list-sort" value="-price" hx-swap-oob="true"' in html
    assert "<html" not in html


# Batch actions ---------------------------------------------------------------------------------------------------


def stocked(product):
    sku = product.skus.first()
    stock.book_move(
        actor=system_user(), sku=sku, warehouse=WarehouseFactory(), quantity=5, reason=MoveReason.PURCHASE_RECEIPT
    )
    return product


def test_batch_puts_on_sale_row_by_row_and_names_the_refused(client, operator, three):
    a, b, _c = three
    empty = ProductFactory(code="E", title="空")  # no SKUs: may not go on sale
    stocked(a), stocked(b)
    login(client, operator)
    back = URL + "?q=&sort=-price"
    response = client.post(
        reverse("catalog:product-batch"),
        {"action": "list", "ids": [a.pk, b.pk, empty.pk], "note": "双12", "next": back},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == back
    text = response.content.decode()
    assert "Put on sale: 2 done." in text and "E 空 — A product without SKUs cannot go on sale." in text
    statuses = dict(Product.objects.values_list("code", "listing_status"))
    assert statuses["A"] == statuses["B"] == ListingStatus.LISTED
    assert statuses["C"] == statuses["E"] == ListingStatus.DRAFT
    assert AuditEntry.objects.filter(action="product.list", note="双12").count() == 2


def test_batch_actions_are_not_offered_to_customer_service_and_refused_if_posted(client, users, three):
    login(client, users["service"])
    assert 'id="batch-form"' not in client.get(URL).content.decode()
    response = client.post(reverse("catalog:product-batch"), {"action": "delist", "ids": [three[0].pk]})
    assert response.status_code == 403
    assert Product.objects.get(pk=three[0].pk).listing_status == ListingStatus.DRAFT


def test_batch_without_ticks_or_action_says_what_to_do(client, operator, three):
    login(client, operator)
    response = client.post(reverse("catalog:product-batch"), {"action": "list"}, follow=True)
    assert "Tick at least one row first." in response.content.decode()
    response = client.post(reverse("catalog:product-batch"), {"ids": [three[0].pk]}, follow=True)
    assert "Choose what to do with the ticked rows." in response.content.decode()


def test_a_list_computed_in_python_sorts_pages_totals_and_exports():
    from types import SimpleNamespace

    spec = ListSpec(
        "alerts",
        (
            Column("code", "Code", "code", lambda r: r.code),
            Column("short", "Short", "short", lambda r: r.short, total="short", numeric=True),
        ),
        "code",
        default_size=25,
    )
    items = [SimpleNamespace(code=f"S{n:02d}", short=None if n == 3 else n) for n in range(30)]
    state = ListState(spec, {"sort": "-short", "page": "2"})
    page = state.paginate(items)
    assert [r.code for r in page] == ["S04", "S02", "S01", "S00", "S03"]  # empty values last
    assert state.totals == {"short": sum(range(30)) - 3}
    assert state.total_cells == [None, "432"]
    assert [row[0] for row in export_rows(spec, state.sort_items(items))][:3] == ["Code", "S29", "S28"]


def test_empty_values_sort_last_both_ways(client, manager):
    """PostgreSQL puts NULLs first when descending, SQLite last: the list puts them last on both."""
    priced = SkuFactory(product__code="PRICED", price=Decimal("10.00")).product
    ProductFactory(code="NO-SKUS")  # no SKU: no price
    login(client, manager)
    assert codes(client.get(URL, {"sort": "-price"})) == [priced.code, "NO-SKUS"]
    assert codes(client.get(URL, {"sort": "price"})) == [priced.code, "NO-SKUS"]


def test_a_money_total_is_written_in_yuan_to_the_fen():
    from types import SimpleNamespace

    spec = ListSpec("m", (Column("amount", "Amount", "a", lambda r: r.a, total="a", money=True),), "amount")
    state = ListState(spec, {})
    state.paginate([SimpleNamespace(a=Decimal("1234567.005")), SimpleNamespace(a=Decimal("-0.004"))])
    assert state.total_cells == ["¥1,234,567.00"]
