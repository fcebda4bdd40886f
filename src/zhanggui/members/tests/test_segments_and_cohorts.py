"""RFM by quintile, new vs returning, churn risk and the cohort table on small sets worked by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from zhanggui.members import cohorts, segments, services
from zhanggui.members.models import Member
from zhanggui.members.segments import SegmentFilters
from zhanggui.members.tests.conftest import at

pytestmark = pytest.mark.django_db
NOW = at("2026-12-01")


def member(name: str, *, last: str, orders: int, spend: str, first: str = "", previous: str = "") -> Member:
    return Member.objects.create(
        name=name,
        orders_count=orders,
        spend=Decimal(spend),
        first_paid_at=at(first or last),
        previous_paid_at=at(previous) if previous else None,
        last_paid_at=at(last),
    )


def test_rfm_scores_are_quintiles_with_ties_sharing_a_score():
    member("a", last="2026-11-30", orders=5, spend="1000.00")  # 1 day ago
    member("b", last="2026-11-01", orders=1, spend="50.00")  # 30 days
    member("c", last="2026-06-01", orders=2, spend="300.00")  # 183 days
    member("d", last="2025-12-01", orders=3, spend="200.00")  # 365 days
    member("e", last="2026-11-30", orders=1, spend="300.00")  # ties a on R, b on F, c on M
    scores = {row.member.name: (row.recency_days, row.r, row.f, row.m) for row in segments.scored(NOW)}
    # R: 1 + ⌊5 × (members with more days) ÷ 5⌋; F and M: 1 + ⌊5 × (members with less) ÷ 5⌋
    assert scores == {
        "a": (1, 4, 5, 5),
        "e": (1, 4, 1, 3),
        "b": (30, 3, 1, 1),
        "c": (183, 2, 3, 3),
        "d": (365, 1, 4, 2),
    }
    assert [row.member.name for row in segments.members_in(SegmentFilters(high_value=True), NOW)] == ["a"]
    assert segments.count(SegmentFilters(r_min=3, f_max=1), NOW) == 2  # e and b


def test_new_and_returning_follow_the_365_day_rule_and_churn_risk_the_members_interval():
    member("back", last="2026-11-30", previous="2025-12-10", orders=2, spend="10.00", first="2025-12-10")  # 355 days
    member("again_new", last="2026-11-30", previous="2025-11-01", orders=2, spend="10.00", first="2025-11-01")
    member("once", last="2026-11-30", orders=1, spend="10.00")
    # 3 orders from 2026-01-01 to 2026-07-01: usual interval 181 ÷ 2 = 90.5 days; 153 days since: at risk
    member("drifting", last="2026-07-01", previous="2026-04-01", orders=3, spend="10.00", first="2026-01-01")
    rows = {row.member.name: (row.returning, row.churn_risk) for row in segments.scored(NOW)}
    assert rows == {
        "back": (True, False),  # usual interval 355 days, 1 day since
        "again_new": (False, False),  # 394 days between: new again
        "once": (False, False),
        "drifting": (True, True),
    }
    assert segments.count(SegmentFilters(buyer_type="new"), NOW) == 2
    assert segments.count(SegmentFilters(churn_risk=True), NOW) == 1


def test_the_cohort_table_counts_repurchase_within_30_90_and_180_days(shop, paid):
    paid("p1", "2026-01-05", "10.00")
    paid("p1", "2026-01-25", "10.00")  # 20 days later
    paid("p2", "2026-01-10", "10.00")
    paid("p2", "2026-05-10", "10.00")  # 120 days later
    paid("p3", "2026-01-20", "10.00")
    paid("p4", "2026-11-20", "10.00")  # 11 days before NOW: not yet 30 days old
    services.sync_members(shop=shop, now=NOW)
    table, total = cohorts.cohort_table(NOW)
    assert [c.month for c in table] == ["2026-01", "2026-11"]
    january, november = table
    assert january.people == 3
    assert [january.rate(w) for w in (30, 90, 180)] == [Decimal("33.3"), Decimal("33.3"), Decimal("66.7")]
    assert january.median_gap == Decimal("70.0")  # the gaps 20 and 120 days
    assert (november.people, november.rate(30)) == (1, None)
    assert (total.people, total.rate(30), total.rate(180)) == (4, Decimal("33.3"), Decimal("66.7"))


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"])
@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(min_value=1_500_000_000, max_value=1_900_000_000), min_size=1, max_size=60))
def test_local_days_agree_with_the_zones_own_dates_across_daylight_saving(zone, seconds):
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    import numpy as np

    tz = ZoneInfo(zone)
    # each moment with the seconds either side of it
    moments = sorted({s + d for s in seconds for d in (-1, 0, 1)})
    got = segments.local_days(np.array(moments, dtype=float), tz).tolist()
    assert got == [(datetime.fromtimestamp(s, tz).date() - date(1970, 1, 1)).days for s in moments]


def test_local_days_at_the_new_york_spring_and_autumn_changes():
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    import numpy as np

    tz = ZoneInfo("America/New_York")
    utc = ZoneInfo("UTC")
    changes = [datetime(2026, 3, 8, 7, 0, tzinfo=utc), datetime(2026, 11, 1, 6, 0, tzinfo=utc)]  # 2 a.m. local
    moments = [int(c.timestamp()) + d for c in changes for d in range(-7200, 7201, 450)]
    moments += [
        int(datetime(2026, 11, 1, 23, 59, 59, tzinfo=tz).timestamp()),
        int(datetime(2026, 11, 2, tzinfo=tz).timestamp()),
    ]
    got = segments.local_days(np.array(moments, dtype=float), tz).tolist()
    assert got == [(datetime.fromtimestamp(s, tz).date() - date(1970, 1, 1)).days for s in moments]
    assert got[-2:] == [(date(2026, 11, 1) - date(1970, 1, 1)).days, (date(2026, 11, 2) - date(1970, 1, 1)).days]
