"""合单: a buyer's orders to one address ship in one parcel. Who may merge, what must match, and that the main
order's steps carry the merged ones (one reservation each, one tracking number) with the ledger clean."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from zhanggui.core.errors import PermissionDeniedError
from zhanggui.inventory import services as stock
from zhanggui.orders import packing, parcels, services, waves
from zhanggui.orders.errors import InvalidTransition, OrderRuleBroken
from zhanggui.orders.models import HoldKind, Order, OrderStatus, PlatformStatus, WaveOrder
from zhanggui.orders.tests.factories import PAID_AT, OrderFactory, OrderLineFactory, levels, receive

pytestmark = pytest.mark.django_db

S = OrderStatus


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def order_of(shop, *lines, **fields) -> Order:
    order = OrderFactory(shop=shop, **fields)
    for sku, quantity in lines:
        OrderLineFactory(order=order, sku=sku, quantity=quantity)
    return order


def fresh(order: Order) -> Order:
    return Order.objects.get(pk=order.pk)


@pytest.fixture
def cs(users):
    return users["service"]


def test_orders_of_one_buyer_and_address_merge_under_the_earliest_paid(shop, stocked, cs):
    tee, cap = stocked("TEE-M", 5), stocked("CAP", 5)
    later = order_of(shop, (cap, 1), paid_at=PAID_AT + timedelta(minutes=20))
    first = order_of(shop, (tee, 2), paid_at=PAID_AT)

    main = parcels.merge_orders(actor=cs, orders=[later, first])

    assert main.pk == first.pk
    assert fresh(later).merged_into_id == first.pk
    assert fresh(first).merged_into_id is None
    assert {fresh(o).status for o in (first, later)} == {S.REVIEWED}
    assert list(parcels.merge_candidates(fresh(first))) == []


def test_spaces_and_case_in_the_address_do_not_stop_a_merge_but_another_address_does(shop, cs):
    a = OrderFactory(shop=shop, address="文三路 100 号")
    b = OrderFactory(shop=shop, address="文三路100号")
    c = OrderFactory(shop=shop, address="文二路 5 号")
    assert parcels.merge_orders(actor=cs, orders=[a, b]).pk in (a.pk, b.pk)
    with pytest.raises(OrderRuleBroken, match="another buyer, receiver, phone or address"):
        parcels.merge_orders(actor=cs, orders=[a, c])
    assert fresh(c).merged_into_id is None


def test_a_picked_order_or_one_held_for_stock_does_not_merge_and_nothing_changes(shop, cs):
    a = OrderFactory(shop=shop, status=S.PAID)
    picking = OrderFactory(shop=shop, status=S.PICKING)
    with pytest.raises(OrderRuleBroken, match="only orders not yet picked merge"):
        parcels.merge_orders(actor=cs, orders=[a, picking])
    held = OrderFactory(
        shop=shop, status=S.ON_HOLD, hold_kind=HoldKind.OUT_OF_STOCK, hold_reason="out", release_to=S.REVIEWED
    )
    with pytest.raises(OrderRuleBroken, match="release it first"):
        parcels.merge_orders(actor=cs, orders=[a, held])
    assert fresh(a).status == S.PAID and fresh(a).merged_into_id is None


def test_the_reviews_merge_suggestion_is_ended_by_merging(shop, cs):
    a = OrderFactory(shop=shop, status=S.PAID)
    b = OrderFactory(
        shop=shop,
        status=S.ON_HOLD,
        hold_kind=HoldKind.REVIEW,
        hold_reason="merge suggested",
        release_to=S.REVIEWED,
        paid_at=PAID_AT + timedelta(minutes=5),
    )
    parcels.merge_orders(actor=cs, orders=[a, b])
    b = fresh(b)
    assert (b.status, b.hold_kind, b.merged_into_id) == (S.REVIEWED, "", a.pk)


def test_merging_gives_back_reservations_so_the_parcel_is_allocated_whole(shop, stocked, cs, warehouse_user):
    tee = stocked("TEE-M", 3)
    a = order_of(shop, (tee, 2))
    b = order_of(shop, (tee, 2), paid_at=PAID_AT + timedelta(minutes=1))
    services.allocate(actor=warehouse_user, order=a)
    assert levels(tee) == (3, 2)

    parcels.merge_orders(actor=cs, orders=[a, b])
    assert levels(tee) == (3, 0)
    services.allocate(actor=warehouse_user, order=fresh(a))

    # 4 wanted, 3 on hand: the whole parcel waits, no unit of it reserved
    a, b = fresh(a), fresh(b)
    assert (a.status, b.status) == (S.ON_HOLD, S.ON_HOLD)
    assert a.hold_kind == b.hold_kind == HoldKind.OUT_OF_STOCK
    assert f"(with order {a.platform_order_no})" in b.hold_reason
    assert levels(tee) == (3, 0)
    assert stock.check_ledger() == []


def test_the_main_orders_steps_carry_the_merged_ones_to_one_tracking_number(shop, stocked, cs, warehouse_user, wh):
    tee, cap = stocked("TEE-M", 5), stocked("CAP", 5)
    a = order_of(shop, (tee, 1))
    b = order_of(shop, (cap, 2), paid_at=PAID_AT + timedelta(minutes=1))
    parcels.merge_orders(actor=cs, orders=[a, b])

    with pytest.raises(InvalidTransition, match=f"act on order {a.platform_order_no}"):
        services.allocate(actor=warehouse_user, order=b)
    services.allocate(actor=warehouse_user, order=a)
    assert levels(tee) == (5, 1) and levels(cap) == (5, 2)
    assert waves.waiting_order_ids(wh) == {wh.pk: [a.pk]}

    wave = waves.create_wave(actor=warehouse_user, warehouse=wh)
    assert set(WaveOrder.objects.filter(wave=wave).values_list("order_id", flat=True)) == {a.pk, b.pk}
    assert [o.pk for o in waves.wave_orders(wave)] == [a.pk]
    assert fresh(b).status == S.PICKING
    assert {line.sku.code: line.quantity for line in waves.pick_list(wave)} == {"TEE-M": 1, "CAP": 2}

    # the packing screen checks the parcel: the main order's line and the merged order's
    state = packing.pack_state(fresh(a))
    assert sorted(pl.line.sku.code for pl in state.lines) == ["CAP", "TEE-M"]
    with pytest.raises(InvalidTransition):
        packing.pack_scan(actor=warehouse_user, order=fresh(b), code="CAP")
    for code in ("TEE-M", "CAP", "CAP"):
        state = packing.pack_scan(actor=warehouse_user, order=fresh(a), code=code)
    assert state.complete and fresh(b).status == S.PACKED

    packing.ship_order(actor=warehouse_user, order=fresh(a), carrier="中通", tracking_no="ZT100")
    a, b = fresh(a), fresh(b)
    assert (a.status, b.status) == (S.SHIPPED, S.SHIPPED)
    assert a.tracking_no == b.tracking_no == "ZT100"
    assert levels(tee) == (4, 0) and levels(cap) == (3, 0)
    assert stock.check_ledger() == []


def test_cancelling_the_main_order_hands_the_parcel_to_the_next(shop, stocked, cs, warehouse_user):
    tee = stocked("TEE-M", 5)
    a = order_of(shop, (tee, 1))
    b = order_of(shop, (tee, 1), paid_at=PAID_AT + timedelta(minutes=1))
    c = order_of(shop, (tee, 1), paid_at=PAID_AT + timedelta(minutes=2))
    parcels.merge_orders(actor=cs, orders=[a, b, c])
    services.allocate(actor=warehouse_user, order=a)

    services.cancel(actor=cs, order=fresh(a), reason="buyer asked")

    a, b, c = fresh(a), fresh(b), fresh(c)
    assert a.status == S.CANCELLED and a.merged_into_id is None
    assert b.merged_into_id is None and c.merged_into_id == b.pk
    assert levels(tee) == (5, 2)  # a's unit back, b's and c's still reserved
    services.hold(actor=cs, order=b, reason="address check")
    assert fresh(c).status == S.ON_HOLD
    assert stock.check_ledger() == []


def test_an_order_the_platform_closes_leaves_its_parcel(shop, stocked, cs, warehouse_user, system):
    tee = stocked("TEE-M", 5)
    a = order_of(shop, (tee, 1))
    b = order_of(shop, (tee, 1), paid_at=PAID_AT + timedelta(minutes=1))
    parcels.merge_orders(actor=cs, orders=[a, b])
    services.allocate(actor=warehouse_user, order=a)

    b = fresh(b)
    b.platform_status = PlatformStatus.CLOSED
    events = services.follow_platform(actor=system, order=b, lines=list(b.lines.all()), at=PAID_AT)
    services.save_changes(b, events)

    b = fresh(b)
    assert (b.status, b.merged_into_id) == (S.CANCELLED, None)
    assert levels(tee) == (5, 1)
    services.ship(actor=warehouse_user, order=fresh(a), carrier="中通", tracking_no="ZT1")
    assert fresh(b).status == S.CANCELLED
    assert stock.check_ledger() == []


def test_unmerge_lets_each_order_ship_on_its_own(shop, cs, warehouse_user, stocked):
    tee = stocked("TEE-M", 5)
    a = order_of(shop, (tee, 1))
    b = order_of(shop, (tee, 1), paid_at=PAID_AT + timedelta(minutes=1))
    parcels.merge_orders(actor=cs, orders=[a, b])

    parcels.unmerge(actor=cs, order=fresh(b))

    assert fresh(b).merged_into_id is None
    services.allocate(actor=warehouse_user, order=fresh(b))
    assert fresh(b).status == S.ALLOCATED and fresh(a).status == S.REVIEWED
    with pytest.raises(OrderRuleBroken, match="not merged"):
        parcels.unmerge(actor=cs, order=fresh(a))


def test_merging_needs_the_review_capability(shop, warehouse_user):
    a, b = OrderFactory(shop=shop), OrderFactory(shop=shop)
    with pytest.raises(PermissionDeniedError):
        parcels.merge_orders(actor=warehouse_user, orders=[a, b])


def test_one_order_alone_is_not_a_merge(shop, cs):
    with pytest.raises(OrderRuleBroken, match="at least two"):
        parcels.merge_orders(actor=cs, orders=[OrderFactory(shop=shop)])


# ----- pages and API --------------------------------------------------------------------------------------------


def test_the_order_page_offers_the_buyers_other_orders_and_merges_the_ticked_ones(client, shop, users):
    from zhanggui.core.tests.pages import login

    a = OrderFactory(shop=shop, platform_order_no="A-1")
    b = OrderFactory(shop=shop, platform_order_no="B-2", paid_at=PAID_AT + timedelta(minutes=3))
    OrderFactory(shop=shop, platform_order_no="OTHER", buyer_nick="tb_someone_else")
    login(client, users["service"], language="en")

    page = client.get(f"/orders/{b.pk}/").content.decode()
    assert 'id="merge-form"' in page and "A-1" in page and "OTHER" not in page

    response = client.post(f"/orders/{b.pk}/merge/", {"with": [a.pk]}, follow=True)
    assert response.redirect_chain[-1][0] == f"/orders/{a.pk}/"
    assert "Orders B-2, A-1 ship in one parcel under order A-1." in response.content.decode()
    page = client.get(f"/orders/{b.pk}/").content.decode()
    assert "This order ships in one parcel with order A-1" in page
    assert 'id="allocate-button"' not in page and 'id="review-button"' not in page

    client.post(f"/orders/{b.pk}/unmerge/")
    assert fresh(b).merged_into_id is None


def test_the_warehouse_sees_the_parcel_but_may_not_merge(client, shop, users):
    from zhanggui.core.tests.pages import login

    a = OrderFactory(shop=shop)
    b = OrderFactory(shop=shop)
    login(client, users["warehouse"], language="en")
    assert 'id="merge-form"' not in client.get(f"/orders/{a.pk}/").content.decode()
    assert client.post(f"/orders/{a.pk}/merge/", {"with": [b.pk]}).status_code == 403
    assert fresh(b).merged_into_id is None


def test_batch_merge_is_one_decision_all_or_none(client, shop, users):
    from zhanggui.core.tests.pages import login

    a, b = OrderFactory(shop=shop, platform_order_no="A-1"), OrderFactory(shop=shop, platform_order_no="B-2")
    far = OrderFactory(shop=shop, platform_order_no="FAR", address="北京路 1 号")
    login(client, users["service"], language="en")
    response = client.post("/orders/batch/", {"action": "merge", "ids": [a.pk, b.pk, far.pk]}, follow=True)
    text = " ".join(str(m) for m in response.context["messages"])
    assert "another buyer, receiver, phone or address" in text
    assert not Order.objects.filter(merged_into__isnull=False).exists()
    response = client.post("/orders/batch/", {"action": "merge", "ids": [a.pk, b.pk]}, follow=True)
    assert "Merge into one parcel: 2 done. They ship in one parcel under order A-1." in " ".join(
        str(m) for m in response.context["messages"]
    )


def test_the_api_merges_and_unmerges(shop, users):
    from zhanggui.orders.tests.test_api import client_for, post

    a, b = OrderFactory(shop=shop), OrderFactory(shop=shop, paid_at=PAID_AT + timedelta(minutes=1))
    api = client_for(users["service"])
    body = post(api, "/api/v1/orders/merge?lang=en", {"orders": [b.pk, a.pk]}).json()
    assert body["id"] == a.pk and body["status"] == "reviewed"
    assert api.get(f"/api/v1/orders/{b.pk}").json()["merged_into_id"] == a.pk
    refused = post(api, "/api/v1/orders/merge?lang=en", {"orders": [OrderFactory(shop=shop).pk]})
    assert refused.status_code in (400, 409, 422) and "at least two" in refused.json()["message"]
    assert post(api, f"/api/v1/orders/{b.pk}/unmerge", {}).status_code == 200
    assert fresh(b).merged_into_id is None
    assert post(client_for(users["warehouse"]), "/api/v1/orders/merge", {"orders": [a.pk, b.pk]}).status_code == 403


# ----- 拆单: some lines now, the rest later ----------------------------------------------------------------------


def test_a_split_ships_some_lines_now_and_the_rest_later_each_with_its_own_stock(shop, stocked, cs, warehouse_user, wh):
    tee, cap = stocked("TEE-M", 5), stocked("CAP", 0)
    order = order_of(shop, (tee, 2), (cap, 1))
    services.allocate(actor=warehouse_user, order=order)
    assert fresh(order).status == S.ON_HOLD  # CAP is out of stock: the whole order waits
    services.release_hold(actor=cs, order=fresh(order))

    cap_line = fresh(order).lines.get(sku=cap)
    part = parcels.split_order(actor=cs, order=fresh(order), line_ids=[cap_line.pk])

    assert part.platform_order_no == f"{order.platform_order_no}-2"
    assert (part.status, part.split_from_id, part.paid_total) == (S.REVIEWED, order.pk, 0)
    assert [line.sku_id for line in services.fulfilment_lines(fresh(order))] == [tee.pk]
    assert [line.sku_id for line in services.fulfilment_lines(part)] == [cap.pk]

    services.allocate(actor=warehouse_user, order=fresh(order))
    services.ship(actor=warehouse_user, order=fresh(order), carrier="中通", tracking_no="ZT1")
    assert levels(tee) == (3, 0)
    services.allocate(actor=warehouse_user, order=part)
    assert fresh(part).hold_kind == HoldKind.OUT_OF_STOCK  # still none: the part waits, the order has shipped

    receive(cap, wh, 1)
    services.release_hold(actor=cs, order=fresh(part))
    services.allocate(actor=warehouse_user, order=fresh(part))
    services.ship(actor=warehouse_user, order=fresh(part), carrier="中通", tracking_no="ZT2")
    assert levels(cap) == (0, 0)
    assert {fresh(order).tracking_no, fresh(part).tracking_no} == {"ZT1", "ZT2"}
    assert stock.check_ledger() == []


def test_an_allocated_order_keeps_the_units_of_the_lines_it_keeps(shop, stocked, cs, warehouse_user):
    tee, cap = stocked("TEE-M", 5), stocked("CAP", 5)
    order = order_of(shop, (tee, 2), (cap, 1))
    services.allocate(actor=warehouse_user, order=order)
    part = parcels.split_order(actor=cs, order=fresh(order), line_ids=[fresh(order).lines.get(sku=cap).pk])
    assert fresh(order).status == S.ALLOCATED
    assert levels(tee) == (5, 2) and levels(cap) == (5, 0)
    assert fresh(part).stock_reserved is False
    assert stock.check_ledger() == []


def test_a_split_keeps_a_line_and_takes_a_line(shop, stocked, cs):
    tee = stocked("TEE-M", 5)
    order = order_of(shop, (tee, 1), (tee, 1))
    with pytest.raises(OrderRuleBroken, match="Tick the lines"):
        parcels.split_order(actor=cs, order=order, line_ids=[])
    with pytest.raises(OrderRuleBroken, match="Keep at least one line"):
        parcels.split_order(actor=cs, order=order, line_ids=list(order.lines.values_list("pk", flat=True)))
    picking = order_of(shop, (tee, 1), (tee, 1), status=S.PICKING)
    with pytest.raises(OrderRuleBroken, match="only an order not yet picked is split"):
        parcels.split_order(actor=cs, order=picking, line_ids=[picking.lines.first().pk])


def test_a_part_is_not_cancelled_alone_but_joins_back(shop, stocked, cs, warehouse_user):
    tee, cap = stocked("TEE-M", 5), stocked("CAP", 5)
    order = order_of(shop, (tee, 1), (cap, 1))
    services.allocate(actor=warehouse_user, order=order)
    part = parcels.split_order(actor=cs, order=fresh(order), line_ids=[fresh(order).lines.get(sku=cap).pk])
    services.allocate(actor=warehouse_user, order=part)
    assert levels(cap) == (5, 1)
    with pytest.raises(OrderRuleBroken, match="join it back"):
        services.cancel(actor=cs, order=fresh(part), reason="x")

    parcels.join_part(actor=cs, part=fresh(part))

    order, part = fresh(order), fresh(part)
    assert part.status == S.CANCELLED
    assert order.status == S.ALLOCATED
    assert sorted(line.sku.code for line in services.fulfilment_lines(order)) == ["CAP", "TEE-M"]
    assert levels(tee) == (5, 1) and levels(cap) == (5, 1)  # reserved again, once, under the order
    assert stock.check_ledger() == []


def test_cancelling_a_split_order_cancels_its_open_parts(shop, stocked, cs, warehouse_user):
    tee, cap = stocked("TEE-M", 5), stocked("CAP", 5)
    order = order_of(shop, (tee, 1), (cap, 1))
    part = parcels.split_order(actor=cs, order=order, line_ids=[order.lines.get(sku=cap).pk])
    services.allocate(actor=warehouse_user, order=part)
    services.cancel(actor=cs, order=fresh(order), reason="buyer asked")
    assert fresh(part).status == S.CANCELLED
    assert levels(cap) == (5, 0)
    assert stock.check_ledger() == []


def test_the_platform_shipping_a_split_order_ships_its_parts(shop, stocked, cs, warehouse_user, system):
    tee, cap = stocked("TEE-M", 5), stocked("CAP", 5)
    order = order_of(shop, (tee, 1), (cap, 2))
    part = parcels.split_order(actor=cs, order=order, line_ids=[order.lines.get(sku=cap).pk])
    services.allocate(actor=warehouse_user, order=part)

    order = fresh(order)
    order.platform_status = PlatformStatus.SHIPPED
    events = services.follow_platform(actor=system, order=order, lines=list(order.lines.all()), at=PAID_AT)
    services.save_changes(order, events)

    assert fresh(order).status == S.SHIPPED and fresh(part).status == S.SHIPPED
    assert levels(tee) == (4, 0) and levels(cap) == (3, 0)  # each line issued once
    assert stock.check_ledger() == []


def test_the_order_page_splits_the_ticked_lines_and_the_part_joins_back(client, shop, stocked, users):
    from zhanggui.core.tests.pages import login

    tee, cap = stocked("TEE-M", 5), stocked("CAP", 5)
    order = order_of(shop, (tee, 1), (cap, 1), platform_order_no="P-100")
    login(client, users["service"], language="en")
    assert 'id="split-form"' in client.get(f"/orders/{order.pk}/").content.decode()

    cap_line = order.lines.get(sku=cap)
    response = client.post(f"/orders/{order.pk}/split/", {"line": [cap_line.pk]}, follow=True)
    assert "The ticked lines ship later as P-100-2; order P-100 ships the rest." in response.content.decode()
    part = Order.objects.get(platform_order_no="P-100-2")
    page = client.get(f"/orders/{part.pk}/").content.decode()
    assert "A part of order P-100" in page and "CAP" in page and "TEE-M" not in page
    assert "ships in" in client.get(f"/orders/{order.pk}/").content.decode()

    client.post(f"/orders/{part.pk}/join/")
    assert fresh(part).status == S.CANCELLED
    assert fresh(order).lines.filter(ships_in__isnull=False).count() == 0


def test_the_api_splits_and_joins(shop, stocked, users):
    from zhanggui.orders.tests.test_api import client_for, post

    tee, cap = stocked("TEE-M", 5), stocked("CAP", 5)
    order = order_of(shop, (tee, 1), (cap, 1))
    api = client_for(users["service"])
    cap_line = order.lines.get(sku=cap)
    body = post(api, f"/api/v1/orders/{order.pk}/split?lang=en", {"lines": [cap_line.pk]}).json()
    assert body["split_from_id"] == order.pk and [line["sku_code"] for line in body["lines"]] == ["CAP"]
    whole = api.get(f"/api/v1/orders/{order.pk}").json()
    assert {line["sku_code"]: line["ships_in_id"] for line in whole["lines"]} == {"TEE-M": None, "CAP": body["id"]}
    assert post(api, f"/api/v1/orders/{body['id']}/join", {}).json()["id"] == order.pk
    assert post(client_for(users["warehouse"]), f"/api/v1/orders/{order.pk}/split", {"lines": [1]}).status_code == 403


def test_the_export_leaves_parts_out_and_bulk_ship_names_the_platform_order(shop, stocked, cs, warehouse_user):
    from zhanggui.orders import exports

    tee, cap = stocked("TEE-M", 5), stocked("CAP", 5)
    order = order_of(shop, (tee, 1), (cap, 1), platform_order_no="P-7")
    part = parcels.split_order(actor=cs, order=order, line_ids=[order.lines.get(sku=cap).pk])
    assert [o.platform_order_no for o in exports.orders_to_export(shop=shop)] == ["P-7"]
    services.allocate(actor=warehouse_user, order=part)
    services.ship(actor=warehouse_user, order=fresh(part), carrier="中通", tracking_no="ZT9")
    day = timezone.localdate(fresh(part).shipped_at)
    shipments = packing.tracking_shipments(platform=order.platform, day=day)
    assert [(s.order_no, s.tracking_no) for s in shipments] == [("P-7", "ZT9")]


def test_a_wave_picks_a_parts_lines_once_under_the_part(shop, stocked, cs, warehouse_user, wh):
    tee, cap = stocked("TEE-M", 5), stocked("CAP", 5)
    order = order_of(shop, (tee, 1), (cap, 2))
    part = parcels.split_order(actor=cs, order=order, line_ids=[order.lines.get(sku=cap).pk])
    services.allocate(actor=warehouse_user, order=part)  # the part is ready, the order is not

    wave = waves.create_wave(actor=warehouse_user, warehouse=wh)

    assert {line.sku.code: line.quantity for line in waves.pick_list(wave)} == {"CAP": 2}
    (listed,) = waves.wave_orders(wave)
    assert listed.pk == part.pk and [(line.sku_code, line.quantity) for line in listed.parcel_lines] == [("CAP", 2)]
    state = packing.pack_state(fresh(part))
    assert [(pl.line.sku_code, pl.wanted) for pl in state.lines] == [("CAP", 2)]


def test_a_part_is_no_merge_candidate_and_does_not_merge(shop, stocked, cs):
    tee, cap = stocked("TEE-M", 5), stocked("CAP", 5)
    order = order_of(shop, (tee, 1), (cap, 1))
    other = OrderFactory(shop=shop)
    part = parcels.split_order(actor=cs, order=order, line_ids=[order.lines.get(sku=cap).pk])
    assert part not in parcels.merge_candidates(fresh(order))
    assert part not in parcels.merge_candidates(other)
    with pytest.raises(OrderRuleBroken, match="is a part of another order: join it back instead"):
        parcels.merge_orders(actor=cs, orders=[other, part])


def test_a_part_that_goes_back_before_packing_starts_its_next_wave_with_no_scans(shop, stocked, cs, warehouse_user, wh):
    tee, cap = stocked("TEE-M", 5), stocked("CAP", 5)
    order = order_of(shop, (tee, 1), (cap, 2))
    part = parcels.split_order(actor=cs, order=order, line_ids=[order.lines.get(sku=cap).pk])
    services.allocate(actor=warehouse_user, order=part)
    waves.create_wave(actor=warehouse_user, warehouse=wh)
    packing.pack_scan(actor=warehouse_user, order=fresh(part), code="CAP")
    assert [pl.scanned for pl in packing.pack_state(fresh(part)).lines] == [1]

    # Back to allocated before it was packed (as an order whose stock went back while held comes back), out
    # of its wave: the next wave takes it afresh.
    WaveOrder.objects.filter(order=part).delete()
    Order.objects.filter(pk=part.pk).update(status=S.ALLOCATED)
    waves.create_wave(actor=warehouse_user, warehouse=wh)

    assert [pl.scanned for pl in packing.pack_state(fresh(part)).lines] == [0]


def test_a_part_trips_no_merge_suggestion_and_is_none_for_the_buyers_other_orders(shop, stocked, cs):
    from zhanggui.orders import review

    tee, cap = stocked("TEE-M", 5), stocked("CAP", 5)
    order = order_of(shop, (tee, 1), (cap, 1))
    part = parcels.split_order(actor=cs, order=order, line_ids=[order.lines.get(sku=cap).pk])
    settings = None  # the rule reads no setting
    assert review.same_buyer_open(fresh(part), list(fresh(part).lines.all()), settings) is None
    assert review.same_buyer_open(fresh(order), list(fresh(order).lines.all()), settings) is None
