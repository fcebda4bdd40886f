"""The activity calendar (docs/planning.md, "Activity calendar"): the platform events seeded once, the shop's own
activities typed or linked to a promotion, and each one's result, reached share and uplift from orders made here
(worked by hand)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from zhanggui.analytics.tests.metrics_fixtures import at
from zhanggui.catalog.tests.factories import ProductFactory, SkuFactory
from zhanggui.core.errors import PermissionDeniedError
from zhanggui.core.models import AuditEntry
from zhanggui.orders.tests.factories import OrderFactory, OrderLineFactory
from zhanggui.planning import calendar
from zhanggui.planning.breakdown import PlanError
from zhanggui.planning.models import ActivityKind, PlanActivity
from zhanggui.promotions.models import Promotion

D = Decimal
pytestmark = pytest.mark.django_db
YEAR = 2026
SHANGHAI = ZoneInfo("Asia/Shanghai")


def sale(shop, day: date, total: str, buyer: str = "amy") -> None:
    sku = SkuFactory(product=ProductFactory(shop=shop))
    placed = OrderFactory(shop=shop, paid_at=at(day, 12), buyer_nick=buyer, paid_total=D(total))
    OrderLineFactory(order=placed, sku=sku, quantity=1, unit_price=D(total), paid=D(total))


def test_seeding_the_platform_events_twice_adds_them_once(shop, manager):
    added = calendar.seed_platform_events(actor=manager, shop=shop, year=YEAR)
    assert [(a.name, a.starts_on, a.ends_on) for a in added] == [
        ("年货节", date(2026, 1, 5), date(2026, 1, 15)),
        ("38 女王节", date(2026, 3, 1), date(2026, 3, 8)),
        ("618", date(2026, 5, 31), date(2026, 6, 18)),
        ("99", date(2026, 9, 1), date(2026, 9, 9)),
        ("双11", date(2026, 10, 20), date(2026, 11, 11)),
        ("双12", date(2026, 12, 1), date(2026, 12, 12)),
    ]
    moved = PlanActivity.objects.get(name="618")
    calendar.update_activity(actor=manager, activity=moved, starts_on=date(2026, 5, 20), gmv_target=D("80000.00"))
    assert calendar.seed_platform_events(actor=manager, shop=shop, year=YEAR) == []
    assert PlanActivity.objects.filter(kind=ActivityKind.PLATFORM).count() == 6
    moved.refresh_from_db()
    assert moved.starts_on == date(2026, 5, 20)  # the shop's dates are kept
    assert AuditEntry.objects.filter(action="planning.calendar").count() == 7  # six added, one changed


def test_a_platform_event_keeps_its_name(shop, manager):
    calendar.seed_platform_events(actor=manager, shop=shop, year=YEAR)
    with pytest.raises(PlanError, match="keeps its name"):
        calendar.update_activity(actor=manager, activity=PlanActivity.objects.get(name="99"), name="九九")


def test_result_reached_and_uplift_of_a_finished_and_a_running_activity(shop, manager):
    calendar.seed_platform_events(actor=manager, shop=shop, year=YEAR)
    queen = PlanActivity.objects.get(name="38 女王节")  # 1–8 March: eight days
    calendar.update_activity(actor=manager, activity=queen, gmv_target=D("10000.00"))
    sale(shop, date(2026, 3, 2), "3000.00")
    sale(shop, date(2026, 3, 8), "2000.00", "bob")
    sale(shop, date(2026, 2, 21), "1000.00")  # the eight days before: 21–28 February
    sale(shop, date(2026, 2, 28), "1000.00", "bob")
    sale(shop, date(2026, 2, 20), "9999.00")  # nine days before: not counted
    found = {r.activity.name: r for r in calendar.results(shop=shop, year=YEAR, today=date(2026, 4, 1))}
    done = found["38 女王节"]
    assert done.status == calendar.DONE
    assert (done.gmv, done.before) == (D("5000.00"), D("2000.00"))
    assert done.reached == D("0.5000") and done.uplift == D("1.5000")  # 5,000 ÷ 2,000 − 1
    assert done.uplift_percent == "+150.00 %" and done.reached_percent == "50.00 %"
    assert found["618"].status == calendar.UPCOMING and found["618"].gmv is None

    # On 5 March the result counts 1–4 March (3,000.00) against 25–28 February (1,000.00): +200 %.
    running = next(r for r in calendar.results(shop=shop, year=YEAR, today=date(2026, 3, 5)) if r.activity == queen)
    assert running.status == calendar.RUNNING
    assert running.span == calendar.metrics.Span(date(2026, 3, 1), date(2026, 3, 4))
    assert (running.gmv, running.before, running.uplift) == (D("3000.00"), D("1000.00"), D("2.0000"))


def test_the_results_read_the_actuals_once(shop, manager, django_assert_max_num_queries):
    calendar.seed_platform_events(actor=manager, shop=shop, year=YEAR)
    # The activities with their promotions, then analytics' one pass: lines, refunds, shop days, event days, ads.
    with django_assert_max_num_queries(6):
        found = calendar.results(shop=shop, year=YEAR, today=date(2027, 1, 1))
    assert len(found) == 6 and all(r.status == calendar.DONE for r in found)


def test_an_own_activity_linked_to_a_promotion_takes_its_name_and_days(shop, manager):
    promotion = Promotion.objects.create(
        shop=shop,
        code="may3",
        name="五一 满300减30",
        kind="spend_save",
        spec={},
        starts_at=datetime(2026, 5, 1, tzinfo=SHANGHAI),
        ends_at=datetime(2026, 5, 4, tzinfo=SHANGHAI),  # the end is not included: 1–3 May
        created_by=manager,
    )
    activity = calendar.add_activity(actor=manager, shop=shop, year=YEAR, promotion=promotion.pk, gmv_target=D("9000"))
    assert (activity.name, activity.starts_on, activity.ends_on) == (
        "五一 满300减30",
        date(2026, 5, 1),
        date(2026, 5, 3),
    )
    assert activity.kind == ActivityKind.OWN and activity.promotion == promotion
    typed = calendar.add_activity(
        actor=manager, shop=shop, year=YEAR, name="清仓", starts_on=date(2026, 7, 1), ends_on=date(2026, 7, 3)
    )
    assert typed.promotion is None


def test_a_promotion_of_another_year_is_refused(shop, manager):
    old = Promotion.objects.create(
        shop=shop,
        code="old",
        kind="spend_save",
        spec={},
        starts_at=datetime(2025, 5, 1, tzinfo=SHANGHAI),
        ends_at=datetime(2025, 5, 4, tzinfo=SHANGHAI),
        created_by=manager,
    )
    with pytest.raises(PlanError, match="does not run in this year"):
        calendar.add_activity(actor=manager, shop=shop, year=YEAR, promotion=old.pk)


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (date(2026, 5, 3), date(2026, 5, 1), "end before it starts"),
        (date(2025, 5, 1), date(2025, 5, 3), "calendar's year"),
        (date(2026, 1, 1), date(2027, 1, 5), "a year at most"),
    ],
)
def test_days_that_do_not_make_an_activity_are_refused(shop, manager, first, last, message):
    with pytest.raises(PlanError, match=message):
        calendar.add_activity(actor=manager, shop=shop, year=YEAR, name="x", starts_on=first, ends_on=last)
    assert not PlanActivity.objects.exists()


def test_only_the_manager_changes_the_calendar(shop, users):
    with pytest.raises(PermissionDeniedError):
        calendar.seed_platform_events(actor=users["service"], shop=shop, year=YEAR)
    with pytest.raises(PermissionDeniedError):
        calendar.add_activity(
            actor=users["operator"],
            shop=shop,
            year=YEAR,
            name="x",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 1, 1),
        )
    assert not PlanActivity.objects.exists()


def test_the_year_view_splits_an_activity_over_its_months(shop, manager):
    calendar.seed_platform_events(actor=manager, shop=shop, year=YEAR)
    lanes = calendar.year_view(YEAR, calendar.results(shop=shop, year=YEAR, today=date(2026, 1, 1)))
    october = [(s.result.activity.name, s.first, s.last) for s in lanes[9].segments]
    november = [(s.result.activity.name, s.first, s.last) for s in lanes[10].segments]
    assert october == [("双11", 20, 31)] and november == [("双11", 1, 11)]
    assert [(s.first, s.last) for s in lanes[4].segments] == [(31, 31)]  # 618's pre-sale on 31 May
    assert lanes[1].days == 28 and lanes[1].segments == []
