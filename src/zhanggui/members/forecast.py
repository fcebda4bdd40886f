"""The repurchase model applied to the shop's people (docs/members.md, "Probability of return and expected value"):
each person's purchase days summed up as BG/NBD's (x, t_x, T) in **days**, their mean repeat spend for
Gamma-Gamma, one fit over everyone nightly, and per person P(alive), expected orders in the next 90 days, their
expected value and a 12-month value discounted monthly (MemberForecast)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from django.db import transaction
from django.utils import timezone

from zhanggui.members import clv, selectors
from zhanggui.members.models import EarlierPurchase, MemberForecast, RepurchaseFit

MIN_REPEAT_BUYERS = 30  # fewer people with a second purchase day: no fit, no forecasts (the fit row says why)
HORIZON_DAYS = 90
VALUE_MONTHS = 12
DAYS_PER_MONTH = 30.0
MONTHLY_DISCOUNT = 0.01  # 1 % a month for the 12-month value
P_ALIVE_PLACES = Decimal("0.0001")
ORDERS_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Summary:
    """A person as the model sees them: x repeat purchase days, t_x days from the first purchase day to the last,
    T days from the first purchase day to today, m_x the mean net spend of the repeat days (0 when x = 0)."""

    member_id: int
    x: int
    t_x: int
    T: int
    m_x: float


def summaries(today: date) -> list[Summary]:
    """Every person with a counted order or an earlier purchase (EarlierPurchase, from before the desk):
    purchases are **days** (several orders on one local day are one purchase, their net spends added), the first
    day is the start and is not a repeat."""
    people: dict[int, dict[date, Decimal]] = {}
    for root_id, orders in selectors.person_orders().items():
        by_day = people.setdefault(root_id, {})
        for order in orders:
            day = timezone.localdate(order.paid_at)
            by_day[day] = by_day.get(day, Decimal("0.00")) + order.net
    roots = selectors.roots_of()
    for member_id, day, amount in EarlierPurchase.objects.values_list("member_id", "paid_on", "amount"):
        by_day = people.setdefault(roots.get(member_id, member_id), {})
        by_day[day] = by_day.get(day, Decimal("0.00")) + amount
    found = []
    for root_id, by_day in people.items():
        days = sorted(by_day)
        first, last = days[0], days[-1]
        repeats = [by_day[d] for d in days[1:]]
        mean = float(sum(repeats, Decimal("0.00")) / len(repeats)) if repeats else 0.0
        found.append(
            Summary(root_id, len(repeats), (last - first).days, max((today - first).days, (last - first).days), mean)
        )
    return found


def _usable(bgnbd: clv.BgNbd, gg: clv.GammaGamma) -> str:
    """Why the fitted parameters cannot be used ("" when they can): every one finite, a ≠ 1 (the expectation
    divides by a − 1) and q > 1 (the population's mean spend pγ/(q − 1) must exist)."""
    values = [bgnbd.r, bgnbd.alpha, bgnbd.a, bgnbd.b, gg.p, gg.q, gg.gamma]
    if not all(math.isfinite(v) and v > 0 for v in values):
        return "the fit did not converge"
    if abs(bgnbd.a - 1) < 1e-6:
        return "a = 1"
    if gg.q <= 1:
        return "q ≤ 1: the mean spend is not finite"
    return ""


@transaction.atomic
def refit(now: datetime | None = None) -> RepurchaseFit:
    """Fit both models over every person and replace every forecast; with too few repeat buyers (or an unusable
    fit) the forecasts are removed and the fit row says why, so no page shows an estimate from no evidence."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    people = summaries(today)
    repeaters = sum(1 for s in people if s.x > 0)
    fit = RepurchaseFit(at=now, people=len(people), repeat_buyers=repeaters)
    MemberForecast.objects.all().delete()
    if repeaters < MIN_REPEAT_BUYERS:
        fit.note = f"{repeaters} repeat buyers, {MIN_REPEAT_BUYERS} needed"
        fit.save()
        return fit
    x = np.array([s.x for s in people], dtype=float)
    t_x = np.array([s.t_x for s in people], dtype=float)
    T = np.array([s.T for s in people], dtype=float)
    m_x = np.array([s.m_x for s in people], dtype=float)
    bgnbd, bg_ll = clv.fit_bgnbd(x, t_x, T)
    gg, gg_ll = clv.fit_gamma_gamma(x, m_x)
    fit.note = _usable(bgnbd, gg)
    fit.params = {
        "r": bgnbd.r,
        "alpha": bgnbd.alpha,
        "a": bgnbd.a,
        "b": bgnbd.b,
        "log_likelihood": bg_ll,
        "p": gg.p,
        "q": gg.q,
        "gamma": gg.gamma,
        "gg_log_likelihood": gg_ll,
        "period": "day",
    }
    fit.fitted = not fit.note
    fit.save()
    if not fit.fitted:
        return fit
    alive = clv.p_alive(bgnbd, x, t_x, T)
    orders = clv.expected_purchases(bgnbd, HORIZON_DAYS, x, t_x, T)
    spend = clv.expected_spend(gg, x, m_x)
    value = clv.clv(
        bgnbd,
        gg,
        x,
        t_x,
        T,
        m_x,
        months=VALUE_MONTHS,
        periods_per_month=DAYS_PER_MONTH,
        monthly_discount=MONTHLY_DISCOUNT,
    )
    MemberForecast.objects.bulk_create(
        [
            MemberForecast(
                member_id=s.member_id,
                fit=fit,
                p_alive=_rounded(alive[i], P_ALIVE_PLACES),
                expected_orders_90=_rounded(orders[i], ORDERS_PLACES),
                expected_value_90=clv.to_money(orders[i] * spend[i]),
                value_12m=clv.to_money(value[i]),
            )
            for i, s in enumerate(people)
        ],
        batch_size=1000,
    )
    return fit


def _rounded(value: float, places: Decimal) -> Decimal:
    """A probability or a number of orders, half up to its places."""
    return Decimal(repr(float(value))).quantize(places, rounding=ROUND_HALF_UP)


def latest_fit() -> RepurchaseFit | None:
    return RepurchaseFit.objects.first()
