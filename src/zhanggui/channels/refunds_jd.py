"""JD's after-sales exports as refund records (channels.refunds): the 赔付单 and the 售后服务单.

赔付单 (compensation sheet): its columns are the ones ../shared/docs/PLATFORMS.md lists (店铺名称, 申请时间, 赔付单号,
关联订单号, 关联服务单号, 赔付金额, 赔付原因, 赔付状态, 申请人). Each row is money JD paid the buyer for us (价保,
延迟发货赔付 …): no units, no line of its own (service COMPENSATION). Its status words are an assumption.

售后服务单 (服务单管理 → 导出): no file of it has been seen. Its columns and words are an assumption from the
商家后台's fields and the JOS after-sales steps (申请阶段, 客服审核, 商家审核, 京东收货, 商家收货, 京东处理, 商家处理,
用户确认, 完成, 取消; 服务类型 退货, 换货, 维修), with aliases for the variants other exports use. docs/aftersales.md.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from zhanggui.channels.common import Cells, Seen, StatusWords
from zhanggui.channels.records import JD
from zhanggui.channels.refunds import (
    AGREED,
    CLOSED,
    COMPENSATION,
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

# --------------------------------------------------------------------------------------------------------
# 赔付单
# --------------------------------------------------------------------------------------------------------

COMPENSATION_COLUMNS: tuple[Column, ...] = (
    Column("refund_no", ("赔付单号", "赔付单编号"), required=True),
    Column("order_no", ("关联订单号", "订单号"), required=True),
    Column("service_no", ("关联服务单号", "服务单号")),
    Column("asked", ("赔付金额", "赔付金额(元)"), required=True),
    Column("reason", ("赔付原因", "赔付类型")),
    Column("status", ("赔付状态",), required=True),
    Column("created_at", ("申请时间", "创建时间"), required=True),
    Column("applicant", ("申请人",)),
    Column("deadline", ("超时时间", "申诉截止时间")),
)
COMPENSATION_SIGNATURE: tuple[Column, ...] = (
    Column("refund_no", ("赔付单号", "赔付单编号"), required=True),
    Column("asked", ("赔付金额", "赔付金额(元)"), required=True),
)
#: 赔付状态 (assumption: no file seen). Pending or under appeal: open; approved, not paid yet: agreed; paid:
#: refunded; refused, failed, withdrawn or won on appeal (nothing was paid): closed.
COMPENSATION_STATUS = StatusWords(
    {
        "待审核": OPEN,
        "审核中": OPEN,
        "待处理": OPEN,
        "申诉中": OPEN,
        "审核通过": AGREED,
        "待赔付": AGREED,
        "赔付中": AGREED,
        "赔付成功": REFUNDED,
        "已赔付": REFUNDED,
        "赔付完成": REFUNDED,
        "已完成": REFUNDED,
        "审核驳回": CLOSED,
        "审核不通过": CLOSED,
        "已驳回": CLOSED,
        "赔付失败": CLOSED,
        "申诉成功": CLOSED,
        "已撤销": CLOSED,
        "已取消": CLOSED,
        "已关闭": CLOSED,
    }
)


def read_compensations(*, file: FileSource, filename: str = "") -> RefundResult:
    """The compensations of a JD 赔付单 export: each a money-only record keyed on its 赔付单号. Raises
    core.tabular.TableError when the file cannot be read at all."""
    result = RefundResult(platform=JD, columns=COMPENSATION_COLUMNS)
    table = read_table(file=file, filename=filename, columns=COMPENSATION_COLUMNS)
    result.headers = dict(table.headers)
    seen = Seen()
    for row in table:
        cells = Cells(table, row, result.errors)
        refund_no = cells.code("refund_no", required=True)
        what = _("Compensation %(no)s") % {"no": refund_no}
        if refund_no and not seen.check(refund_no, cells, key="refund_no", what=what):
            continue
        order_no = cells.order_no("order_no")
        amount = cells.money("asked", required=True)
        status, status_text = status_of(cells, COMPENSATION_STATUS)
        created_at = required_moment(cells, "created_at")
        service_no, applicant = cells.code("service_no"), cells.text("applicant")
        description = "\n".join(
            text
            for text in (
                _("Service order %(no)s") % {"no": service_no} if service_no else "",
                _("Applied by %(who)s") % {"who": applicant} if applicant else "",
            )
            if text
        )
        record = RefundRecord(
            platform=JD,
            refund_no=refund_no,
            order_no=order_no,
            sub_order_id="",
            sku_code="",
            title="",
            asked=amount,
            refunded=amount if status == REFUNDED else ZERO,
            status=status,
            status_text=status_text,
            service=COMPENSATION,
            reason_text=cells.text("reason"),
            description=description,
            deadline=deadline_of(cells),
            created_at=created_at,
            file=table.filename,
            line=row.line,
        )
        keep(cells, record, result)
    return result


# --------------------------------------------------------------------------------------------------------
# 售后服务单
# --------------------------------------------------------------------------------------------------------

SERVICE_COLUMNS: tuple[Column, ...] = (
    Column("refund_no", ("服务单号", "售后服务单号", "服务单编号"), required=True),
    Column("order_no", ("订单号", "订单编号"), required=True),
    Column("sub_order_id", ("商品编号", "商品ID", "SKU编号", "skuId")),
    Column("sku_code", ("商家编码", "商家SKU编码", "货号")),
    Column("title", ("商品名称",)),
    Column("quantity", ("申请数量", "服务数量", "商品数量")),
    Column("created_at", ("申请时间", "服务单申请时间", "提交时间"), required=True),
    Column("service_type", ("服务类型", "售后类型", "服务单类型", "客户期望"), required=True),
    Column("status", ("服务单状态", "处理状态", "服务单环节")),
    Column("review", ("审核状态", "审核结果")),
    Column("asked", ("退款金额", "申请退款金额", "应退金额", "退款金额(元)")),
    Column("refunded", ("实际退款金额", "已退款金额", "实退金额")),
    Column("reason", ("申请原因", "售后原因", "退换货原因")),
    Column("description", ("问题描述", "问题描述及备注", "客户描述")),
    Column("deadline", ("超时时间", "处理截止时间", "审核截止时间", "截止时间")),
    Column("return_tracking_no", ("退货运单号", "客户发货运单号", "寄回运单号")),
    Column("return_carrier", ("退货快递公司", "客户发货快递公司", "寄回快递公司")),
)
SERVICE_SIGNATURE: tuple[Column, ...] = (
    Column("refund_no", ("服务单号", "售后服务单号", "服务单编号"), required=True),
    Column("order_no", ("订单号", "订单编号"), required=True),
)
#: 服务类型 (客户期望): 维修 goes back and out again, as an exchange does.
SERVICE_TYPES = {
    "退货": RETURN_REFUND,
    "退货退款": RETURN_REFUND,
    "换货": EXCHANGE,
    "维修": REPAIR,
    "补发": REISSUE,
    "补发商品": REISSUE,
    "仅退款": REFUND_ONLY,
    "退款": REFUND_ONLY,
}
#: A finished service order: refunded when it is about money and some went back, else closed (an exchange).
DONE = "done"
SERVICE_STATUS = StatusWords(
    {
        "申请阶段": OPEN,
        "客服审核": OPEN,
        "商家审核": OPEN,
        "待审核": OPEN,
        "审核中": OPEN,
        "待处理": OPEN,
        "审核不通过": REJECTED,
        "审核驳回": REJECTED,
        "已驳回": REJECTED,
        "审核通过": AGREED,
        "待客户寄回": AGREED,
        "待收货": AGREED,
        "京东收货": AGREED,
        "商家收货": AGREED,
        "京东处理": AGREED,
        "商家处理": AGREED,
        "处理中": AGREED,
        "用户确认": AGREED,
        "待用户确认": AGREED,
        "退款成功": REFUNDED,
        "已退款": REFUNDED,
        "完成": DONE,
        "已完成": DONE,
        "取消": CLOSED,
        "已取消": CLOSED,
        "用户取消": CLOSED,
        "已关闭": CLOSED,
    }
)


def read_service_orders(*, file: FileSource, filename: str = "") -> RefundResult:
    """The service orders of a JD 售后服务单 export, keyed on 服务单号. 服务单状态 decides the status; 审核状态 when
    the file has no 服务单状态 or leaves it empty. Raises core.tabular.TableError when the file cannot be read."""
    result = RefundResult(platform=JD, columns=SERVICE_COLUMNS)
    table = read_table(file=file, filename=filename, columns=SERVICE_COLUMNS)
    result.headers = dict(table.headers)
    seen = Seen()
    for row in table:
        cells = Cells(table, row, result.errors)
        refund_no = cells.code("refund_no", required=True)
        what = _("Service order %(no)s") % {"no": refund_no}
        if refund_no and not seen.check(refund_no, cells, key="refund_no", what=what):
            continue
        order_no = cells.order_no("order_no")
        service = service_of(cells, SERVICE_TYPES)
        if not service and cells.ok:
            cells.fail("service_type", _("Required; fill it on every row (no merged cells)."))
        status_key = "status" if cells.raw("status") or not table.has("review") else "review"
        status, status_text = status_of(cells, SERVICE_STATUS, status_key)
        asked, refunded_cell = cells.money("asked"), cells.money("refunded")
        if service in (REFUND_ONLY, RETURN_REFUND) and not cells.raw("asked"):
            cells.fail("asked", _("Required for a refund; fill it on every row (no merged cells)."))
        refunded = refunded_cell if cells.raw("refunded") else ZERO
        if status == DONE:
            money_back = refunded or (asked if service in (REFUND_ONLY, RETURN_REFUND) else ZERO)
            status, refunded = (REFUNDED, money_back) if money_back else (CLOSED, ZERO)
        elif status == REFUNDED and not cells.raw("refunded"):
            refunded = asked
        record = RefundRecord(
            platform=JD,
            refund_no=refund_no,
            order_no=order_no,
            sub_order_id=cells.code("sub_order_id"),
            sku_code=cells.code("sku_code"),
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
            return_tracking_no=cells.code("return_tracking_no"),
            return_carrier=cells.text("return_carrier"),
        )
        keep(cells, record, result)
    return result
