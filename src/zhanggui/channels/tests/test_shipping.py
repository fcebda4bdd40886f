"""The shipping files: the carrier's file read by column names, each platform's bulk-ship upload written."""

from __future__ import annotations

import io

import pytest
from django.utils import translation

from zhanggui.channels.records import JD, PDD, TAOBAO, ZHANGGUI
from zhanggui.channels.shipping import Shipment, bulk_ship_csv, read_carrier_file
from zhanggui.core.tabular import MissingColumns

SHIPMENTS = [Shipment("2885551234567890123", "中通快递", "ZT7700001"), Shipment("42", "=HYPERLINK()", "ZT2")]


@pytest.mark.parametrize(
    ("platform", "header"),
    [(TAOBAO, "订单编号,物流公司,物流单号"), (JD, "订单号,物流公司,运单号"), (PDD, "订单号,快递公司,快递单号")],
)
def test_each_platform_gets_its_own_header_in_utf8_with_bom(platform, header):
    data = bulk_ship_csv(platform, SHIPMENTS)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").split("\r\n") == [
        header,
        "2885551234567890123,中通快递,ZT7700001",
        "42,'=HYPERLINK(),ZT2",  # no formula when opened in a spreadsheet; the order number stays as it is
        "",
    ]


def test_a_platform_without_a_bulk_ship_format_is_refused():
    with pytest.raises(ValueError, match="no bulk-ship format"):
        bulk_ship_csv(ZHANGGUI, SHIPMENTS)


def test_the_carrier_file_is_read_by_column_names_whatever_their_order():
    text = "运单号 ,备注,订单号\nSF1,易碎,1001\n\nSF2,,1002\n合计,,\n"
    parsed = read_carrier_file(file=io.BytesIO(text.encode("gbk")), filename="sf.csv", default_carrier="顺丰速运")
    assert parsed.errors == []
    assert [(s.order_no, s.carrier, s.tracking_no, s.line) for s in parsed.shipments] == [
        ("1001", "顺丰速运", "SF1", 2),
        ("1002", "顺丰速运", "SF2", 4),
    ]


def test_a_row_without_a_carrier_is_an_error_when_no_default_is_given():
    with translation.override("en"):
        parsed = read_carrier_file(file=io.BytesIO("订单号,快递单号\n1001,SF1\n".encode()), filename="x.csv")
    assert parsed.shipments == []
    assert [str(e) for e in parsed.errors] == [
        "line 2, 物流公司: no carrier: add the column or choose a carrier for the whole file"
    ]


def test_a_file_without_a_tracking_column_is_refused_whole():
    with translation.override("en"), pytest.raises(MissingColumns, match="运单号"):
        read_carrier_file(file=io.BytesIO("订单号,快递公司\n1001,顺丰\n".encode()), filename="x.csv")
