"""Store what a refund export gives (channels.refunds) as after-sales cases of one shop.

All or nothing, as the order import (orders.imports): every refused row is reported, and with any of them
nothing is stored (one transaction, rolled back; a dry run rolls back always). Idempotent on (shop, platform
refund number): the same file twice changes nothing (`cases_unchanged`); a later export moves the case along
what the platform did, through aftersales.services (agree, reject, reopen, refund the difference, close) and
takes the platform's new deadline (超时时间) and amount asked. What the file says refunded is what the platform
paid back: it is booked on the case's line once, never above what the line was paid (services.refund refuses).

The order is found by its platform number in the shop (an unknown order is a refused row); the case's line by
its sub-order id, else its SKU code, else the order's only line. A JD 赔付单 row is money only: a case without
lines whose payment is booked over the order's lines in proportion to what is left on each (CaseLine quantity 0).
docs/aftersales.md ("Importing refunds").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.aftersales import selectors, services
from zhanggui.aftersales.deadlines import RETURN_KINDS, apply_deadline
from zhanggui.aftersales.errors import OverRefund
from zhanggui.aftersales.models import AfterSaleCase, CaseEvent, CaseKind, CaseLine, CaseReason, CaseStatus
from zhanggui.aftersales.returns import services as returns
from zhanggui.catalog.models import Shop
from zhanggui.channels import refund_exports, refunds
from zhanggui.channels.records import RowError
from zhanggui.channels.refunds import RefundRecord, RefundResult
from zhanggui.core import roles
from zhanggui.core.errors import DomainError
from zhanggui.core.money import FEN, ZERO, fmt_money, largest_remainder
from zhanggui.core.services import record_audit
from zhanggui.core.tabular import FileSource
from zhanggui.orders.imports import PLATFORM_CHANNELS, PlatformImportReport, upload_refusal
from zhanggui.orders.models import SHIPPED_STATUSES, Order, OrderLine, PlatformStatus

S = CaseStatus
#: (ours, the file's) when the file is older than the desk's last step: the case keeps its status.
BEHIND = {(S.AGREED, S.OPEN), (S.REFUNDED, S.OPEN), (S.REFUNDED, S.AGREED)}
#: The stages a platform's deadline (超时时间) is for; a refunded or closed case waits for nobody.
ACTIVE = (S.OPEN, S.AGREED, S.REJECTED)
#: An order the platform says shipped (or ours, orders.models.SHIPPED_STATUSES): a refund only is "shipped".
SHIPPED_PLATFORM = {PlatformStatus.SHIPPED, PlatformStatus.COMPLETED}
#: Words of the platforms' reasons (买家退款原因) → our reason; the first that appears in the text wins.
REASON_WORDS: tuple[tuple[str, str], ...] = (
    ("尺码", CaseReason.SIZE),
    ("大小", CaseReason.SIZE),
    ("错发", CaseReason.WRONG_ITEM),
    ("发错", CaseReason.WRONG_ITEM),
    ("漏发", CaseReason.WRONG_ITEM),
    ("少件", CaseReason.WRONG_ITEM),
    ("描述不符", CaseReason.NOT_AS_DESCRIBED),
    ("与描述", CaseReason.NOT_AS_DESCRIBED),
    ("与商品描述", CaseReason.NOT_AS_DESCRIBED),
    ("质量", CaseReason.QUALITY),
    ("破损", CaseReason.QUALITY),
    ("发货", CaseReason.LATE),
    ("延迟", CaseReason.LATE),
    ("未收到", CaseReason.LOST),
    ("丢", CaseReason.LOST),
    ("不想要", CaseReason.CHANGED_MIND),
    ("拍错", CaseReason.CHANGED_MIND),
    ("多拍", CaseReason.CHANGED_MIND),
    ("无理由", CaseReason.CHANGED_MIND),
)

#: Words of a JD 赔付原因 → the kind of its money-only case (checked in this order; otherwise a complaint).
COMPENSATION_KINDS: tuple[tuple[str, str], ...] = (
    ("价保", CaseKind.PRICE_DIFFERENCE),
    ("保价", CaseKind.PRICE_DIFFERENCE),
    ("价格保护", CaseKind.PRICE_DIFFERENCE),
    ("差价", CaseKind.PRICE_DIFFERENCE),
    ("降价", CaseKind.PRICE_DIFFERENCE),
    ("丢", CaseKind.PARCEL_CLAIM),
    ("破损", CaseKind.PARCEL_CLAIM),
    ("损坏", CaseKind.PARCEL_CLAIM),
)
#: Gives a row's header as its file writes it (RefundResult.header), for naming a cell in a refusal.
Header = Callable[[str], str]

#: The first key of the PostgreSQL advisory lock that lets one refund import at a time into a shop.
REFUND_IMPORT_LOCK = 0x5A47_0A01


@dataclass
class RefundImportReport(PlatformImportReport):
    """The shape `import-refunds --json` prints."""

    cases_created: int = 0
    cases_updated: int = 0
    cases_unchanged: int = 0
    refunded_total: Decimal = Decimal("0.00")  # what the file says was paid back, over all its refunds

    def as_dict(self) -> dict[str, Any]:
        return {
            "cases_created": self.cases_created,
            "cases_updated": self.cases_updated,
            "cases_unchanged": self.cases_unchanged,
            "refunded_total": str(self.refunded_total),
            "rejected": [error.as_dict() for error in self.rejected],
        }

    def summary(self) -> list[str]:
        """The report as plain lines, for the CLI and the page."""
        if not self.ok:
            return self.refused_summary()
        return [
            self.stored_head(),
            _("Cases: %(created)s created, %(updated)s updated, %(unchanged)s unchanged; refunded %(total)s.")
            % {
                "created": self.cases_created,
                "updated": self.cases_updated,
                "unchanged": self.cases_unchanged,
                "total": fmt_money(self.refunded_total),
            },
        ]


def import_refund_file(
    *,
    actor: Any,
    shop: Shop,
    file: FileSource,
    filename: str = "",
    dry_run: bool = False,
    platform: str | None = None,
) -> RefundImportReport:
    """Read a refund export (Taobao/Tmall, JD or Pinduoduo: told by its headers unless `platform` says) and
    import it; the permission is checked before the file is read. Raises core.tabular.TableError for a file
    that cannot be read at all."""
    roles.require(actor, roles.HANDLE_CASES)
    result = refund_exports.read_refund_export(file=file, filename=filename, platform=platform or None)
    return import_refunds(actor=actor, shop=shop, result=result, dry_run=dry_run)


class _Rollback(Exception):
    """Leaves the import's transaction without storing anything (rejected rows, or a dry run)."""


def import_refunds(*, actor: Any, shop: Shop, result: RefundResult, dry_run: bool = False) -> RefundImportReport:
    """Store the file's refunds as cases of `shop`, all or nothing; the report says what changed (or would)."""
    roles.require(actor, roles.HANDLE_CASES)
    report = RefundImportReport(shop_code=shop.code, platform=result.platform, dry_run=dry_run)
    refusal = upload_refusal(result.platform, shop)
    if refusal is not None:
        report.rejected.append(refusal)
        return report
    report.rejected.extend(result.errors)
    try:
        with transaction.atomic():
            _one_import_at_a_time(shop)
            for record in result.records:
                try:
                    with transaction.atomic():
                        _store(actor, shop, record, report, result.header)
                except DomainError as exc:
                    report.rejected.append(RowError(record.file, record.line, _column(exc, result.header), exc.message))
            if report.rejected or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    report.rejected.sort(key=lambda error: (error.file, error.line))
    if report.ok and not dry_run:
        record_audit(
            actor=actor,
            action="aftersale_case.import",
            obj=shop,
            after={
                "created": report.cases_created,
                "updated": report.cases_updated,
                "unchanged": report.cases_unchanged,
                "refunded_total": report.refunded_total,
            },
        )
    return report


def _one_import_at_a_time(shop: Shop) -> None:
    """On PostgreSQL two uploads into one shop wait for each other (the second then finds the first's cases and
    changes nothing), instead of racing to the same refund numbers."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [REFUND_IMPORT_LOCK, shop.pk % 2**31])


class RowRefused(DomainError):
    """A refund row that cannot become a case (its order or line is not ours); `column` names the cell."""

    code = "refund_row_refused"

    def __init__(self, message: str, *, column: str) -> None:
        super().__init__(message, column=column)
        self.column = column


def _column(exc: DomainError, header: Header) -> str:
    if isinstance(exc, OverRefund):
        return header("asked")
    return getattr(exc, "column", "") or ""


# --------------------------------------------------------------------------------------------------------
# One row
# --------------------------------------------------------------------------------------------------------


def _store(actor: Any, shop: Shop, record: RefundRecord, report: RefundImportReport, header: Header) -> None:
    report.refunded_total += record.refunded
    case = AfterSaleCase.objects.filter(shop=shop, platform_refund_no=record.refund_no).first()
    if case is None:
        order = _order(shop, record, header)
        if record.service == refunds.COMPENSATION:
            units: list[tuple[OrderLine, int]] = []
            _spread(order, record.asked, header)  # more than the order has left is refused here, with the figures
        else:
            units = [_units(_line(order, record, header), record, header)]
        case = services.open_case(
            actor=actor,
            order=order,
            kind=_kind(record, order),
            reason=_reason(record.reason_text),
            lines=[(line.pk, n) for line, n in units],
            requested_amount=record.asked,
            platform_refund_no=record.refund_no,
            platform_deadline=record.deadline,
            description=_description(record),
            at=record.created_at,
        )
        _follow(actor, case, record, _payment(case.order, record, header), header)
        report.cases_created += 1
        return
    if case.order.platform_order_no != record.order_no:
        raise RowRefused(
            _("Refund %(no)s is a case of order %(case_order)s here, not of order %(order)s.")
            % {"no": record.refund_no, "case_order": case.order.platform_order_no, "order": record.order_no},
            column=header("order_no"),
        )
    if _follow(actor, case, record, _payment(case.order, record, header), header):
        report.cases_updated += 1
    else:
        report.cases_unchanged += 1


def _order(shop: Shop, record: RefundRecord, header: Header) -> Order:
    platforms = [p for p, channels in PLATFORM_CHANNELS.items() if shop.channel in channels]
    order = (
        Order.objects.filter(shop=shop, platform__in=platforms, platform_order_no=record.order_no)
        .prefetch_related("lines")
        .first()
    )
    if order is None:
        raise RowRefused(
            _("Order %(no)s is not an order of shop %(shop)s; import the orders first.")
            % {"no": record.order_no, "shop": shop.code},
            column=header("order_no"),
        )
    return order


def _line(order: Order, record: RefundRecord, header: Header) -> OrderLine:
    """The order line the refund is about: by sub-order id, else by SKU code, else the order's only line."""
    lines = list(order.lines.all())
    if record.sub_order_id:
        found = [line for line in lines if line.sub_order_id == record.sub_order_id]
        if not found:
            raise RowRefused(
                _("Sub-order %(id)s is not a line of order %(no)s.")
                % {"id": record.sub_order_id, "no": order.platform_order_no},
                column=header("sub_order_id"),
            )
        return found[0]
    if record.sku_code:
        found = [line for line in lines if line.sku_code == record.sku_code]
        if len(found) == 1:
            return found[0]
        if not found:
            raise RowRefused(
                _("No line of order %(no)s has the SKU code %(code)s.")
                % {"no": order.platform_order_no, "code": record.sku_code},
                column=header("sku_code"),
            )
    if len(lines) == 1:
        return lines[0]
    raise RowRefused(
        _(
            "Order %(no)s has %(n)s lines and the row does not say which one the refund is about (no sub-order "
            "id, no SKU code that only one line has)."
        )
        % {"no": order.platform_order_no, "n": len(lines)},
        column=header("sku_code"),
    )


def _units(line: OrderLine, record: RefundRecord, header: Header) -> tuple[OrderLine, int]:
    """The line and the units the case asks about: the file's (申请数量) when it says, else the whole line."""
    if record.quantity > line.quantity:
        raise RowRefused(
            _("%(n)s units asked, but line %(line)s of order %(no)s has %(max)s.")
            % {
                "n": record.quantity,
                "line": line.sub_order_id or line.sku_code,
                "no": record.order_no,
                "max": line.quantity,
            },
            column=header("quantity"),
        )
    return line, record.quantity or line.quantity


def _payment(order: Order, record: RefundRecord, header: Header) -> Callable[[Decimal], dict[int, Decimal]]:
    """How a refund the file adds is booked: on the case's line, or (a compensation, money only) over the
    order's lines."""
    if record.service == refunds.COMPENSATION:
        return lambda amount: _spread(order, amount, header)
    line = _line(order, record, header)
    return lambda amount: {line.pk: amount}


def _spread(order: Order, amount: Decimal, header: Header) -> dict[int, Decimal]:
    """`amount` over the order's lines in proportion to what is left to refund on each, to the fen (largest
    remainder); more than is left in all is refused, with the figures."""
    lines = list(order.lines.all())
    took = selectors.refunded_by_line([line.pk for line in lines])
    left = [max(line.paid - took.get(line.pk, ZERO), ZERO) for line in lines]
    if not amount:
        return {}
    if amount > sum(left, ZERO):
        raise RowRefused(
            _(
                "%(amount)s cannot be booked on order %(no)s: its lines were paid %(paid)s and earlier refunds "
                "took %(took)s, so %(left)s is left."
            )
            % {
                "amount": fmt_money(amount),
                "no": order.platform_order_no,
                "paid": fmt_money(sum((line.paid for line in lines), ZERO)),
                "took": fmt_money(sum(took.values(), ZERO)),
                "left": fmt_money(sum(left, ZERO)),
            },
            column=header("asked"),
        )
    shares = largest_remainder(int(amount / FEN), [int(part / FEN) for part in left])
    return {line.pk: share * FEN for line, share in zip(lines, shares, strict=True) if share}


def _kind(record: RefundRecord, order: Order) -> str:
    if record.service == refunds.COMPENSATION:
        return next((kind for word, kind in COMPENSATION_KINDS if word in record.reason_text), CaseKind.COMPLAINT)
    if record.service == refunds.RETURN_REFUND:
        return CaseKind.RETURN_REFUND
    if record.service in (refunds.EXCHANGE, refunds.REPAIR):
        return CaseKind.EXCHANGE
    if record.service == refunds.REISSUE:
        return CaseKind.REISSUE
    shipped = order.status in SHIPPED_STATUSES or order.platform_status in SHIPPED_PLATFORM
    return CaseKind.REFUND_SHIPPED if shipped else CaseKind.REFUND_UNSHIPPED


def _reason(text: str) -> str:
    for word, reason in REASON_WORDS:
        if word in text:
            return reason
    return CaseReason.OTHER


def _description(record: RefundRecord) -> str:
    repair = _("Repair (维修)") if record.service == refunds.REPAIR else ""
    return "\n".join(text for text in (repair, record.reason_text, record.description) if text)


def _refunded(case: AfterSaleCase) -> Decimal:
    return sum(CaseLine.objects.filter(case=case).values_list("refund_amount", flat=True), ZERO)


def _follow(
    actor: Any,
    case: AfterSaleCase,
    record: RefundRecord,
    payment: Callable[[Decimal], dict[int, Decimal]],
    header: Header,
) -> bool:
    """Move the case to what the file says (status, money back, amount asked, deadline, the buyer's return
    parcel); True if anything changed. `payment` books money the file says went back beyond the case's. A case
    closed here, or money the file says less than we booked, is refused: the file and the desk disagree and a
    person settles it."""
    changed = False
    why = _("platform: %(status)s") % {"status": record.status_text}
    refunded = _refunded(case)
    if record.refunded < refunded:
        raise RowRefused(
            _("The file says %(file)s refunded, but case %(no)s already refunded %(ours)s.")
            % {"file": fmt_money(record.refunded), "no": case.number, "ours": fmt_money(refunded)},
            column=header("status"),
        )
    target = record.status
    behind = (case.status, target) in BEHIND
    if behind:
        target = case.status  # the desk went on after the export was taken: keep ours, and our clock
    if case.status != target or record.refunded > refunded:
        if case.status == S.CLOSED:
            raise RowRefused(
                _("Case %(no)s is closed here; the file says %(status)s.")
                % {"no": case.number, "status": record.status_text},
                column=header("status"),
            )
        if case.status == S.REJECTED and target in (S.OPEN, S.AGREED, S.REFUNDED):
            case = services.reopen(actor=actor, case=case, reason=why)
        if target == S.AGREED and case.status == S.OPEN:
            case = services.agree(actor=actor, case=case, reason=why)
        elif target == S.REJECTED and case.status == S.OPEN:
            case = services.reject(actor=actor, case=case, reason=why)
        if record.refunded > refunded:
            case = services.refund(actor=actor, case=case, amounts=payment(record.refunded - refunded), reason=why)
        if target == S.CLOSED and case.status != S.CLOSED:
            case = services.close(actor=actor, case=case, reason=why)
        if case.status != target and not (target == S.REFUNDED and record.refunded == 0):
            raise RowRefused(
                _("Case %(no)s is %(ours)s here and cannot follow the file's %(status)s.")
                % {"no": case.number, "ours": case.get_status_display(), "status": record.status_text},
                column=header("status"),
            )
        changed = True
    if (
        record.return_tracking_no
        and case.return_tracking_no != record.return_tracking_no
        and case.status == S.AGREED
        and case.kind in RETURN_KINDS
        and not behind
    ):
        # The buyer sent the return: the same step as at the desk (the clock moves to our confirming it).
        returns.record_return_sent(
            actor=actor, case=case, carrier=record.return_carrier or "—", tracking_no=record.return_tracking_no
        )
        changed = True
    case.refresh_from_db()
    fields = []
    before = {
        "requested_amount": case.requested_amount,
        "platform_deadline": case.platform_deadline,
        "return_tracking_no": case.return_tracking_no,
    }
    if case.requested_amount != record.asked:
        case.requested_amount = record.asked
        fields.append("requested_amount")
    if (
        record.deadline is not None
        and not behind
        and case.platform_deadline != record.deadline
        and case.status in ACTIVE
    ):
        case.platform_deadline = record.deadline
        apply_deadline(case)
        fields += ["platform_deadline", "deadline", "deadline_source", "deadline_rule"]
    if record.return_tracking_no and case.return_tracking_no != record.return_tracking_no:
        # A parcel the file knows in another stage (asked, refunded, closed): kept on the case, nothing moves.
        case.return_tracking_no = record.return_tracking_no
        case.return_carrier = record.return_carrier or case.return_carrier
        fields += ["return_tracking_no", "return_carrier"]
    if fields:
        case.updated_at = timezone.now()
        case.save(update_fields=[*fields, "updated_at"])
        text = _("the platform's export: asked %(asked)s, deadline %(deadline)s") % {
            "asked": fmt_money(case.requested_amount),
            "deadline": timezone.localtime(case.deadline).strftime("%Y-%m-%d %H:%M") if case.deadline else "—",
        }
        if "return_tracking_no" in fields:
            text += " · " + _("return parcel %(carrier)s %(no)s") % {
                "carrier": case.return_carrier,
                "no": case.return_tracking_no,
            }
        CaseEvent.objects.create(
            case=case, at=case.updated_at, actor=None, from_status=case.status, to_status=case.status, reason=text
        )
        record_audit(
            actor=actor,
            action="aftersale_case.follow_platform",
            obj=case,
            before=before,
            after={
                "requested_amount": case.requested_amount,
                "platform_deadline": case.platform_deadline,
                "return_tracking_no": case.return_tracking_no,
            },
        )
        changed = True
    return changed
