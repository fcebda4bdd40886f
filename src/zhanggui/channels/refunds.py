"""Read a platform's refund export (Taobao/Tmall 退款管理) into plain refund records, and every bad row.

One row is one refund of one sub-order: the platform's refund number (退款编号), the order it belongs to, what
the buyer asks and what was paid back, the platform's status words mapped onto after-sales statuses, the reason
as written and the platform's own deadline for the stage (超时时间) when the file has it. Headers are matched by
name with aliases (core.tabular), so the 2017 generation (支付宝交易号, 39 columns) and the newer ones (支付单号,
商品id, 售后类型 …) read alike. aftersales.imports stores the records; docs/aftersales.md maps each column.

JD's and Pinduoduo's 售后 exports are not read yet: ../shared/docs/PLATFORMS.md does not give their columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from zhanggui.channels.common import Cells, Seen, StatusWords
from zhanggui.channels.records import TAOBAO, RowError
from zhanggui.core.tabular import Column, FileSource, read_table

# The case statuses a refund row can be in (aftersales.models.CaseStatus values; channels sits below aftersales).
OPEN, AGREED, REJECTED, REFUNDED, CLOSED = "open", "agreed", "rejected", "refunded", "closed"
# What the buyer asks for: money only, or the goods back first.
REFUND_ONLY, RETURN_REFUND, EXCHANGE = "refund_only", "return_refund", "exchange"

TAOBAO_COLUMNS: tuple[Column, ...] = (
    Column("refund_no", ("退款编号", "退款单号"), required=True),
    Column("order_no", ("订单编号", "订单号"), required=True),
    Column("sub_order_id", ("子订单编号", "子订单号")),
    Column("sku_code", ("商品编码", "商家编码")),
    Column("title", ("宝贝标题", "商品标题")),
    Column("asked", ("买家退款金额", "申请退款金额"), required=True),
    Column("refunded", ("实际退款金额", "退款成功金额")),
    Column("needs_return", ("是否需要退货",)),
    Column("service_type", ("售后类型", "退款类型")),
    Column("created_at", ("退款的申请时间", "申请时间", "退款申请时间"), required=True),
    Column("deadline", ("超时时间",)),
    Column("status", ("退款状态",), required=True),
    Column("reason", ("买家退款原因", "退款原因")),
    Column("description", ("买家退款说明", "退款说明")),
)
TAOBAO_SIGNATURE: tuple[Column, ...] = (
    Column("refund_no", ("退款编号", "退款单号"), required=True),
    Column("asked", ("买家退款金额", "申请退款金额"), required=True),
)

TAOBAO_STATUS = StatusWords(
    {
        "买家已经申请退款，等待卖家同意": OPEN,
        "等待卖家同意": OPEN,
        "待卖家处理": OPEN,
        "卖家已经同意退款，等待买家退货": AGREED,
        "等待买家退货": AGREED,
        "买家已经退货，等待卖家确认收货": AGREED,
        "等待卖家确认收货": AGREED,
        "卖家拒绝退款": REJECTED,
        "卖家已拒绝": REJECTED,
        "退款成功": REFUNDED,
        "退款关闭": CLOSED,
        "退款已关闭": CLOSED,
    }
)
YES, NO = ("是", "需要", "yes", "Y"), ("否", "不需要", "no", "N")
SERVICE_TYPES = {
    "仅退款": REFUND_ONLY,
    "退款": REFUND_ONLY,
    "退货退款": RETURN_REFUND,
    "退款退货": RETURN_REFUND,
    "换货": EXCHANGE,
}


@dataclass(frozen=True)
class RefundRecord:
    """One refund as the platform's file has it (money Decimal to the fen, moments aware, texts cleaned)."""

    platform: str
    refund_no: str
    order_no: str
    sub_order_id: str  # "" when the file has none: the line is then found by SKU code, or the order's only line
    sku_code: str
    title: str
    asked: Decimal  # 买家退款金额
    refunded: Decimal  # what the platform paid back: the 实际退款金额 column, else the amount asked once 退款成功
    status: str  # OPEN … CLOSED
    status_text: str
    service: str  # REFUND_ONLY, RETURN_REFUND or EXCHANGE
    reason_text: str
    description: str
    deadline: datetime | None  # 超时时间
    created_at: datetime | None
    file: str = ""
    line: int = 0


@dataclass
class RefundResult:
    """Every refund read from one file and every refused row; with any error nothing is to be stored."""

    platform: str
    records: list[RefundRecord] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def read_refunds(*, file: FileSource, filename: str = "") -> RefundResult:
    """The refunds of a Taobao/Tmall 退款管理 export. Raises core.tabular.TableError when the file cannot be
    read at all (not a table, required columns missing)."""
    result = RefundResult(platform=TAOBAO)
    table = read_table(file=file, filename=filename, columns=TAOBAO_COLUMNS)
    seen = Seen()
    for row in table:
        cells = Cells(table, row, result.errors)
        refund_no = cells.code("refund_no", required=True)
        if refund_no and not seen.check(refund_no, cells, key="refund_no", what=_("Refund %(no)s") % {"no": refund_no}):
            continue
        order_no = cells.order_no("order_no")
        asked = cells.money("asked", required=True)
        refunded_cell = cells.money("refunded")
        status, status_text = _status(cells)
        created_at = cells.moment("created_at")
        if created_at is None and not cells.raw("created_at"):
            cells.fail("created_at", _("Required; fill it on every row (no merged cells)."))
        record = RefundRecord(
            platform=TAOBAO,
            refund_no=refund_no,
            order_no=order_no,
            sub_order_id=cells.code("sub_order_id"),
            sku_code=cells.code("sku_code"),
            title=cells.text("title"),
            asked=asked,
            refunded=refunded_cell if cells.raw("refunded") else (asked if status == REFUNDED else Decimal("0.00")),
            status=status,
            status_text=status_text,
            service=_service(cells),
            reason_text=cells.text("reason"),
            description=cells.note("description"),
            deadline=cells.moment("deadline"),
            created_at=created_at,
            file=table.filename,
            line=row.line,
        )
        if record.refunded > record.asked and cells.ok:
            cells.fail(
                "refunded",
                _("%(refunded)s refunded is more than the %(asked)s the buyer asked.")
                % {"refunded": record.refunded, "asked": record.asked},
            )
        if cells.ok:
            result.records.append(record)
    return result


def _status(cells: Cells) -> tuple[str, str]:
    text = cells.text("status")
    if not text:
        cells.fail("status", _("Required; fill it on every row (no merged cells)."))
        return "", ""
    status = TAOBAO_STATUS.get(text)
    if status is None:
        cells.fail(
            "status",
            _("Unknown refund status %(value)s; the statuses read are: %(known)s.")
            % {"value": text, "known": " / ".join(TAOBAO_STATUS.words)},
        )
        return "", text
    return status, text


def _service(cells: Cells) -> str:
    """售后类型 when the file has it, else 是否需要退货 (是: return and refund), else refund only."""
    kind = cells.text("service_type")
    if kind:
        service = SERVICE_TYPES.get(kind.replace(" ", ""))
        if service is None:
            cells.fail(
                "service_type",
                _("Unknown after-sales type %(value)s; the types read are: %(known)s.")
                % {"value": kind, "known": " / ".join(SERVICE_TYPES)},
            )
            return REFUND_ONLY
        return service
    needs_return = cells.text("needs_return")
    if not needs_return or needs_return in NO:
        return REFUND_ONLY
    if needs_return in YES:
        return RETURN_REFUND
    cells.fail("needs_return", _("%(value)s: write 是 or 否.") % {"value": needs_return})
    return REFUND_ONLY
