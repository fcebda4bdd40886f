"""Taobao's two files (订单报表 + 宝贝报表, GBK, ="…" order numbers, ' phones, 元 and thousands separators) read as
one upload: orders joined to their lines, the order's discount spread over its lines to the fen."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from zhanggui.channels import taobao
from zhanggui.channels.records import CLOSED, COMPLETED, PAID, SHIPPED, TAOBAO, UNPAID, RowError
from zhanggui.channels.tests.conftest import fixture

SHANGHAI = ZoneInfo("Asia/Shanghai")


def read():
    return taobao.read(orders=fixture("taobao_orders.csv"), lines=fixture("taobao_lines.csv"))


def by_no(result):
    return {order.order_no: order for order in result.orders}


def test_every_order_is_read_with_its_lines_and_no_errors():
    result = read()
    assert result.platform == TAOBAO
    assert result.errors == []
    assert [(o.order_no, o.status, len(o.lines)) for o in result.orders] == [
        ("2850011100000000001", PAID, 3),
        ("2850011100000000002", SHIPPED, 1),
        ("2850011100000000003", CLOSED, 1),
        ("2850011100000000004", COMPLETED, 1),
        ("2850011100000000005", UNPAID, 1),
    ]
    assert sum((o.paid_total for o in result.orders), Decimal(0)) == Decimal("4162.00")
    assert sum(line.quantity for o in result.orders for line in o.lines) == 11


def test_the_order_discount_is_spread_over_the_lines_by_largest_remainder():
    """¥1,586.70 of goods paid ¥1,450.00: ¥136.70 off, in proportion to 1,099.00 / 398.00 / 89.70."""
    order = by_no(read())["2850011100000000001"]
    assert (order.paid_total, order.shipping_fee) == (Decimal("1450.00"), Decimal("0.00"))
    assert [(line.sku_code, line.quantity, line.unit_price, line.discount, line.paid) for line in order.lines] == [
        ("COAT-GRY-M", 1, Decimal("1099.00"), Decimal("94.68"), Decimal("1004.32")),
        ("SCARF-RED", 2, Decimal("199.00"), Decimal("34.29"), Decimal("363.71")),
        ("SOCK-BLK", 3, Decimal("29.90"), Decimal("7.73"), Decimal("81.97")),
    ]
    assert sum(line.paid for line in order.lines) == order.paid_total - order.shipping_fee
    assert [line.line for line in order.lines] == [2, 4, 6]  # their rows in the order-lines file


def test_order_fields_come_from_the_orders_file_with_the_disguises_removed():
    order = by_no(read())["2850011100000000001"]
    assert order.buyer_nick == "tb_小王"
    assert order.receiver_name == "王小明"
    assert order.receiver_phone == "13800138000"  # '13800138000 in the file
    assert (order.province, order.city, order.district, order.address) == ("浙江省", "杭州市", "西湖区", "文三路 90号")
    assert order.created_at == datetime(2026, 11, 11, 0, 3, 12, tzinfo=SHANGHAI)
    assert order.paid_at == datetime(2026, 11, 11, 0, 3, 40, tzinfo=SHANGHAI)
    assert order.ship_by is None  # no presale deadline in this version of the file
    assert (order.buyer_note, order.seller_note) == ("周末别送", "送围巾礼盒")
    assert (order.file, order.line) == ("taobao_orders.csv", 2)
    assert order.lines[0].title == "羊毛大衣 女 冬"
    assert order.lines[0].spec == "颜色分类:灰色;尺码:M"


def test_shipping_fee_is_not_spread_over_the_lines():
    order = by_no(read())["2850011100000000002"]
    assert (order.paid_total, order.shipping_fee) == (Decimal("69.00"), Decimal("10.00"))
    assert [(line.unit_price, line.discount, line.paid) for line in order.lines] == [
        (Decimal("59.00"), Decimal("0.00"), Decimal("59.00"))
    ]
    assert (order.carrier, order.tracking_no) == ("圆通速递", "YT1234567890123")
    assert order.created_at == datetime(2026, 11, 11, 0, 3, tzinfo=SHANGHAI)  # written 2026/11/11 0:03
    # A municipality (北京 北京市) and a postcode at the end, as older exports write it.
    assert (order.province, order.city, order.district, order.address) == (
        "北京",
        "北京市",
        "朝阳区",
        "建国路 88号 SOHO现代城",
    )


def test_a_closed_order_that_was_never_paid_has_lines_paid_nothing():
    order = by_no(read())["2850011100000000003"]
    assert (order.status, order.status_text) == (CLOSED, "交易关闭")
    assert (order.paid_total, order.shipping_fee) == (Decimal("0.00"), Decimal("8.00"))
    assert [(line.unit_price, line.discount, line.paid) for line in order.lines] == [
        (Decimal("39.90"), Decimal("39.90"), Decimal("0.00"))
    ]
    assert order.paid_at is None


def test_a_changed_address_wins_over_the_original_one():
    order = by_no(read())["2850011100000000004"]
    assert (order.province, order.city, order.district, order.address) == ("上海", "上海市", "浦东新区", "张江路 1号")


def test_the_files_may_come_in_either_order_of_rows_and_lines_of_one_order_need_not_be_together():
    # Order 1's lines are on rows 2, 4 and 6 of the order-lines file, between other orders' lines.
    assert [line.sku_code for line in by_no(read())["2850011100000000001"].lines] == [
        "COAT-GRY-M",
        "SCARF-RED",
        "SOCK-BLK",
    ]


def test_every_bad_row_of_both_files_is_listed_and_no_bad_order_is_read():
    result = taobao.read(orders=fixture("taobao_bad_orders.csv"), lines=fixture("taobao_bad_lines.csv"))
    assert result.orders == []
    assert result.errors == [
        RowError(
            "taobao_bad_orders.csv",
            2,
            "买家实际支付金额",
            "abc is not an amount in yuan with at most two decimals.",
        ),
        RowError(
            "taobao_bad_orders.csv",
            3,
            "订单编号",
            "Order 2850022200000000002 has no lines in taobao_bad_lines.csv.",
        ),
        RowError(
            "taobao_bad_orders.csv",
            4,
            "订单状态",
            "Unknown order status 买家已付款; the statuses read are: 等待买家付款 / 买家已付款，等待卖家发货 / "
            "卖家已发货，等待买家确认 / 交易成功 / 交易关闭.",
        ),
        RowError(
            "taobao_bad_orders.csv",
            5,
            "订单创建时间",
            "2026-13-11 00:00:00 is not a date and time; write it as 2026-11-11 00:03:12 or 2026/11/11 0:03.",
        ),
        RowError("taobao_bad_lines.csv", 3, "购买数量", "0: a line holds at least 1 unit."),
        RowError("taobao_bad_lines.csv", 4, "订单编号", "Required; fill it on every row (no merged cells)."),
        RowError(
            "taobao_bad_lines.csv",
            5,
            "订单编号",
            "Order 2850022200000000009 is not in the orders file taobao_bad_orders.csv.",
        ),
    ]


def test_a_goods_payment_above_the_lines_prices_is_refused_on_the_order_row(tmp_path):
    orders = tmp_path / "ExportOrderList.csv"
    orders.write_text("订单编号,买家实际支付金额,买家应付邮费,订单状态\n1001,120.00,0,交易成功\n", encoding="gbk")
    lines = tmp_path / "ExportOrderDetailList.csv"
    lines.write_text("订单编号,价格,购买数量\n1001,50.00,2\n", encoding="gbk")
    result = taobao.read(orders=(orders, orders.name), lines=(lines, lines.name))
    assert result.orders == []
    assert result.errors == [
        RowError(
            "ExportOrderList.csv",
            2,
            "买家实际支付金额",
            "The buyer paid ¥120.00 for the goods (without shipping), more than their prices add up to (¥100.00); "
            "is a line missing?",
        )
    ]


def test_a_sub_order_export_with_its_own_ids_reads_and_drops_a_repeated_row(tmp_path):
    orders = tmp_path / "o.csv"
    orders.write_text("订单编号,买家实际支付金额,订单状态\n1001,90.00,买家已付款，等待卖家发货\n", encoding="utf-8")
    lines = tmp_path / "l.csv"
    lines.write_text(
        "子订单编号,主订单编号,商品标题,商品价格,购买数量,商家编码,退款状态\n"
        "5001,1001,杯,50.00,1,CUP,没有申请退款\n"
        "5001,1001,杯,50.00,1,CUP,没有申请退款\n"
        "5002,1001,盘,50.00,1,PLATE,\n",
        encoding="utf-8",
    )
    result = taobao.read(orders=(orders, "o.csv"), lines=(lines, "l.csv"))
    assert result.errors == []
    [order] = result.orders
    assert [(line.sub_order_id, line.sku_code, line.paid, line.refund_status) for line in order.lines] == [
        ("5001", "CUP", Decimal("45.00"), "没有申请退款"),
        ("5002", "PLATE", Decimal("45.00"), ""),
    ]
