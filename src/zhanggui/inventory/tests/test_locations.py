"""Bin locations (库位): set and cleared by those who may edit SKU logistics, imported from a sheet all or nothing,
typed in the stock list, shown on the receiving screen, read by the API."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from zhanggui.catalog.tests.factories import ShopFactory, SkuFactory
from zhanggui.core.audit import describe
from zhanggui.core.errors import PermissionDeniedError
from zhanggui.core.models import AuditEntry
from zhanggui.core.services import system_user
from zhanggui.core.tests.pages import login
from zhanggui.inventory import locations, selectors, services
from zhanggui.inventory.errors import InvalidLocation
from zhanggui.inventory.models import BinLocation, MoveReason, StockBalance
from zhanggui.inventory.purchasing import services as purchasing
from zhanggui.inventory.tests.factories import SupplierFactory, WarehouseFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
STOCK = reverse("inventory:stock-list")
IMPORT = reverse("inventory:location-import")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def receive(sku, warehouse, quantity):
    services.book_move(
        actor=system_user(), sku=sku, warehouse=warehouse, quantity=quantity, reason=MoveReason.PURCHASE_RECEIPT
    )


@pytest.fixture
def shelves():
    """Two warehouses (main 主仓, south 南仓), a shop TM01 with TX-1, KZ-1 and MZ-1 on hand in main, TX-1 also in
    south."""
    main = WarehouseFactory(code="main", name="主仓", priority=1)
    south = WarehouseFactory(code="south", name="南仓", priority=2)
    shop = ShopFactory(code="TM01")
    skus = {code: SkuFactory(product__shop=shop, code=code) for code in ("TX-1", "KZ-1", "MZ-1")}
    for sku in skus.values():
        receive(sku, main, 5)
    receive(skus["TX-1"], south, 2)
    return {"main": main, "south": south, "shop": shop, **skus}


def places() -> dict[tuple[str, str], str]:
    return {
        (loc.warehouse.code, loc.sku.code): loc.code for loc in BinLocation.objects.select_related("sku", "warehouse")
    }


def location_audit() -> list[list[str]]:
    return [describe(e).changes for e in AuditEntry.objects.filter(object_type="inventory.binlocation").order_by("pk")]


# --------------------------------------------------------------------------------------------------------
# Services
# --------------------------------------------------------------------------------------------------------


def test_a_location_is_stored_upper_case_moved_and_cleared_each_change_audited(shelves, warehouse_user):
    shirt, main = shelves["TX-1"], shelves["main"]
    stored = locations.set_location(actor=warehouse_user, warehouse=main, sku=shirt, code=" ａ－０１－03 ")
    assert stored.code == "A-01-03"
    locations.set_location(actor=warehouse_user, warehouse=main, sku=shirt, code="a-01-03")  # the same: nothing
    locations.set_location(actor=warehouse_user, warehouse=main, sku=shirt, code="B-02-01")
    assert places() == {("main", "TX-1"): "B-02-01"}
    assert locations.clear_location(actor=warehouse_user, warehouse=main, sku=shirt) is True
    assert locations.clear_location(actor=warehouse_user, warehouse=main, sku=shirt) is False
    assert places() == {}
    assert location_audit() == [["location A-01-03"], ["location A-01-03 → B-02-01"], ["location B-02-01 → —"]]
    assert set(AuditEntry.objects.filter(object_type="inventory.binlocation").values_list("actor", flat=True)) == {
        warehouse_user.pk
    }


def test_one_location_per_sku_and_warehouse(shelves, warehouse_user):
    shirt = shelves["TX-1"]
    locations.set_location(actor=warehouse_user, warehouse=shelves["main"], sku=shirt, code="A-01-01")
    locations.set_location(actor=warehouse_user, warehouse=shelves["south"], sku=shirt, code="S-9")
    locations.set_location(actor=warehouse_user, warehouse=shelves["main"], sku=shelves["KZ-1"], code="A-01-01")
    assert places() == {("main", "TX-1"): "A-01-01", ("south", "TX-1"): "S-9", ("main", "KZ-1"): "A-01-01"}
    assert selectors.locations_for(shelves["main"], [shirt.pk, shelves["MZ-1"].pk]) == {shirt.pk: "A-01-01"}


@pytest.mark.parametrize("typed", ["", "   ", "A 01", "A-01-03!", "库位1", "-A1", "A" * 33, "A\u200b1"])
def test_a_code_a_shelf_label_cannot_carry_is_refused(shelves, warehouse_user, typed):
    with pytest.raises(InvalidLocation):
        locations.set_location(actor=warehouse_user, warehouse=shelves["main"], sku=shelves["TX-1"], code=typed)
    assert not BinLocation.objects.exists()


def test_only_those_who_may_edit_sku_logistics_set_or_clear_a_location(shelves, users):
    shirt, main = shelves["TX-1"], shelves["main"]
    for role in ("service", "designer", "copywriter"):
        with pytest.raises(PermissionDeniedError):
            locations.set_location(actor=users[role], warehouse=main, sku=shirt, code="A-1")
    locations.set_location(actor=users["operator"], warehouse=main, sku=shirt, code="A-1")
    with pytest.raises(PermissionDeniedError):
        locations.clear_location(actor=users["service"], warehouse=main, sku=shirt)
    assert places() == {("main", "TX-1"): "A-1"}
    assert AuditEntry.objects.filter(object_type="inventory.binlocation").count() == 1


def test_locations_sort_in_walk_order_numbers_as_numbers():
    codes = ["A-10-1", "B-1-1", "A-2-10", "A-2-9", "A-02-3", "10", "9"]
    assert sorted(codes, key=selectors.location_sort_key) == ["9", "10", "A-02-3", "A-2-9", "A-2-10", "A-10-1", "B-1-1"]


# --------------------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------------------


def write_csv(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_a_good_sheet_sets_every_location_and_again_changes_nothing(shelves, warehouse_user, tmp_path):
    path = write_csv(
        tmp_path / "库位.csv",
        "商家编码,仓库,库位\nTX-1,main,a-01-01\nKZ-1,主仓,A-01-02\nMZ-1,main,\nTX-1,south,S-01\n",
        "gb18030",
    )
    report = locations.import_locations(actor=warehouse_user, file=path)
    assert report.ok
    assert (report.rows, report.created, report.updated, report.unchanged, report.skipped) == (4, 3, 0, 0, 1)
    assert places() == {("main", "TX-1"): "A-01-01", ("main", "KZ-1"): "A-01-02", ("south", "TX-1"): "S-01"}
    assert report.summary() == [
        "库位.csv: 4 rows read; locations set 3, moved 0, unchanged 0; 1 rows without a location skipped."
    ]

    audited = AuditEntry.objects.count()
    again = locations.import_locations(actor=warehouse_user, file=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert AuditEntry.objects.count() == audited  # nothing written, nothing audited
    assert places() == {("main", "TX-1"): "A-01-01", ("main", "KZ-1"): "A-01-02", ("south", "TX-1"): "S-01"}


def test_a_sheet_for_one_warehouse_needs_no_warehouse_column_and_moves_what_changed(shelves, warehouse_user):
    locations.set_location(actor=warehouse_user, warehouse=shelves["main"], sku=shelves["TX-1"], code="OLD-1")
    book = Workbook()
    sheet = book.active
    sheet.append(["主仓库位表"])  # a title row above the header
    sheet.append(["SKU编码", "货位"])
    sheet.append(["TX-1", "C-03-01"])
    sheet.append(["KZ-1", "C-03-02"])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    report = locations.import_locations(
        actor=warehouse_user, file=data, filename="shelves.xlsx", warehouse=shelves["main"]
    )
    assert (report.created, report.updated) == (1, 1)
    assert places() == {("main", "TX-1"): "C-03-01", ("main", "KZ-1"): "C-03-02"}


def test_a_sheet_with_bad_rows_is_refused_whole_naming_each_line(shelves, warehouse_user, tmp_path):
    ShopFactory(code="JD01")
    SkuFactory(product__shop=ShopFactory(code="JD02"), code="TX-1")  # the code is now in two shops
    path = write_csv(
        tmp_path / "bad.csv",
        "商家编码,仓库,库位\n"
        "KZ-1,main,A-01-01\n"  # line 2: fine, but not written
        "NOPE,main,A-01-02\n"  # 3: unknown SKU
        "MZ-1,main,A 01\n"  # 4: a space
        "KZ-1,north,A-01-03\n"  # 5: unknown warehouse
        "KZ-1,main,A-01-09\n"  # 6: KZ-1 is already at A-01-01 on line 2
        ",main,A-1\n"  # 7: no code
        "TX-1,main,A-2\n",  # 8: in two shops
    )
    report = locations.import_locations(actor=warehouse_user, file=path)
    assert not report.ok
    assert [(e.line, e.column, e.code) for e in report.errors] == [
        (3, "商家编码", "unknown_sku"),
        (4, "库位", "invalid_location"),
        (5, "仓库", "unknown_warehouse"),
        (6, "库位", "duplicate_in_file"),
        (7, "商家编码", "required"),
        (8, "商家编码", "ambiguous_sku"),
    ]
    assert report.summary()[0] == "bad.csv: 6 of 7 rows rejected; no location was changed."
    assert "line 6, 库位: SKU KZ-1 is given location A-01-01 in main on line 2; give it one." in report.summary()
    assert not BinLocation.objects.exists()
    assert not AuditEntry.objects.filter(object_type="inventory.binlocation").exists()


def test_rows_for_another_warehouse_or_none_at_all_are_refused(shelves, warehouse_user, tmp_path):
    path = write_csv(tmp_path / "w.csv", "商家编码,仓库,库位\nTX-1,south,A-1\nKZ-1,,A-2\n")
    report = locations.import_locations(actor=warehouse_user, file=path, warehouse=shelves["main"])
    assert [(e.line, e.code) for e in report.errors] == [(2, "other_warehouse")]
    report = locations.import_locations(actor=warehouse_user, file=path)
    assert [(e.line, e.code) for e in report.errors] == [(3, "required")]
    assert not BinLocation.objects.exists()


def test_the_stock_export_reads_back_as_a_location_sheet(client, shelves, warehouse_user):
    locations.set_location(actor=warehouse_user, warehouse=shelves["main"], sku=shelves["TX-1"], code="A-9")
    login(client, warehouse_user)
    exported = client.get(STOCK, {"warehouse": shelves["main"].pk, "export": "xlsx"}).content
    BinLocation.objects.all().delete()
    report = locations.import_locations(actor=warehouse_user, file=io.BytesIO(exported), filename="stock.xlsx")
    assert report.ok, report.summary()
    assert (report.created, report.skipped) == (1, 2)
    assert places() == {("main", "TX-1"): "A-9"}


def test_importing_needs_the_right_to_edit_sku_logistics(shelves, users, tmp_path):
    path = write_csv(tmp_path / "l.csv", "商家编码,仓库,库位\nTX-1,main,A-1\n")
    with pytest.raises(PermissionDeniedError):
        locations.import_locations(actor=users["service"], file=path)
    assert not BinLocation.objects.exists()


# --------------------------------------------------------------------------------------------------------
# Command
# --------------------------------------------------------------------------------------------------------


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_locations", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_the_command_imports_reports_and_exits_by_outcome(shelves, tmp_path):
    good = write_csv(tmp_path / "good.csv", "商家编码,库位\nTX-1,A-01-01\nKZ-1,A-01-02\n")
    status, out, _err = run("--warehouse", "main", str(good))
    assert status == 0
    assert "good.csv: 2 rows read; locations set 2" in out
    assert places() == {("main", "TX-1"): "A-01-01", ("main", "KZ-1"): "A-01-02"}
    assert set(
        AuditEntry.objects.filter(object_type="inventory.binlocation").values_list("actor__username", flat=True)
    ) == {"system"}

    bad = write_csv(tmp_path / "bad.csv", "商家编码,库位\nTX-1,B-1\nNOPE,B-2\n")
    status, _out, err = run("--warehouse", "main", str(bad))
    assert status == 1
    assert "bad.csv: 1 of 2 rows rejected; no location was changed." in err
    assert "line 3, 商家编码: No SKU with code NOPE." in err
    assert places()[("main", "TX-1")] == "A-01-01"


def test_the_command_refuses_wrong_arguments_with_status_2(shelves, tmp_path):
    good = write_csv(tmp_path / "good.csv", "商家编码,库位\nTX-1,A-01-01\n")
    with pytest.raises(Exception, match="No warehouse with code north") as refused:
        call_command("import_locations", "--warehouse", "north", str(good))
    assert refused.value.returncode == 2
    with pytest.raises(Exception, match="No such file") as refused:
        call_command("import_locations", "--warehouse", "main", str(tmp_path / "none.csv"))
    assert refused.value.returncode == 2
    with pytest.raises(Exception, match="No active user nobody"):
        call_command("import_locations", "--actor", "nobody", str(good))
    assert not BinLocation.objects.exists()


# --------------------------------------------------------------------------------------------------------
# The stock page
# --------------------------------------------------------------------------------------------------------


def balance(sku, warehouse) -> StockBalance:
    return StockBalance.objects.get(sku=sku, warehouse=warehouse)


def test_the_warehouse_types_a_location_in_the_stock_list(client, shelves, users):
    row = balance(shelves["TX-1"], shelves["main"])
    url = reverse("inventory:stock-location", args=[row.pk])
    login(client, users["warehouse"])
    assert f'hx-post="{url}"' in client.get(STOCK).content.decode()

    response = client.post(url, {"code": "a-01-03"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith("<td") and f'id="location-{row.pk}"' in html and 'value="A-01-03"' in html and "✓" in html
    assert places() == {("main", "TX-1"): "A-01-03"}

    response = client.post(url, {"code": "A 01"}, **HTMX)  # refused: the cell keeps what was typed, with why
    assert response.status_code == 422
    assert 'value="A 01"' in response.content.decode() and "is not a location" in response.content.decode()
    assert places() == {("main", "TX-1"): "A-01-03"}

    assert client.post(url, {"code": ""}, **HTMX).status_code == 200  # emptied: cleared
    assert places() == {}


def test_other_roles_see_the_location_read_only_and_may_not_post_one(client, shelves, users):
    row = balance(shelves["TX-1"], shelves["main"])
    locations.set_location(actor=users["warehouse"], warehouse=shelves["main"], sku=shelves["TX-1"], code="A-7")
    url = reverse("inventory:stock-location", args=[row.pk])
    login(client, users["service"])
    html = client.get(STOCK).content.decode()
    assert "<code>A-7</code>" in html and url not in html and 'id="location-upload"' not in html

    assert client.post(url, {"code": "B-1"}, **HTMX).status_code == 403
    assert client.post(url, {"code": ""}).status_code == 403
    assert places() == {("main", "TX-1"): "A-7"}


def test_a_post_without_htmx_goes_back_to_the_list(client, shelves, users):
    row = balance(shelves["KZ-1"], shelves["main"])
    login(client, users["operator"])
    response = client.post(reverse("inventory:stock-location", args=[row.pk]), {"code": "Z-1"})
    assert response.status_code == 302 and response["Location"] == STOCK
    assert places() == {("main", "KZ-1"): "Z-1"}
    assert client.post(reverse("inventory:stock-location", args=[10**20]), {"code": "Z-2"}).status_code == 404


def test_the_stock_list_sorts_by_location_empty_last_and_exports_it(client, shelves, users):
    main = shelves["main"]
    locations.set_location(actor=users["warehouse"], warehouse=main, sku=shelves["MZ-1"], code="A-01-01")
    locations.set_location(actor=users["warehouse"], warehouse=main, sku=shelves["TX-1"], code="B-01-01")
    login(client, users["service"])
    rows = [
        (b.sku.code, b.warehouse.code, b.location_code) for b in client.get(STOCK, {"sort": "location"}).context["page"]
    ]
    assert rows == [
        ("MZ-1", "main", "A-01-01"),
        ("TX-1", "main", "B-01-01"),
        ("KZ-1", "main", None),
        ("TX-1", "south", None),
    ]
    rows = [b.location_code for b in client.get(STOCK, {"sort": "-location"}).context["page"]]
    assert rows == ["B-01-01", "A-01-01", None, None]
    exported = list(
        load_workbook(io.BytesIO(client.get(STOCK, {"sort": "location", "export": "xlsx"}).content)).active.iter_rows(
            values_only=True
        )
    )
    assert exported[0][3:5] == ("Warehouse", "Location")
    assert [(r[0], r[4]) for r in exported[1:5]] == [
        ("MZ-1", "A-01-01"),
        ("TX-1", "B-01-01"),
        ("KZ-1", None),
        ("TX-1", None),
    ]


def test_the_upload_on_the_stock_page_sets_locations_or_lists_the_bad_rows(client, shelves, users):
    login(client, users["warehouse"])
    good = SimpleUploadedFile("l.csv", "商家编码,库位\nTX-1,A-1\n".encode())
    response = client.post(IMPORT, {"file": good, "warehouse": shelves["main"].pk}, follow=True)
    assert response.redirect_chain[-1][0] == STOCK
    assert "l.csv: 1 rows read; locations set 1" in response.content.decode()
    assert places() == {("main", "TX-1"): "A-1"}

    bad = SimpleUploadedFile("bad.csv", "商家编码,库位\nKZ-1,B-1\nNOPE,B-2\n".encode())
    response = client.post(IMPORT, {"file": bad, "warehouse": shelves["main"].pk})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="import-report"' in html and "No SKU with code NOPE." in html
    assert places() == {("main", "TX-1"): "A-1"}

    login(client, users["service"])
    again = SimpleUploadedFile("l.csv", "商家编码,库位\nKZ-1,A-2\n".encode())
    assert client.post(IMPORT, {"file": again, "warehouse": shelves["main"].pk}).status_code == 403
    assert places() == {("main", "TX-1"): "A-1"}


# --------------------------------------------------------------------------------------------------------
# Receiving and the API
# --------------------------------------------------------------------------------------------------------


def test_the_receiving_screen_and_its_review_show_where_to_put_each_sku_away(client, shelves, users):
    main, shirt, jeans = shelves["main"], shelves["TX-1"], shelves["KZ-1"]
    locations.set_location(actor=users["warehouse"], warehouse=main, sku=shirt, code="A-01-03")
    locations.set_location(actor=users["warehouse"], warehouse=shelves["south"], sku=jeans, code="S-1")
    po = purchasing.create_purchase_order(
        actor=users["manager"],
        supplier=SupplierFactory(),
        warehouse=main,
        lines=[(shirt, 4, "10.00"), (jeans, 2, "10.00")],
    )
    url = reverse("inventory:purchase-receive", args=[po.pk])
    login(client, users["warehouse"])
    response = client.get(url)
    assert [(line.sku.code, place) for line, _field, place in response.context["rows"]] == [
        ("KZ-1", ""),
        ("TX-1", "A-01-03"),
    ]
    html = response.content.decode()
    assert 'data-location="A-01-03"' in html and "No location" in html  # KZ-1 is shelved in the south only

    response = client.post(url, {f"receive_{shirt.pk}": "4", f"receive_{jeans.pk}": "", "action": "review"})
    assert [(line.sku.code, quantity, place) for line, quantity, place in response.context["rows"]] == [
        ("TX-1", 4, "A-01-03")
    ]
    assert "<code>A-01-03</code>" in response.content.decode()


def test_the_api_balances_carry_the_location(shelves, users):
    locations.set_location(actor=users["warehouse"], warehouse=shelves["main"], sku=shelves["TX-1"], code="A-5")
    client = Client()
    client.force_login(users["service"])
    body = client.get("/api/v1/inventory/balances?warehouse=main").json()
    assert [(r["sku"], r["location"]) for r in body["items"]] == [("KZ-1", None), ("MZ-1", None), ("TX-1", "A-5")]
