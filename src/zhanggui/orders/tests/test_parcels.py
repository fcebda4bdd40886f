"""合单: a buyer's orders to one address ship in one parcel. Who may merge, what must match, and that the main
order's steps carry the merged ones (one reservation each, one tracking number) with the ledger clean."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import translation

from zhanggui.core.errors import PermissionDeniedError
from zhanggui.inventory import services as stock
from zhanggui.orders import merging, packing, services, waves
from zhanggui.orders.errors import InvalidTransition, OrderRuleBroken
from zhanggui.orders.models import HoldKind, Order, OrderStatus, PlatformStatus, WaveOrder
from zhanggui.orders.tests.factories import PAID_AT, OrderFactory, OrderLineFactory, levels

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

    main = merging.merge_orders(actor=cs, orders=[later, first])

    assert main.pk == first.pk
    assert fresh(later).merged_into_id == first.pk
    assert fresh(first).merged_into_id is None
    assert {fresh(o).status for o in (first, later)} == {S.REVIEWED}
    assert list(merging.merge_candidates(fresh(first))) == []


def test_spaces_and_case_in_the_address_do_not_stop_a_merge_but_another_address_does(shop, cs):
    a = OrderFactory(shop=shop, address="文三路 100 号")
    b = OrderFactory(shop=shop, address="文三路100号")
    c = OrderFactory(shop=shop, address="文二路 5 号")
    assert merging.merge_orders(actor=cs, orders=[a, b]).pk in (a.pk, b.pk)
    with pytest.raises(OrderRuleBroken, match="another buyer, receiver, phone or address"):
        merging.merge_orders(actor=cs, orders=[a, c])
    assert fresh(c).merged_into_id is None


def test_a_picked_order_or_one_held_for_stock_does_not_merge_and_nothing_changes(shop, cs):
    a = OrderFactory(shop=shop, status=S.PAID)
    picking = OrderFactory(shop=shop, status=S.PICKING)
    with pytest.raises(OrderRuleBroken, match="only orders not yet picked merge"):
        merging.merge_orders(actor=cs, orders=[a, picking])
    held = OrderFactory(
        shop=shop, status=S.ON_HOLD, hold_kind=HoldKind.OUT_OF_STOCK, hold_reason="out", release_to=S.REVIEWED
    )
    with pytest.raises(OrderRuleBroken, match="release it first"):
        merging.merge_orders(actor=cs, orders=[a, held])
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
    merging.merge_orders(actor=cs, orders=[a, b])
    b = fresh(b)
    assert (b.status, b.hold_kind, b.merged_into_id) == (S.REVIEWED, "", a.pk)


def test_merging_gives_back_reservations_so_the_parcel_is_allocated_whole(shop, stocked, cs, warehouse_user):
    tee = stocked("TEE-M", 3)
    a = order_of(shop, (tee, 2))
    b = order_of(shop, (tee, 2), paid_at=PAID_AT + timedelta(minutes=1))
    services.allocate(actor=warehouse_user, order=a)
    assert levels(tee) == (3, 2)

    merging.merge_orders(actor=cs, orders=[a, b])
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
    merging.merge_orders(actor=cs, orders=[a, b])

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
    merging.merge_orders(actor=cs, orders=[a, b, c])
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
    merging.merge_orders(actor=cs, orders=[a, b])
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
    merging.merge_orders(actor=cs, orders=[a, b])

    merging.unmerge(actor=cs, order=fresh(b))

    assert fresh(b).merged_into_id is None
    services.allocate(actor=warehouse_user, order=fresh(b))
    assert fresh(b).status == S.ALLOCATED and fresh(a).status == S.REVIEWED
    with pytest.raises(OrderRuleBroken, match="not merged"):
        merging.unmerge(actor=cs, order=fresh(a))


def test_merging_needs_the_review_capability(shop, warehouse_user):
    a, b = OrderFactory(shop=shop), OrderFactory(shop=shop)
    with pytest.raises(PermissionDeniedError):
        merging.merge_orders(actor=warehouse_user, orders=[a, b])


def test_one_order_alone_is_not_a_merge(shop, cs):
    with pytest.raises(OrderRuleBroken, match="at least two"):
        merging.merge_orders(actor=cs, orders=[OrderFactory(shop=shop)])


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
