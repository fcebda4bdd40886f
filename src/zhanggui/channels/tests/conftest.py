"""The platform export files the channel tests read: CSVs committed in fixtures/ (written from the documented
columns, in the platforms' encodings), and the Pinduoduo export as an .xlsx built here with openpyxl."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from django.utils import translation
from openpyxl import Workbook

FIXTURES = Path(__file__).parent / "fixtures"

PDD_HEADERS = [
    "商品", "订单号", "订单状态", "商品数量(件)", "支付时间", "承诺发货时间", "承诺送达时间", "发货时间",
    "确认收货时间", "商品id", "商品规格", "商家编码-规格维度", "商家编码-商品维度", "商家备注", "买家留言",
    "售后状态", "订单成交时间",
    "商品总价(元)", "邮费(元)", "店铺优惠折扣(元)", "平台优惠折扣(元)", "多多支付立减金额(元)", "用户实付金额(元)",
    "商家实收金额(元)", "快递单号", "快递公司", "省", "市", "区", "街道/镇",
]  # fmt: skip


def pdd_row(**cells: object) -> list[object]:
    names = {
        "title": "商品", "order_no": "订单号", "status": "订单状态", "quantity": "商品数量(件)", "paid_at": "支付时间",
        "ship_by": "承诺发货时间", "shipped_at": "发货时间", "spec": "商品规格", "sku": "商家编码-规格维度",
        "product": "商家编码-商品维度", "memo": "商家备注", "note": "买家留言", "after_sale": "售后状态",
        "created_at": "订单成交时间", "goods": "商品总价(元)", "shipping": "邮费(元)", "shop_off": "店铺优惠折扣(元)",
        "platform_off": "平台优惠折扣(元)", "paid": "用户实付金额(元)", "received": "商家实收金额(元)",
        "tracking": "快递单号", "carrier": "快递公司", "province": "省", "city": "市", "district": "区",
        "street": "街道/镇",
    }  # fmt: skip
    row = dict.fromkeys(PDD_HEADERS, None)
    for key, value in cells.items():
        row[names[key]] = value
    return [row[header] for header in PDD_HEADERS]


def excel_time(*parts: int) -> datetime:
    """What openpyxl gives for a date-time cell: wall-clock time without a zone (Excel keeps none)."""
    return datetime(*parts)  # noqa: DTZ001


PDD_ROWS = [
    # Excel date-time cells, two pieces, shop and platform discounts.
    pdd_row(
        title="纯棉T恤 白 L", order_no="261111-000000000000001", status="待发货", quantity=2,
        paid_at=excel_time(2026, 11, 11, 0, 3, 12), ship_by=excel_time(2026, 11, 13, 0, 3, 12), spec="白色,L",
        sku="TEE-WHT-L", product="TEE", after_sale="无售后或售后取消", created_at=excel_time(2026, 11, 11, 0, 3, 12),
        goods=39.8, shipping=0, shop_off=5, platform_off=3, paid=31.8, received=34.8, province="浙江省", city="杭州市",
        district="西湖区", street="文三路90号", note="放门口",
    ),
    # Text cells as some tools write them; no SKU-level code: the product-level one is used.
    pdd_row(
        title="陶瓷马克杯", order_no="261111-000000000000002", status="已发货，待收货", quantity="1",
        paid_at="2026/11/11 0:03", ship_by="2026/11/12 0:03", shipped_at="2026-11-11 18:20:00", spec="默认",
        sku="", product="MUG-01", after_sale="无售后或售后取消", created_at="2026/11/11 0:03", goods="99.00",
        shipping="6.00", shop_off="10.00", platform_off="0.00", paid="95.00", received="95.00",
        tracking="'YT9876543210987", carrier="圆通快递", province="上海", city="上海市", district="浦东新区",
        street="张江镇", memo="老客户",
    ),
    pdd_row(
        title="帆布袋", order_no="261111-000000000000003", status="未发货，退款成功", quantity=1,
        paid_at="2026-11-11 09:00:00", ship_by="2026-11-13 09:00:00", sku="BAG-01", after_sale="退款成功",
        created_at="2026-11-11 09:00:00", goods="19.90", shipping="0.00", paid="19.90", received="19.90",
        province="广东省", city="深圳市", district="南山区", street="粤海街道",
    ),
]  # fmt: skip


def write_pdd(path: Path, rows: list[list[object]], *, title_row: bool = True) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "订单列表"
    if title_row:
        sheet.append(["订单导出 2026-11-11"])
    sheet.append(PDD_HEADERS)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


@pytest.fixture(autouse=True)
def english():
    """Reasons are asserted in English, whatever translations exist."""
    with translation.override("en"):
        yield


@pytest.fixture
def pdd_file(tmp_path) -> Path:
    return write_pdd(tmp_path / "orders_export.xlsx", PDD_ROWS)


def fixture(name: str) -> tuple[Path, str]:
    """A committed fixture as read_orders takes it: (file, filename)."""
    return FIXTURES / name, name
