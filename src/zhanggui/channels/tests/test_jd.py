"""JD's order export (UTF-8 with BOM here; GBK works the same): one row per line, an order's rows anywhere in the
file, a repeated row read once, an order JD split into others left out when its parts are in the file."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from zhanggui.channels import jd
from zhanggui.channels.records import CLOSED, JD, PAID, SHIPPED, RowError
from zhanggui.channels.tests.conftest import fixture

SHANGHAI = ZoneInfo("Asia/Shanghai")


def read():
    path, name = fixture("jd_orders.csv")
    return jd.read(file=path, filename=name)


def by_no(result):
    return {order.order_no: order for order in result.orders}


def test_orders_are_counted_once_and_their_money_adds_up_to_the_fen():
    result = read()
    assert result.platform == JD
    assert result.errors == []
    # 300000000003 was split by JD into 004 and 005, which are in the file: read as those two only.
    assert [(o.order_no, o.status, len(o.lines)) for o in result.orders] == [
        ("300000000001", PAID, 2),
        ("300000000002", SHIPPED, 1),
        ("300000000004", PAID, 1),
        ("300000000005", PAID, 1),
        ("300000000006", CLOSED, 1),
    ]
    assert sum((o.paid_total for o in result.orders), Decimal(0)) == Decimal("2055.80")
    for order in result.orders:
        if order.status != CLOSED:
            assert sum(line.paid for line in order.lines) == order.paid_total - order.shipping_fee


def test_an_order_on_two_rows_apart_is_one_order_and_the_repeated_row_is_dropped():
    order = by_no(read())["300000000001"]
    # 应付金额 600.00 + 余额支付 18.80; goods 599.00 + 2 × 29.90 = 658.80, shipping 10.00 → ¥50.00 off.
    assert (order.paid_total, order.shipping_fee) == (Decimal("618.80"), Decimal("10.00"))
    assert [
        (line.sub_order_id, line.sku_code, line.quantity, line.unit_price, line.discount, line.paid, line.line)
        for line in order.lines
    ] == [
        ("100001", "DOWN-BLK-L", 1, Decimal("599.00"), Decimal("45.46"), Decimal("553.54"), 2),
        ("100002", "SOCK-GRY", 2, Decimal("29.90"), Decimal("4.54"), Decimal("55.26"), 5),
    ]
    # The second row leaves the receiver empty: the first row's values count.
    assert (order.receiver_name, order.receiver_phone, order.buyer_nick) == ("张三", "13800138000", "jd_zhang")
    assert order.buyer_note == "请尽快发货"
    assert order.created_at == datetime(2026, 11, 11, 0, 3, 12, tzinfo=SHANGHAI)
    assert order.paid_at == datetime(2026, 11, 11, 0, 3, 40, tzinfo=SHANGHAI)


def test_addresses_written_without_spaces_are_split_on_their_suffixes():
    orders = by_no(read())
    parts = {no: (o.province, o.city, o.district, o.address) for no, o in orders.items()}
    assert parts["300000000001"] == ("浙江", "杭州市", "西湖区", "文三路90号")
    assert parts["300000000002"] == ("上海市", "上海市", "浦东新区", "张江路1号")
    assert parts["300000000004"] == ("广西壮族自治区", "南宁市", "青秀区", "民族大道1号")
    assert parts["300000000006"] == ("北京", "北京市", "朝阳区", "建国路88号")


def test_a_cancelled_order_reads_as_closed_with_nothing_paid():
    order = by_no(read())["300000000006"]
    assert (order.status, order.status_text, order.paid_total) == (CLOSED, "已取消", Decimal("0.00"))
    assert order.paid_at is None
    assert order.created_at == datetime(2026, 11, 10, 9, 30, tzinfo=SHANGHAI)  # written 2026/11/10 9:30


def test_every_bad_row_is_listed_with_its_line_column_and_reason():
    path, name = fixture("jd_bad.csv")
    result = jd.read(file=path, filename=name)
    assert result.errors == [
        RowError("jd_bad.csv", 2, "京东价", "abc is not an amount in yuan with at most two decimals."),
        RowError("jd_bad.csv", 3, "订购数量", "0: a line holds at least 1 unit."),
        RowError("jd_bad.csv", 4, "订单号", "Required; fill it on every row (no merged cells)."),
        RowError(
            "jd_bad.csv",
            5,
            "订单状态",
            "Unknown order status 已吃掉; the statuses read are: 等待付款 / 待付款 / 等待出库 / 等待发货 / 待出库 / "
            "等待确认收货 / 已出库 / 完成 / 已完成 / 已取消 / 取消.",
        ),
    ]
    assert [order.order_no for order in result.orders] == ["310000000005"]  # the good row, for the count


HEAD = "订单号,商品ID,商品名称,订购数量,京东价,应付金额,运费金额,订单状态,客户地址\n"


def test_a_line_id_twice_with_different_values_is_refused_naming_the_first_row(tmp_path):
    path = tmp_path / "jd.csv"
    path.write_text(
        HEAD + "4001,9001,杯,1,10.00,30.00,0,等待出库,浙江杭州市西湖区1号\n4001,9001,杯,2,10.00,30.00,0,等待出库,\n",
        encoding="gbk",
    )
    result = jd.read(file=path)
    assert result.errors == [
        RowError(
            "jd.csv",
            3,
            "商品ID",
            "Line 9001 of order 4001 is also on line 2, with other values; keep one of the two rows.",
        )
    ]


def test_order_amounts_that_differ_between_the_rows_of_one_order_are_refused(tmp_path):
    path = tmp_path / "jd.csv"
    path.write_text(
        HEAD + "4001,9001,杯,1,10.00,30.00,0,等待出库,\n4001,9002,盘,2,10.00,28.00,0,等待出库,\n", encoding="utf-8"
    )
    result = jd.read(file=path)
    assert result.orders == []
    assert result.errors == [RowError("jd.csv", 3, "应付金额", "28.00 differs from line 2 of the same order (30.00).")]
