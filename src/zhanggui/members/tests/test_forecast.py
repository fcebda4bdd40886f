"""The repurchase model on the shop's people: purchases summed up by day (x, t_x, T in days), one fit over
everyone, each person's forecast stored and shown (list, page, segments, API); too few repeat buyers: no fit."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from zhanggui.core.tests.pages import login
from zhanggui.members import forecast, segments, services, tasks
from zhanggui.members.models import MemberForecast, MemberIdentity
from zhanggui.members.segments import SegmentFilters
from zhanggui.members.tests.conftest import at

pytestmark = pytest.mark.django_db
NOW = at("2026-06-01")


def test_purchases_are_days_and_the_first_is_not_a_repeat(shop, paid):
    paid("ann", "2026-01-01 10:00", "50.00")
    paid("ann", "2026-01-01 18:00", "30.00")  # the same day: one purchase
    paid("ann", "2026-01-11", "20.00")
    paid("ann", "2026-01-31", "40.00")
    paid("bob", "2026-02-01", "99.00")
    services.sync_members(shop=shop, now=at("2026-02-10"))
    found = {
        MemberIdentity.objects.get(member_id=s.member_id).buyer_nick: s for s in forecast.summaries(date(2026, 2, 10))
    }
    # ann: repeat days 11 and 31 January; t_x = 30 days; T = 40 days; mean repeat spend (20 + 40) / 2
    assert (found["ann"].x, found["ann"].t_x, found["ann"].T, found["ann"].m_x) == (2, 30, 40, 30.0)
    assert (found["bob"].x, found["bob"].t_x, found["bob"].T, found["bob"].m_x) == (0, 0, 9, 0.0)


@pytest.fixture
def shop_year(shop, paid):
    """36 buyers with three purchases (buyer i starts on 1 January + i days, buys every 10 + i days, spends
    50 + i each time) and 10 buyers with one purchase in February."""
    start = date(2026, 1, 1)
    for i in range(36):
        for k in range(3):
            paid(f"rep{i}", (start + timedelta(days=i + k * (10 + i))).isoformat(), f"{50 + i}.00")
    for j in range(10):
        paid(f"once{j}", date(2026, 2, 1 + j).isoformat(), "80.00")
    services.sync_members(shop=shop, now=NOW)
    return {i.buyer_nick: i.member for i in MemberIdentity.objects.select_related("member")}


def test_a_fit_stores_every_persons_forecast_from_the_formulas(shop_year):
    fit = forecast.refit(NOW)
    assert (fit.fitted, fit.people, fit.repeat_buyers, fit.note) == (True, 46, 36, "")
    assert MemberForecast.objects.count() == 46
    # a one-purchase buyer is alive for the model (nobody drops out before a repeat purchase)
    assert MemberForecast.objects.get(member=shop_year["once0"]).p_alive == Decimal("1.0000")
    # rep0: 1, 11 and 21 January; today 1 June → x = 2, t_x = 20, T = 151 days; P(alive) by the paper's formula
    r, alpha, a, b = (fit.params[k] for k in ("r", "alpha", "a", "b"))
    expected = 1 / (1 + a / (b + 2 - 1) * ((alpha + 151) / (alpha + 20)) ** (r + 2))
    stored = MemberForecast.objects.get(member=shop_year["rep0"])
    assert stored.p_alive == Decimal(repr(expected)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    # its expected value in 90 days = expected orders × (γ + x·m_x)·p / (px + q − 1), m_x = 50
    p, q, g = fit.params["p"], fit.params["q"], fit.params["gamma"]
    spend = (g + 2 * 50) * p / (p * 2 + q - 1)
    orders = float(stored.expected_orders_90)
    assert math.isclose(float(stored.expected_value_90), orders * spend, abs_tol=0.01 + 0.005 * spend)
    assert stored.value_12m >= 0
    # rep35 bought last on 1 June − 2 days… (5 Feb, 22 Mar, 6 May): more recent than rep0 for the same x
    assert MemberForecast.objects.get(member=shop_year["rep35"]).p_alive > stored.p_alive


def test_churn_risk_by_model_in_the_segments_the_list_and_the_api(client, users, shop_year):
    fit = forecast.refit(NOW)
    at_risk = MemberForecast.objects.filter(fit=fit, p_alive__lt=Decimal("0.5")).count()
    assert 0 < at_risk < 46
    assert segments.count(SegmentFilters(model_churn_risk=True), NOW) == at_risk
    login(client, users["service"], "en")
    page = client.get("/members/", {"outlook": "at_risk"}).content.decode()
    assert page.count("data-member=") == at_risk
    detail = client.get(f"/members/{shop_year['once0'].pk}/").content.decode()
    assert "Probability still a buyer" in detail and "100.0 %" in detail
    builder = client.get("/members/segments/", {"model_churn_risk": "on"}).content.decode()
    assert f'<strong id="segment-count">{at_risk}</strong>' in builder


def test_the_api_gives_the_forecast(users, shop_year):
    from django.test import Client

    from zhanggui.core.services import create_api_token

    forecast.refit(NOW)
    token = create_api_token(user=users["designer"], name="t")[1]
    api = Client(headers={"Authorization": f"Bearer {token}"})
    body = api.get(f"/api/v1/members/{shop_year['once0'].pk}").json()
    assert body["forecast"]["p_alive"] == "1.0000"
    listed = api.get("/api/v1/members", {"outlook": "likely", "page_size": 100}).json()
    assert listed["count"] == MemberForecast.objects.filter(p_alive__gte=Decimal("0.5")).count()
    assert api.get("/api/v1/members/segments/count", {"model_churn_risk": True}).json()["filters"]["model_churn_risk"]


def test_too_few_repeat_buyers_means_no_fit_and_no_forecast(client, users, shop, paid):
    paid("ann", "2026-01-01", "50.00")
    paid("ann", "2026-02-01", "50.00")
    paid("bob", "2026-03-01", "50.00")
    services.sync_members(shop=shop, now=NOW)
    result = tasks.members_forecast.enqueue().return_value
    assert result == {"people": 2, "repeat_buyers": 1, "fitted": False}
    assert forecast.latest_fit().note == "1 repeat buyers, 30 needed"
    assert not MemberForecast.objects.exists()
    login(client, users["service"], "en")
    member = MemberIdentity.objects.get(buyer_nick="ann").member
    page = client.get(f"/members/{member.pk}/").content.decode()
    assert "No estimate: the model needs at least 30 buyers with a second purchase day (1 so far)." in page


def test_select_keeps_exactly_the_rows_matches_keeps(shop_year):
    forecast.refit(NOW)
    rows = segments.scored(NOW)
    for filters in (
        SegmentFilters(),
        SegmentFilters(r_min=2, r_max=4, f_min=3),
        SegmentFilters(m_min=5),
        SegmentFilters(buyer_type="new"),
        SegmentFilters(buyer_type="returning", churn_risk=True),
        SegmentFilters(tiers=["none"], high_value=True),
        SegmentFilters(model_churn_risk=True),
    ):
        assert filters.select(rows) == [row for row in rows if filters.matches(row)]
