"""The year into months, to the fen: worked out by hand (docs/planning.md, "Breakdown")."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhanggui.planning import breakdown
from zhanggui.planning.breakdown import MONTHS, PlanError

D = Decimal


def test_allocate_hands_the_left_over_fen_to_the_largest_remainders():
    # 100.00 in three equal parts: 33.33 each leaves 1 fen, which goes to the first (ties: the earlier part)
    assert breakdown.allocate(D("100.00"), [D(1), D(1), D(1)]) == [D("33.34"), D("33.33"), D("33.33")]
    # 10.00 by 1:2:3 → exact 1.6666…, 3.3333…, 5.00 → floors 1.66, 3.33, 5.00 (9.99); the fen left goes to the
    # largest remainder: 1.6666… (0.66 fen) beats 3.3333… (0.33 fen)
    assert breakdown.allocate(D("10.00"), [D(1), D(2), D(3)]) == [D("1.67"), D("3.33"), D("5.00")]
    assert breakdown.allocate(D("0.05"), [D(0), D(0)]) == [D("0.03"), D("0.02")]  # all zero: equal parts


def test_allocate_refuses_part_fen_and_negative_totals():
    with pytest.raises(PlanError):
        breakdown.allocate(D("1.005"), [D(1)])
    with pytest.raises(PlanError):
        breakdown.allocate(D("-1"), [D(1)])


def test_by_the_template_adds_up_exactly_and_weighs_the_events():
    months, used_history = breakdown.by_months(D("1000000.00"))
    assert not used_history
    assert sum(months.values()) == D("1000000.00")
    # The template's weights add up to 100: each month is weight × 10,000.00
    assert months[11] == D("140000.00")  # 双11
    assert months[6] == D("100000.00")  # 618
    assert months[2] == D("55000.00")  # the Spring Festival lull
    odd, _ = breakdown.by_months(D("1234567.89"))
    assert sum(odd.values()) == D("1234567.89")
    assert all(v == v.quantize(D("0.01")) for v in odd.values())


def test_by_last_years_shape_when_every_month_sold():
    shape = {m: D(m) for m in MONTHS}  # 1 + 2 + … + 12 = 78
    months, used_history = breakdown.by_months(D("780.00"), shape)
    assert used_history
    assert months == {m: D(m) * 10 for m in MONTHS}
    thin, _ = breakdown.by_months(D("100.00"), shape)  # 100 × m ÷ 78: floors add to 99.94, 6 fen handed out
    assert sum(thin.values()) == D("100.00")
    assert thin[1] == D("1.28")  # 1.2820… (floor 1.28, remainder 0.20 fen: not among the 6 largest)
    assert thin[12] == D("15.39")  # 15.3846… (floor 15.38, remainder 0.46 fen: gets one)


def test_a_year_with_a_month_without_sales_uses_the_template():
    shape = {m: D(100) for m in MONTHS} | {2: D(0)}
    months, used_history = breakdown.by_months(D("1000.00"), shape)
    assert not used_history
    assert months[11] == D("140.00")


def test_rebalance_keeps_the_year_to_the_fen():
    months = {m: D("100.00") for m in MONTHS}  # 1,200.00
    out = breakdown.rebalance(months, month=1, amount=D("150.00"), locked={2})
    # 50.00 comes off the 10 other unlocked months (3..12): 5.00 each; February is locked
    assert out[1] == D("150.00")
    assert out[2] == D("100.00")
    assert all(out[m] == D("95.00") for m in range(3, 13))
    assert sum(out.values()) == D("1200.00")
    odd = breakdown.rebalance(months, month=1, amount=D("100.01"), locked=set())  # 1 fen off 11 months
    assert sum(odd.values()) == D("1200.00")
    # 1,099.99 ÷ 11 = 99.9990… each: floors 99.99 × 11 = 1,099.89, the 10 fen left go to the first ten (ties)
    assert [odd[m] for m in range(2, 12)] == [D("100.00")] * 10
    assert odd[12] == D("99.99")


def test_rebalance_refuses_what_the_others_cannot_give():
    months = {m: D("10.00") for m in MONTHS}
    with pytest.raises(PlanError):
        breakdown.rebalance(months, month=1, amount=D("500.00"), locked=set())
    with pytest.raises(PlanError):
        breakdown.rebalance(months, month=1, amount=D("5.00"), locked=set(range(2, 13)))


def test_quarters_are_sums_of_their_months():
    months = {m: D(m) for m in MONTHS}
    assert breakdown.quarters(months) == {1: D(6), 2: D(15), 3: D(24), 4: D(33)}
