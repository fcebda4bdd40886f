"""The pick list walks the warehouse: grouped by bin location (natural order), then SKU code; SKUs without a
location in the wave's warehouse last, under "No location" — on the printed page and in the XLSX."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from zhanggui.core.tests.pages import login
from zhanggui.inventory.locations import set_location
from zhanggui.inventory.tests.factories import WarehouseFactory
from zhanggui.orders import services, waves
from zhanggui.orders.models import OrderStatus
from zhanggui.orders.tests.factories import OrderFactory, OrderLineFactory


def allocated(shop, actor, *lines):
    order = OrderFactory(shop=shop)
    for position, (sku, quantity) in enumerate(lines):
        OrderLineFactory(order=order, sku=sku, quantity=quantity, position=position)
    order = services.allocate(actor=actor, order=order)
    assert order.status == OrderStatus.ALLOCATED, order.hold_reason
    return order


@pytest.fixture
def wave(shop, wh, stocked, warehouse_user):
    """A wave of the main warehouse over six SKUs: four shelved there (two share A-10-01), one shelved only in
    another warehouse, one nowhere."""
    skus = {code: stocked(code, 20) for code in ("CAP", "TEE-M", "TEE-L", "BAG", "SOCK", "BELT")}
    north = WarehouseFactory(code="north", priority=9)
    for code, place in (("TEE-M", "A-10-01"), ("TEE-L", "A-10-01"), ("CAP", "A-2-05"), ("BAG", "B-01-01")):
        set_location(actor=warehouse_user, warehouse=wh, sku=skus[code], code=place)
    set_location(actor=warehouse_user, warehouse=north, sku=skus["SOCK"], code="N-1")
    allocated(shop, warehouse_user, (skus["TEE-M"], 2), (skus["SOCK"], 1), (skus["CAP"], 1))
    allocated(shop, warehouse_user, (skus["TEE-L"], 1), (skus["BELT"], 3), (skus["BAG"], 2), (skus["TEE-M"], 1))
    return waves.create_wave(actor=warehouse_user, warehouse=wh)


WALK = [
    ("A-2-05", "CAP", 1, 1),
    ("A-10-01", "TEE-L", 1, 1),  # one location, its SKUs by code
    ("A-10-01", "TEE-M", 3, 2),
    ("B-01-01", "BAG", 2, 1),
    ("", "BELT", 3, 1),  # no location in this warehouse: last, by SKU code
    ("", "SOCK", 1, 1),
]


def test_the_pick_list_walks_by_location_then_sku_unshelved_last(wave):
    assert [(line.location, line.sku.code, line.quantity, line.orders) for line in waves.pick_list(wave)] == WALK


def test_the_pick_list_xlsx_has_the_location_column_in_walk_order(wave):
    out = io.BytesIO()
    with translation.override("en"):
        assert waves.write_pick_list_xlsx(wave, out) == 6
    rows = list(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(values_only=True))
    assert rows[0] == ("Location", "SKU code", "Barcode", "Product", "Spec", "Quantity", "Orders")
    assert [(r[0], r[1], r[5], r[6]) for r in rows[1:7]] == [
        (place or "No location", code, quantity, orders) for place, code, quantity, orders in WALK
    ]
    assert rows[-1][0] == "Total" and rows[-1][5] == 11


def test_the_printed_pick_list_shows_each_line_s_location(client, wave, warehouse_user):
    login(client, warehouse_user)
    html = client.get(reverse("orders:wave-pick-print", args=[wave.pk])).content.decode()
    assert ">Location</th>" in html
    cells = [part.split('"', 1)[0] for part in html.split('class="pick-line" data-location="')[1:]]
    assert cells == [place for place, *_rest in WALK]
    assert html.count("No location") == 2
    assert html.index("<b>A-2-05</b>") < html.index("<b>A-10-01</b>") < html.index("<b>B-01-01</b>")
