from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhanggui.core.money import MoneyError, parse_money, to_fen


@pytest.mark.parametrize(
    ("raw", "fen"),
    [("1.005", "1.01"), ("1.004", "1.00"), ("-1.005", "-1.01"), ("2.675", "2.68"), (3, "3.00")],
)
def test_to_fen_rounds_half_up(raw, fen):
    assert to_fen(raw) == Decimal(fen)


def test_floats_are_refused():
    with pytest.raises(MoneyError):
        to_fen(0.1)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("¥1,299.00", "1299.00"),
        ("1299元", "1299.00"),
        (" 12.5 ", "12.50"),
        ("￥0.01", "0.01"),
        ("31,396.00", "31396.00"),
    ],
)
def test_parse_money_reads_shop_files(text, amount):
    assert parse_money(text) == Decimal(amount)


@pytest.mark.parametrize(
    ("text", "amount"),
    [("１２９９．００", "1299.00"), ("￥１，２９９", "1299.00"), ("１２.5元", "12.50"), ("－３", "-3.00")],
)
def test_parse_money_reads_full_width_digits_as_an_input_method_types_them(text, amount):
    assert parse_money(text) == Decimal(amount)


@pytest.mark.parametrize(
    "text", ["", "abc", "12.345", "NaN", "1e999999", "1e3", "1E3", "1_000", "١٢٣", "Infinity", "0x10", "1.2.3", "+-1"]
)
def test_parse_money_refuses_what_it_cannot_read_exactly(text):
    with pytest.raises(MoneyError):
        parse_money(text)


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False))
def test_parse_money_round_trips_two_decimal_amounts(amount):
    assert parse_money(f"{amount:.2f}") == amount


@pytest.mark.parametrize("text", ["1e3", "1E+3", "1_000", "inf", "NaN", " "])
def test_to_fen_refuses_strings_that_are_not_plain_decimals(text):
    with pytest.raises(MoneyError):
        to_fen(text)


def test_to_fen_takes_decimals_whatever_their_exponent():
    assert to_fen(Decimal("1E+2")) == Decimal("100.00")


def test_largest_remainder_splits_to_the_fen_by_the_documented_rule():
    from zhanggui.core.money import largest_remainder

    # docs/pricing.md: ¥17.30 over lines worth ¥30 / ¥40 / ¥10 is 6.49 / 8.65 / 2.16 (largest remainder).
    assert largest_remainder(1730, [3000, 4000, 1000]) == [649, 865, 216]
    assert largest_remainder(1000, [1000, 1000, 1000]) == [334, 333, 333]  # ties go to the earlier position
    assert largest_remainder(0, [5, 7]) == [0, 0]
