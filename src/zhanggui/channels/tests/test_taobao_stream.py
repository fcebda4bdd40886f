"""Taobao's pair read as a stream: files in the same order of orders keep almost nothing waiting, files in any
other order give the same orders, each once its lines are all read."""

from __future__ import annotations

import csv

from zhanggui.channels import taobao
from zhanggui.channels.records import PAID, SHIPPED


def write_pair(tmp_path, orders: int, *, lines_reversed: bool = False):
    """`orders` orders of 1–3 lines; the order-lines file in the same order of orders, or reversed."""
    order_rows, line_rows = [], []
    for n in range(1, orders + 1):
        count = 1 + n % 3
        order_rows.append(
            [f'="{1000 + n}"', f"{count * 10}.00", "买家已付款，等待卖家发货" if n % 2 else "卖家已发货，等待买家确认"]
        )
        line_rows += [[f'="{1000 + n}"', f"{1000 + n}{k}", "10.00", "1", f"SKU-{k}"] for k in range(count)]
    if lines_reversed:
        line_rows.reverse()
    paths = []
    for name, header, rows in (
        ("ExportOrderList.csv", ["订单编号", "买家实际支付金额", "订单状态"], order_rows),
        ("ExportOrderDetailList.csv", ["订单编号", "子订单编号", "价格", "购买数量", "商家编码"], line_rows),
    ):
        path = tmp_path / name
        with path.open("w", encoding="gbk", newline="") as file:
            csv.writer(file).writerows([header, *rows])
        paths.append((path, name))
    return paths


def read(paths):
    return taobao.read(orders=paths[0], lines=paths[1])


def most_waiting(result) -> int:
    """The most order rows and lines the reader kept waiting while it gave each order."""
    join = result._rest.gi_frame.f_locals["self"]  # the reader, before it has read a row
    return max(len(join.waiting) + sum(len(lines) for lines in join.early.values()) for _order in result)


def test_files_in_the_same_order_stream_with_nothing_kept_waiting(tmp_path):
    (tmp_path / "same").mkdir()
    (tmp_path / "reversed").mkdir()
    assert most_waiting(read(write_pair(tmp_path / "same", 300))) == 0
    assert most_waiting(read(write_pair(tmp_path / "reversed", 300, lines_reversed=True))) > 500


def test_lines_in_another_order_give_the_same_orders_in_the_orders_files_order(tmp_path):
    (tmp_path / "same").mkdir()
    (tmp_path / "reversed").mkdir()
    same = read(write_pair(tmp_path / "same", 50))
    reversed_ = read(write_pair(tmp_path / "reversed", 50, lines_reversed=True))

    def orders(result):
        return [(o.order_no, o.status, sorted((x.sub_order_id, x.paid) for x in o.lines)) for o in result.orders]

    assert orders(reversed_) == orders(same)
    assert [o.order_no for o in same.orders][:2] == ["1001", "1002"]
    assert {o.status for o in same.orders} == {PAID, SHIPPED}
    assert (same.errors, reversed_.errors) == ([], [])
