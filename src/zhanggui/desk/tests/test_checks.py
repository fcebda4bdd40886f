"""The system's checks on hand-made data: each passes, and fails on purpose, with its evidence and links."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from zhanggui.aftersales.models import CaseStatus
from zhanggui.aftersales.tests.factories import CaseFactory
from zhanggui.catalog.tests.factories import ShopFactory, SkuFactory
from zhanggui.core.services import system_user
from zhanggui.desk import checks, services
from zhanggui.desk.models import CheckKey, DayCheck, Outcome, Place, ShownPrice
from zhanggui.inventory.tests.factories import WarehouseFactory
from zhanggui.orders.models import HoldKind, OrderStatus, WaveCutoff
from zhanggui.orders.tests.factories import OrderFactory
from zhanggui.promotions.models import Promotion, PromotionState

pytestmark = pytest.mark.django_db


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=timezone.get_current_timezone())


NOW = at(10, 9)  # 10 March, 09:00: yesterday's last cut-off is 9 March 15:00 (the default 11:00 and 15:00)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def shop():
    return ShopFactory(code="tm")


def order(shop, paid, ship_by, status=OrderStatus.PAID, **extra):
    return OrderFactory(shop=shop, paid_at=paid, ship_by=ship_by, status=status, **extra)


def test_orders_paid_before_yesterdays_cutoff_or_past_their_promise_fail_the_check(shop):
    late = order(shop, at(9, 14), at(10, 14))  # paid before 15:00 yesterday: should be out
    short = order(shop, at(9, 16, 30), at(10, 8))  # paid after, but its promise (08:00) is past
    order(shop, at(9, 16), at(10, 16))  # paid after the cut-off, promise still ahead
    order(shop, at(9, 10), at(10, 10), status=OrderStatus.SHIPPED)
    order(shop, at(9, 10), at(10, 10), status=OrderStatus.CANCELLED)
    order(ShopFactory(), at(9, 10), at(10, 10))  # another shop's
    presale = order(shop, at(8, 10), at(20, 10), status=OrderStatus.ON_HOLD)
    presale.hold_kind, presale.hold_until = HoldKind.PRESALE, at(19, 10)
    presale.save()
    found = checks.orders_shipped(shop, NOW)
    assert not found.passed
    assert found.summary == "2 orders paid before 03-09 15:00 or past their promise have not shipped."
    assert [e["url"] for e in found.evidence] == [f"/orders/{short.pk}/", f"/orders/{late.pk}/"]  # by ship_by
    assert found.evidence[1]["text"] == (
        f"Order {late.platform_order_no} paid 03-09 14:00, ship by 03-10 14:00, still Paid"
    )
    OrderFactory._meta.model.objects.filter(pk__in=[late.pk, short.pk]).update(status=OrderStatus.SHIPPED)
    found = checks.orders_shipped(shop, NOW)
    assert found.passed and found.evidence == []
    assert found.summary == "Everything paid before 03-09 15:00 has shipped; nothing is past its promise."


def test_a_later_wave_cutoff_moves_the_line(shop):
    order(shop, at(9, 16), at(10, 16))
    assert checks.orders_shipped(shop, NOW).passed
    WaveCutoff.objects.create(warehouse=WarehouseFactory(), time=time(17, 0))
    found = checks.orders_shipped(shop, NOW)
    assert not found.passed and "before 03-09 17:00" in found.summary


def test_cases_within_12_hours_of_their_deadline_or_past_it_fail(shop):
    CaseFactory(order__shop=shop, deadline=NOW + timedelta(hours=13))  # 13 h left: fine
    CaseFactory(order__shop=shop, deadline=NOW + timedelta(hours=1), status=CaseStatus.CLOSED)  # closed
    assert checks.cases_deadline(shop, NOW).passed
    near = CaseFactory(order__shop=shop, deadline=NOW + timedelta(hours=11, minutes=59))
    past = CaseFactory(order__shop=shop, deadline=NOW - timedelta(hours=1), status=CaseStatus.REJECTED)
    found = checks.cases_deadline(shop, NOW)
    assert not found.passed
    assert found.summary == "2 after-sales cases are within 12 h of their deadline or past it."
    assert [e["url"] for e in found.evidence] == [f"/aftersales/{past.pk}/", f"/aftersales/{near.pk}/"]
    assert found.evidence[0]["text"].endswith("deadline 03-10 08:00, already past")
    assert found.evidence[1]["text"].endswith("deadline 03-10 20:59")


def promotion(shop, code, starts, ends, spec, state=PromotionState.APPROVED):
    return Promotion.objects.create(
        shop=shop,
        code=code,
        name=code,
        kind=spec["kind"],
        spec={"id": code, **spec},
        state=state,
        starts_at=starts,
        ends_at=ends,
        created_by=system_user(),
    )


def shown(shop, **fields):
    return ShownPrice.objects.create(shop=shop, recorded_by=system_user(), **fields)


def test_a_price_on_a_picture_must_be_what_the_engine_charges_now(shop):
    tee = SkuFactory(shop=shop, product__shop=shop, code="TS-M", price=Decimal("99.00"))
    now = timezone.now()
    promotion(shop, "DZ8", now - timedelta(days=1), now + timedelta(days=1), {"kind": "discount", "rate": "8"})
    assert checks.shown_prices(shop, now).summary == "No price shown on a picture is written down for this shop."
    shown(shop, place=Place.MAIN_IMAGE, sku=tee, price=Decimal("79.20"))  # 99.00 × 0.8: right
    found = checks.shown_prices(shop, now)
    assert found.passed and found.summary == "All 1 prices shown are what the engine charges now."
    wrong = shown(shop, place=Place.BANNER, sku=tee, price=Decimal("69.00"))
    found = checks.shown_prices(shop, now)
    assert not found.passed
    assert found.summary == "1 of 2 prices shown differ from what the engine charges now."
    assert found.evidence == [
        {"text": "TS-M on the Banner shows ¥69.00, a buyer pays ¥79.20 now", "url": f"/catalog/skus/{tee.pk}/"}
    ]
    services.take_down(actor=system_user(), shown=wrong)
    assert checks.shown_prices(shop, now).passed


def test_an_ended_promotion_still_shown_fails_until_taken_down(shop):
    now = timezone.now()
    spec = {"kind": "discount", "rate": "9"}
    running = promotion(shop, "NOW", now - timedelta(days=1), now + timedelta(days=1), spec)
    ended = promotion(shop, "OLD", now - timedelta(days=5), now - timedelta(hours=2), spec)
    shown(shop, place=Place.KV, promotion=running)
    assert checks.ended_promotions(shop, now).passed
    banner = shown(shop, place=Place.BANNER, promotion=ended)
    found = checks.ended_promotions(shop, now)
    assert not found.passed and found.summary == "1 ended promotions are still shown."
    assert found.evidence[0]["url"] == f"/promotions/{ended.pk}/"
    assert found.evidence[0]["text"].startswith("OLD OLD ended") and found.evidence[0]["text"].endswith("Banner")
    services.take_down(actor=system_user(), shown=banner)
    assert checks.ended_promotions(shop, now).passed


def test_running_the_checks_answers_todays_automatic_items(shop):
    now = timezone.now()
    order(shop, now - timedelta(days=3), now - timedelta(days=2))  # long overdue
    rows = {row.item.check_key: row for row in services.run_checks(shop=shop, now=now)}
    assert set(rows) == set(CheckKey.values)
    failed = rows[CheckKey.ORDERS_SHIPPED]
    assert (failed.outcome, failed.by_system, failed.checker) == (Outcome.PROBLEM, True, None)
    assert len(failed.evidence) == 1 and failed.checked_at == now
    assert rows[CheckKey.CASES_DEADLINE].outcome == Outcome.DONE
    # Person-ticked items stay open; the day has one row per item of the worksheet.
    assert DayCheck.objects.filter(item__shop=shop, day=timezone.localdate(now)).count() == 19
    assert DayCheck.objects.filter(item__shop=shop, outcome=Outcome.OPEN).count() == 15
