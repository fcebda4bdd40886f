"""补发/换货 on the orders side (orders.replacements): replacement lines of the platform's order, priced 0, shipped
in a replacement part that goes through review, allocation, a wave, packing and shipping with the ledger clean;
re-imports, the platform's later statuses, export-orders and the bulk-ship file leave them alone."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from zhanggui.channels import records
from zhanggui.channels import zhanggui as own_format
from zhanggui.core.errors import PermissionDeniedError
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import StockMove
from zhanggui.orders import exports, imports, packing, parcels, replacements, review, services, waves
from zhanggui.orders.errors import OrderRuleBroken
from zhanggui.orders.models import HoldKind, LineOrigin, Order, OrderLine, OrderStatus
from zhanggui.orders.tests.factories import PAID_AT, later, levels, parse_result, parsed_line, parsed_order

pytestmark = pytest.mark.django_db

S = OrderStatus


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def cs(users):
    return users["service"]


def fresh(order: Order) -> Order:
    return Order.objects.get(pk=order.pk)


def imported(shop, actor, parsed) -> Order:
    report = imports.import_orders(actor=actor, shop=shop, result=parse_result(parsed))
    assert report.rejected == []
    return Order.objects.get(shop=shop, platform_order_no=parsed.order_no)


def shipped_order(shop, manager, status=records.SHIPPED):
    """T-shirt ×2 (¥99.00 each) and a cap ×1 (¥39.90), shipped (or completed) on the platform."""
    parsed = parsed_order(
        "3300001",
        parsed_line("TEE-M", 2, sub_order_id="3300001-a"),
        parsed_line("CAP", 1, "39.90", sub_order_id="3300001-b"),
        status=status,
        shipped_at=PAID_AT + timedelta(hours=5),
        carrier="中通",
        tracking_no="ZT100",
    )
    return parsed, imported(shop, manager, parsed)


def through_fulfilment(part: Order, *, warehouse_user, wh) -> Order:
    """Review (the automatic one), allocate, wave, scan every unit, ship: as the warehouse works any order."""
    assert review.review_order(part.pk).result == review.PASSED
    services.allocate(actor=warehouse_user, order=fresh(part))
    assert fresh(part).status == S.ALLOCATED
    wave = waves.create_wave(actor=warehouse_user, warehouse=wh)
    assert [o.pk for o in waves.wave_orders(wave)] == [part.pk]
    for line in services.fulfilment_lines(part):
        for _unit in range(line.quantity):
            packing.pack_scan(actor=warehouse_user, order=fresh(part), code=line.sku.code)
    assert fresh(part).status == S.PACKED
    packing.ship_order(actor=warehouse_user, order=fresh(part), carrier="顺丰", tracking_no="SF777")
    return fresh(part)


def test_a_reissue_of_a_completed_order_ships_as_a_new_part_through_every_step(
    shop, stocked, manager, cs, warehouse_user, wh
):
    tee, cap = stocked("TEE-M", 10), stocked("CAP", 10)
    _parsed, order = shipped_order(shop, manager, status=records.COMPLETED)
    assert order.status == S.COMPLETED and levels(tee) == (8, 0)
    paid_before = (order.paid_total, sum(line.paid for line in order.lines.all()))

    part, (line,) = replacements.add_replacement_lines(actor=cs, order=order, items=[(tee, 1)], reason="AS-1")

    assert (part.platform_order_no, part.split_from_id, part.is_replacement) == ("3300001-2", order.pk, True)
    assert (part.status, part.paid_total, part.shipping_fee) == (S.PAID, Decimal("0.00"), Decimal("0.00"))
    assert part.ship_by > timezone.now()  # its own promise, not the platform order's past deadline
    assert (line.order_id, line.ships_in_id, line.origin) == (order.pk, part.pk, LineOrigin.REPLACEMENT)
    assert (line.sku_code, line.quantity, line.unit_price, line.paid) == ("TEE-M", 1, Decimal("0.00"), Decimal("0.00"))
    order = fresh(order)
    assert order.status == S.COMPLETED and order.has_parts
    assert (order.paid_total, sum(line.paid for line in order.lines.all())) == paid_before
    assert "replacement (补发/换货): TEE-M × 1 ship as 3300001-2 · AS-1" in order.events.last().reason

    shipped = through_fulfilment(part, warehouse_user=warehouse_user, wh=wh)

    assert (shipped.status, shipped.tracking_no) == (S.SHIPPED, "SF777")
    assert fresh(order).status == S.COMPLETED  # the platform's order keeps its own status
    assert levels(tee) == (7, 0) and levels(cap) == (9, 0)
    assert StockMove.objects.filter(sku=tee, document="3300001-2").count() == 1
    assert stock.check_ledger() == []


def test_an_exchange_sends_another_sku_and_a_reissue_of_two_lines_picks_both_once(
    shop, stocked, manager, cs, warehouse_user, wh
):
    tee, cap, tee_l = stocked("TEE-M", 10), stocked("CAP", 10), stocked("TEE-L", 3)
    _parsed, order = shipped_order(shop, manager)
    part, lines = replacements.add_replacement_lines(actor=cs, order=order, items=[(tee_l, 2), (cap, 1)])
    assert [(line.sku_code, line.quantity) for line in lines] == [("TEE-L", 2), ("CAP", 1)]
    assert [line.sub_order_id for line in lines] == ["3300001-2:R1", "3300001-2:R2"]
    assert review.review_order(part.pk).result == review.PASSED
    services.allocate(actor=warehouse_user, order=fresh(part))
    assert levels(tee_l) == (3, 2)
    wave = waves.create_wave(actor=warehouse_user, warehouse=wh)
    assert {pick.sku.code: pick.quantity for pick in waves.pick_list(wave)} == {"TEE-L": 2, "CAP": 1}
    second, _lines = replacements.add_replacement_lines(actor=cs, order=part, items=[(tee, 1)])  # a part: its order
    assert (second.platform_order_no, second.split_from_id) == ("3300001-3", order.pk)
    assert stock.check_ledger() == []


def test_a_short_replacement_is_held_out_of_stock_by_the_review_like_any_order(shop, stocked, manager, cs):
    stocked("TEE-M", 10), stocked("CAP", 10)
    tee_xl = stocked("TEE-XL", 0)
    _parsed, order = shipped_order(shop, manager)
    part, _lines = replacements.add_replacement_lines(actor=cs, order=order, items=[(tee_xl, 1)])
    assert review.review_order(part.pk).result == review.HELD
    part = fresh(part)
    assert (part.status, part.hold_kind) == (S.ON_HOLD, HoldKind.OUT_OF_STOCK)
    assert "TEE-XL: 1 wanted, 0 available" in part.hold_reason


def test_reimporting_the_platform_export_never_touches_the_replacement(shop, stocked, manager, cs, warehouse_user):
    tee, cap = stocked("TEE-M", 10), stocked("CAP", 10)
    parsed, order = shipped_order(shop, manager)
    part, (line,) = replacements.add_replacement_lines(actor=cs, order=order, items=[(tee, 1)])
    services.review(actor=cs, order=part)
    services.allocate(actor=warehouse_user, order=fresh(part))

    again = imports.import_orders(actor=manager, shop=shop, result=parse_result(parsed))
    assert (again.orders_unchanged, again.orders_updated) == (1, 0)
    # 交易成功 a week later: the order completes, the replacement part is not shipped "on the platform".
    done = imports.import_orders(actor=manager, shop=shop, result=parse_result(later(parsed, status=records.COMPLETED)))
    assert done.orders_updated == 1
    assert fresh(order).status == S.COMPLETED
    assert (fresh(part).status, fresh(part).stock_reserved) == (S.ALLOCATED, True)
    assert OrderLine.objects.filter(pk=line.pk, ships_in=part, origin=LineOrigin.REPLACEMENT).exists()
    assert order.lines.count() == 3
    assert levels(tee) == (8, 1) and levels(cap) == (9, 0)
    assert stock.check_ledger() == []


def test_a_line_change_of_an_unshipped_order_keeps_its_replacement_lines_and_part(shop, stocked, manager, cs):
    tee, _cap = stocked("TEE-M", 10), stocked("CAP", 10)
    parsed = parsed_order("3300002", parsed_line("TEE-M", 1, sub_order_id="a"), parsed_line("CAP", 1, sub_order_id="b"))
    order = imported(shop, manager, parsed)
    part, (line,) = replacements.add_replacement_lines(actor=cs, order=order, items=[(tee, 1)])
    services.review(actor=cs, order=part)

    # The buyer dropped the cap on the platform: the file lists one line; ours stays.
    report = imports.import_orders(
        actor=manager, shop=shop, result=parse_result(later(parsed, lines=(parsed.lines[0],)))
    )
    assert report.orders_updated == 1
    assert sorted(fresh(order).lines.values_list("sub_order_id", flat=True)) == ["3300002-2:R1", "a"]
    assert fresh(part).status == S.REVIEWED
    assert OrderLine.objects.get(pk=line.pk).ships_in_id == part.pk


def test_the_platform_closing_the_order_holds_the_replacement_part_and_never_cancels_it(
    shop, stocked, manager, cs, warehouse_user
):
    tee, _cap = stocked("TEE-M", 10), stocked("CAP", 10)
    parsed, order = shipped_order(shop, manager)
    part, _lines = replacements.add_replacement_lines(actor=cs, order=order, items=[(tee, 1)])
    services.review(actor=cs, order=part)
    services.allocate(actor=warehouse_user, order=fresh(part))

    imports.import_orders(actor=manager, shop=shop, result=parse_result(later(parsed, status=records.CLOSED)))

    assert fresh(order).status == S.SHIPPED  # closed after shipping: after-sales, as before
    part = fresh(part)
    assert (part.status, part.hold_kind, part.release_to) == (S.ON_HOLD, HoldKind.PLATFORM_CLOSED, S.ALLOCATED)
    assert part.stock_reserved and levels(tee) == (8, 1)
    # The same file again changes nothing; a person then releases it (or cancels it).
    imports.import_orders(actor=manager, shop=shop, result=parse_result(later(parsed, status=records.CLOSED)))
    assert fresh(part).events.filter(to_status=S.ON_HOLD).count() == 1
    services.release_hold(actor=cs, order=part, reason="the buyer still wants it")
    assert fresh(part).status == S.ALLOCATED
    services.cancel(actor=cs, order=fresh(part), reason="refunded instead")
    assert fresh(part).status == S.CANCELLED and levels(tee) == (8, 0)
    assert stock.check_ledger() == []


def test_a_replacement_part_is_cancelled_on_its_own_and_never_joins_its_order(shop, stocked, manager, cs):
    tee, _cap = stocked("TEE-M", 10), stocked("CAP", 10)
    _parsed, order = shipped_order(shop, manager)
    part, _lines = replacements.add_replacement_lines(actor=cs, order=order, items=[(tee, 1)])
    with pytest.raises(OrderRuleBroken, match="ships replacements"):
        parcels.join_part(actor=cs, part=part)
    services.cancel(actor=cs, order=part, reason="sent by mistake")
    assert fresh(part).status == S.CANCELLED and fresh(order).status == S.SHIPPED


def test_cancelling_the_order_at_the_desk_cancels_its_open_replacement_part(shop, stocked, manager, cs, warehouse_user):
    tee, _cap = stocked("TEE-M", 10), stocked("CAP", 10)
    order = imported(shop, manager, parsed_order("3300003", parsed_line("CAP", 1, sub_order_id="c")))
    part, _lines = replacements.add_replacement_lines(actor=cs, order=order, items=[(tee, 1)])
    services.review(actor=cs, order=part)
    services.allocate(actor=warehouse_user, order=fresh(part))
    services.cancel(actor=cs, order=fresh(order), reason="the buyer cancelled everything")
    assert (fresh(order).status, fresh(part).status) == (S.CANCELLED, S.CANCELLED)
    assert levels(tee) == (10, 0) and stock.check_ledger() == []


def test_export_orders_and_the_bulk_ship_file_leave_replacements_out(shop, stocked, manager, cs, warehouse_user, wh):
    tee, _cap = stocked("TEE-M", 10), stocked("CAP", 10)
    _parsed, order = shipped_order(shop, manager)
    part, _lines = replacements.add_replacement_lines(actor=cs, order=order, items=[(tee, 1)])
    shipped = through_fulfilment(part, warehouse_user=warehouse_user, wh=wh)

    out = io.BytesIO()
    assert exports.export_orders(out=out, shop=shop, fmt="csv") == 2  # the platform's two lines only
    assert b"3300001-2" not in out.getvalue()
    result = own_format.read(file=io.BytesIO(out.getvalue()), filename="orders.csv")
    back = imports.import_orders(actor=manager, shop=shop, result=result)
    assert (back.orders_unchanged, back.orders_updated, back.rejected) == (1, 0, [])
    assert fresh(order).lines.count() == 3 and fresh(shipped).status == S.SHIPPED

    day = timezone.localdate(shipped.shipped_at)
    assert packing.tracking_shipments(platform=order.platform, day=day) == []


def test_only_reviewers_send_replacements_and_unpaid_or_cancelled_orders_none(shop, stocked, manager, cs, users):
    tee, _cap = stocked("TEE-M", 10), stocked("CAP", 10)
    _parsed, order = shipped_order(shop, manager)
    with pytest.raises(PermissionDeniedError):
        replacements.add_replacement_lines(actor=users["warehouse"], order=order, items=[(tee, 1)])
    assert not Order.objects.filter(split_from=order).exists() and fresh(order).lines.count() == 2
    with pytest.raises(OrderRuleBroken, match="send 1 to"):
        replacements.add_replacement_lines(actor=cs, order=order, items=[(tee, 0)])
    with pytest.raises(OrderRuleBroken, match="Name at least one SKU"):
        replacements.add_replacement_lines(actor=cs, order=order, items=[])
    unpaid = imported(shop, manager, parsed_order("3300009", status=records.UNPAID))
    with pytest.raises(OrderRuleBroken, match="waiting for payment"):
        replacements.add_replacement_lines(actor=cs, order=unpaid, items=[(tee, 1)])
    assert not Order.objects.filter(split_from__in=[order, unpaid]).exists()


def test_the_order_pages_mark_replacement_lines_and_the_part(client, shop, stocked, manager, cs):
    from zhanggui.core.tests.pages import login

    tee, _cap = stocked("TEE-M", 10), stocked("CAP", 10)
    _parsed, order = shipped_order(shop, manager)
    part, _lines = replacements.add_replacement_lines(actor=cs, order=order, items=[(tee, 1)])
    login(client, cs, language="en")
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert page.count('data-origin="replacement"') == 1 and "3300001-2" in page
    part_page = client.get(f"/orders/{part.pk}/").content.decode()
    assert "A replacement parcel for order 3300001" in part_page and 'id="join-button"' not in part_page
    assert 'data-origin="replacement"' in part_page
