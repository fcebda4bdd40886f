"""Pinduoduo's 售后 export (商家后台 → 售后管理 → 导出) as refund records (channels.refunds), keyed on 售后编号.

../shared/docs/PLATFORMS.md says only that PDD's after-sales exports key on 售后编号; no file has been seen. The
columns below, and the status and type words (the after-sales statuses and types of PDD's open platform:
买家申请退款，待商家处理 … 换货补寄成功; 仅退款, 退货退款, 换货, 补寄, 维修) are an assumption, with aliases for the
variants other exports use. A PDD order is one SKU, so the case's line is the order's only line (or the one with
the row's 商家编码). docs/aftersales.md.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from zhanggui.channels.common import Cells, Seen, StatusWords
from zhanggui.channels.records import PDD
from zhanggui.channels.refunds import (
    AGREED,
    CLOSED,
    EXCHANGE,
    OPEN,
    REFUND_ONLY,
    REFUNDED,
    REISSUE,
    REJECTED,
    REPAIR,
    RETURN_REFUND,
    RefundRecord,
    RefundResult,
    deadline_of,
    keep,
    required_moment,
    service_of,
    status_of,
)
from zhanggui.core.money import ZERO
from zhanggui.core.tabular import Column, FileSource, read_table

COLUMNS: tuple[Column, ...] = (
    Column("refund_no", ("售后编号", "售后单号", "售后单编号", "售后ID"), required=True),
    Column("order_no", ("订单号", "订单编号"), required=True),
    Column("sku_code", ("商家编码-规格维度", "商家编码", "SKU编码")),
    Column("product_code", ("商家编码-商品维度",)),
    Column("title", ("商品名称", "商品")),
    Column("quantity", ("售后数量", "申请数量", "商品数量(件)", "商品数量")),
    Column("created_at", ("申请时间", "售后申请时间", "发起时间"), required=True),
    Column("service_type", ("售后类型",), required=True),
    Column("status", ("售后状态",), required=True),
    # Two columns may both be there: 申请退款金额 is the amount asked, a plain 退款金额 is read only without it.
    Column("asked", ("申请退款金额", "申请退款金额(元)")),
    Column("amount", ("退款金额", "退款金额(元)")),
    Column("refunded", ("实际退款金额", "实际退款金额(元)", "已退款金额", "实退金额")),
    Column("reason", ("售后原因", "申请原因", "退款原因")),
    Column("description", ("售后说明", "问题描述", "退款说明", "买家描述")),
    Column("deadline", ("超时时间", "处理截止时间", "截止时间", "剩余处理时间")),
    Column("return_tracking_no", ("退货快递单号", "退货运单号", "退货物流单号")),
    Column("tracking_no", ("快递单号", "运单号")),
    Column("return_carrier", ("退货快递公司", "退货物流公司")),
    Column("carrier", ("快递公司",)),
)
SIGNATURE: tuple[Column, ...] = (
    Column("refund_no", ("售后编号", "售后单号", "售后单编号", "售后ID"), required=True),
    Column("order_no", ("订单号", "订单编号"), required=True),
    Column("status", ("售后状态",), required=True),
)
SERVICE_TYPES = {
    "仅退款": REFUND_ONLY,
    "未发货仅退款": REFUND_ONLY,
    "已发货仅退款": REFUND_ONLY,
    "退款": REFUND_ONLY,
    "退货退款": RETURN_REFUND,
    "换货": EXCHANGE,
    "补寄": REISSUE,
    "缺货补寄": REISSUE,
    "维修": REPAIR,
}
STATUS_WORDS = StatusWords(
    {
        "买家申请退款，待商家处理": OPEN,
        "退货退款，待商家处理": OPEN,
        "待商家处理": OPEN,
        "平台处理中": OPEN,  # the platform stepped in (an appeal): the case is open again
        "换货补寄待商家处理": OPEN,
        "待商家同意维修": OPEN,
        "商家同意退款，退款中": AGREED,
        "平台同意退款，退款中": AGREED,
        "退款中": AGREED,
        "已同意退货退款，待用户发货": AGREED,
        "待买家退货": AGREED,
        "待商家收货": AGREED,
        "换货补寄待用户处理": AGREED,
        "换货补寄待用户确认完成": AGREED,
        "补寄待商家发货": AGREED,
        "待用户确认发货": AGREED,
        "待用户确认收货": AGREED,
        "已同意拒收退款，待用户拒收": AGREED,
        "驳回退款，待买家处理": REJECTED,
        "商家已拒绝": REJECTED,
        "退款成功": REFUNDED,
        "已退款": REFUNDED,
        "平台拒绝退款，退款关闭": CLOSED,
        "买家撤销": CLOSED,
        "买家逾期未处理，退款失败": CLOSED,
        "买家逾期，超过有效期": CLOSED,
        "换货补寄成功": CLOSED,
        "换货补寄失败": CLOSED,
        "维修成功": CLOSED,
        "维修关闭": CLOSED,
        "售后关闭": CLOSED,
        "售后取消": CLOSED,
        "已关闭": CLOSED,
    }
)


def read(*, file: FileSource, filename: str = "") -> RefundResult:
    """The after-sales of a PDD 售后 export. Raises core.tabular.TableError when the file cannot be read at all."""
    result = RefundResult(platform=PDD, columns=COLUMNS)
    table = read_table(file=file, filename=filename, columns=COLUMNS)
    result.headers = dict(table.headers)
    asked_key = "asked" if table.has("asked") else "amount"
    seen = Seen()
    for row in table:
        cells = Cells(table, row, result.errors)
        refund_no = cells.code("refund_no", required=True)
        what = _("After-sales %(no)s") % {"no": refund_no}
        if refund_no and not seen.check(refund_no, cells, key="refund_no", what=what):
            continue
        order_no = cells.order_no("order_no")
        service = service_of(cells, SERVICE_TYPES)
        if not service and cells.ok:
            cells.fail("service_type", _("Required; fill it on every row (no merged cells)."))
        status, status_text = status_of(cells, STATUS_WORDS)
        asked = cells.money(asked_key)
        if service in (REFUND_ONLY, RETURN_REFUND) and not cells.raw(asked_key):
            cells.fail(asked_key, _("Required for a refund; fill it on every row (no merged cells)."))
        refunded = asked if status == REFUNDED else ZERO
        if cells.raw("refunded"):
            refunded = cells.money("refunded")
        record = RefundRecord(
            platform=PDD,
            refund_no=refund_no,
            order_no=order_no,
            sub_order_id="",
            sku_code=cells.code("sku_code") or cells.code("product_code"),
            title=cells.text("title"),
            asked=asked,
            refunded=refunded,
            status=status,
            status_text=status_text,
            service=service,
            reason_text=cells.text("reason"),
            description=cells.note("description"),
            deadline=deadline_of(cells),
            created_at=required_moment(cells, "created_at"),
            file=table.filename,
            line=row.line,
            quantity=cells.quantity("quantity") if cells.raw("quantity") else 0,
            return_tracking_no=cells.code("return_tracking_no") or cells.code("tracking_no"),
            return_carrier=cells.text("return_carrier") or cells.text("carrier"),
        )
        keep(cells, record, result)
    return result
