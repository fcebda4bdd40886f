"""Pinduoduo's order export as an .xlsx: one row per order, Excel date-time cells or text, 承诺发货时间 kept as the
order's ship-by deadline, the SKU by 商家编码-规格维度 (else 商家编码-商品维度)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from zhanggui.channels import pdd
from zhanggui.channels.records import CLOSED, PAID, PDD, SHIPPED, RowError
from zhanggui.channels.tests.conftest import PDD_ROWS, pdd_row, write_pdd

SHANGHAI = ZoneInfo("Asia/Shanghai")


def by_no(result):
    return {order.order_no: order for order in result.orders}


def test_each_row_is_one_order_with_one_line_and_the_money_adds_up(pdd_file):
    result = pdd.read(file=pdd_file)
    assert result.platform == PDD
    assert result.errors == []
    assert [(o.order_no, o.status, o.status_text) for o in result.orders] == [
        ("261111-000000000000001", PAID, "待发货"),
        ("261111-000000000000002", SHIPPED, "已发货，待收货"),
        ("261111-000000000000003", CLOSED, "未发货，退款成功"),
    ]
    assert sum((o.paid_total for o in result.orders), Decimal(0)) == Decimal("146.70")
    assert [
        (line.sku_code, line.quantity, line.unit_price, line.discount, line.paid, line.line)
        for o in result.orders
        for line in o.lines
    ] == [
        ("TEE-WHT-L", 2, Decimal("19.90"), Decimal("8.00"), Decimal("31.80"), 3),  # row 1 is a title row
        ("MUG-01", 1, Decimal("99.00"), Decimal("10.00"), Decimal("89.00"), 4),  # 95.00 paid − 6.00 shipping
        ("BAG-01", 1, Decimal("19.90"), Decimal("0.00"), Decimal("19.90"), 5),
    ]


def test_the_platforms_ship_by_deadline_is_kept_from_date_cells_and_from_text(pdd_file):
    orders = by_no(pdd.read(file=pdd_file))
    first, second = orders["261111-000000000000001"], orders["261111-000000000000002"]
    assert first.ship_by == datetime(2026, 11, 13, 0, 3, 12, tzinfo=SHANGHAI)  # an Excel date-time cell
    assert first.paid_at == first.created_at == datetime(2026, 11, 11, 0, 3, 12, tzinfo=SHANGHAI)
    assert second.ship_by == datetime(2026, 11, 12, 0, 3, tzinfo=SHANGHAI)  # "2026/11/12 0:03"
    assert second.shipped_at == datetime(2026, 11, 11, 18, 20, tzinfo=SHANGHAI)


def test_address_columns_note_and_tracking(pdd_file):
    orders = by_no(pdd.read(file=pdd_file))
    first, second = orders["261111-000000000000001"], orders["261111-000000000000002"]
    assert (first.province, first.city, first.district, first.address) == ("浙江省", "杭州市", "西湖区", "文三路90号")
    assert (first.buyer_note, first.lines[0].spec, first.lines[0].title) == ("放门口", "白色,L", "纯棉T恤 白 L")
    assert first.lines[0].refund_status == "无售后或售后取消"
    assert (second.carrier, second.tracking_no, second.seller_note) == ("圆通快递", "YT9876543210987", "老客户")
    assert first.receiver_name == first.receiver_phone == ""  # this version of the export has neither


def test_bad_rows_are_all_listed(tmp_path):
    rows = [
        pdd_row(order_no="261111-1", status="待发货", quantity=1, goods="abc", paid="1.00", ship_by="明天"),
        pdd_row(order_no="261111-2", status="待发货", quantity=0, goods="10.00", paid="10.00"),
        pdd_row(order_no=None, status="待发货", quantity=1, goods="10.00", paid="10.00"),
        pdd_row(order_no="261111-4", status="拼单中", quantity=1, goods="10.00", paid="10.00"),
        pdd_row(order_no="261111-5", status="待发货", quantity=3, goods="10.00", paid="10.00"),
        PDD_ROWS[0],
    ]
    result = pdd.read(file=write_pdd(tmp_path / "pdd.xlsx", rows, title_row=False))
    assert result.errors == [
        RowError("pdd.xlsx", 2, "商品总价(元)", "abc is not an amount in yuan with at most two decimals."),
        RowError(
            "pdd.xlsx",
            2,
            "承诺发货时间",
            "明天 is not a date and time; write it as 2026-11-11 00:03:12 or 2026/11/11 0:03.",
        ),
        RowError("pdd.xlsx", 3, "商品数量(件)", "0: a line holds at least 1 unit."),
        RowError("pdd.xlsx", 4, "订单号", "Required; fill it on every row (no merged cells)."),
        RowError(
            "pdd.xlsx",
            5,
            "订单状态",
            "Unknown order status 拼单中; the statuses read are: 待支付 / 待付款 / 待发货 / 已发货，待收货 / "
            "已发货，待签收 / 已签收 / 已收货 / 交易成功 / 已取消 / 未发货，退款成功 / 已发货，退款成功.",
        ),
        RowError("pdd.xlsx", 6, "商品总价(元)", "¥10.00 is not 3 times one price in whole fen."),
    ]
    assert [order.order_no for order in result.orders] == ["261111-000000000000001"]


def test_the_same_order_twice_is_read_once_or_refused_when_the_rows_differ(tmp_path):
    same = write_pdd(tmp_path / "same.xlsx", [PDD_ROWS[0], PDD_ROWS[0]])
    assert [o.order_no for o in pdd.read(file=same).orders] == ["261111-000000000000001"]
    changed = list(PDD_ROWS[0])
    changed[3] = 3  # 商品数量(件)
    differ = write_pdd(tmp_path / "differ.xlsx", [PDD_ROWS[0], changed])
    result = pdd.read(file=differ)
    assert result.orders == []
    assert result.errors == [
        RowError(
            "differ.xlsx",
            4,
            "订单号",
            "Order 261111-000000000000001 is also on line 3, with other values; keep one of the two rows.",
        )
    ]
