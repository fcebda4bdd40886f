"""Read a platform's refund export (Taobao/Tmall 退款管理) into plain refund records, and every bad row.

One row is one refund of one sub-order: the platform's refund number (退款编号), the order it belongs to, what
the buyer asks and what was paid back, the platform's status words mapped onto after-sales statuses, the reason
as written and the platform's own deadline for the stage (超时时间) when the file has it. Headers are matched by
name with aliases (core.tabular), so the 2017 generation (支付宝交易号, 39 columns) and the newer ones (支付单号,
商品id, 售后类型 …) read alike. aftersales.imports stores the records; docs/aftersales.md maps each column.

JD's (赔付单, 售后服务单) and Pinduoduo's (售后) exports have their own readers beside this one (refunds_jd,
refunds_pdd) giving the same records; channels.refund_exports tells the files apart by their headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from zhanggui.channels.common import Cells, Seen, StatusWords, fold_word
from zhanggui.channels.records import TAOBAO, RowError
from zhanggui.core.tabular import Column, FileSource, read_table

# The case statuses a refund row can be in (aftersales.models.CaseStatus values; channels sits below aftersales).
OPEN, AGREED, REJECTED, REFUNDED, CLOSED = "open", "agreed", "rejected", "refunded", "closed"
# What the buyer asks for: money only, or the goods back first.
REFUND_ONLY, RETURN_REFUND, EXCHANGE = "refund_only", "return_refund", "exchange"
# JD and PDD also give: the goods sent again (补发/补寄), a repair (JD 维修: back and out again, as an exchange), and
# a compensation the platform paid the buyer for us (JD 赔付单: money only, no units, no line of its own).
REISSUE, REPAIR, COMPENSATION = "reissue", "repair", "compensation"

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
    quantity: int = 0  # units asked (JD 申请数量, PDD 售后数量); 0: the whole line
    return_tracking_no: str = ""  # the buyer's return parcel (退货运单号 / 快递单号), when the file has it
    return_carrier: str = ""


@dataclass
class RefundResult:
    """Every refund read from one file and every refused row; with any error nothing is to be stored."""

    platform: str
    records: list[RefundRecord] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    #: The reader's columns and the headers as the file writes them, for naming a cell in a refusal.
    columns: tuple[Column, ...] = TAOBAO_COLUMNS
    headers: dict[str, str] = field(default_factory=dict)

    def header(self, key: str) -> str:
        """The column of `key` as the file names it, or our first name for it."""
        return self.headers.get(key) or next((c.header for c in self.columns if c.key == key), key)


def read_refunds(*, file: FileSource, filename: str = "") -> RefundResult:
    """The refunds of a Taobao/Tmall 退款管理 export. Raises core.tabular.TableError when the file cannot be
    read at all (not a table, required columns missing)."""
    result = RefundResult(platform=TAOBAO)
    table = read_table(file=file, filename=filename, columns=TAOBAO_COLUMNS)
    result.headers = dict(table.headers)
    seen = Seen()
    for row in table:
        cells = Cells(table, row, result.errors)
        refund_no = cells.code("refund_no", required=True)
        if refund_no and not seen.check(refund_no, cells, key="refund_no", what=_("Refund %(no)s") % {"no": refund_no}):
            continue
        order_no = cells.order_no("order_no")
        asked = cells.money("asked", required=True)
        refunded_cell = cells.money("refunded")
        status, status_text = status_of(cells, TAOBAO_STATUS)
        created_at = required_moment(cells, "created_at")
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
        keep(cells, record, result)
    return result


def keep(cells: Cells, record: RefundRecord, result: RefundResult) -> None:
    """The record into the result, when its row is sound: no cell refused, no more refunded than asked."""
    if record.refunded > record.asked and cells.ok:
        cells.fail(
            "refunded",
            _("%(refunded)s refunded is more than the %(asked)s the buyer asked.")
            % {"refunded": record.refunded, "asked": record.asked},
        )
    if cells.ok:
        result.records.append(record)


def required_moment(cells: Cells, key: str) -> datetime | None:
    moment = cells.moment(key)
    if moment is None and not cells.raw(key):
        cells.fail(key, _("Required; fill it on every row (no merged cells)."))
    return moment


def status_of(cells: Cells, words: StatusWords, key: str = "status") -> tuple[str, str]:
    """(our status, the platform's words) of a refund status cell; a word not in `words` refuses the row."""
    text = cells.text(key)
    if not text:
        cells.fail(key, _("Required; fill it on every row (no merged cells)."))
        return "", ""
    status = words.get(text)
    if status is None:
        cells.fail(
            key,
            _("Unknown refund status %(value)s; the statuses read are: %(known)s.")
            % {"value": text, "known": " / ".join(words.words)},
        )
        return "", text
    return status, text


def service_of(cells: Cells, types: dict[str, str], key: str = "service_type") -> str:
    """What the buyer asks (REFUND_ONLY …) from an after-sales type cell; "" when the cell is empty or its word
    unknown (the row is then refused, listing the words read)."""
    kind = cells.text(key)
    if not kind:
        return ""
    service = types.get(fold_word(kind))
    if service is None:
        cells.fail(
            key,
            _("Unknown after-sales type %(value)s; the types read are: %(known)s.")
            % {"value": kind, "known": " / ".join(types)},
        )
        return ""
    return service


#: A time left as a platform's list shows it (2天3小时5分, 23:59:00 left): no moment without the export's own.
_DURATION_RE = re.compile(r"^(?:[0-9]+\s*(?:天|小时|时|分钟|分|秒)\s*)+$")


def deadline_of(cells: Cells, key: str = "deadline") -> datetime | None:
    """The platform's deadline (超时时间) as a moment. A time left (剩余处理时间 "1天2小时") is not read: the file
    does not say when it was exported, and counting from the import would move the deadline at every import."""
    text = cells.raw(key)
    if text and _DURATION_RE.match(text.replace(" ", "")):
        return None
    return cells.moment(key)


def _service(cells: Cells) -> str:
    """售后类型 when the file has it, else 是否需要退货 (是: return and refund), else refund only."""
    service = service_of(cells, SERVICE_TYPES)
    if service or cells.text("service_type"):
        return service or REFUND_ONLY
    needs_return = cells.text("needs_return")
    if not needs_return or needs_return in NO:
        return REFUND_ONLY
    if needs_return in YES:
        return RETURN_REFUND
    cells.fail("needs_return", _("%(value)s: write 是 or 否.") % {"value": needs_return})
    return REFUND_ONLY
