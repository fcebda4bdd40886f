"""BG/NBD and Gamma-Gamma written from the papers, checked against the papers' own estimates on the CDNOW sample
(2,357 customers, 39 weeks; tests/data/README.md) and on small cases worked by hand."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from zhanggui.members import clv

DATA = Path(__file__).parent / "data" / "cdnow_customers_summary_with_transactions.csv"
RELATIVE = 0.01  # the stated tolerance (docs/members.md): 1 % of the published figure


@pytest.fixture(scope="module")
def cdnow():
    with DATA.open() as f:
        rows = list(csv.DictReader(f))
    return {key: np.array([float(row[key]) for row in rows]) for key in ("x", "t_x", "T", "zbar")}


def test_the_sample_is_the_papers():
    with DATA.open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2357
    assert sum(1 for row in rows if int(row["x"]) > 0) == 946  # the Gamma-Gamma note's repeat customers
    assert max(float(row["T"]) for row in rows) <= 39


def test_bgnbd_fit_matches_fader_hardie_lee_2005(cdnow):
    params, log_likelihood = clv.fit_bgnbd(cdnow["x"], cdnow["t_x"], cdnow["T"])
    # Published (FHL 2005, section 4): r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4
    assert params.r == pytest.approx(0.243, rel=RELATIVE)
    assert params.alpha == pytest.approx(4.414, rel=RELATIVE)
    assert params.a == pytest.approx(0.793, rel=RELATIVE)
    assert params.b == pytest.approx(2.426, rel=RELATIVE)
    assert log_likelihood == pytest.approx(-9582.4, abs=0.1)
    # the published parameters give the published likelihood too (the likelihood itself is the paper's)
    published = clv.BgNbd(0.243, 4.414, 0.793, 2.426)
    assert clv.bgnbd_log_likelihood(published, cdnow["x"], cdnow["t_x"], cdnow["T"]) == pytest.approx(-9582.4, abs=0.1)


def test_gamma_gamma_fit_matches_fader_hardie_2013(cdnow):
    params, _ = clv.fit_gamma_gamma(cdnow["x"], cdnow["zbar"])
    # Published (the note, section 4, the 946 repeat customers): p = 6.25, q = 3.74, γ = 15.44
    assert params.p == pytest.approx(6.25, rel=RELATIVE)
    assert params.q == pytest.approx(3.74, rel=RELATIVE)
    assert params.gamma == pytest.approx(15.44, rel=RELATIVE)


def test_conditional_expectation_of_the_papers_example_customer():
    # FHL 2005 section 4: a customer with x = 2, t_x = 30.43, T = 38.86 expects 1.226 purchases in the next
    # 39 weeks under the published parameters.
    published = clv.BgNbd(0.243, 4.414, 0.793, 2.426)
    assert clv.expected_purchases(published, 39, [2], [30.43], [38.86])[0] == pytest.approx(1.226, abs=0.005)


def test_p_alive_worked_by_hand():
    params = clv.BgNbd(r=1.0, alpha=1.0, a=1.0, b=1.0)
    # no repeat purchase: alive whatever the time since (nobody drops out before a repeat purchase)
    assert clv.p_alive(params, [0, 0], [0, 0], [1, 100]).tolist() == [1.0, 1.0]
    # x = 1, t_x = 1, T = 3: 1 / (1 + 1/(1+1−1) · ((1+3)/(1+1))^(1+1)) = 1 / (1 + 4) = 0.2
    assert clv.p_alive(params, [1], [1], [3])[0] == pytest.approx(0.2)
    # bought at the very end (t_x = T): 1 / (1 + a/(b+x−1)) = 1 / (1 + 1/1) = 0.5
    assert clv.p_alive(params, [1], [3], [3])[0] == pytest.approx(0.5)
    # the longer the silence, the lower: x = 3, t_x = 1, T = 3 vs T = 10
    early, late = clv.p_alive(params, [3, 3], [1, 1], [3, 10])
    # 1 / (1 + 1/3 · (4/2)^4) = 1 / (1 + 16/3) = 3/19; 1 / (1 + 1/3 · (11/2)^4)
    assert early == pytest.approx(3 / 19)
    assert late == pytest.approx(1 / (1 + (5.5**4) / 3))


def test_expected_purchases_is_zero_for_no_time_and_grows_with_time():
    published = clv.BgNbd(0.243, 4.414, 0.793, 2.426)
    assert clv.expected_purchases(published, 0, [2], [30.43], [38.86])[0] == 0
    one, two = (clv.expected_purchases(published, t, [2], [30.43], [38.86])[0] for t in (13, 26))
    assert 0 < one < two


def test_expected_spend_worked_by_hand():
    params = clv.GammaGamma(p=6.25, q=3.74, gamma=15.44)
    # x = 0: the population mean p·γ/(q−1) = 6.25 × 15.44 / 2.74 = 96.5 / 2.74
    # x = 1, m_x = 10: (15.44 + 10) × 6.25 / (6.25 + 2.74) = 159 / 8.99
    zero, one = clv.expected_spend(params, [0, 1], [0, 10])
    assert zero == pytest.approx(96.5 / 2.74)
    assert one == pytest.approx(159 / 8.99)


def test_clv_of_a_sure_buyer_is_the_discounted_months():
    # With a fixed expected spend, CLV = Σ monthly purchases × spend ÷ 1.01^month; for a single month it is
    # E[purchases in a month] × E[spend] ÷ 1.01.
    bgnbd = clv.BgNbd(0.243, 4.414, 0.793, 2.426)
    gg = clv.GammaGamma(6.25, 3.74, 15.44)
    month = clv.expected_purchases(bgnbd, 30 / 7, [2], [30.43], [38.86])[0]
    spend = clv.expected_spend(gg, [2], [20.0])[0]
    one = clv.clv(bgnbd, gg, [2], [30.43], [38.86], [20.0], months=1, periods_per_month=30 / 7)[0]
    assert one == pytest.approx(month * spend / 1.01)
    assert clv.clv(bgnbd, gg, [2], [30.43], [38.86], [20.0], months=0)[0] == 0


def test_money_is_to_the_fen_half_up():
    assert clv.to_money(12.345) == Decimal("12.35")  # repr 12.345 → half up
    assert clv.to_money(12.344999) == Decimal("12.34")
    assert clv.to_money(-0.5) == Decimal("0.00")
