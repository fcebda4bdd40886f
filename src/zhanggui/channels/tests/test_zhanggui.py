"""Our own order file: one row per line, the order's columns repeated (or left empty) on its later lines; what
export-orders writes (zhanggui.rows) reads back as the same orders, whichever platform they came from."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from zhanggui.channels import jd, pdd, taobao
from zhanggui.channels import zhanggui as own
from zhanggui.channels.records import PAID, SHIPPED, ZHANGGUI, RowError
from zhanggui.channels.tests.conftest import fixture

SHANGHAI = ZoneInfo("Asia/Shanghai")


def read_fixture():
    path, name = fixture("zhanggui_orders.csv")
    return own.read(file=path, filename=name)


def test_lines_group_into_orders_and_later_lines_may_leave_the_order_columns_empty():
    result = read_fixture()
    assert result.platform == ZHANGGUI
    assert result.errors == []
    first, second = result.orders
    assert (first.order_no, first.status, first.receiver_name, first.buyer_note) == (
        "WEB-20261111-0001",
        PAID,
        "王小明",
        "周末别送",
    )
    assert first.ship_by == datetime(2026, 11, 12, 0, 3, 40, tzinfo=SHANGHAI)
    assert [(line.sub_order_id, line.sku_code, line.quantity, line.discount, line.paid) for line in first.lines] == [
        ("1", "COAT-GRY-M", 1, Decimal("100.00"), Decimal("999.00")),
        ("2", "SCARF-RED", 2, Decimal("0.00"), Decimal("398.00")),  # empty discount and paid: 0 and price × qty
    ]
    # No paid_total given: the lines' paid plus shipping.
    assert (first.paid_total, first.shipping_fee) == (Decimal("1397.00"), Decimal("0.00"))
    assert (second.status, second.status_text, second.paid_total, second.shipping_fee) == (
        SHIPPED,
        "已发货",
        Decimal("69.00"),
        Decimal("10.00"),
    )
    assert second.paid_at == datetime(2026, 11, 11, 8, 1, tzinfo=SHANGHAI)  # written 2026/11/11 8:01


def test_chinese_headers_are_read_too(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("订单号,订单状态,商家编码,数量,单价,运费\nA1,已付款,SKU-1,2,10.00,5.00\n", encoding="gbk")
    [order] = own.read(file=path).orders
    assert (order.status, order.paid_total, order.lines[0].paid) == (PAID, Decimal("25.00"), Decimal("20.00"))


def test_contradictions_inside_an_order_are_refused(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_no,status,sku_code,quantity,unit_price,discount,paid,shipping_fee\n"
        "A1,paid,S1,1,10.00,,9.00,0\n"  # paid ≠ 10.00 − 0
        "A1,shipped,S2,1,10.00,11.00,,0\n"  # another status than line 2; a discount above the line's price
        "A2,,S3,1,10.00,,,\n",  # no status on any line of A2
        encoding="utf-8",
    )
    result = own.read(file=path)
    assert result.orders == []
    assert result.errors == [
        RowError("orders.csv", 2, "paid", "¥9.00 differs from unit price × quantity − discount (¥10.00)."),
        RowError("orders.csv", 3, "discount", "¥11.00 is more than the line's price × quantity (¥10.00)."),
        RowError("orders.csv", 3, "status", "shipped differs from line 2 of the same order (paid)."),
        RowError("orders.csv", 4, "status", "Required; fill it on at least the first line of each order."),
    ]


def comparable(order):
    """An order without what tells where it was read from (platform, file, line numbers, the platform's words)."""
    values = dataclasses.asdict(order)
    for key in ("platform", "file", "line", "status_text"):
        values.pop(key)
    for line in values["lines"]:
        line.pop("line")
    return values


def export_csv(orders) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(own.HEADER)
    for order in orders:
        writer.writerows(own.rows(order))
    return text.getvalue().encode("utf-8-sig")


def export_xlsx(orders) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(own.HEADER))
    for order in orders:
        for row in own.rows(order):
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def platform_orders(name, pdd_file):
    if name == "taobao":
        return taobao.read(orders=fixture("taobao_orders.csv"), lines=fixture("taobao_lines.csv")).orders
    if name == "jd":
        path, filename = fixture("jd_orders.csv")
        return jd.read(file=path, filename=filename).orders
    if name == "pdd":
        return pdd.read(file=pdd_file).orders
    return read_fixture().orders


@pytest.mark.parametrize("platform", ["taobao", "jd", "pdd", "zhanggui"])
@pytest.mark.parametrize("export", [export_csv, export_xlsx])
def test_an_export_in_our_format_reads_back_as_the_same_orders(platform, export, pdd_file):
    orders = platform_orders(platform, pdd_file)
    assert orders
    result = own.read(file=io.BytesIO(export(orders)), filename="export")
    assert result.errors == []
    assert [comparable(order) for order in result.orders] == [comparable(order) for order in orders]


def test_the_written_header_is_the_first_name_of_each_column():
    assert own.HEADER[:4] == ("order_no", "sub_order_id", "status", "created_at")
    assert len(own.HEADER) == len(set(own.HEADER)) == 28
