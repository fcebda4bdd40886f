"""Importing Taobao/Tmall 退款管理 exports: files written from the documented columns (2017's 39 as a GBK CSV, a
newer generation as UTF-8 with a BOM and as XLSX), the counts and money to the fen, the same file twice
changing nothing, a later export moving the cases on, and bad files refused whole (line, column, reason)."""

from __future__ import annotations

import io
import json
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import translation

from zhanggui.aftersales.imports import import_refund_file
from zhanggui.aftersales.models import AfterSaleCase, CaseEvent, CaseLine, CaseStatus, DeadlineSource
from zhanggui.aftersales.tests.conftest import two_line_order
from zhanggui.channels.refunds import read_refunds

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")

#: The 2017 generation, 39 columns (../shared/docs/PLATFORMS.md), in its order.
HEADER_2017 = [
    "订单编号",
    "退款编号",
    "支付宝交易号",
    "订单付款时间",
    "商品编码",
    "退款完结时间",
    "买家会员名称",
    "买家实际支付金额",
    "宝贝标题",
    "买家退款金额",
    "手工退款/系统退款",
    "是否需要退货",
    "退款的申请时间",
    "超时时间",
    "退款状态",
    "货物状态",
    "退货物流信息",
    "发货物流信息",
    "客服介入状态",
    "卖家真实姓名",
    "卖家退货地址",
    "卖家邮编",
    "卖家电话",
    "卖家手机",
    "退货物流单号",
    "退货物流公司",
    "买家退款原因",
    "买家退款说明",
    "买家退货时间",
    "责任方",
    "售中或售后",
    "商家备注",
    "完结时间",
    "部分退款/全部退款",
    "审核操作人",
    "举证超时",
    "是否零秒响应",
    "退款操作人",
    "退款原因标签",
]
#: A newer generation: 支付宝交易号 → 支付单号, with 商品id, 售后类型 and 备注标签 added.
HEADER_NEW = [("支付单号" if h == "支付宝交易号" else h) for h in HEADER_2017] + ["商品id", "售后类型", "备注标签"]


def row(header, **values) -> list[str]:
    return [values.get(name, "") for name in header]


def first_export(header=HEADER_2017):
    """The cap of T2001 refunded (shipped, refund only), the T-shirt of T2002 asked (not shipped), and a
    return of T2001's T-shirts agreed."""
    return [
        row(
            header,
            订单编号='="T2001"',
            退款编号="RF1",
            商品编码="CAP-RED",
            买家退款金额="49.90",
            是否需要退货="否",
            退款的申请时间="2026-12-01 10:00:00",
            退款状态="退款成功",
            买家退款原因="质量问题",
        ),
        row(
            header,
            订单编号="T2002",
            退款编号="RF2",
            商品编码="TEE-M",
            买家退款金额="99.00元",
            是否需要退货="否",
            退款的申请时间="2026/12/06 10:00",
            超时时间="2026-12-08 10:00:00",
            退款状态="买家已经申请退款，等待卖家同意",
            买家退款原因="不想要了",
        ),
        row(
            header,
            订单编号="T2001",
            退款编号="RF3",
            商品编码="TEE-M",
            买家退款金额="198.00",
            是否需要退货="是",
            退款的申请时间="2026-12-05 09:30:00",
            超时时间="2026-12-10 12:00:00",
            退款状态="卖家已经同意退款，等待买家退货",
            买家退款原因="尺码不合适",
        ),
    ]


def csv_bytes(header, rows, encoding) -> bytes:
    lines = [",".join(header), *(",".join(cells) for cells in rows)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(header, rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for cells in rows:  # a spreadsheet keeps a long number as text itself: no ="…" (it would be a formula)
        sheet.append([c[2:-1] if c.startswith('="') else c for c in cells])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def orders(shop):
    return two_line_order(shop, "T2001"), two_line_order(shop, "T2002", status="paid")


def run(actor, shop, data: bytes, name: str = "refunds.csv", **extra):
    return import_refund_file(actor=actor, shop=shop, file=io.BytesIO(data), filename=name, **extra)


def case(no: str) -> AfterSaleCase:
    return AfterSaleCase.objects.get(platform_refund_no=no)


def refunded(no: str) -> Decimal:
    return sum(CaseLine.objects.filter(case__platform_refund_no=no).values_list("refund_amount", flat=True), Decimal())


def test_the_2017_gbk_csv_opens_cases_with_kinds_money_and_deadlines(service, shop, orders):
    report = run(service, shop, csv_bytes(HEADER_2017, first_export(), "gbk"), "退款管理2017.csv")

    assert report.ok, report.rejected
    assert (report.cases_created, report.cases_updated, report.cases_unchanged) == (3, 0, 0)
    assert report.refunded_total == Decimal("49.90")
    rf1, rf2, rf3 = case("RF1"), case("RF2"), case("RF3")
    assert (rf1.kind, rf1.status, rf1.reason, rf1.order.platform_order_no) == (
        "refund_shipped",
        CaseStatus.REFUNDED,
        "quality",
        "T2001",
    )
    assert [(cl.order_line.sku_code, cl.refund_amount) for cl in rf1.lines.all()] == [("CAP-RED", Decimal("49.90"))]
    assert (rf2.kind, rf2.status, rf2.requested_amount, rf2.reason) == (
        "refund_unshipped",
        CaseStatus.OPEN,
        Decimal("99.00"),
        "changed_mind",
    )
    assert rf2.deadline == datetime(2026, 12, 8, 10, 0, tzinfo=SH)
    assert rf2.deadline_source == DeadlineSource.PLATFORM
    assert (rf3.kind, rf3.status, rf3.reason) == ("return_refund", CaseStatus.AGREED, "size")
    assert rf3.deadline == datetime(2026, 12, 10, 12, 0, tzinfo=SH)
    assert [(cl.order_line.sku_code, cl.quantity) for cl in rf3.lines.all()] == [("TEE-M", 2)]


def test_the_same_file_twice_changes_nothing(service, shop, orders):
    data = csv_bytes(HEADER_2017, first_export(), "gbk")
    run(service, shop, data)
    events = CaseEvent.objects.count()
    stamps = list(AfterSaleCase.objects.order_by("id").values_list("updated_at", "deadline"))

    again = run(service, shop, data)

    assert again.ok, again.rejected
    assert (again.cases_created, again.cases_updated, again.cases_unchanged) == (0, 0, 3)
    assert CaseEvent.objects.count() == events
    assert list(AfterSaleCase.objects.order_by("id").values_list("updated_at", "deadline")) == stamps
    assert refunded("RF1") == Decimal("49.90")


@pytest.mark.parametrize("form", ["utf-8-sig", "xlsx"])
def test_a_later_export_of_the_newer_generation_moves_the_cases_on(service, shop, orders, form):
    run(service, shop, csv_bytes(HEADER_2017, first_export(), "gbk"))
    later = first_export(HEADER_NEW)
    status_col, deadline_col, type_col = (HEADER_NEW.index(h) for h in ("退款状态", "超时时间", "售后类型"))
    later[1][status_col], later[1][deadline_col] = "退款成功", ""  # RF2 refunded by the platform
    later[2][deadline_col] = "2026-12-12 12:00:00"  # RF3: the buyer's return is on its way, a new clock
    later[2][type_col] = "退货退款"
    data = xlsx_bytes(HEADER_NEW, later) if form == "xlsx" else csv_bytes(HEADER_NEW, later, "utf-8-sig")

    report = run(service, shop, data, "later.xlsx" if form == "xlsx" else "later.csv")

    assert report.ok, report.rejected
    assert (report.cases_created, report.cases_updated, report.cases_unchanged) == (0, 2, 1)
    assert report.refunded_total == Decimal("148.90")
    assert case("RF2").status == CaseStatus.REFUNDED
    assert refunded("RF2") == Decimal("99.00")
    assert case("RF3").deadline == datetime(2026, 12, 12, 12, 0, tzinfo=SH)
    assert case("RF3").status == CaseStatus.AGREED


def test_a_bad_file_stores_nothing_and_names_every_bad_row(service, shop, orders):
    rows = first_export()
    col = HEADER_2017.index
    rows[0][col("买家退款金额")] = "四十九"
    rows[1][col("订单编号")] = "T9999"
    rows[2][col("退款状态")] = "等一下"

    report = run(service, shop, csv_bytes(HEADER_2017, rows, "gbk"), "bad.csv")

    assert not report.ok
    assert [(e.file, e.line, e.column) for e in report.rejected] == [
        ("bad.csv", 2, "买家退款金额"),
        ("bad.csv", 3, "订单编号"),
        ("bad.csv", 4, "退款状态"),
    ]
    assert "T9999" in report.rejected[1].reason and "import the orders first" in report.rejected[1].reason
    assert AfterSaleCase.objects.count() == 0
    assert CaseLine.objects.count() == 0


def test_a_refund_above_what_the_line_was_paid_refuses_the_whole_file(service, shop, orders):
    rows = first_export()
    rows[0][HEADER_2017.index("买家退款金额")] = "59.90"  # the cap was paid 49.90

    report = run(service, shop, csv_bytes(HEADER_2017, rows, "gbk"), "over.csv")

    assert [(e.line, e.column) for e in report.rejected] == [(2, "买家退款金额")]
    assert "49.90" in report.rejected[0].reason
    assert AfterSaleCase.objects.count() == 0


def test_a_dry_run_reports_and_stores_nothing(service, shop, orders):
    report = run(service, shop, csv_bytes(HEADER_2017, first_export(), "gbk"), dry_run=True)

    assert report.ok and report.cases_created == 3
    assert AfterSaleCase.objects.count() == 0


def test_the_reader_takes_aliases_and_refuses_a_file_without_refund_numbers():
    data = csv_bytes(
        ["订单号", "退款单号", "申请退款金额", "退款申请时间", "退款状态"],
        [["1", "R", "1.00", "2026-12-01", "退款关闭"]],
        "utf-8",
    )
    result = read_refunds(file=io.BytesIO(data), filename="a.csv")
    assert not result.errors
    assert (result.records[0].refund_no, result.records[0].status, result.records[0].asked) == (
        "R",
        "closed",
        Decimal("1.00"),
    )


def test_the_command_prints_json_and_exits_1_on_rejections(service, shop, orders, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(HEADER_2017, first_export(), "gbk"))
    call_command("import_refunds", "--shop", "tb01", str(good), "--json")
    out = json.loads(capsys.readouterr().out)
    assert (out["cases_created"], out["refunded_total"], out["rejected"]) == (3, "49.90", [])

    rows = first_export()
    rows[1][HEADER_2017.index("订单编号")] = "T9999"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(HEADER_2017, rows, "gbk"))
    with pytest.raises(SystemExit) as exit_:
        call_command("import_refunds", "--shop", "tb01", str(bad), "--json")
    assert exit_.value.code == 1
    out = json.loads(capsys.readouterr().out)
    assert [(r["line"], r["column"]) for r in out["rejected"]] == [(3, "订单编号")]


def upload(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_the_queue_page_uploads_a_refund_export_and_shows_refused_rows(client, users, service, shop, orders):
    from django.urls import reverse

    from zhanggui.core.tests.pages import login

    url = reverse("aftersales:case-import")
    assert 'id="refund-import"' in login(client, service).get(reverse("aftersales:case-list")).content.decode()
    rows = first_export()
    rows[1][HEADER_2017.index("订单编号")] = "T9999"
    bad = client.post(url, {"shop": shop.pk, "file": upload(csv_bytes(HEADER_2017, rows, "gbk"), "bad.csv")})
    assert bad.status_code != 200 and "T9999" in bad.content.decode()
    assert AfterSaleCase.objects.count() == 0

    good = client.post(url, {"shop": shop.pk, "file": upload(csv_bytes(HEADER_2017, first_export(), "gbk"), "a.csv")})
    assert good.status_code == 200
    assert 'id="report-created">3<' in good.content.decode()
    assert AfterSaleCase.objects.count() == 3

    login(client, users["warehouse"])
    assert 'id="refund-import"' not in client.get(reverse("aftersales:case-list")).content.decode()
    refused = client.post(
        url, {"shop": shop.pk, "file": upload(csv_bytes(HEADER_2017, first_export(), "gbk"), "a.csv")}
    )
    assert refused.status_code == 403


def test_the_api_imports_and_answers_422_with_the_rows(service, shop, orders):
    from django.test import Client

    from zhanggui.core.services import create_api_token

    api = Client(headers={"Authorization": f"Bearer {create_api_token(user=service, name='test')[1]}"})
    url = "/api/v1/aftersales/import"
    rows = first_export()
    rows[2][HEADER_2017.index("退款状态")] = "等一下"
    bad = api.post(url, {"shop": "tb01", "file": upload(csv_bytes(HEADER_2017, rows, "gbk"), "bad.csv")})
    assert bad.status_code == 422
    body = bad.json()
    assert body["code"] == "import_rejected"
    assert [(r["line"], r["column"]) for r in body["details"]["rejected"]] == [(4, "退款状态")]

    ok = api.post(url, {"shop": "tb01", "file": upload(csv_bytes(HEADER_2017, first_export(), "gbk"), "a.csv")})
    assert ok.status_code == 200
    assert (ok.json()["cases_created"], ok.json()["refunded_total"]) == (3, "49.90")


def test_a_taobao_export_cannot_go_into_a_jd_shop(service, jd_shop, orders):
    report = run(service, jd_shop, csv_bytes(HEADER_2017, first_export(), "gbk"))

    assert [(e.line, e.column) for e in report.rejected] == [(0, "")]
    assert "jd01" in report.rejected[0].reason
    assert AfterSaleCase.objects.count() == 0


def test_an_export_behind_the_desk_keeps_the_desks_step(service, shop, orders):
    from zhanggui.aftersales import services

    data = csv_bytes(HEADER_2017, first_export(), "gbk")
    run(service, shop, data)
    services.agree(actor=service, case=case("RF2"), reason="同意退款")

    again = run(service, shop, data)  # the file still says 等待卖家同意

    assert again.ok, again.rejected
    assert (again.cases_updated, again.cases_unchanged) == (0, 3)
    assert case("RF2").status == CaseStatus.AGREED
    assert case("RF2").platform_deadline is None  # the stale 超时时间 of the open stage is not taken
