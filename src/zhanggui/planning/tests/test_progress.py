"""Progress and the forecast (docs/planning.md, "Progress"): worked examples, a known series, and the actuals
read from analytics for a shop's plan."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from zhanggui.analytics.tests.metrics_fixtures import order
from zhanggui.catalog.tests.factories import ProductFactory, SkuFactory
from zhanggui.planning import breakdown, progress, services

D = Decimal


def test_a_months_target_is_spread_evenly_over_its_days_to_the_fen():
    daily = progress.daily_targets(2026, {2: D("1000.00")})
    february = [daily[date(2026, 2, d)] for d in range(1, 29)]
    # ¥1,000.00 ÷ 28 = 35.714…: 35.71 × 28 = 999.88, the 12 fen left go to the first 12 days.
    assert february[:12] == [D("35.72")] * 12 and february[12:] == [D("35.71")] * 16
    assert sum(february) == D("1000.00")
    assert daily[date(2026, 3, 1)] == D("0.00")


def test_the_forecast_corrects_the_run_rate_by_the_plans_shape():
    # 10 of 30 days gone, planned ¥2,000 of the ¥10,000 month (a quiet start), sold ¥1,800: 90 % of pace.
    assert progress.forecast(actual=D("1800"), target=D("10000"), to_date=D("2000"), elapsed=10, days=30) == D(
        "9000.00"
    )
    # The naive run rate would read ¥5,400.
    assert progress.naive_forecast(actual=D("1800"), elapsed=10, days=30) == D("5400.00")


def test_the_forecast_before_the_start_with_nothing_planned_and_after_the_end():
    assert progress.forecast(actual=D(0), target=D(100), to_date=D(0), elapsed=0, days=30) is None
    # Nothing planned so far: the naive run rate stands in (¥300 in 3 of 30 days → ¥3,000).
    assert progress.forecast(actual=D(300), target=D(100), to_date=D(0), elapsed=3, days=30) == D("3000.00")
    assert progress.forecast(actual=D("123.45"), target=D(100), to_date=D(100), elapsed=30, days=30) == D("123.45")


def test_the_amount_still_needed_each_day_is_rounded_up():
    # ¥10,000 − ¥3,000 over 21 days left = 333.333… → 333.34 (333.33 × 21 = 6,999.93 would miss by 7 fen).
    assert progress.needed_per_day(target=D(10000), actual=D(3000), remaining=21) == D("333.34")
    assert progress.needed_per_day(target=D(10000), actual=D(10000), remaining=5) is None
    assert progress.needed_per_day(target=D(10000), actual=D(0), remaining=0) is None


def test_the_periods_hold_yesterday_in_its_month_quarter_and_year():
    found = progress.spans(date(2026, 5, 1))  # yesterday: 30 April
    assert found == {
        "day": (date(2026, 4, 30), date(2026, 4, 30)),
        "month": (date(2026, 4, 1), date(2026, 4, 30)),
        "quarter": (date(2026, 4, 1), date(2026, 6, 30)),
        "year": (date(2026, 1, 1), date(2026, 12, 31)),
    }
    assert progress.spans(date(2027, 1, 1))["quarter"] == (date(2026, 10, 1), date(2026, 12, 31))


def _template_year(total: Decimal) -> dict[int, Decimal]:
    return breakdown.by_months(total)[0]


def test_a_shop_selling_at_90_percent_of_its_plan_every_day_is_forecast_at_90_percent_of_the_year():
    """The known series: sales that follow the plan's shape exactly, at 90 %. The corrected run rate finds the
    year's end at every month end; the naive run rate misses it by the shape."""
    months = _template_year(D("1000000.00"))
    daily = progress.daily_targets(2026, months)
    for month_end in (date(2026, 2, 28), date(2026, 6, 30), date(2026, 9, 30), date(2026, 11, 30)):
        today = month_end + timedelta(days=1)
        sold = {
            kind: sum((daily[first + timedelta(days=n)] * D("0.9") for n in range((month_end - first).days + 1)), D(0))
            for kind, (first, _last) in progress.spans(today).items()
        }
        year = next(p for p in progress.periods(months=months, sold=sold, today=today) if p.kind == "year")
        assert year.forecast == D("900000.00")
        assert year.pace == D("0.9000") and year.behind
        naive = progress.naive_forecast(actual=year.actual, elapsed=year.elapsed, days=year.days)
        assert naive != D("900000.00")
    # At the end of June the template has put 47 % of the year in 181 days: ¥423,000 sold (90 %) reads
    # ¥853,011.05 naively.
    assert progress.naive_forecast(actual=D("423000.00"), elapsed=181, days=365) == D("853011.05")


def test_on_a_noisy_seasonal_series_the_corrected_forecast_beats_the_naive_run_rate():
    """A year of daily sales drawn around the template's shape (seed 11, ±30 % a day): at each month end from
    March on, the corrected forecast's error on the true year is smaller than the naive run rate's, on average
    less than a third of it."""
    months = _template_year(D("1200000.00"))
    daily = progress.daily_targets(2026, months)
    rng = random.Random(11)
    actual = {
        day: (amount * D(str(round(rng.uniform(0.7, 1.3), 2)))).quantize(D("0.01")) for day, amount in daily.items()
    }
    truth = sum(actual.values())
    errors_corrected, errors_naive = [], []
    for m in range(3, 12):
        month_end = progress.days_of(2026, m)[-1]
        today = month_end + timedelta(days=1)
        sold = {"year": sum(v for d, v in actual.items() if d <= month_end)}
        year = next(p for p in progress.periods(months=months, sold=sold, today=today) if p.kind == "year")
        errors_corrected.append(abs(year.forecast - truth) / truth)
        errors_naive.append(
            abs(progress.naive_forecast(actual=year.actual, elapsed=year.elapsed, days=365) - truth) / truth
        )
    assert all(c < n for c, n in zip(errors_corrected, errors_naive, strict=True))
    assert sum(errors_corrected) * 3 < sum(errors_naive)


@pytest.mark.django_db
def test_a_shops_progress_reads_its_latest_plan_and_its_orders(shop, manager):
    plan = services.create_plan(actor=manager, shop=shop, year=2026, gmv_target=D("365000.00"))
    for m in breakdown.MONTHS:  # ¥1,000 a day: each month its days × ¥1,000 (keep, so the others stay)
        services.set_month(
            actor=manager, plan=plan, month=m, gmv_target=D(1000 * len(progress.days_of(2026, m))), mode="keep"
        )
    sku = SkuFactory(product=ProductFactory(shop=shop))
    order(shop, date(2026, 4, 10), (10,), "amy", "600.00", [(sku, 1, "600.00")])
    order(shop, date(2026, 4, 30), (23, 50), "bob", "1400.00", [(sku, 2, "1400.00")])
    order(shop, date(2026, 2, 1), (9,), "cat", "5000.00", [(sku, 5, "5000.00")])
    found = {p.kind: p for p in progress.for_shop(shop, date(2026, 5, 1))}
    assert found["day"].actual == D("1400.00") and found["day"].target == D("1000.00")
    april = found["month"]
    assert (april.target, april.to_date, april.actual) == (D("30000.00"), D("30000.00"), D("2000.00"))
    assert april.forecast == D("2000.00")  # the month is over
    quarter = found["quarter"]
    assert (quarter.target, quarter.to_date, quarter.elapsed, quarter.days) == (D("91000.00"), D("30000.00"), 30, 91)
    assert quarter.forecast == D("6066.67")  # 2,000 × 91,000 ÷ 30,000
    assert quarter.needed_per_day == D("1459.02")  # (91,000 − 2,000) ÷ 61, up
    assert found["year"].actual == D("7000.00") and found["year"].to_date == D("120000.00")
    assert progress.for_shop(shop, date(2028, 5, 1)) is None
