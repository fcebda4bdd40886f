"""The JD (赔付单, 售后服务单) and Pinduoduo (售后) refund readers on their own: which file is which, the aliases,
the words, and what a row becomes (aftersales/tests/test_imports_jd_pdd.py stores them as cases)."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from zhanggui.channels import refunds, refunds_jd, refunds_pdd
from zhanggui.channels.refund_exports import read_refund_export, refund_file_kind
from zhanggui.core.tabular import DuplicateColumns, MissingColumns

SH = ZoneInfo("Asia/Shanghai")


def csv(header: list[str], *rows: list[str], encoding: str = "utf-8") -> io.BytesIO:
    lines = [",".join(header), *(",".join(cells) for cells in rows)]
    return io.BytesIO(("\r\n".join(lines) + "\r\n").encode(encoding))


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        (["赔付单号", "关联订单号", "赔付金额", "赔付状态", "申请时间"], "jd_compensation"),
        (["服务单号", "订单号", "服务类型", "服务单状态", "申请时间"], "jd_service"),
        (["售后编号", "订单号", "售后类型", "售后状态", "申请时间"], "pdd"),
        (["订单编号", "退款编号", "买家退款金额", "退款状态", "退款的申请时间"], "taobao"),
        (["订单号", "订购数量", "京东价"], None),
    ],
)
def test_each_export_is_told_by_its_headers(header, kind):
    assert refund_file_kind(csv(header), "a.csv") == kind


def test_a_platform_given_tries_only_its_own_sheets():
    taobao = csv(["订单编号", "退款编号", "买家退款金额", "退款状态", "退款的申请时间"])
    assert refund_file_kind(taobao, "a.csv", platform="jd") is None
    with pytest.raises(MissingColumns) as missing:
        read_refund_export(file=taobao, filename="a.csv", platform="jd")
    assert "服务单号" in missing.value.message


def test_a_service_order_reads_through_aliases_and_the_review_column():
    data = csv(
        ["售后服务单号", "订单编号", "商品ID", "服务单类型", "审核结果", "服务单申请时间", "应退金额", "售后原因"],
        ['="1786009"', '="J3001"', '="100012043978"', "维修", "审核通过", "2026-12-01 10:00", "0", "开机无反应"],
        ['="1786010"', '="J3001"', '="100012043978"', "换货", "完成", "2026-12-01 11:00", "", "尺码"],
        ['="1786011"', '="J3001"', '="100012043978"', "退货", "完成", "2026-12-01 12:00", "99.00", "尺码"],
    )
    result = refunds_jd.read_service_orders(file=data, filename="a.csv")

    assert result.errors == []
    repair, exchange, refunded = result.records
    assert (repair.refund_no, repair.order_no, repair.sub_order_id) == ("1786009", "J3001", "100012043978")
    assert (repair.service, repair.status, repair.reason_text) == (refunds.REPAIR, refunds.AGREED, "开机无反应")
    assert repair.created_at == datetime(2026, 12, 1, 10, 0, tzinfo=SH)
    # 完成: an exchange is closed, a return refunded with what it asked.
    assert (exchange.status, exchange.refunded) == (refunds.CLOSED, Decimal("0.00"))
    assert (refunded.status, refunded.refunded) == (refunds.REFUNDED, Decimal("99.00"))
    assert result.header("status") == "服务单状态" and result.header("asked") == "应退金额"


def test_a_service_order_row_repeated_is_read_once_and_a_different_one_refused():
    header = ["服务单号", "订单号", "服务类型", "服务单状态", "申请时间", "退款金额"]
    same = ["1", "J1", "退货", "商家审核", "2026-12-01", "9.90"]
    other = ["1", "J1", "退货", "商家审核", "2026-12-01", "8.90"]
    result = refunds_jd.read_service_orders(file=csv(header, same, same, other), filename="a.csv")

    assert len(result.records) == 1
    assert [(e.line, e.column) for e in result.errors] == [(4, "服务单号")]
    assert "line 2" in result.errors[0].reason


def test_a_refund_without_its_amount_and_an_unknown_type_are_refused():
    header = ["服务单号", "订单号", "服务类型", "服务单状态", "申请时间", "退款金额"]
    result = refunds_jd.read_service_orders(
        file=csv(
            header, ["1", "J1", "退货", "商家审核", "2026-12-01", ""], ["2", "J1", "以旧换新", "完成", "2026-12-01", ""]
        ),
        filename="a.csv",
    )
    assert result.records == []
    assert [(e.line, e.column) for e in result.errors] == [(2, "退款金额"), (3, "服务类型")]
    assert "维修" in result.errors[1].reason  # the types read are listed


def test_a_compensation_is_money_only_and_its_amount_refunded_once_paid():
    header = [
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
    data = csv(
        header,
        ["京东店", "2026-12-03 10:00:00", '="PF1"', '="J3001"', "", "￥12.50", "价保", "已赔付", "系统"],
        ["京东店", "2026-12-03 10:00:00", '="PF2"', '="J3001"', '="1786001"', "3", "延迟发货", "申诉中", "买家"],
        encoding="utf-8-sig",
    )
    result = refunds_jd.read_compensations(file=data, filename="a.csv")

    assert result.errors == []
    paid, appealed = result.records
    assert (paid.service, paid.asked, paid.refunded, paid.status) == (
        refunds.COMPENSATION,
        Decimal("12.50"),
        Decimal("12.50"),
        refunds.REFUNDED,
    )
    assert (appealed.refunded, appealed.status, appealed.reason_text) == (Decimal("0.00"), refunds.OPEN, "延迟发货")
    assert "1786001" in appealed.description and "买家" in appealed.description


def test_pdd_reads_its_words_and_leaves_a_time_left_unread():
    header = [
        "售后编号",
        "订单号",
        "商家编码-商品维度",
        "售后类型",
        "售后状态",
        "申请时间",
        "退款金额(元)",
        "剩余处理时间",
        "快递单号",
        "快递公司",
    ]
    data = csv(
        header,
        [
            '="PS1"',
            '="2612-1"',
            "MUG",
            "退货退款",
            "退货退款，待商家处理",
            "2026-12-01 10:00",
            "29.90",
            "2天3小时",
            "YT1",
            "圆通",
        ],
        [
            '="PS2"',
            '="2612-2"',
            "MUG",
            "缺货补寄",
            "补寄待商家发货",
            "2026-12-01 10:00",
            "",
            "2026-12-05 10:00",
            "",
            "",
        ],
        ['="PS3"', '="2612-3"', "MUG", "仅退款", "平台同意退款，退款中", "2026-12-01 10:00", "5.00", "", "", ""],
        encoding="gbk",
    )
    result = refunds_pdd.read(file=data, filename="a.csv")

    assert result.errors == []
    ret, reissue, refund = result.records
    assert (ret.service, ret.status, ret.asked, ret.deadline, ret.sku_code) == (
        refunds.RETURN_REFUND,
        refunds.OPEN,
        Decimal("29.90"),
        None,
        "MUG",
    )
    assert (ret.return_tracking_no, ret.return_carrier) == ("YT1", "圆通")
    assert (reissue.service, reissue.status, reissue.deadline) == (
        refunds.REISSUE,
        refunds.AGREED,
        datetime(2026, 12, 5, 10, 0, tzinfo=SH),
    )
    assert (refund.service, refund.status, refund.refunded) == (refunds.REFUND_ONLY, refunds.AGREED, Decimal("0.00"))


def test_pdd_refuses_an_unknown_status_listing_the_words_and_a_bad_deadline():
    header = ["售后编号", "订单号", "售后类型", "售后状态", "申请时间", "申请退款金额", "超时时间"]
    data = csv(
        header,
        ["PS1", "2612-1", "仅退款", "等等", "2026-12-01", "1.00", ""],
        ["PS2", "2612-1", "仅退款", "退款成功", "2026-12-01", "1.00", "下周"],
    )
    result = refunds_pdd.read(file=data, filename="a.csv")

    assert [(e.line, e.column) for e in result.errors] == [(2, "售后状态"), (3, "超时时间")]
    assert "买家申请退款，待商家处理" in result.errors[0].reason


def test_two_columns_meaning_the_same_refuse_the_file():
    data = csv(
        ["售后编号", "售后单号", "订单号", "售后类型", "售后状态", "申请时间"],
        ["1", "1", "2", "仅退款", "退款成功", "2026-12-01"],
    )
    with pytest.raises(DuplicateColumns):
        read_refund_export(file=data, filename="a.csv")
