"""The rules every reader shares: addresses split best effort, an order's discount spread to the fen."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhanggui.channels.common import Address, LineDraft, allocate, priced_lines, split_address
from zhanggui.channels.records import CLOSED, COMPLETED, PAID, UNPAID


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        # Taobao: space separated, a municipality written twice, a postcode at the end.
        ("浙江省 杭州市 西湖区 文三路 90号", ("浙江省", "杭州市", "西湖区", "文三路 90号")),
        ("北京 北京市 朝阳区 建国路 88号(100022)", ("北京", "北京市", "朝阳区", "建国路 88号")),
        ("内蒙古自治区 呼和浩特市 新城区 新华大街 1号", ("内蒙古自治区", "呼和浩特市", "新城区", "新华大街 1号")),
        ("浙江省 杭州市 西湖区 西溪街道 文三路 90号", ("浙江省", "杭州市", "西湖区", "西溪街道 文三路 90号")),
        # JD: one string, no spaces.
        ("浙江杭州市西湖区文三路90号", ("浙江", "杭州市", "西湖区", "文三路90号")),
        ("浙江省杭州市余杭区五常街道文一西路969号", ("浙江省", "杭州市", "余杭区", "五常街道文一西路969号")),
        ("上海市浦东新区张江路1号", ("上海市", "上海市", "浦东新区", "张江路1号")),
        ("北京北京市朝阳区建国路88号", ("北京", "北京市", "朝阳区", "建国路88号")),
        ("北京北京路1号", ("北京", "北京市", "", "北京路1号")),
        ("广西壮族自治区南宁市青秀区民族大道1号", ("广西壮族自治区", "南宁市", "青秀区", "民族大道1号")),
        ("湖北省恩施土家族苗族自治州恩施市舞阳大道1号", ("湖北省", "恩施土家族苗族自治州", "恩施市", "舞阳大道1号")),
        ("四川省成都市双流县东升街道1号", ("四川省", "成都市", "双流县", "东升街道1号")),
        ("广东省东莞市长安镇振安路1号", ("广东省", "东莞市", "", "长安镇振安路1号")),  # no district level
        # Nothing to split on: the whole text stays as the address.
        ("文三路90号", ("", "", "", "文三路90号")),
        ("", ("", "", "", "")),
    ],
)
def test_addresses_are_split_into_province_city_district_and_the_rest(text, parts):
    assert split_address(text) == Address(*parts)


def test_allocation_gives_the_leftover_fen_to_the_largest_remainders_and_ties_to_the_earlier_line():
    assert allocate(1000, [1, 1, 1]) == [334, 333, 333]  # ¥10 over three equal lines: never 9.99
    assert allocate(3790, [39800, 8990]) == [3092, 698]  # 3091.62 and 698.38
    assert allocate(5, [0, 0]) == [5, 0]
    assert allocate(0, [100, 200]) == [0, 0]


@st.composite
def orders(draw):
    """Lines of an order (unit price in fen, quantity) and what the buyer paid for the goods, at most their total."""
    lines = draw(st.lists(st.tuples(st.integers(0, 500_000), st.integers(1, 50)), min_size=1, max_size=8))
    total = sum(price * quantity for price, quantity in lines)
    return lines, draw(st.integers(0, total))


@given(orders())
def test_the_lines_paid_add_up_exactly_none_is_negative_and_each_discount_is_proportional_within_a_fen(order):
    lines, goods_paid = order
    drafts = [
        LineDraft(i, "", f"S{i}", "", "", quantity, Decimal(price) / 100) for i, (price, quantity) in enumerate(lines)
    ]
    shipping = Decimal("8.00")
    priced = priced_lines(drafts, paid_total=Decimal(goods_paid) / 100 + shipping, shipping_fee=shipping, status=PAID)
    assert not isinstance(priced, str)
    assert sum(line.paid for line in priced) == Decimal(goods_paid) / 100
    goods_total = sum(price * quantity for price, quantity in lines)
    discount = goods_total - goods_paid
    for line, (price, quantity) in zip(priced, lines, strict=True):
        assert line.paid >= 0 and line.discount >= 0
        assert line.paid + line.discount == line.unit_price * line.quantity
        assert line.discount == line.discount.quantize(Decimal("0.01"))
        if goods_total:
            exact = Fraction(discount * price * quantity, goods_total)  # fen
            assert abs(Fraction(int(line.discount * 100)) - exact) < 1


def test_a_paid_order_whose_payment_does_not_cover_the_shipping_is_refused_but_a_closed_one_has_lines_paid_0():
    drafts = [LineDraft(2, "", "S", "", "", 1, Decimal("10.00"))]
    refused = priced_lines(drafts, paid_total=Decimal("5.00"), shipping_fee=Decimal("8.00"), status=COMPLETED)
    assert refused == "The buyer paid ¥5.00 in all, less than the shipping fee ¥8.00."
    for status in (UNPAID, CLOSED):
        [line] = priced_lines(drafts, paid_total=Decimal("0.00"), shipping_fee=Decimal("8.00"), status=status)
        assert (line.discount, line.paid) == (Decimal("10.00"), Decimal("0.00"))
