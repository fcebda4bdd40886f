"""审单: each rule of the automatic review with the reason a person reads, each rule switched off per shop, the
wait after payment, and what a held order does when a person releases it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.core.services import system_user
from zhanggui.orders import review, services
from zhanggui.orders.models import HoldKind, Order, OrderEvent, OrderSettings, OrderStatus
from zhanggui.orders.tests.factories import PAID_AT, OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db

S = OrderStatus
AFTER_WAIT = PAID_AT + timedelta(minutes=30)  # the default wait is 30 minutes
IN_WAIT = PAID_AT + timedelta(minutes=29)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def tee(stocked):
    return stocked("TEE-M", 10)


@pytest.fixture
def make(shop, tee):
    """make(**fields): a paid order of the shop (one TEE-M unless `lines` says otherwise) that trips no rule."""

    def build(lines=((None, 1),), **fields) -> Order:
        order = OrderFactory(shop=shop, **fields)
        for sku, quantity in lines:
            OrderLineFactory(order=order, sku=sku or tee, quantity=quantity)
        return order

    return build


def reviewed(order: Order, now=AFTER_WAIT) -> tuple[review.Outcome, Order]:
    outcome = review.review_order(order.pk, now=now)
    return outcome, Order.objects.get(pk=order.pk)


def shop_settings(shop, **fields) -> OrderSettings:
    return OrderSettings.objects.create(shop=shop, **fields)


# ----- passing by itself ---------------------------------------------------------------------------------


def test_an_order_that_trips_nothing_passes_once_its_wait_is_over(make):
    order = make()
    outcome, order = reviewed(order)
    assert outcome == review.Outcome(review.PASSED)
    assert order.status == S.REVIEWED
    event = OrderEvent.objects.filter(order=order).get()
    assert (event.from_status, event.to_status, event.reason) == (S.PAID, S.REVIEWED, "passed the automatic review")
    assert event.actor == system_user()


def test_within_its_wait_an_order_that_trips_nothing_waits(make):
    order = make()
    outcome, order = reviewed(order, now=IN_WAIT)
    assert outcome.result == review.WAITING
    assert order.status == S.PAID
    assert not OrderEvent.objects.filter(order=order).exists()


def test_the_wait_is_the_shops_own(shop, make):
    shop_settings(shop, review_wait_minutes=5)
    order = make()
    assert review.review_order(order.pk, now=PAID_AT + timedelta(minutes=4)).result == review.WAITING
    assert review.review_order(order.pk, now=PAID_AT + timedelta(minutes=5)).result == review.PASSED


def test_an_order_without_a_payment_time_waits_from_its_import(make):
    order = make(paid_at=None)
    Order.objects.filter(pk=order.pk).update(imported_at=PAID_AT)
    assert review.review_order(order.pk, now=IN_WAIT).result == review.WAITING
    assert review.review_order(order.pk, now=AFTER_WAIT).result == review.PASSED


@pytest.mark.parametrize("status", [S.UNPAID, S.REVIEWED, S.ALLOCATED, S.ON_HOLD, S.SHIPPED, S.CANCELLED])
def test_only_paid_orders_are_reviewed(make, status):
    order = make(status=status, address="")
    outcome, after = reviewed(order)
    assert outcome.result == review.SKIPPED
    assert after.status == status
    assert not OrderEvent.objects.filter(order=order).exists()


# ----- each rule -----------------------------------------------------------------------------------------


def held(order: Order, now=AFTER_WAIT) -> Order:
    outcome, order = reviewed(order, now=now)
    assert outcome.result == review.HELD
    assert order.status == S.ON_HOLD
    assert order.release_to == S.REVIEWED
    assert outcome.reason == order.hold_reason
    return order


def test_an_incomplete_address_holds_the_order_naming_what_is_missing(make):
    order = held(make(address="", city=" "))
    assert order.hold_kind == HoldKind.REVIEW
    assert order.hold_reason == "incomplete address: no city, address"
    event = OrderEvent.objects.filter(order=order).get()
    assert (event.from_status, event.to_status, event.reason) == (S.PAID, S.ON_HOLD, order.hold_reason)
    assert event.actor == system_user()


def test_a_phone_number_too_short_to_call_is_an_incomplete_address(make):
    assert held(make(receiver_phone="12-34")).hold_reason == "incomplete address: no receiver's phone"


def test_a_rule_holds_at_once_without_waiting(make):
    """A person has to look anyway: the hold shows up while the order still waits."""
    assert held(make(receiver_name=""), now=PAID_AT).hold_reason == "incomplete address: no receiver"


def test_a_buyers_or_sellers_note_holds_the_order_quoting_it(make):
    order = held(make(buyer_note="请发顺丰，周末不在家", seller_note="送小样"))
    assert order.hold_reason == "buyer's note: 请发顺丰，周末不在家; seller's note: 送小样"


def test_a_long_note_is_quoted_short(make):
    order = held(make(buyer_note="很长" * 40))
    assert order.hold_reason == "buyer's note: " + ("很长" * 40)[:39] + "…"


def test_an_amount_above_the_shops_limit_holds_the_order(shop, make):
    shop_settings(shop, amount_limit=Decimal("500.00"))
    assert held(make(paid_total=Decimal("500.01"))).hold_reason == "paid ¥500.01, above the review limit of ¥500.00"


def test_an_amount_at_the_limit_passes(shop, make):
    shop_settings(shop, amount_limit=Decimal("500.00"))
    assert reviewed(make(paid_total=Decimal("500.00")))[0].result == review.PASSED


def test_the_same_buyer_with_another_open_order_is_held_with_a_merge_suggested(make):
    first = make(platform_order_no="T1001")
    second = make(platform_order_no="T1002")
    assert held(second).hold_reason == "merge suggested: order T1001 of the same buyer is open"
    # The first, reviewed later, names the second (now on hold, still open).
    assert held(first).hold_reason == "merge suggested: order T1002 of the same buyer is open"


def test_a_buyers_shipped_or_cancelled_orders_suggest_no_merge(make):
    make(status=S.SHIPPED)
    make(status=S.CANCELLED)
    make(status=S.PICKING)
    make(buyer_nick="someone_else")
    assert reviewed(make())[0].result == review.PASSED


def test_without_a_buyer_nick_the_receiver_names_the_buyer(make):
    make(platform_order_no="P1", buyer_nick="")
    order = held(make(platform_order_no="P2", buyer_nick=""))
    assert order.hold_reason == "merge suggested: order P1 of the same buyer is open"


def test_another_shops_order_of_the_same_nick_suggests_no_merge(make, tee):
    OrderFactory(shop=ShopFactory(code="jd01"))
    assert reviewed(make())[0].result == review.PASSED


def test_a_line_out_of_stock_holds_the_order_for_the_buyer_to_be_contacted(make, stocked, tee):
    cap = stocked("CAP", 1)
    order = held(make(lines=((tee, 2), (cap, 2), (cap, 1))))
    assert order.hold_kind == HoldKind.OUT_OF_STOCK
    assert order.hold_reason == "out of stock: SKU CAP: 3 wanted, 1 available; contact the buyer"
    assert not order.stock_reserved


def test_stock_reserved_by_other_orders_is_not_available(make, tee):
    services.allocate(actor=system_user(), order=make(buyer_nick="other", lines=((tee, 9),)))
    assert (
        held(make(lines=((tee, 2),))).hold_reason == "out of stock: SKU TEE-M: 2 wanted, 1 available; contact the buyer"
    )


def test_every_reason_is_written_out_of_stock_first(make, tee):
    order = held(make(address="", buyer_note="急", lines=((tee, 11),)))
    assert order.hold_kind == HoldKind.OUT_OF_STOCK
    assert order.hold_reason == (
        "out of stock: SKU TEE-M: 11 wanted, 10 available; contact the buyer; "
        "incomplete address: no address; buyer's note: 急"
    )


# ----- switched off per shop -----------------------------------------------------------------------------

TRIPS = {
    "check_address": {"address": ""},
    "check_notes": {"buyer_note": "请发顺丰"},
    "check_amount": {"paid_total": Decimal("99999.00")},
    "check_stock": {"quantity": 50},
    "check_duplicates": {"twice": True},
}


@pytest.mark.parametrize("setting", sorted(TRIPS))
def test_a_rule_the_shop_switched_off_holds_nothing(shop, make, tee, setting):
    fields = dict(TRIPS[setting])
    if fields.pop("twice", False):
        make()
    quantity = fields.pop("quantity", 1)
    order = make(lines=((tee, quantity),), **fields)
    assert review.findings(order, list(order.lines.all()), shop_settings(shop, **{setting: True}))
    OrderSettings.objects.filter(shop=shop).update(**{setting: False})
    outcome, order = reviewed(order)
    assert outcome.result == review.PASSED
    assert order.status == S.REVIEWED


def test_a_shop_without_settings_has_every_rule_on(shop):
    defaults = OrderSettings(shop=shop)
    assert all(getattr(defaults, rule.setting) for rule in review.RULES)


# ----- after the hold ------------------------------------------------------------------------------------


def test_a_person_releasing_a_review_hold_has_reviewed_the_order(make, manager):
    order = held(make(buyer_note="请发顺丰"))
    order = services.release_hold(actor=manager, order=order)
    assert order.status == S.REVIEWED
    assert review.sweep(now=AFTER_WAIT + timedelta(hours=1))[review.HELD] == 0
    assert Order.objects.get(pk=order.pk).status == S.REVIEWED


# ----- the sweep -----------------------------------------------------------------------------------------


def test_the_sweep_reviews_the_orders_past_each_shops_wait(shop, make, tee):
    other = ShopFactory(code="jd01")
    OrderSettings.objects.create(shop=other, review_wait_minutes=120)
    ready = make(platform_order_no="A", buyer_nick="a")
    held_one = make(platform_order_no="B", buyer_nick="b", address="")
    make(platform_order_no="C", buyer_nick="c", paid_at=AFTER_WAIT)
    slow_shop = OrderFactory(shop=other, platform_order_no="D", buyer_nick="d")
    OrderLineFactory(order=slow_shop, sku=tee)

    assert review.due_for_review(now=AFTER_WAIT) == [ready.pk, held_one.pk]
    counts = review.sweep(now=AFTER_WAIT)
    assert counts == {"held": 1, "passed": 1, "waiting": 0, "skipped": 0, "failed": 0, "presale_released": 0}
    statuses = dict(Order.objects.values_list("platform_order_no", "status"))
    assert statuses == {"A": S.REVIEWED, "B": S.ON_HOLD, "C": S.PAID, "D": S.PAID}
    assert review.sweep(now=PAID_AT + timedelta(minutes=60))["passed"] == 1  # C, paid 30 minutes later
    assert review.sweep(now=PAID_AT + timedelta(minutes=120))["passed"] == 1  # D, its shop's wait over
    assert Order.objects.filter(status=S.PAID).count() == 0


def test_one_order_failing_does_not_stop_the_sweep(make, monkeypatch):
    first, second = make(buyer_nick="a"), make(buyer_nick="b")
    real = review.review_order

    def flaky(order_id, **kwargs):
        if order_id == first.pk:
            raise RuntimeError("boom")
        return real(order_id, **kwargs)

    monkeypatch.setattr(review, "review_order", flaky)
    assert review.sweep(now=AFTER_WAIT)["failed"] == 1
    assert Order.objects.get(pk=second.pk).status == S.REVIEWED
    assert Order.objects.get(pk=first.pk).status == S.PAID


# ----- presale (预售) --------------------------------------------------------------------------------------


def test_a_presale_order_waits_on_hold_until_its_promise_window_opens(make):
    ship_by = PAID_AT + timedelta(days=10)
    order = make(ship_by=ship_by)

    outcome, order = reviewed(order)

    assert outcome.result == review.HELD
    assert (order.status, order.hold_kind, order.release_to) == (S.ON_HOLD, HoldKind.PRESALE, S.PAID)
    assert order.hold_until == ship_by - timedelta(hours=24)  # the default promise: 24 hours
    assert order.hold_reason.startswith("presale: ships by ")

    # the sweep before the window leaves it; at the window it goes back to paid and is reviewed
    assert review.sweep(now=order.hold_until - timedelta(minutes=1))["presale_released"] == 0
    counts = review.sweep(now=order.hold_until)
    order = Order.objects.get(pk=order.pk)
    assert counts["presale_released"] == 1
    assert order.status == S.REVIEWED


def test_an_order_due_within_the_promise_is_no_presale(make):
    outcome, order = reviewed(make(ship_by=PAID_AT + timedelta(hours=20)))
    assert outcome.result == review.PASSED and order.hold_kind == ""


def test_a_person_may_release_a_presale_order_early(make, manager):
    _outcome, order = reviewed(make(ship_by=PAID_AT + timedelta(days=10)))
    order = services.release_hold(actor=manager, order=order, reason="buyer asked to ship now")
    assert order.status == S.PAID
    outcome, order = reviewed(order)
    assert outcome.result == review.PASSED  # not held for its presale a second time
