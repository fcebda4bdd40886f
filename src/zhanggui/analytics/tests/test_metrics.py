"""Every store figure on the small shop of metrics_fixtures, worked out by hand (the module's docstring has the
data), the comparison periods, GMV's decomposition and the SKU profit and loss."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from zhanggui.analytics import dashboard, metrics, pnl
from zhanggui.analytics.metrics import Span
from zhanggui.analytics.models import MonthlyTarget
from zhanggui.analytics.tests.metrics_fixtures import FIRST, LAST, build_shop
from zhanggui.catalog.tests.factories import ShopFactory

D = Decimal


@pytest.fixture
def data(db):
    return build_shop()


def test_sales_and_profit_of_the_week(data):
    f = metrics.period_figures(shop=data["shop"], first=FIRST, last=LAST)
    # GMV: O1 190 + O2 150 + O3 60 + O4 100 (cancelled later, still paid in the week); O5 is 06-15 in Shanghai.
    assert f.gmv == D("500.00")
    assert f.orders == 4
    assert f.buyers == 3  # amy (twice), bob, cat
    assert f.aov == D("166.67")  # 500 ÷ 3 = 166.666… half up
    assert f.revenue == D("400.00")  # without the cancelled O4
    assert f.cogs == D("180.00")  # A 3 × 40 + B 2 × 30
    assert f.commission == D("20.00")  # 400 × 5 %
    assert f.parcels == 2  # O1 (with O3 merged into it) and O2
    assert f.shipping == D("12.00")
    assert f.refunds == D("60.00")  # the 5.00 of 06-07 is the previous period's
    assert f.refund_rate == D("0.1200")  # 60 ÷ 500
    assert f.ad_spend == D("50.00") and f.ad_gmv == D("150.00")
    assert f.roi == D("3.00")
    assert f.clicks == 100 and f.cpc == D("0.50")
    assert f.impressions == 4000 and f.ctr == D("0.0250")
    assert f.gross_profit == D("78.00")  # 400 − 180 − 20 − 12 − 60 − 50
    assert f.margin == D("0.1950")
    assert (f.skus_listed, f.skus_sold) == (3, 2)  # A, B, C on sale; A and B sold; D is a draft
    assert f.sell_through == D("0.6667")


def test_traffic_takes_the_report_and_the_events_where_it_has_no_day(data):
    f = metrics.period_figures(shop=data["shop"], first=FIRST, last=LAST)
    assert f.traffic_source == metrics.MIXED
    assert f.uv == 650  # 6 × 100 from the report, 50 from the events of 06-14 (not the 999 of 06-08)
    assert f.pv == 1580  # 6 × 250 + 80
    assert f.conversion == D("0.0046")  # 3 ÷ 650 = 0.004615…
    assert f.pages_per_visitor == D("2.43")  # 1580 ÷ 650 = 2.4307…
    assert f.cart_rate == D("0.0985")  # 64 ÷ 650 = 0.098461…
    assert f.fav_rate == D("0.0492")  # 32 ÷ 650 = 0.049230…
    assert f.bounce_rate == D("0.4500")  # the mean of the report's six daily rates (the events have none)
    only_report = metrics.period_figures(shop=data["shop"], first=FIRST, last=date(2026, 6, 13))
    assert only_report.traffic_source == metrics.REPORT and only_report.uv == 600


def test_a_day_without_any_traffic_has_no_rates(data):
    f = metrics.period_figures(shop=data["shop"], first=date(2026, 6, 20), last=date(2026, 6, 20))
    assert f.traffic_source is None
    assert f.uv is None and f.conversion is None and f.aov is None and f.roi is None
    assert f.gmv == D("0.00") and f.gross_profit == D("0.00")


def test_all_shops_add_up_and_a_shop_without_costs_costs_nothing(data):
    other = ShopFactory(code="jd01")
    MonthlyTarget.objects.create(shop=other, month=date(2026, 6, 1), gmv_target=D("5000.00"))
    from zhanggui.analytics.tests.metrics_fixtures import order

    order(other, FIRST, (9, 0), "amy", "80.00", [(None, 1, "80.00")])
    f = metrics.period_figures(shop=None, first=FIRST, last=LAST)
    assert f.gmv == D("580.00")
    assert f.buyers == 4  # amy of jd01 is another shop's buyer
    assert f.commission == D("20.00") and f.shipping == D("12.00")  # jd01 has no costs set
    assert f.gross_profit == D("158.00")  # 78 + 80
    assert metrics.month_target(shop=None, month=date(2026, 6, 17)) == D("15000.00")
    assert metrics.month_target(shop=data["shop"], month=date(2026, 6, 1)) == D("10000.00")
    assert metrics.month_target(shop=None, month=date(2026, 7, 1)) is None


def test_comparison_periods(data):
    c = metrics.compare(shop=data["shop"], first=FIRST, last=LAST)
    assert (c.previous.first, c.previous.last) == (date(2026, 6, 1), date(2026, 6, 7))
    assert (c.last_year.first, c.last_year.last) == (date(2025, 6, 8), date(2025, 6, 14))
    assert c.previous.gmv == D("160.00") and c.previous.buyers == 2 and c.previous.uv == 350
    assert c.previous.refunds == D("5.00")
    assert c.last_year.gmv == D("250.00") and c.last_year.uv is None
    assert metrics.change(c.current.gmv, c.previous.gmv) == D("2.1250")  # 500 ÷ 160 − 1
    assert metrics.change(c.current.gmv, c.last_year.gmv) == D("1.0000")
    assert metrics.change(c.current.uv, c.last_year.uv) is None


@pytest.mark.parametrize(
    ("span", "previous", "last_year"),
    [
        (Span(date(2026, 3, 1), date(2026, 3, 31)), Span(date(2026, 1, 29), date(2026, 2, 28)), None),
        (Span(date(2024, 2, 29), date(2024, 2, 29)), None, Span(date(2023, 2, 28), date(2023, 2, 28))),
    ],
)
def test_previous_period_has_the_same_length_and_29_february_falls_on_the_28th(span, previous, last_year):
    if previous is not None:
        assert span.previous() == previous and previous.days == span.days == 31
    if last_year is not None:
        assert span.last_year() == last_year


def test_gmv_change_decomposed_by_hand(data):
    c = metrics.compare(shop=data["shop"], first=FIRST, last=LAST)
    parts = dashboard.decompose(c.current, c.previous)
    assert parts is not None
    assert parts.change == D("340.00")  # 500 − 160
    assert parts.uv == D("137.14")  # (650 − 350) × 160 ÷ 350 = 137.142857…
    assert parts.conversion == D("-57.14")  # (3 − 650 × 2 ÷ 350) × 160 ÷ 2 = −57.142857…
    assert parts.aov == D("260.00")  # 500 − 3 × 160 ÷ 2
    assert parts.uv + parts.conversion + parts.aov == parts.change
    assert parts.main == "aov"
    assert dashboard.decompose(c.current, c.last_year) is None  # last year has no traffic


@pytest.mark.parametrize(
    ("before", "now"),
    [
        ((1000, 31, "4567.89"), (1333, 29, "5012.33")),
        ((7, 3, "0.01"), (11, 1, "99999.99")),
        ((999, 998, "12345.67"), (3, 3, "0.03")),
        ((12345, 321, "98765.43"), (12345, 321, "98765.43")),
    ],
)
def test_the_parts_always_add_up_to_the_change(before, now):
    def fig(uv, buyers, gmv):
        return metrics.Figures(FIRST, LAST, gmv=D(gmv), buyers=buyers, uv=uv)

    parts = dashboard.decompose(fig(*now), fig(*before))
    assert parts is not None
    assert parts.uv + parts.conversion + parts.aov == D(now[2]) - D(before[2])
    assert all(p == p.quantize(D("0.01")) for _k, p in parts.parts)


def test_sku_profit_and_loss_by_hand(data):
    table = pnl.table(shop=data["shop"], first=FIRST, last=LAST)
    rows = {row.code: row for row in table.rows}
    a, b, other = rows["A"], rows["B"], rows[""]
    # A: 270 paid (180 + 90), 3 × 40, 5 % = 13.50, O1's parcel 6 × 2/3 + O2's 6 × 1/2 = 7.00, the PA ad 30.00
    assert (a.units, a.revenue, a.cogs, a.commission, a.shipping, a.ads, a.refunds) == (
        3,
        D("270.00"),
        D("120.00"),
        D("13.50"),
        D("7.00"),
        D("30.00"),
        D("0.00"),
    )
    assert a.profit == D("99.50") and not a.loss
    # B: 120 paid (O2 + O3; O4 cancelled), 2 × 30, 6.00, O1's parcel 2.00 + O2's 3.00, refunded 60
    assert (b.revenue, b.cogs, b.commission, b.shipping, b.refunds) == (
        D("120.00"),
        D("60.00"),
        D("6.00"),
        D("5.00"),
        D("60.00"),
    )
    assert b.profit == D("-11.00") and b.loss
    # What no SKU carries: O1's 10.00 postage (commission 0.50) and the P2 ad (20.00)
    assert (other.revenue, other.commission, other.ads) == (D("10.00"), D("0.50"), D("20.00"))
    assert other.profit == D("-10.50")
    assert table.rows[0].code == "B"  # the worst first
    assert table.total.profit == D("78.00")  # the week's gross profit
    assert table.total.shipping == D("12.00") and table.total.ads == D("50.00")


def test_dashboard_tables_by_hand(data):
    board = dashboard.build(shop=data["shop"], first=FIRST, last=LAST)
    trend = {row.day: row for row in board.days}
    assert len(board.days) == 7
    assert trend[FIRST].gmv == D("190.00") and trend[FIRST].uv == 100
    assert trend[LAST].gmv == D("100.00") and trend[LAST].uv == 50
    assert trend[date(2026, 6, 11)].refunds == D("60.00")
    assert board.tables["trend"].total.gmv == D("500.00")
    assert [(s.key, s.people, s.rate) for s in board.funnel] == [
        ("visit", 650, None),
        ("cart", 64, D("0.0985")),
        ("buy", 3, D("0.0469")),  # 3 ÷ 64
    ]
    assert [(s.code, s.units, s.gmv, s.refunds) for s in board.skus] == [
        ("A", 3, D("270.00"), D("0.00")),
        ("B", 2, D("120.00"), D("60.00")),
    ]
    assert [(r.channel, r.spend, r.roi, r.cpc, r.ctr) for r in board.ad_channels] == [
        ("ztc", D("30.00"), D("4.00"), D("0.50"), D("0.0200")),
        ("display", D("20.00"), D("1.50"), D("0.50"), D("0.0400")),
    ]
    assert [(r.plan, r.spend) for r in board.ad_plans] == [("P1", D("30.00")), ("P2", D("20.00"))]
    assert board.tables["ad_channels"].total.roi == D("3.00")


def test_sources_from_the_platform_report_else_from_the_events(data):
    from zhanggui.analytics.models import EventDaySource, SourceDayTraffic

    shop = data["shop"]
    EventDaySource.objects.create(shop=shop, day=FIRST, source="search", uv=70, buyers=2)
    EventDaySource.objects.create(shop=shop, day=LAST, source="search", uv=5, buyers=0)
    EventDaySource.objects.create(shop=shop, day=LAST, source="", uv=9, buyers=1)
    rows, source = dashboard.sources(shop, Span(FIRST, LAST))
    assert source == metrics.EVENTS
    assert [(r.source, r.uv, r.buyers, r.conversion) for r in rows] == [
        ("search", 75, 2, D("0.0267")),  # 2 ÷ 75
        ("(none)", 9, 1, D("0.1111")),
    ]
    for day, level1, visitors, buyers, paid in (
        (FIRST, "手淘搜索", 60, 2, "150.00"),
        (LAST, "手淘搜索", 40, 1, "60.00"),
        (LAST, "直通车", 120, 1, "90.00"),
    ):
        SourceDayTraffic.objects.create(
            shop=shop,
            day=day,
            report="sycm",
            level1=level1,
            visitors=visitors,
            paying_buyers=buyers,
            paid_amount=D(paid),
        )
    rows, source = dashboard.sources(shop, Span(FIRST, LAST))
    assert source == metrics.REPORT
    assert [(r.source, r.uv, r.buyers, r.gmv, r.uv_value) for r in rows] == [
        ("直通车", 120, 1, D("90.00"), D("0.75")),
        ("手淘搜索", 100, 3, D("210.00"), D("2.10")),
    ]


def test_several_periods_read_together_give_what_each_gives_alone(data, django_assert_max_num_queries):
    shop = data["shop"]
    with django_assert_max_num_queries(6):
        day, week = metrics.periods_figures(shop=shop, periods=[(FIRST, FIRST), (FIRST, LAST)])
    assert week == metrics.period_figures(shop=shop, first=FIRST, last=LAST)
    assert (day.gmv, day.orders, day.uv, day.ad_spend) == (D("190.00"), 1, 100, D("30.00"))


def test_daily_gmv_adds_up_to_what_the_figures_count(data):
    """The plan's progress reads GMV a row a day (daily_gmv) instead of a year of lines: every span must give
    what figures gives — each order once, the cancelled one included, the merged one counted, the one paid
    00:10 the next Shanghai day on that day — and a split part or an order of replacement lines alone adds
    nothing."""
    from zhanggui.analytics.tests.metrics_fixtures import order
    from zhanggui.orders.models import LineOrigin, Order, OrderLine

    shop = data["shop"]
    whole = Order.objects.get(buyer_nick="bob")
    part, _ = order(shop, date(2026, 6, 9), (13, 0), "bob", "70.00", [], split_from=whole)
    spare, (line,) = order(shop, date(2026, 6, 12), (8, 0), "fay", "30.00", [(data["a"], 1, "30.00")])
    OrderLine.objects.filter(pk=line.pk).update(origin=LineOrigin.REPLACEMENT)
    assert part.pk and spare.pk
    daily = metrics.daily_gmv(shop=None, first=date(2025, 1, 1), last=date(2026, 12, 31))
    spans = [Span(FIRST, LAST), Span(date(2026, 6, 1), date(2026, 6, 7)), Span(date(2026, 6, 15), date(2026, 6, 15))]
    spans += [Span(day, day) for day in Span(date(2026, 6, 1), date(2026, 6, 15)).each_day()]
    raw = metrics.load(shop=None, spans=spans)
    for span in spans:
        want = metrics.figures(raw, span).gmv
        assert sum((gmv for (_shop, day), gmv in daily.items() if day in span), Decimal(0)) == want, span
    assert daily[(shop.pk, date(2026, 6, 15))] == Decimal("500.00")  # paid 00:10 Shanghai: the 15th
    assert daily[(shop.pk, LAST)] == Decimal("100.00")  # the cancelled order counts, as in figures
    just_one = metrics.daily_gmv(shop=ShopFactory(), first=FIRST, last=LAST)
    assert just_one == {}
