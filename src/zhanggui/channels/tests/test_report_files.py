"""The cells of the platforms' report exports: days, counts, money and rates as the files write them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from zhanggui.channels.report_files import COUNT, DECIMAL, MONEY, RATE, Field, parse_day, read_value, title_period

D = Decimal
COUNT_F, MONEY_F, RATE_F = Field("n", ("n",), COUNT), Field("m", ("m",), MONEY), Field("r", ("r",), RATE)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    "text",
    ["2026-11-01", "2026/11/1", "2026.11.01", "2026年11月1日", "20261101", "2026-11-01 00:00:00", "２０２６-１１-０１",
     "2026-11-01~2026-11-01", "2026-11-01 至 2026-11-01"],
)  # fmt: skip
def test_days_as_the_reports_write_them(text):
    assert parse_day(text) == date(2026, 11, 1)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-02-30", "2026-02-30 is not a day; write it as 2026-11-01."),
        ("11/01/2026", "11/01/2026 is not a day; write it as 2026-11-01."),
        (
            "2026-11-01~2026-11-30",
            "2026-11-01~2026-11-30 is a period of several days; the report must have one row a day.",
        ),
    ],
)
def test_what_is_no_day(text, reason):
    with pytest.raises(ValueError) as refused:
        parse_day(text)
    assert str(refused.value) == reason


@pytest.mark.parametrize(
    ("field", "text", "value"),
    [
        (COUNT_F, "1,234", 1234),
        (COUNT_F, "1.2万", 12000),
        (COUNT_F, "1.5亿", 150_000_000),
        (COUNT_F, "", 0),  # "-" and "--" reach read_value as "" (core.tabular.clean_cell)
        (MONEY_F, "￥12,345.60", D("12345.60")),
        (MONEY_F, "31,396.00元", D("31396.00")),
        (MONEY_F, "2.5万", D("25000.00")),
        (MONEY_F, "", D("0.00")),
        (RATE_F, "3.45%", D("0.034500")),
        (RATE_F, "20.00 %", D("0.2")),
        (RATE_F, "0.0345", D("0.0345")),
        (RATE_F, "", None),
        (Field("p", ("p",), DECIMAL), "4.567", D("4.5670")),
        (Field("aov", ("客单价",), MONEY, rounded=True), "220.456", D("220.46")),
    ],
)
def test_values(field, text, value):
    assert read_value(field, text) == value


def test_a_percent_header_makes_bare_numbers_percentages():
    assert read_value(RATE_F, "2.00", percent=True) == D("0.02")


@pytest.mark.parametrize(
    ("field", "text", "reason"),
    [
        (COUNT_F, "12.5", "12.5 is not a whole number."),
        (COUNT_F, "1e3", "1e3 is not a number."),
        (MONEY_F, "1.001", "1.001 is not an amount in yuan with at most two decimals."),
        (MONEY_F, "-1.00", "-1.00: must not be negative."),
        (RATE_F, "101%", "101% is more than 100%."),
        (RATE_F, "abc", "abc is not a rate; write it as 3.45% or 0.0345."),
    ],
)
def test_refused_values(field, text, reason):
    with pytest.raises(ValueError) as refused:
        read_value(field, text)
    assert str(refused.value) == reason


def test_the_period_of_the_title_rows():
    assert title_period([["生意参谋"], ["统计日期：2026-11-01~2026-11-30"]]) == (date(2026, 11, 1), date(2026, 11, 30))
    assert title_period([["统计时间", "2026-11-05"]]) == (date(2026, 11, 5), date(2026, 11, 5))
    assert title_period([["店铺整体"], []]) is None
