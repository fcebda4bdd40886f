"""The diagnosis rules on a shop whose two weeks are made by hand: visitors, conversion, bounce, sources, ad
plans, scores, agents and SKU refunds, each rule found (or not) with the numbers worked out in the comments;
thresholds switched and changed per shop; the peers' average; the page."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from zhanggui.aftersales.models import CaseReason
from zhanggui.aftersales.tests.test_reports import at, case, paid_order
from zhanggui.analytics.diagnosis import selectors, services
from zhanggui.analytics.diagnosis.rules import RULES
from zhanggui.analytics.models import (
    AdDay,
    DiagnosisRule,
    PeerBenchmark,
    ServiceDay,
    ShopDayTraffic,
    ShopScoreDay,
    SourceDayTraffic,
)
from zhanggui.core.errors import PermissionDeniedError, ValidationFailed
from zhanggui.core.tests.pages import login

pytestmark = pytest.mark.django_db

D = Decimal
LAST = date(2026, 11, 14)  # this week: 8–14 November; last week: 1–7 November
URL = reverse("analytics:diagnosis")


def day(n: int) -> date:
    return date(2026, 11, n)


@pytest.fixture
def weeks(shop):
    """Last week 1,000 visitors and 40 buyers a day (4 %), bounce 50 %; this week 800 and 24 (3 %), bounce 58 %."""
    for n in range(1, 15):
        this_week = n >= 8
        ShopDayTraffic.objects.create(
            shop=shop,
            day=day(n),
            report="sycm_shop",
            visitors=800 if this_week else 1000,
            paying_buyers=24 if this_week else 40,
            paid_amount=D("2400.00") if this_week else D("4000.00"),
            bounce_rate=D("0.58") if this_week else D("0.50"),
        )
        for level2, before, now in (("手淘搜索", 500, 300), ("直通车", 100, 95), ("其他", 20, 0)):
            SourceDayTraffic.objects.create(
                shop=shop,
                day=day(n),
                report="sources",
                level1="免费流量",
                level2=level2,
                visitors=now if this_week else before,
            )
    return shop


def findings(shop, rule=None):
    return [f for f in selectors.diagnose(shop=shop, last=LAST) if rule is None or f.rule == rule]


def test_visitors_conversion_and_bounce_week_on_week(weeks):
    # visitors 5,600 vs 7,000: −20.0 % (≥ 15: a warning; serious from 30)
    (uv,) = findings(weeks, "uv_drop")
    assert uv.severity == "warning" and "fell 20.0% on last week (7,000 → 5,600 visitors)" in uv.text
    # conversion 168 ÷ 5,600 = 3.00 % vs 280 ÷ 7,000 = 4.00 %: −25.0 %
    (conversion,) = findings(weeks, "conversion_drop")
    assert "fell 25.0% on last week: 4.00% → 3.00%" in conversion.text
    # bounce: the mean of the days, 58 % vs 50 %: 8.0 points (≥ 5)
    (bounce,) = findings(weeks, "bounce_rise")
    assert "rose 8.0 points on last week: 50.00% → 58.00%" in bounce.text


def test_sources_that_fell_and_the_small_ones_left_out(weeks):
    # 手淘搜索 3,500 → 2,100: −40.0 %, serious (≥ 2 × 15); 直通车 700 → 665: −5 %; 其他 had 140 < 200 visitors
    (search,) = findings(weeks, "source_drop")
    assert search.severity == "serious"
    assert search.text.startswith("免费流量 › 手淘搜索 fell 40.0% on last week (3,500 → 2,100 visitors)")


def test_conversion_against_the_peers_average(weeks, operator):
    assert findings(weeks, "conversion_below_peer") == []  # nothing to compare with yet
    services.record_peer(actor=operator, shop=weeks, month=day(1), metric="conversion", value=D("0.05"))
    # 3.00 % against 5.00 %: 40.0 % below, twice the 20 % threshold: serious
    (peer,) = findings(weeks, "conversion_below_peer")
    assert peer.severity == "serious"
    assert peer.text == "Payment conversion 3.00% is 40.0% below the peers' 5.00% (同行同层平均, 2026-11)."
    # a later month's figure is not used before that month
    services.record_peer(
        actor=operator, shop=weeks, month=day(1) + timedelta(days=30), metric="conversion", value=D("0.1")
    )
    assert "5.00%" in findings(weeks, "conversion_below_peer")[0].text


def test_ad_plans_below_the_roi_threshold(shop):
    for n in (8, 9):
        AdDay.objects.create(
            shop=shop, day=day(n), report="ztc", channel="ztc", plan="清仓", cost=D("100.00"), gmv=D("75.00")
        )
        AdDay.objects.create(
            shop=shop, day=day(n), report="ztc", channel="ztc", plan="小计划", cost=D("25.00"), gmv=D("5.00")
        )
        AdDay.objects.create(
            shop=shop, day=day(n), report="ztc", channel="ztc", plan="爆款", cost=D("150.00"), gmv=D("450.00")
        )
    AdDay.objects.create(
        shop=shop, day=day(1), report="ztc", channel="ztc", plan="爆款", cost=D("999.00"), gmv=D("0.00")
    )
    # 清仓: 150 ÷ 200 = 0.75 < 1 (serious under 1); 小计划 spent 50 < 100: left out; 爆款 this week 900 ÷ 300 = 3.00
    (plan,) = findings(shop, "ad_plan_roi")
    assert plan.severity == "serious"
    assert plan.text == "直通车 / 万相台 plan 清仓: ROI 0.75 < 1 this week (spent ¥200.00, sold ¥150.00)."
    DiagnosisRule.objects.create(shop=shop, key="ad_plan_roi", threshold=D("3.5"))
    assert [f.text.split(":")[0] for f in findings(shop, "ad_plan_roi")] == [
        "直通车 / 万相台 plan 清仓",
        "直通车 / 万相台 plan 爆款",  # 3.00 < 3.5, a warning
    ]


def test_a_score_that_fell_over_30_days(shop):
    ShopScoreDay.objects.create(
        shop=shop, day=day(14) - timedelta(days=29), report="dsr", description=D("4.85"), service=D("4.90")
    )
    ShopScoreDay.objects.create(shop=shop, day=day(14), report="dsr", description=D("4.80"), service=D("4.89"))
    # 描述相符 4.85 → 4.80: −0.05 ≥ 0.03; 服务态度 −0.01 is not
    (score,) = findings(shop, "score_drop")
    assert score.text == "描述相符 fell from 4.85 to 4.80 in 30 days (−0.05)."


def test_an_agent_converting_fewer_inquiries(shop):
    for agent, inquired, paid in (("阿花", 100, 45), ("小美", 50, 10), ("新人", 10, 0)):
        ServiceDay.objects.create(
            shop=shop, day=day(9), report="qianniu_service", agent=agent, inquired=inquired, inquiry_paid=paid
        )
    # shop 55 ÷ 160 = 34.38 %; 小美 20 % is 41.8 % below (≥ 25); 新人 has 10 < 20 inquiries
    (agent,) = findings(shop, "inquiry_gap")
    assert agent.text == "Agent 小美: inquiry conversion (询单转化率) 20.00% this week, the shop's 34.38%."


def test_a_sku_refunded_more_than_twice_the_shop(shop):
    orders = [paid_order(shop, f"R{n}", at(11, 1 + n % 10), ("SKU-A", "50.00"), ("SKU-B", "20.00")) for n in range(8)]
    for n in range(3):  # 3 of 8 SKU-A lines refunded: 37.50 %
        order, (line_a, _line_b) = orders[n]
        case(order, CaseReason.QUALITY, at(11, 12), refunds=[(line_a, "50.00")], refunded_at=at(11, 12, 12))
    # shop: 3 of 16 sub-orders, 18.75 %; SKU-A 37.50 % = 2 × 18.75 %: at the threshold, a warning
    (sku,) = findings(shop, "sku_refund_rate")
    assert sku.severity == "warning"
    assert "refund rate 37.50% over 30 days, the shop's 18.75% (3 of 8)" in sku.text


def test_a_rule_switched_off_or_retuned_per_shop(weeks, operator):
    changed = services.set_rules(
        actor=operator, shop=weeks, settings={"uv_drop": (False, D(15)), "conversion_drop": (True, D(30))}
    )
    assert changed == 2
    assert findings(weeks, "uv_drop") == [] and findings(weeks, "conversion_drop") == []  # 25 % < 30 %
    assert services.set_rules(actor=operator, shop=weeks, settings={"uv_drop": (False, D(15))}) == 0
    with pytest.raises(ValidationFailed, match="above 0"):
        services.set_rules(actor=operator, shop=weeks, settings={"uv_drop": (True, D(0))})
    with pytest.raises(ValidationFailed, match="Unknown diagnosis rule"):
        services.set_rules(actor=operator, shop=weeks, settings={"nope": (True, D(1))})


def test_only_the_manager_and_operators_tune(weeks, users):
    with pytest.raises(PermissionDeniedError):
        services.set_rules(actor=users["service"], shop=weeks, settings={"uv_drop": (False, D(15))})


def test_findings_serious_first_then_in_the_rules_order(weeks, operator):
    services.record_peer(actor=operator, shop=weeks, month=day(1), metric="conversion", value=D("0.05"))
    keys = [f.rule for f in findings(weeks)]
    assert keys == ["source_drop", "conversion_below_peer", "uv_drop", "conversion_drop", "bounce_rise"]
    assert list(RULES)[:5] == ["uv_drop", "source_drop", "conversion_drop", "conversion_below_peer", "bounce_rise"]


# ----- the page ---------------------------------------------------------------------------------------------


def test_the_page_lists_findings_and_saves_rules_and_peers(weeks, operator, django_assert_max_num_queries):
    client = login(Client(), operator)
    with django_assert_max_num_queries(30):  # the rules run once a language, their findings are kept
        page = client.get(f"{URL}?shop={weeks.code}").content.decode()
    assert 'data-rule="source_drop"' in page and "Evidence" in page
    assert 'name="threshold_conversion_below_peer" value="20"' in page  # not 2E+1
    data = {"shop_code": weeks.code}
    for key, rule in RULES.items():
        data[f"threshold_{key}"] = str(rule.threshold)
        if key != "bounce_rise":
            data[f"on_{key}"] = "on"
    response = client.post(reverse("analytics:diagnosis-rules"), data)
    assert response.status_code == 302
    assert DiagnosisRule.objects.get(shop=weeks, key="bounce_rise").enabled is False
    response = client.post(
        reverse("analytics:diagnosis-peer"),
        {"shop_code": weeks.code, "month": "2026-11", "metric": "conversion", "value": "3.8", "source": "同行同层平均"},
    )
    assert response.status_code == 302
    assert PeerBenchmark.objects.get(shop=weeks).value == D("0.038")


def test_a_bad_threshold_comes_back_with_what_was_typed(weeks, operator):
    client = login(Client(), operator)
    data = {"shop_code": weeks.code, **{f"threshold_{key}": str(rule.threshold) for key, rule in RULES.items()}}
    data["threshold_uv_drop"] = "abc"
    data["threshold_bounce_rise"] = "7"
    response = client.post(reverse("analytics:diagnosis-rules"), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert 'value="abc"' in page and 'value="7"' in page
    assert not DiagnosisRule.objects.exists()


def test_the_page_in_chinese_for_a_reader(weeks, users):
    client = login(Client(), users["designer"], language="zh-hans")
    page = client.get(URL).content.decode()
    assert 'id="rules-form"' in page and 'id="rules-submit"' not in page


def test_the_findings_download_as_xlsx(weeks, operator):
    from io import BytesIO

    from openpyxl import load_workbook

    client = login(Client(), operator)
    response = client.get(f"{URL}?shop={weeks.code}&export=xlsx")
    rows = list(load_workbook(BytesIO(response.content)).active.values)
    assert rows[0] == ("Severity", "Rule", "Finding", "Figures")
    assert rows[1][:2] == ("Serious", "A traffic source fell")
    assert len(rows) == 1 + len(selectors.diagnose(shop=weeks))
