"""Importing JD and Pinduoduo after-sales exports: JD's 赔付单 (the documented columns) as a UTF-8 CSV with a BOM,
JD's 售后服务单 as a GBK CSV and PDD's 售后 export as an .xlsx (both written from the assumed columns, with ="…"
numbers): counts and money to the fen, the platform's deadline winning over the rule, the same file twice
changing nothing, a later export moving the cases on, and bad rows refusing the whole file."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import translation

from zhanggui.aftersales.imports import import_refund_file
from zhanggui.aftersales.models import AfterSaleCase, CaseEvent, CaseLine, CaseStatus, DeadlineSource
from zhanggui.catalog.models import Channel
from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.channels import records
from zhanggui.core.tabular import TableError
from zhanggui.orders.models import OrderStatus, PlatformStatus
from zhanggui.orders.tests.factories import OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")

#: JD 赔付单, the columns of ../shared/docs/PLATFORMS.md in their order.
JD_COMP = [
    "店铺名称",
    "申请时间",
    "赔付单号",
    "关联订单号",
    "关联服务单号",
    "赔付金额",
    "赔付原因",
    "赔付状态",
    "申请人",
]
#: JD 售后服务单 (assumed columns), with one column we do not read (客户姓名).
JD_SERVICE = [
    "服务单号", "订单号", "商品编号", "商品名称", "商家编码", "申请数量", "服务类型", "服务单状态", "审核状态",
    "申请时间", "退款金额", "申请原因", "问题描述", "超时时间", "退货运单号", "退货快递公司", "客户姓名",
]  # fmt: skip
#: PDD 售后 (assumed columns), with one column we do not read (商品ID).
PDD = [
    "售后编号", "订单号", "商品ID", "商品名称", "商家编码-规格维度", "售后数量", "申请时间", "售后类型", "售后状态",
    "申请退款金额", "售后原因", "售后说明", "超时时间", "退货快递单号", "退货快递公司",
]  # fmt: skip


def row(header, **values) -> list[str]:
    return [values.get(name, "") for name in header]


def csv_bytes(header, rows, encoding) -> bytes:
    lines = [",".join(header), *(",".join(cells) for cells in rows)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(header, rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["拼多多商家后台 售后列表导出"])  # a title row above the header
    sheet.append(header)
    for cells in rows:
        sheet.append([c[2:-1] if c.startswith('="') else c for c in cells])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def service_rows():
    """J3001: a T-shirt to return (platform deadline), the cap to exchange (its return parcel on the way);
    J3002 (not shipped): the cap refunded, the service order finished."""
    return [
        row(
            JD_SERVICE,
            服务单号='="1786001"',
            订单号='="J3001"',
            商品编号='="100012043978"',
            商家编码="TEE-M",
            申请数量="1",
            服务类型="退货",
            服务单状态="商家审核",
            审核状态="待审核",
            申请时间="2026-12-01 10:00:00",
            退款金额="99.00",
            申请原因="尺码不合适",
            问题描述="偏小一码",
            超时时间="2026-12-03 09:00:00",
        ),
        row(
            JD_SERVICE,
            服务单号='="1786002"',
            订单号='="J3001"',
            商品编号='="100008348542"',
            服务类型="换货",
            服务单状态="商家收货",
            申请时间="2026/12/02 08:30",
            申请原因="质量问题",
            退货运单号='="JDV000111222"',
            退货快递公司="京东物流",
        ),
        row(
            JD_SERVICE,
            服务单号='="1786003"',
            订单号='="J3002"',
            商品编号='="100008348542"',
            服务类型="仅退款",
            服务单状态="完成",
            申请时间="2026-12-02 09:00:00",
            退款金额="49.90元",
            申请原因="不想要了",
        ),
    ]


def compensation_rows():
    """J3001: a price protection paid, a late-shipping compensation approved; J3002: a lost parcel pending."""
    return [
        row(
            JD_COMP,
            店铺名称="京东店",
            申请时间="2026-12-03 10:00:00",
            赔付单号='="PF20261203001"',
            关联订单号='="J3001"',
            赔付金额="10.00",
            赔付原因="价保",
            赔付状态="赔付成功",
            申请人="系统",
        ),
        row(
            JD_COMP,
            店铺名称="京东店",
            申请时间="2026-12-03 11:00:00",
            赔付单号='="PF20261203002"',
            关联订单号='="J3001"',
            关联服务单号='="1786001"',
            赔付金额="5.00",
            赔付原因="延迟发货赔付",
            赔付状态="待赔付",
            申请人="jd_buyer",
        ),
        row(
            JD_COMP,
            店铺名称="京东店",
            申请时间="2026-12-04 09:00:00",
            赔付单号='="PF20261204003"',
            关联订单号='="J3002"',
            赔付金额="20.00",
            赔付原因="丢件赔付",
            赔付状态="审核中",
            申请人="客服小京",
        ),
    ]


def pdd_rows():
    """P1 (shipped, two T-shirts): a return agreed, with PDD's deadline; and a reissue asked. P2 (not shipped): a
    refund asked, its time left written as a duration (not read: the rule's deadline applies)."""
    return [
        row(
            PDD,
            售后编号='="PS0001"',
            订单号='="261201-111"',
            商品ID='="400123"',
            **{"商家编码-规格维度": "TEE-M"},
            售后数量="2",
            申请时间="2026-12-01 09:00:00",
            售后类型="退货退款",
            售后状态="已同意退货退款，待用户发货",
            申请退款金额="89.00",
            售后原因="多拍/拍错",
            超时时间="2026-12-09 12:00:00",
        ),
        row(
            PDD,
            售后编号='="PS0002"',
            订单号='="261201-222"',
            **{"商家编码-规格维度": "MUG-01"},
            申请时间="2026-12-06 10:00:00",
            售后类型="仅退款",
            售后状态="买家申请退款，待商家处理",
            申请退款金额="29.90",
            售后原因="不想要了",
            超时时间="1天23小时",
        ),
        row(
            PDD,
            售后编号='="PS0003"',
            订单号='="261201-111"',
            售后数量="1",
            申请时间="2026-12-02 15:00:00",
            售后类型="补寄",
            售后状态="换货补寄待商家处理",
            售后原因="少件",
            售后说明="少了一件",
        ),
    ]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def pdd_shop(db):
    return ShopFactory(code="pdd01", name="拼多多店", channel=Channel.PDD)


def order_of(shop, platform, number, lines, *, shipped=True):
    order = OrderFactory(
        shop=shop,
        platform=platform,
        platform_order_no=number,
        status=OrderStatus.SHIPPED if shipped else OrderStatus.PAID,
        platform_status=PlatformStatus.SHIPPED if shipped else PlatformStatus.PAID,
        paid_total=sum((paid for *_rest, paid in lines), Decimal("0.00")),
    )
    for position, (sub_id, code, quantity, paid) in enumerate(lines, start=1):
        OrderLineFactory(
            order=order, sub_order_id=sub_id, sku_code=code, quantity=quantity, paid=paid, position=position
        )
    return order


@pytest.fixture
def jd_orders(jd_shop):
    """J3001 shipped and J3002 not: a T-shirt 2 × ¥99.00 paid ¥198.00 and a cap paid ¥49.90 each."""
    lines = [("100012043978", "TEE-M", 2, Decimal("198.00")), ("100008348542", "CAP-RED", 1, Decimal("49.90"))]
    return order_of(jd_shop, records.JD, "J3001", lines), order_of(jd_shop, records.JD, "J3002", lines, shipped=False)


@pytest.fixture
def pdd_orders(pdd_shop):
    return (
        order_of(pdd_shop, records.PDD, "261201-111", [("", "TEE-M", 2, Decimal("89.00"))]),
        order_of(pdd_shop, records.PDD, "261201-222", [("", "MUG-01", 1, Decimal("29.90"))], shipped=False),
    )


def run(actor, shop, data: bytes, name: str, **extra):
    return import_refund_file(actor=actor, shop=shop, file=io.BytesIO(data), filename=name, **extra)


def case(no: str) -> AfterSaleCase:
    return AfterSaleCase.objects.get(platform_refund_no=no)


def refunds_of(no: str) -> list[tuple[str, int, Decimal]]:
    """(SKU code, units, refunded) of each line of the case."""
    return [
        (cl.order_line.sku_code, cl.quantity, cl.refund_amount)
        for cl in CaseLine.objects.filter(case__platform_refund_no=no).order_by("order_line__position")
    ]


def service_file(rows=None) -> bytes:
    return csv_bytes(JD_SERVICE, service_rows() if rows is None else rows, "gbk")


def compensation_file(rows=None) -> bytes:
    return csv_bytes(JD_COMP, compensation_rows() if rows is None else rows, "utf-8-sig")


# --------------------------------------------------------------------------------------------------------
# JD 售后服务单
# --------------------------------------------------------------------------------------------------------


def test_a_jd_service_order_export_opens_cases_with_units_money_and_deadlines(service, jd_shop, jd_orders):
    report = run(service, jd_shop, service_file(), "服务单.csv")

    assert report.ok, report.rejected
    assert (report.platform, report.cases_created, report.cases_updated, report.cases_unchanged) == ("jd", 3, 0, 0)
    assert report.refunded_total == Decimal("49.90")
    ret, exchange, refund = case("1786001"), case("1786002"), case("1786003")
    assert (ret.kind, ret.status, ret.reason, ret.requested_amount) == (
        "return_refund",
        CaseStatus.OPEN,
        "size",
        Decimal("99.00"),
    )
    assert refunds_of("1786001") == [("TEE-M", 1, Decimal("0.00"))]  # 申请数量 1 of the line's 2
    assert (ret.deadline, ret.deadline_source) == (datetime(2026, 12, 3, 9, 0, tzinfo=SH), DeadlineSource.PLATFORM)
    assert "偏小一码" in ret.description
    assert (exchange.kind, exchange.status, exchange.requested_amount) == ("exchange", "agreed", Decimal("0.00"))
    assert (exchange.return_tracking_no, exchange.return_carrier) == ("JDV000111222", "京东物流")
    assert exchange.return_sent_at is not None and exchange.deadline_rule.situation == "return_receipt"
    assert refunds_of("1786002") == [("CAP-RED", 1, Decimal("0.00"))]
    assert (refund.kind, refund.status, refund.order.platform_order_no) == ("refund_unshipped", "refunded", "J3002")
    assert refunds_of("1786003") == [("CAP-RED", 1, Decimal("49.90"))]


def test_a_later_jd_service_order_export_refunds_and_moves_the_deadline(service, jd_shop, jd_orders):
    run(service, jd_shop, service_file(), "服务单.csv")
    later = service_rows()
    col = JD_SERVICE.index
    later[0][col("服务单状态")], later[0][col("超时时间")] = "完成", ""  # the T-shirt came back: refunded
    later[1][col("超时时间")] = "2026-12-12 18:00:00"  # the exchange: JD's new clock for us

    report = run(service, jd_shop, service_file(later), "服务单2.csv")

    assert report.ok, report.rejected
    assert (report.cases_created, report.cases_updated, report.cases_unchanged) == (0, 2, 1)
    assert case("1786001").status == CaseStatus.REFUNDED
    assert refunds_of("1786001") == [("TEE-M", 1, Decimal("99.00"))]
    assert case("1786002").deadline == datetime(2026, 12, 12, 18, 0, tzinfo=SH)
    assert case("1786002").deadline_source == DeadlineSource.PLATFORM


def test_a_bad_jd_service_order_file_stores_nothing_and_names_every_bad_row(service, jd_shop, jd_orders):
    rows = service_rows()
    col = JD_SERVICE.index
    rows[0][col("退款金额")] = "九十九"
    rows[1][col("服务单状态")] = "等一下"
    rows[2][col("订单号")] = '="J9999"'
    rows.append(list(rows[0]))
    rows[3][col("服务单号")], rows[3][col("退款金额")], rows[3][col("申请数量")] = "1786004", "99.00", "3"

    report = run(service, jd_shop, service_file(rows), "bad.csv")

    assert [(e.file, e.line, e.column) for e in report.rejected] == [
        ("bad.csv", 2, "退款金额"),
        ("bad.csv", 3, "服务单状态"),
        ("bad.csv", 4, "订单号"),
        ("bad.csv", 5, "申请数量"),
    ]
    assert "九十九" in report.rejected[0].reason
    assert "商家审核" in report.rejected[1].reason  # the words read are listed
    assert "J9999" in report.rejected[2].reason and "import the orders first" in report.rejected[2].reason
    assert "3 units asked" in report.rejected[3].reason and "has 2" in report.rejected[3].reason
    assert AfterSaleCase.objects.count() == 0
    assert CaseLine.objects.count() == 0


# --------------------------------------------------------------------------------------------------------
# JD 赔付单
# --------------------------------------------------------------------------------------------------------


def test_jd_compensations_are_money_only_cases_booked_over_the_order_lines_to_the_fen(service, jd_shop, jd_orders):
    report = run(service, jd_shop, compensation_file(), "赔付单.csv")

    assert report.ok, report.rejected
    assert (report.cases_created, report.refunded_total) == (3, Decimal("10.00"))
    price, late, lost = case("PF20261203001"), case("PF20261203002"), case("PF20261204003")
    assert (price.kind, price.status, price.requested_amount) == ("price_difference", "refunded", Decimal("10.00"))
    # ¥10.00 over ¥198.00 and ¥49.90 left: 7.987… and 2.012… → 7.99 + 2.01, never 7.98 + 2.01 = 9.99.
    assert refunds_of("PF20261203001") == [("TEE-M", 0, Decimal("7.99")), ("CAP-RED", 0, Decimal("2.01"))]
    assert (late.kind, late.reason, late.status, late.requested_amount) == (
        "complaint",
        "late",
        "agreed",
        Decimal("5.00"),
    )
    assert refunds_of("PF20261203002") == []  # approved, not paid yet: money only, no line
    assert "1786001" in late.description and "jd_buyer" in late.description
    assert (lost.kind, lost.reason, lost.status) == ("parcel_claim", "lost", "open")
    # No 超时时间 in a 赔付单: JD's rule for any other case, 48 h from 申请时间.
    assert (lost.deadline, lost.deadline_source) == (datetime(2026, 12, 6, 9, 0, tzinfo=SH), DeadlineSource.RULE)


def test_a_later_compensation_export_books_the_payment_and_closes_the_refused_one(service, jd_shop, jd_orders):
    run(service, jd_shop, compensation_file(), "赔付单.csv")
    later = compensation_rows()
    later[1][JD_COMP.index("赔付状态")] = "赔付成功"
    later[2][JD_COMP.index("赔付状态")] = "审核驳回"

    report = run(service, jd_shop, compensation_file(later), "赔付单2.csv")

    assert report.ok, report.rejected
    assert (report.cases_updated, report.cases_unchanged, report.refunded_total) == (2, 1, Decimal("15.00"))
    # ¥5.00 over what is left after the price protection: 190.01 and 47.89 → 3.99 + 1.01 (remainder to the cap).
    assert refunds_of("PF20261203002") == [("TEE-M", 0, Decimal("3.99")), ("CAP-RED", 0, Decimal("1.01"))]
    assert case("PF20261203002").status == CaseStatus.REFUNDED
    assert case("PF20261204003").status == CaseStatus.CLOSED


def test_a_compensation_above_what_the_order_has_left_is_refused_with_the_figures(service, jd_shop, jd_orders):
    run(service, jd_shop, service_file(), "服务单.csv")  # J3002's cap refunded ¥49.90: ¥198.00 left
    rows = compensation_rows()
    rows[2][JD_COMP.index("赔付金额")] = "198.01"

    report = run(service, jd_shop, compensation_file(rows), "over.csv")

    assert [(e.line, e.column) for e in report.rejected] == [(4, "赔付金额")]
    assert "198.00 is left" in report.rejected[0].reason
    assert not AfterSaleCase.objects.filter(platform_refund_no__startswith="PF").exists()


# --------------------------------------------------------------------------------------------------------
# Pinduoduo 售后
# --------------------------------------------------------------------------------------------------------


def test_a_pdd_after_sales_xlsx_opens_cases_and_its_deadline_wins_over_the_rule(service, pdd_shop, pdd_orders):
    report = run(service, pdd_shop, xlsx_bytes(PDD, pdd_rows()), "售后.xlsx")

    assert report.ok, report.rejected
    assert (report.platform, report.cases_created, report.refunded_total) == ("pdd", 3, Decimal("0.00"))
    ret, refund, reissue = case("PS0001"), case("PS0002"), case("PS0003")
    assert (ret.kind, ret.status, ret.reason, ret.requested_amount) == (
        "return_refund",
        "agreed",
        "changed_mind",
        Decimal("89.00"),
    )
    # Agreed: the rule would give the buyer 168 h from now; PDD's 超时时间 wins.
    assert (ret.deadline, ret.deadline_source) == (datetime(2026, 12, 9, 12, 0, tzinfo=SH), DeadlineSource.PLATFORM)
    assert refunds_of("PS0001") == [("TEE-M", 2, Decimal("0.00"))]
    # A time left (1天23小时) is not a moment: the rule's 48 h from 申请时间.
    assert (refund.kind, refund.status, refund.platform_deadline) == ("refund_unshipped", "open", None)
    assert (refund.deadline, refund.deadline_source) == (datetime(2026, 12, 8, 10, 0, tzinfo=SH), DeadlineSource.RULE)
    assert (reissue.kind, reissue.status, reissue.reason) == ("reissue", "open", "wrong_item")
    assert refunds_of("PS0003") == [("TEE-M", 1, Decimal("0.00"))]


def test_a_later_pdd_export_refunds_updates_the_amount_and_takes_the_return_parcel(service, pdd_shop, pdd_orders):
    run(service, pdd_shop, xlsx_bytes(PDD, pdd_rows()), "售后.xlsx")
    later = pdd_rows()
    col = PDD.index
    later[0][col("申请退款金额")] = "80.00"  # the buyer lowered the amount asked
    later[0][col("退货快递单号")], later[0][col("退货快递公司")] = '="YT1234567890"', "圆通"
    later[1][col("售后状态")] = "退款成功"
    later[2][col("售后状态")] = "换货补寄成功"
    data = csv_bytes(PDD, later, "gbk")  # the same columns saved as a GBK CSV

    report = run(service, pdd_shop, data, "售后2.csv")

    assert report.ok, report.rejected
    assert (report.cases_created, report.cases_updated, report.cases_unchanged) == (0, 3, 0)
    assert report.refunded_total == Decimal("29.90")
    ret = case("PS0001")
    assert (ret.requested_amount, ret.return_tracking_no, ret.return_carrier) == (
        Decimal("80.00"),
        "YT1234567890",
        "圆通",
    )
    # Agreed and the parcel sent: the desk's step (returns.record_return_sent), once; PDD's 超时时间 still wins.
    assert ret.return_sent_at is not None
    assert list(ret.events.filter(reason__contains="YT1234567890").values_list("reason", flat=True)) == [
        "return sent: 圆通 YT1234567890"
    ]
    assert (ret.deadline, ret.deadline_source) == (datetime(2026, 12, 9, 12, 0, tzinfo=SH), DeadlineSource.PLATFORM)
    assert (case("PS0002").status, refunds_of("PS0002")) == ("refunded", [("MUG-01", 1, Decimal("29.90"))])
    assert case("PS0003").status == CaseStatus.CLOSED


# --------------------------------------------------------------------------------------------------------
# Every kind of file
# --------------------------------------------------------------------------------------------------------

FILES = {
    "jd_service": ("jd", lambda: service_file(), "服务单.csv"),
    "jd_compensation": ("jd", lambda: compensation_file(), "赔付单.csv"),
    "pdd": ("pdd", lambda: xlsx_bytes(PDD, pdd_rows()), "售后.xlsx"),
}


@pytest.fixture
def shops(jd_shop, jd_orders, pdd_shop, pdd_orders):
    return {"jd": jd_shop, "pdd": pdd_shop}


@pytest.mark.parametrize("kind", FILES)
def test_the_same_file_twice_changes_nothing(service, shops, kind):
    platform, data, name = FILES[kind]
    first = run(service, shops[platform], data(), name)
    events = CaseEvent.objects.count()
    stamps = list(AfterSaleCase.objects.order_by("id").values_list("updated_at", "deadline", "requested_amount"))
    money = list(CaseLine.objects.order_by("id").values_list("refund_amount", flat=True))

    again = run(service, shops[platform], data(), name)

    assert first.ok and again.ok, again.rejected
    assert (again.cases_created, again.cases_updated, again.cases_unchanged) == (0, 0, 3)
    assert again.refunded_total == first.refunded_total
    assert CaseEvent.objects.count() == events
    assert list(AfterSaleCase.objects.order_by("id").values_list("updated_at", "deadline", "requested_amount")) == (
        stamps
    )
    assert list(CaseLine.objects.order_by("id").values_list("refund_amount", flat=True)) == money


def test_an_export_of_another_platform_is_refused_whole(service, shops, shop):
    report = run(service, shop, service_file(), "服务单.csv")  # a JD file into the Taobao shop

    assert [(e.line, e.column) for e in report.rejected] == [(0, "")]
    assert "tb01" in report.rejected[0].reason
    assert AfterSaleCase.objects.count() == 0


def test_the_platform_given_must_fit_the_file(service, shops):
    with pytest.raises(TableError) as refused:
        run(service, shops["pdd"], service_file(), "服务单.csv", platform="pdd")
    assert "售后编号" in refused.value.message

    report = run(service, shops["jd"], service_file(), "服务单.csv", platform="jd")
    assert report.ok and report.cases_created == 3


def test_a_file_of_no_refund_export_is_refused_naming_what_each_needs(service, shops):
    data = csv_bytes(["订单号", "订购数量", "京东价"], [["J3001", "1", "99.00"]], "utf-8")
    with pytest.raises(TableError) as refused:
        run(service, shops["jd"], data, "orders.csv")
    assert "orders.csv" in refused.value.message
    assert all(word in refused.value.message for word in ("退款编号", "赔付单号", "服务单号", "售后编号"))


def test_the_command_reads_a_jd_file_with_the_platform_given(service, shops, tmp_path, capsys):
    path = tmp_path / "赔付单.csv"
    path.write_bytes(compensation_file())

    call_command("import_refunds", "--shop", "jd01", "--platform", "jd", str(path), "--json")

    out = json.loads(capsys.readouterr().out)
    assert (out["cases_created"], out["refunded_total"], out["rejected"]) == (3, "10.00", [])

    rows = compensation_rows()
    rows[0][JD_COMP.index("赔付状态")] = "未知"
    path.write_bytes(compensation_file(rows))
    with pytest.raises(SystemExit) as exit_:
        call_command("import_refunds", "--shop", "jd01", str(path), "--json")
    assert exit_.value.code == 1
    out = json.loads(capsys.readouterr().out)
    assert [(r["line"], r["column"]) for r in out["rejected"]] == [(2, "赔付状态")]


def test_the_api_and_the_page_take_a_pdd_export(client, users, service, shops):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from zhanggui.core.services import create_api_token
    from zhanggui.core.tests.pages import login

    data = xlsx_bytes(PDD, pdd_rows())
    api = Client(headers={"Authorization": f"Bearer {create_api_token(user=service, name='test')[1]}"})
    checked = api.post(
        "/api/v1/aftersales/import",
        {"shop": "pdd01", "platform": "pdd", "dry_run": "true", "file": SimpleUploadedFile("a.xlsx", data)},
    )
    assert checked.status_code == 200, checked.content
    assert checked.json()["cases_created"] == 3
    assert AfterSaleCase.objects.count() == 0

    login(client, service)
    page = client.post(
        reverse("aftersales:case-import"),
        {"shop": shops["pdd"].pk, "platform": "", "file": SimpleUploadedFile("售后.xlsx", data)},
    )
    assert page.status_code == 200
    assert 'id="report-created">3<' in page.content.decode()
    assert AfterSaleCase.objects.filter(shop=shops["pdd"]).count() == 3


def test_a_rule_deadline_counts_from_the_application_time(service, shops):
    """The rule's clock starts at 申请时间, not at the import: the JD return without 超时时间 is due 120 h on."""
    rows = service_rows()[:1]
    rows[0][JD_SERVICE.index("超时时间")] = ""

    run(service, shops["jd"], service_file(rows), "服务单.csv")

    assert case("1786001").deadline == datetime(2026, 12, 1, 10, 0, tzinfo=SH) + timedelta(hours=120)
    assert case("1786001").deadline_source == DeadlineSource.RULE
