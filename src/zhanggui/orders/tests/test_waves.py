"""Waves, packing and shipping: which orders a wave takes, the pick list, scans refused and counted, shipping by
hand and from the carrier's file, the platforms' bulk-ship files, and the pages around them."""

from __future__ import annotations

import io
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.urls import NoReverseMatch, include, path, reverse
from django.utils import translation
from openpyxl import load_workbook

from zhanggui import urls as root_urls
from zhanggui.catalog.tests.factories import ProductFactory, SkuFactory
from zhanggui.core.errors import PermissionDeniedError
from zhanggui.core.tests.pages import login
from zhanggui.inventory import services as stock
from zhanggui.inventory.tests.factories import WarehouseFactory
from zhanggui.orders import packing, services, wave_urls, waves
from zhanggui.orders import urls as orders_urls
from zhanggui.orders.errors import OrderRuleBroken
from zhanggui.orders.models import Order, OrderStatus, PackScan, Wave, WaveOrder, WaveStatus
from zhanggui.orders.tests.factories import OrderFactory, OrderLineFactory, levels, receive

S = OrderStatus
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _urlpatterns():
    """The site's URLs with the wave pages under orders/ (until orders/urls.py includes wave_urls itself)."""
    try:
        reverse("orders:wave-list", urlconf=root_urls)
    except NoReverseMatch:
        others = [p for p in root_urls.urlpatterns if getattr(p, "namespace", None) != "orders"]
        return [*others, path("orders/", include(([*orders_urls.urlpatterns, *wave_urls.urlpatterns], "orders")))]
    return root_urls.urlpatterns


urlpatterns = _urlpatterns()
pytestmark = pytest.mark.urls(__name__)


# --------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------


@pytest.fixture
def sku(shop, wh):
    """sku("TEE-M", 5, barcode="690..."): a SKU of the shop with units on hand in the main warehouse."""
    product = ProductFactory(shop=shop, code="TEE", title="纯棉短袖T恤")

    def make(code: str, units: int = 0, *, barcode: str = "", warehouse=None):
        made = SkuFactory(product=product, shop=shop, code=code, barcode=barcode)
        if units:
            receive(made, warehouse or wh, units)
        return made

    return make


def allocated(shop, actor, *lines, **fields) -> Order:
    """An order of (sku, quantity) lines, allocated (its stock reserved)."""
    order = OrderFactory(shop=shop, **fields)
    for position, (line_sku, quantity) in enumerate(lines):
        OrderLineFactory(order=order, sku=line_sku, quantity=quantity, position=position)
    order = services.allocate(actor=actor, order=order)
    assert order.status == S.ALLOCATED, order.hold_reason
    return order


def at(hour: int, minute: int = 0, day: int = 18) -> datetime:
    return datetime(2026, 6, day, hour, minute, tzinfo=SHANGHAI)


# --------------------------------------------------------------------------------------------------------
# Cut-offs and waves
# --------------------------------------------------------------------------------------------------------


def test_default_cutoffs_are_eleven_and_three_and_after_the_last_comes_tomorrow(wh):
    assert waves.cutoff_times(wh) == [time(11), time(15)]
    assert waves.next_cutoff(wh, at(9, 30)) == at(11)
    assert waves.next_cutoff(wh, at(11)) == at(11)
    assert waves.next_cutoff(wh, at(12)) == at(15)
    assert waves.next_cutoff(wh, at(16)) == at(11, day=19)


def test_a_warehouse_sets_its_own_cutoffs(wh, warehouse_user, operator):
    with pytest.raises(PermissionDeniedError):
        waves.set_cutoffs(actor=operator, warehouse=wh, times=[time(10)])
    assert waves.cutoff_times(wh) == [time(11), time(15)]
    waves.set_cutoffs(actor=warehouse_user, warehouse=wh, times=[time(16, 30), time(9)])
    assert waves.cutoff_times(wh) == [time(9), time(16, 30)]
    assert waves.next_cutoff(wh, at(12)) == at(16, 30)
    waves.set_cutoffs(actor=warehouse_user, warehouse=wh, times=[])
    assert waves.cutoff_times(wh) == [time(11), time(15)]


def test_a_wave_takes_every_allocated_order_of_its_warehouse_and_no_other(shop, wh, sku, warehouse_user):
    other_wh = WarehouseFactory(code="north", priority=5)
    tee = sku("TEE-M", 10)
    cap = sku("CAP", 0)
    receive(cap, other_wh, 5)  # caps are only in the north warehouse
    first = allocated(shop, warehouse_user, (tee, 2))
    second = allocated(shop, warehouse_user, (tee, 1))
    north = allocated(shop, warehouse_user, (cap, 1))
    paid = OrderFactory(shop=shop)
    OrderLineFactory(order=paid, sku=tee, quantity=1)

    with translation.override("en"):  # the timeline keeps its reasons in the language they were written in
        wave = waves.create_wave(actor=warehouse_user, warehouse=wh, at=at(10, 5))

    assert wave.number == "main-20260618-1100"
    assert wave.cut_off == at(11)
    assert wave.status == WaveStatus.OPEN
    assert wave.created_by == warehouse_user
    assert set(WaveOrder.objects.filter(wave=wave).values_list("order_id", flat=True)) == {first.pk, second.pk}
    statuses = dict(Order.objects.values_list("pk", "status"))
    assert statuses == {first.pk: S.PICKING, second.pk: S.PICKING, north.pk: S.ALLOCATED, paid.pk: S.PAID}
    assert first.events.last().reason == "in wave main-20260618-1100"
    # Nothing more is waiting in the main warehouse: a second wave there is refused, and makes nothing.
    with translation.override("en"), pytest.raises(OrderRuleBroken, match="No allocated order is waiting"):
        waves.create_wave(actor=warehouse_user, warehouse=wh, at=at(10, 6))
    assert Wave.objects.count() == 1
    north_wave = waves.create_wave(actor=warehouse_user, warehouse=other_wh, at=at(10, 7))
    assert [o.pk for o in waves.wave_orders(north_wave)] == [north.pk]


def test_a_second_wave_before_the_same_cutoff_gets_its_own_number(shop, wh, sku, warehouse_user):
    tee = sku("TEE-M", 10)
    allocated(shop, warehouse_user, (tee, 1))
    waves.create_wave(actor=warehouse_user, warehouse=wh, at=at(12))
    allocated(shop, warehouse_user, (tee, 1))
    again = waves.create_wave(actor=warehouse_user, warehouse=wh, at=at(14))
    assert again.number == "main-20260618-1500-2"


def test_only_the_warehouse_role_makes_waves_and_a_refusal_changes_nothing(shop, wh, sku, warehouse_user, operator):
    order = allocated(shop, warehouse_user, (sku("TEE-M", 3), 1))
    with pytest.raises(PermissionDeniedError):
        waves.create_wave(actor=operator, warehouse=wh)
    order.refresh_from_db()
    assert order.status == S.ALLOCATED
    assert not Wave.objects.exists()


def test_pick_list_sums_units_by_sku_sorted_by_code_leaving_out_held_orders(shop, wh, sku, warehouse_user, manager):
    tee, cap, bag = sku("TEE-M", 10), sku("CAP", 10), sku("BAG", 10)
    allocated(shop, warehouse_user, (tee, 2), (cap, 1))
    allocated(shop, warehouse_user, (tee, 1))
    held = allocated(shop, warehouse_user, (bag, 4))
    wave = waves.create_wave(actor=warehouse_user, warehouse=wh)
    services.hold(actor=manager, order=held, reason="buyer asked to wait")

    lines = waves.pick_list(wave)

    assert [(line.sku.code, line.quantity, line.orders) for line in lines] == [("CAP", 1, 1), ("TEE-M", 3, 2)]


def test_pick_list_xlsx_has_a_row_per_sku_and_the_total(shop, wh, sku, warehouse_user):
    tee = sku("TEE-M", 10, barcode="6901234567892")
    allocated(shop, warehouse_user, (tee, 2))
    allocated(shop, warehouse_user, (tee, 3))
    wave = waves.create_wave(actor=warehouse_user, warehouse=wh)
    out = io.BytesIO()
    with translation.override("en"):
        assert waves.write_pick_list_xlsx(wave, out) == 1
    rows = list(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(values_only=True))
    assert rows[0] == ("Location", "SKU code", "Barcode", "Product", "Spec", "Quantity", "Orders")
    assert rows[1] == ("No location", "TEE-M", "6901234567892", "纯棉短袖T恤", "颜色:白;尺码:M", 5, 2)
    assert rows[-1][0] == "Total" and rows[-1][5] == 5


# --------------------------------------------------------------------------------------------------------
# Packing
# --------------------------------------------------------------------------------------------------------


@pytest.fixture
def picking(shop, wh, sku, warehouse_user):
    """An order of 2 T-shirts (barcode 690…1) and a cap (no barcode), in a wave: being picked."""
    tee = sku("TEE-M", 10, barcode="6900000000001")
    cap = sku("CAP", 10)
    order = allocated(shop, warehouse_user, (tee, 2), (cap, 1))
    waves.create_wave(actor=warehouse_user, warehouse=wh)
    order.refresh_from_db()
    return order


def test_scans_tick_off_the_lines_and_the_last_unit_packs_the_order(picking, warehouse_user):
    state = packing.pack_scan(actor=warehouse_user, order=picking, code="6900000000001")
    assert (state.last.line.sku_code, state.last.scanned, state.scanned, state.wanted) == ("TEE-M", 1, 1, 3)
    packing.pack_scan(actor=warehouse_user, order=picking, code=" 6900000000001 ")
    with translation.override("en"):  # the timeline's reason is written in the language of the moment
        state = packing.pack_scan(actor=warehouse_user, order=picking, code="cap")  # the SKU code, any case
    assert state.complete
    picking.refresh_from_db()
    assert picking.status == S.PACKED
    assert picking.events.last().reason == "packed: every unit scanned"


def test_a_wrong_item_is_refused_naming_what_it_is_and_nothing_is_counted(picking, sku, warehouse_user):
    sku("SOCKS", 5, barcode="6900000000099")
    with translation.override("en"), pytest.raises(packing.WrongItem) as refused:
        packing.pack_scan(actor=warehouse_user, order=picking, code="6900000000099")
    assert refused.value.message == (
        f"WRONG ITEM: 6900000000099 is SOCKS 纯棉短袖T恤, which order {picking.platform_order_no} does not have. "
        "Keep it out of the parcel."
    )
    with translation.override("en"), pytest.raises(packing.WrongItem, match="is not in order"):
        packing.pack_scan(actor=warehouse_user, order=picking, code="NO-SUCH-CODE")
    assert not PackScan.objects.exists()
    picking.refresh_from_db()
    assert picking.status == S.PICKING


def test_an_extra_unit_is_refused(picking, warehouse_user):
    packing.pack_scan(actor=warehouse_user, order=picking, code="CAP")
    with translation.override("en"), pytest.raises(packing.ExtraUnit, match="all 1 of CAP are in the parcel"):
        packing.pack_scan(actor=warehouse_user, order=picking, code="CAP")
    assert PackScan.objects.count() == 1


def test_only_an_order_being_picked_is_scanned_and_only_by_the_warehouse(picking, shop, sku, warehouse_user, operator):
    with pytest.raises(PermissionDeniedError):
        packing.pack_scan(actor=operator, order=picking, code="CAP")
    waiting = allocated(shop, warehouse_user, (sku("HAT", 2), 1))
    with translation.override("en"), pytest.raises(packing.PackRefused, match="is allocated"):
        packing.pack_scan(actor=warehouse_user, order=waiting, code="HAT")
    assert not PackScan.objects.exists()


def test_starting_a_parcel_again_forgets_its_scans(picking, warehouse_user):
    packing.pack_scan(actor=warehouse_user, order=picking, code="CAP")
    assert packing.reset_scans(actor=warehouse_user, order=picking) == 1
    assert packing.pack_state(picking).scanned == 0


# --------------------------------------------------------------------------------------------------------
# Shipping
# --------------------------------------------------------------------------------------------------------


def test_shipping_issues_the_stock_closes_the_wave_and_keeps_the_ledger_clean(picking, warehouse_user):
    tee = picking.lines.get(sku_code="TEE-M").sku
    assert levels(tee) == (10, 2)
    for code in ("6900000000001", "6900000000001", "CAP"):
        packing.pack_scan(actor=warehouse_user, order=picking, code=code)
    order = packing.ship_order(actor=warehouse_user, order=picking, carrier="中通快递", tracking_no="ZT7700001")
    assert (order.status, order.carrier, order.tracking_no) == (S.SHIPPED, "中通快递", "ZT7700001")
    assert levels(tee) == (8, 0)
    assert stock.check_ledger() == []
    assert waves.wave_of(order).status == WaveStatus.DONE


def _carrier_csv(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8-sig"))


def test_the_carrier_file_ships_each_order_and_reports_the_refused_rows(shop, wh, sku, warehouse_user):
    tee = sku("TEE-M", 10)
    first = allocated(shop, warehouse_user, (tee, 1), platform_order_no="3100001")
    second = allocated(shop, warehouse_user, (tee, 2), platform_order_no="3100002")
    waves.create_wave(actor=warehouse_user, warehouse=wh)
    text = (
        "快递单号打印记录\n"  # a title row above the header
        "原始单号,快递公司,运单号\n"
        "3100001,圆通速递,YT1001\n"
        "3100002,,YT1002\n"
        "9999999,圆通速递,YT1003\n"
        "3100003,圆通速递,\n"
    )
    with translation.override("en"):
        report = packing.ship_from_carrier_file(
            actor=warehouse_user, file=_carrier_csv(text), filename="yt.csv", default_carrier="圆通"
        )
    assert [(s.order_no, s.carrier, s.tracking_no) for s in report.shipped] == [
        ("3100001", "圆通速递", "YT1001"),
        ("3100002", "圆通", "YT1002"),
    ]
    with translation.override("en"):
        assert [str(e) for e in report.errors] == ["line 5: no order 9999999", "line 6, 运单号: no tracking number"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.tracking_no, second.status, second.carrier) == (S.SHIPPED, "YT1001", S.SHIPPED, "圆通")
    assert stock.check_ledger() == []
    # The same file again ships nothing twice.
    again = packing.ship_from_carrier_file(
        actor=warehouse_user, file=_carrier_csv(text), filename="yt.csv", default_carrier="圆通"
    )
    assert (len(again.shipped), len(again.already), len(again.errors)) == (0, 2, 2)


def test_tracking_numbers_of_a_day_are_written_in_the_platforms_bulk_ship_format(shop, wh, sku, warehouse_user):
    tee = sku("TEE-M", 10)
    order = allocated(shop, warehouse_user, (tee, 1), platform_order_no="2885551234567890123")
    services.ship(actor=warehouse_user, order=order, carrier="韵达快递", tracking_no="YD123", at=at(16))
    late = allocated(shop, warehouse_user, (tee, 1))
    services.ship(actor=warehouse_user, order=late, carrier="韵达快递", tracking_no="YD124", at=at(0, 5, day=19))

    shipments = packing.tracking_shipments(platform="taobao", day=at(12).date())

    assert [(s.order_no, s.carrier, s.tracking_no) for s in shipments] == [("2885551234567890123", "韵达快递", "YD123")]
    assert packing.tracking_shipments(platform="jd", day=at(12).date()) == []


# --------------------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------------------


def test_the_wave_list_shows_cutoffs_and_waiting_orders_and_runs_a_wave(client, shop, wh, sku, warehouse_user):
    allocated(shop, warehouse_user, (sku("TEE-M", 5), 1))
    login(client, warehouse_user)
    page = client.get(reverse("orders:wave-list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'value="11:00, 15:00"' in text
    assert '<td class="num waiting">1</td>' in text
    response = client.post(reverse("orders:wave-list"), {"warehouse": wh.pk})
    wave = Wave.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("orders:wave-detail", args=[wave.pk])
    detail = client.get(response["Location"]).content.decode()
    assert "TEE-M" in detail and 'class="num pick-quantity">1<' in detail
    assert client.get(reverse("orders:wave-pick-print", args=[wave.pk])).status_code == 200
    xlsx = client.get(reverse("orders:wave-pick-xlsx", args=[wave.pk]))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_role_without_fulfil_cannot_run_a_wave(client, shop, wh, sku, warehouse_user, operator):
    order = allocated(shop, warehouse_user, (sku("TEE-M", 5), 1))
    login(client, operator)
    assert client.post(reverse("orders:wave-list"), {"warehouse": wh.pk}).status_code == 403
    order.refresh_from_db()
    assert order.status == S.ALLOCATED and not Wave.objects.exists()


def test_cutoffs_typed_wrong_come_back_on_the_form(client, wh, warehouse_user):
    login(client, warehouse_user)
    response = client.post(reverse("orders:wave-cutoffs"), {"warehouse": wh.pk, "times": "11:00, 25:00"})
    assert response.status_code == 422
    assert "25:00 is not a time of day like 11:00." in response.content.decode()
    client.post(reverse("orders:wave-cutoffs"), {"warehouse": wh.pk, "times": "10：30 14.00"})
    assert waves.cutoff_times(wh) == [time(10, 30), time(14)]


def test_the_packing_screen_refuses_a_wrong_barcode_loudly_and_ships(client, picking, warehouse_user):
    login(client, warehouse_user)
    scan_url = reverse("orders:packing-scan", args=[picking.pk])
    wrong = client.post(scan_url, {"code": "6999999999999"}, headers={"HX-Request": "true"})
    assert wrong.status_code == 422
    assert 'id="pack-refusal"' in wrong.content.decode() and "WRONG ITEM" in wrong.content.decode()
    for code in ("6900000000001", "6900000000001"):
        ok = client.post(scan_url, {"code": code}, headers={"HX-Request": "true"})
        assert ok.status_code == 200
    assert 'id="pack-progress">2 / 3<' in ok.content.decode()
    done = client.post(scan_url, {"code": "CAP"}, headers={"HX-Request": "true"}).content.decode()
    assert 'id="ship-form"' in done
    response = client.post(
        reverse("orders:packing-ship", args=[picking.pk]), {"carrier": "顺丰速运", "tracking_no": "SF100200300"}
    )
    assert response.status_code == 302
    shown = client.get(response["Location"]).content.decode()
    assert 'id="shipped-tracking">SF100200300<' in shown
    # The carrier is offered again for the next parcel.
    assert client.session["last_carrier"] == "顺丰速运"


def test_the_packing_screen_finds_an_order_by_its_number(client, picking, warehouse_user):
    login(client, warehouse_user)
    found = client.get(reverse("orders:packing-find"), {"order": picking.platform_order_no})
    assert found["Location"] == reverse("orders:packing", args=[picking.pk])
    missing = client.get(reverse("orders:packing-find"), {"order": "NOPE"})
    assert missing.status_code == 422 and "No order NOPE." in missing.content.decode()


def test_the_carrier_file_page_and_the_tracking_download(client, picking, warehouse_user):
    login(client, warehouse_user)
    upload = _carrier_csv(f"订单编号,物流公司,物流单号\n{picking.platform_order_no},申通快递,ST555\n")
    upload.name = "sto.csv"
    response = client.post(reverse("orders:ship-upload"), {"file": upload})
    assert response.status_code == 200
    assert "1 shipped, 0 shipped before, 0 refused." in response.content.decode()
    picking.refresh_from_db()
    day = picking.shipped_at.astimezone(SHANGHAI).date().isoformat()
    download = client.get(reverse("orders:tracking-export"), {"platform": "taobao", "day": day})
    assert download["Content-Disposition"].startswith('attachment; filename="bulk-ship-taobao-')
    assert (
        download.content.decode("utf-8")
        == f"\ufeff订单编号,物流公司,物流单号\r\n{picking.platform_order_no},申通快递,ST555\r\n"
    )
