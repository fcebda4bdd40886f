"""Store what the platform readers give (channels.records.ParseResult) as orders of one shop.

All or nothing: with any refused row (the reader's, or ours: a code with an invisible character, a quantity
beyond the limits, an order twice) nothing is stored and the report lists every one. Otherwise one transaction
upserts the file's orders:

- idempotent on (shop, platform, order number) and on each line's sub-order id: the same file twice changes
  nothing (`orders_unchanged`);
- a later export updates what changed, and the order follows the platform (services.follow_platform): closed
  there → cancelled here, its reservation released; shipped there → shipped here with its sale in the ledger
  (the reservation issued, or reserved and issued at once; short stock holds the order with the reason
  instead of failing the import); unpaid orders are stored as `unpaid`, outside the queue, until an export
  shows them paid;
- a line finds its SKU by 商家编码 in the shop; an unknown code holds the order with a reason a person reads
  instead of refusing the file.

Bulk reads and writes: the file's existing orders and their lines in a few queries (CHUNK numbers each), new
orders, lines and events with one COPY per table on PostgreSQL (executemany elsewhere: insert_rows), changes
with bulk_update; only orders whose stock moves call the inventory one by one.
docs/orders.md describes the behaviour; channels/ the files.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import DateTimeField
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Channel, Shop, Sku
from zhanggui.channels import orders as channel_orders
from zhanggui.channels import records
from zhanggui.channels.records import ParsedLine, ParsedOrder, ParseResult, RowError
from zhanggui.core import roles
from zhanggui.core.money import FEN, LIMIT
from zhanggui.core.services import record_audit
from zhanggui.core.tabular import FileSource
from zhanggui.core.text import CleanCharField, CleanTextField, bad_code_character, describe
from zhanggui.inventory import limits
from zhanggui.orders import selectors, services
from zhanggui.orders.models import (
    SHIPPED_STATUSES,
    Order,
    OrderEvent,
    OrderLine,
    OrderSettings,
    OrderStatus,
    Platform,
)

S = OrderStatus
CHUNK = 500  # rows per IN (...) list: well inside every database's limit on bound parameters

#: The shops a platform's file may go into (catalog.Channel); the Zhanggui format fits every shop.
PLATFORM_CHANNELS: dict[str, set[str]] = {
    records.TAOBAO: {Channel.TAOBAO, Channel.TMALL},
    records.JD: {Channel.JD},
    records.PDD: {Channel.PDD},
}

#: The order's data an import writes, besides its status (services.STATUS_FIELDS).
ORDER_FIELDS = [
    "buyer_nick",
    "receiver_name",
    "receiver_phone",
    "province",
    "city",
    "district",
    "address",
    "created_at_platform",
    "paid_at",
    "ship_by",
    "shipped_at",
    "shipping_fee",
    "paid_total",
    "buyer_note",
    "seller_note",
    "platform_status",
    "platform_status_text",
    "carrier",
    "tracking_no",
]
LINE_FIELDS = [
    "position",
    "sku",
    "sku_code",
    "title",
    "spec",
    "quantity",
    "unit_price",
    "discount",
    "paid",
    "refund_status",
]
UPDATED_FIELDS = list(dict.fromkeys([*ORDER_FIELDS, *services.STATUS_FIELDS]))
ORDER_NO_LENGTH = Order._meta.get_field("platform_order_no").max_length or 64
SUB_ORDER_LENGTH = OrderLine._meta.get_field("sub_order_id").max_length or 160
SKU_CODE_LENGTH = OrderLine._meta.get_field("sku_code").max_length or 64
TRACKING_LENGTH = Order._meta.get_field("tracking_no").max_length or 64


@dataclass
class ImportReport:
    """What an import did (or, with errors or a dry run, would do): the shape `import-orders --json` prints."""

    shop_code: str
    platform: str
    dry_run: bool = False
    orders_created: int = 0
    orders_updated: int = 0
    orders_unchanged: int = 0
    lines: int = 0
    units: int = 0
    paid_total: Decimal = Decimal("0.00")
    held: int = 0
    rejected: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected

    @property
    def rejected_rows(self) -> int:
        return len({(error.file, error.line) for error in self.rejected})

    def as_dict(self) -> dict[str, Any]:
        return {
            "orders_created": self.orders_created,
            "orders_updated": self.orders_updated,
            "orders_unchanged": self.orders_unchanged,
            "lines": self.lines,
            "units": self.units,
            "paid_total": str(self.paid_total),
            "held": self.held,
            "rejected": [error.as_dict() for error in self.rejected],
        }

    def summary(self) -> list[str]:
        """The report as plain lines, for the CLI."""
        if not self.ok:
            head = _("%(count)s rows rejected; nothing was stored.") % {"count": self.rejected_rows}
            return [head, *(describe_error(error) for error in self.rejected)]
        head = (
            _("Checked for shop %(shop)s (dry run: nothing was stored).")
            if self.dry_run
            else _("Imported into shop %(shop)s.")
        )
        return [
            head % {"shop": self.shop_code},
            _("Orders: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, %(held)s on hold.")
            % {
                "created": self.orders_created,
                "updated": self.orders_updated,
                "unchanged": self.orders_unchanged,
                "held": self.held,
            },
            _("Lines: %(lines)s, units: %(units)s, paid: %(paid)s.")
            % {"lines": self.lines, "units": self.units, "paid": self.paid_total},
        ]


def describe_error(error: RowError) -> str:
    """file:line column: reason, as far as the error has them (a refusal of the whole upload has none)."""
    where = ":".join(str(part) for part in (error.file, error.line) if part)
    where = f"{where} {error.column}".strip() if error.column else where
    return f"{where}: {error.reason}" if where else error.reason


# --------------------------------------------------------------------------------------------------------
# Reading files (the platform readers live in channels/)
# --------------------------------------------------------------------------------------------------------


def read_orders(files: Sequence[tuple[FileSource, str]], platform: str | None = None) -> ParseResult:
    """The readers' entry point (channels.orders.read_orders): one upload, one file or Taobao's pair. Raises
    core.tabular.TableError for files that cannot be read at all."""
    return channel_orders.read_orders(files, platform)


def import_files(
    *,
    actor: Any,
    shop: Shop,
    files: Sequence[tuple[FileSource, str]],
    platform: str | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Read an upload and import it; the permission is checked before the files are read."""
    roles.require(actor, roles.IMPORT_ORDERS)
    return import_orders(actor=actor, shop=shop, result=read_orders(files, platform), dry_run=dry_run)


# --------------------------------------------------------------------------------------------------------
# Checking what the reader gave, before anything is stored
# --------------------------------------------------------------------------------------------------------


def _money_problem(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, Decimal) or not value.is_finite():
        return _("%(value)s is not an amount") % {"value": value}
    if value < 0:
        return _("%(value)s: an amount must not be negative") % {"value": value}
    if value >= LIMIT:
        return _("%(value)s is too large") % {"value": value}
    if value != value.quantize(FEN):
        return _("%(value)s has more than two decimals") % {"value": value}
    return None


def _code_problem(value: str, *, length: int) -> str | None:
    found = bad_code_character(value)
    if found is not None:
        position, char = found
        return _("invisible or control character %(char)s at position %(position)s") % {
            "char": describe(char),
            "position": position + 1,
        }
    if len(value) > length:
        return _("longer than %(max)s characters") % {"max": length}
    return None


def sub_order_ids(order: ParsedOrder) -> list[str]:
    """Each line's identity within its order: the platform's sub-order id, or (when its file has none)
    order number:商家编码 (the line's position when it has no code), numbered when a code comes twice."""
    ids: list[str] = []
    seen: set[str] = set()
    for index, line in enumerate(order.lines, 1):
        base = line.sub_order_id or f"{order.order_no}:{line.sku_code or index}"
        candidate, n = base, 1
        while candidate in seen:
            n += 1
            candidate = f"{base}#{n}"
        seen.add(candidate)
        ids.append(candidate)
    return ids


def check_result(result: ParseResult, shop: Shop) -> list[RowError]:
    """Our own refusals of what the reader gave (the reader's come in result.errors)."""
    if result.platform not in records.PLATFORMS:
        return [RowError("", 0, "", _("Unknown platform %(platform)s.") % {"platform": result.platform})]
    channels = PLATFORM_CHANNELS.get(result.platform)
    if channels is not None and shop.channel not in channels:
        reason = _("A %(platform)s export cannot go into shop %(shop)s, a %(channel)s shop.") % {
            "platform": Platform(result.platform).label,
            "shop": shop.code,
            "channel": shop.get_channel_display(),
        }
        return [RowError("", 0, "", reason)]
    errors: list[RowError] = []
    first_line: dict[str, int] = {}
    for order in result.orders:
        if not order.order_no:
            errors.append(RowError(order.file, order.line, "order_no", _("no order number")))
            continue
        problem = _code_problem(order.order_no, length=ORDER_NO_LENGTH)
        if problem is None and order.order_no in first_line:
            problem = _("order %(no)s is also on line %(line)s") % {
                "no": order.order_no,
                "line": first_line[order.order_no],
            }
        if problem:
            errors.append(RowError(order.file, order.line, "order_no", problem))
            continue
        first_line[order.order_no] = order.line
        if order.platform != result.platform:
            reason = _("a %(platform)s order in a %(upload)s upload") % {
                "platform": order.platform,
                "upload": result.platform,
            }
            errors.append(RowError(order.file, order.line, "platform", reason))
        errors += [RowError(order.file, order.line, column, reason) for column, reason in _order_problems(order)]
        errors += _line_errors(order)
    return errors


def _order_problems(order: ParsedOrder) -> list[tuple[str, str]]:
    """(column, reason) of each refused value of the order row."""
    problems: list[tuple[str, str]] = []
    if order.status not in records.PLATFORM_STATUSES:
        problems.append(("status", _("unknown status %(status)s") % {"status": order.status}))
    for name in ("shipping_fee", "paid_total"):
        problem = _money_problem(getattr(order, name))
        if problem:
            problems.append((name, problem))
    for name in ("created_at", "paid_at", "ship_by", "shipped_at"):
        value = getattr(order, name)
        if value is not None and not isinstance(value, datetime):
            problems.append((name, _("%(value)s is not a moment") % {"value": value}))
    if order.tracking_no:
        problem = _code_problem(order.tracking_no, length=TRACKING_LENGTH)
        if problem:
            problems.append(("tracking_no", problem))
    if not order.lines:
        problems.append(("lines", _("order %(no)s has no lines") % {"no": order.order_no}))
    return problems


def _line_problems(line: ParsedLine, sub_order_id: str) -> list[tuple[str, str]]:
    """(column, reason) of each refused value of a line."""
    problems: list[tuple[str, str]] = []
    problem = _code_problem(sub_order_id, length=SUB_ORDER_LENGTH)
    if problem:
        problems.append(("sub_order_id", problem))
    if line.sku_code:
        problem = _code_problem(line.sku_code, length=SKU_CODE_LENGTH)
        if problem:
            problems.append(("sku_code", problem))
    quantity = line.quantity
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= limits.MAX_LINE_QUANTITY:
        problems.append(
            (
                "quantity",
                _("%(value)s: a quantity is a whole number from 1 to %(max)s")
                % {"value": quantity, "max": limits.MAX_LINE_QUANTITY},
            )
        )
    for name in ("unit_price", "discount", "paid"):
        problem = _money_problem(getattr(line, name))
        if problem:
            problems.append((name, problem))
    return problems


def _line_errors(order: ParsedOrder) -> list[RowError]:
    errors: list[RowError] = []
    explicit: dict[str, int] = {}
    for line, sub_order_id in zip(order.lines, sub_order_ids(order), strict=True):
        where = line.line or order.line
        problems = _line_problems(line, sub_order_id)
        if line.sub_order_id in explicit:
            reason = _("sub-order %(id)s is also on line %(line)s") % {
                "id": line.sub_order_id,
                "line": explicit[line.sub_order_id],
            }
            problems.insert(0, ("sub_order_id", reason))
        if line.sub_order_id:
            explicit.setdefault(line.sub_order_id, where)
        errors += [RowError(order.file, where, column, reason) for column, reason in problems]
    units = sum(line.quantity for line in order.lines if isinstance(line.quantity, int))
    if units > limits.MAX_DOCUMENT_QUANTITY:
        reason = _("%(units)s units on one order is beyond the limit of %(max)s") % {
            "units": units,
            "max": limits.MAX_DOCUMENT_QUANTITY,
        }
        errors.append(RowError(order.file, order.line, "quantity", reason))
    return errors


# --------------------------------------------------------------------------------------------------------
# Storing
# --------------------------------------------------------------------------------------------------------


def import_orders(*, actor: Any, shop: Shop, result: ParseResult, dry_run: bool = False) -> ImportReport:
    """Store the parsed orders in `shop`, all or nothing; the report lists what was (or would be) done.

    With any refused row nothing is stored. A dry run does everything, then rolls it back, so its report is
    exactly what the import would do (holds for short stock included).
    """
    roles.require(actor, roles.IMPORT_ORDERS)
    report = ImportReport(shop_code=shop.code, platform=result.platform, dry_run=dry_run)
    for order in result.orders:
        report.lines += len(order.lines)
        report.units += sum(line.quantity for line in order.lines if isinstance(line.quantity, int))
        if isinstance(order.paid_total, Decimal) and order.paid_total.is_finite():
            report.paid_total += order.paid_total
    report.rejected = sorted(
        [*result.errors, *check_result(result, shop)], key=lambda error: (error.file, error.line, error.column)
    )
    if report.rejected:
        return report
    with transaction.atomic():
        _store(actor=actor, shop=shop, result=result, report=report)
        if dry_run:
            transaction.set_rollback(True)
        elif report.orders_created or report.orders_updated:
            record_audit(
                actor=actor,
                action="orders.import",
                obj=shop,
                after={k: v for k, v in report.as_dict().items() if k != "rejected"},
                note=", ".join(sorted({order.file for order in result.orders if order.file})),
            )
    return report


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _existing_orders(shop: Shop, platform: str, numbers: Sequence[str]) -> dict[str, Order]:
    """The shop's orders with these numbers, locked. A Zhanggui file (our own export) matches an order of any
    platform by its number, so an export imports back onto the orders it came from."""
    found: dict[str, Order] = {}
    for chunk in _chunks(numbers):
        qs = Order.objects.select_for_update().filter(shop=shop, platform_order_no__in=chunk).order_by("pk")
        if platform != records.ZHANGGUI:
            qs = qs.filter(platform=platform)
        for order in qs:
            order.shop = shop
            kept = found.get(order.platform_order_no)
            if kept is None or (order.platform == platform and kept.platform != platform):
                found[order.platform_order_no] = order
    return found


def _existing_lines(order_ids: Sequence[int]) -> dict[int, dict[str, OrderLine]]:
    lines: dict[int, dict[str, OrderLine]] = {}
    for chunk in _chunks(order_ids):
        for line in OrderLine.objects.filter(order_id__in=chunk).order_by("position", "pk"):
            lines.setdefault(line.order_id, {})[line.sub_order_id] = line
    return lines


def _sku_ids(shop: Shop, codes: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(codes)):
        found.update(Sku.objects.filter(shop=shop, code__in=chunk).values_list("code", "pk"))
    return found


@functools.cache
def _text_rule(model: type[Order] | type[OrderLine], name: str) -> tuple[Callable[[str], str], int | None]:
    model_field = model._meta.get_field(name)
    assert isinstance(model_field, CleanCharField | CleanTextField)
    return model_field.clean_function, model_field.max_length


def _fit(model: type[Order] | type[OrderLine], name: str, value: str) -> str:
    """Free text as its field stores it (cleaned by the field's own rule, cut to its length), so a value read
    again compares equal to the stored one, and rows inserted directly (insert_rows) hold what the field would.
    Text without any control, format or line-break character (str.isprintable) is already clean."""
    clean, length = _text_rule(model, name)
    value = value or ""
    cleaned = value if value.isprintable() else clean(value)
    return cleaned[:length] if length else cleaned


def _moment(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _order_values(parsed: ParsedOrder, settings: OrderSettings, stored: Order | None) -> dict[str, Any]:
    """The order's data from the file. Against a stored order, what the file does not know (an empty
    moment, no carrier yet) does not erase what we have; a Zhanggui file does not overwrite the platform's
    status of an order that came from a platform's export."""
    text = {
        name: _fit(Order, name, getattr(parsed, name))
        for name in (
            "buyer_nick",
            "receiver_name",
            "receiver_phone",
            "province",
            "city",
            "district",
            "address",
            "buyer_note",
            "seller_note",
        )
    }
    values: dict[str, Any] = {**text, "shipping_fee": parsed.shipping_fee, "paid_total": parsed.paid_total}
    if stored is None or parsed.platform != records.ZHANGGUI or stored.platform == records.ZHANGGUI:
        values["platform_status"] = parsed.status
        values["platform_status_text"] = _fit(Order, "platform_status_text", parsed.status_text)
    for name, moment in (
        ("created_at_platform", parsed.created_at),
        ("paid_at", parsed.paid_at),
        ("shipped_at", parsed.shipped_at),
    ):
        if moment is not None or stored is None:
            values[name] = _moment(moment)
    if parsed.carrier or stored is None:
        values["carrier"] = _fit(Order, "carrier", parsed.carrier)
    if parsed.tracking_no or stored is None:
        values["tracking_no"] = parsed.tracking_no
    if parsed.ship_by is not None:
        values["ship_by"] = _moment(parsed.ship_by)  # the platform's own deadline wins
    elif stored is None or stored.ship_by is None:
        paid_at = values.get("paid_at") or getattr(stored, "paid_at", None)
        values["ship_by"] = services.promise_deadline(paid_at, settings)
    return values


def _line_values(parsed: ParsedLine, position: int) -> dict[str, Any]:
    return {
        "position": position,
        "sku_code": parsed.sku_code,
        "title": _fit(OrderLine, "title", parsed.title),
        "spec": _fit(OrderLine, "spec", parsed.spec),
        "quantity": parsed.quantity,
        "unit_price": parsed.unit_price,
        "discount": parsed.discount,
        "paid": parsed.paid,
        "refund_status": _fit(OrderLine, "refund_status", parsed.refund_status),
    }


@dataclass
class _Plan:
    """One order of the file: the order and all its lines as they will be, and what changed."""

    parsed: ParsedOrder
    order: Order
    lines: list[OrderLine]
    new: bool = False
    changed: list[str] = field(default_factory=list)  # the order's fields the file changed
    new_lines: list[OrderLine] = field(default_factory=list)
    changed_lines: list[OrderLine] = field(default_factory=list)
    removed_lines: list[OrderLine] = field(default_factory=list)
    stock_lines_changed: bool = False  # a SKU or a quantity changed, a line came or went: a reservation no longer fits
    skus_found: bool = False  # a line without a SKU found one

    @property
    def touched(self) -> bool:
        return self.new or bool(self.changed or self.new_lines or self.changed_lines or self.removed_lines)

    @property
    def lines_touched(self) -> bool:
        return bool(self.new_lines or self.changed_lines or self.removed_lines)


def _plan_lines(plan: _Plan, stored: dict[str, OrderLine], sku_ids: dict[str, int]) -> None:
    """Each line of the file against the stored ones (by sub-order id). An order that has shipped keeps the
    lines that left, SKUs and quantities as they were (changes after shipping are after-sales); only their
    descriptions follow the file."""
    parsed = plan.parsed
    shipped = not plan.new and plan.order.status in SHIPPED_STATUSES
    for position, (line, sub_order_id) in enumerate(zip(parsed.lines, sub_order_ids(parsed), strict=True), 1):
        values = _line_values(line, position)
        sku_id = sku_ids.get(line.sku_code) if line.sku_code else None
        kept = stored.get(sub_order_id)
        if kept is None:
            if shipped:
                continue
            new = OrderLine(order=plan.order, sub_order_id=sub_order_id, sku_id=sku_id, **values)
            plan.lines.append(new)
            plan.new_lines.append(new)
            plan.stock_lines_changed = True
            continue
        if shipped:
            values.update(sku_code=kept.sku_code, quantity=kept.quantity)
            sku_id = kept.sku_id
        elif sku_id is None and kept.sku_code == line.sku_code:
            sku_id = kept.sku_id  # the catalog renamed the code since: the line keeps the SKU it found
        differs = [name for name, value in values.items() if getattr(kept, name) != value]
        if kept.sku_id != sku_id:
            differs.append("sku")
            plan.skus_found = plan.skus_found or kept.sku_id is None
        if not differs:
            continue
        if "sku" in differs or "quantity" in differs:
            plan.stock_lines_changed = True
        for name, value in values.items():
            setattr(kept, name, value)
        kept.sku_id = sku_id
        plan.changed_lines.append(kept)
    if plan.new or shipped:
        return
    # The file holds the whole order: a line no longer in it is gone (its 商家编码 corrected on the platform
    # gives the line a new identity when the platform has no sub-order ids).
    wanted = set(sub_order_ids(parsed))
    plan.removed_lines = [line for line in stored.values() if line.sub_order_id not in wanted]
    if plan.removed_lines:
        plan.lines = [line for line in plan.lines if line.sub_order_id in wanted]
        plan.stock_lines_changed = True


def _plan(
    parsed: ParsedOrder,
    *,
    shop: Shop,
    settings: OrderSettings,
    stored: Order | None,
    stored_lines: dict[str, OrderLine],
    sku_ids: dict[str, int],
    now: datetime,
) -> _Plan:
    values = _order_values(parsed, settings, stored)
    if stored is None:
        unpaid = parsed.status == records.UNPAID or (parsed.status == records.CLOSED and parsed.paid_at is None)
        order = Order(
            shop=shop,
            platform=parsed.platform,
            platform_order_no=parsed.order_no,
            status=S.UNPAID if unpaid else S.PAID,
            imported_at=now,
            updated_at=now,
            **values,
        )
        plan = _Plan(parsed=parsed, order=order, lines=[], new=True)
    else:
        plan = _Plan(parsed=parsed, order=stored, lines=list(stored_lines.values()))
        plan.changed = [name for name, value in values.items() if getattr(stored, name) != value]
        for name in plan.changed:
            setattr(stored, name, values[name])
    _plan_lines(plan, stored_lines, sku_ids)
    return plan


def _status_of(order: Order) -> tuple[Any, ...]:
    return tuple(getattr(order, name) for name in services.STATUS_FIELDS if name != "updated_at")


def _follow(plan: _Plan, *, actor: Any, now: datetime) -> list[OrderEvent]:
    """The timeline entries of one order of the file, its status following the platform (stock included)."""
    order, parsed = plan.order, plan.parsed
    where = f"{parsed.file}:{parsed.line}" if parsed.file else _("the upload")
    actor_or_none = actor if getattr(actor, "pk", None) else None
    if plan.new:
        events = [
            OrderEvent(
                order=order,
                at=now,
                actor=actor_or_none,
                from_status="",
                to_status=order.status,
                reason=_("imported from %(where)s") % {"where": where},
            )
        ]
        return events + services.follow_platform(actor=actor, order=order, lines=plan.lines, at=now)
    names = [*plan.changed, *(["lines"] if plan.lines_touched else [])]
    events = [
        OrderEvent(
            order=order,
            at=now,
            actor=actor_or_none,
            from_status=order.status,
            to_status=order.status,
            reason=services.clip_reason(
                _("updated from %(where)s: %(fields)s") % {"where": where, "fields": ", ".join(names)}
            ),
        )
    ]
    if plan.stock_lines_changed:
        events += services.lines_changed(order, actor=actor, at=now)
    if "platform_status" in plan.changed:
        events += services.follow_platform(actor=actor, order=order, lines=plan.lines, at=now)
    elif plan.skus_found:
        events += services.resume_if_known(order, plan.lines, actor=actor, at=now)
    return events


def insert_rows(
    model: type[Order] | type[OrderLine] | type[OrderEvent], objects: Sequence[Any], *, with_ids: bool = False
) -> None:
    """Insert new rows whose values are already what their fields store (texts cleaned and cut by _fit,
    codes checked by check_result, the rest ours): COPY on PostgreSQL, one executemany elsewhere. bulk_create
    builds its SQL value by value through each field, several times slower on wide rows like an order's.
    The ids are not read back (see _set_ids); with_ids writes the ids the objects already have (_take_ids)."""
    if not objects:
        return
    fields = [f for f in model._meta.concrete_fields if with_ids or not f.primary_key]
    ops = connection.ops
    converters = [ops.adapt_datetimefield_value if isinstance(f, DateTimeField) else None for f in fields]
    names = [f.attname for f in fields]
    rows = [
        tuple(
            convert(value) if convert is not None else value
            for convert, value in zip(converters, (obj.__dict__[name] for name in names), strict=True)
        )
        for obj in objects
    ]
    table = ops.quote_name(model._meta.db_table)
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            for chunk in _chunks(rows):
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", chunk)


def _take_ids(orders: Sequence[Order]) -> None:
    """Give new orders ids from their table's sequence before their rows exist (PostgreSQL), so the stock an
    order books is under its reference (order:<id>) and its row is written once, with its final status."""
    table = Order._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(orders)]
        )
        for order, (pk,) in zip(orders, cursor.fetchall(), strict=True):
            order.pk = pk


def _set_ids(shop: Shop, platform: str, orders: Sequence[Order]) -> None:
    """Give the orders just inserted their ids (one query per CHUNK numbers)."""
    by_number = {order.platform_order_no: order for order in orders}
    for chunk in _chunks(list(by_number)):
        rows = Order.objects.filter(shop=shop, platform=platform, platform_order_no__in=chunk)
        for number, pk in rows.values_list("platform_order_no", "pk"):
            order = by_number[number]
            order.pk = pk
            order._state.adding, order._state.db = False, connection.alias


def _store(*, actor: Any, shop: Shop, result: ParseResult, report: ImportReport) -> None:
    now = timezone.now()
    settings = selectors.settings_for(shop)
    parsed_orders = result.orders
    existing = _existing_orders(shop, result.platform, [order.order_no for order in parsed_orders])
    stored_lines = _existing_lines([order.pk for order in existing.values()])
    sku_ids = _sku_ids(shop, {line.sku_code for order in parsed_orders for line in order.lines if line.sku_code})

    plans: list[_Plan] = []
    for parsed in parsed_orders:
        stored = existing.get(parsed.order_no)
        plans.append(
            _plan(
                parsed,
                shop=shop,
                settings=settings,
                stored=stored,
                stored_lines=stored_lines.get(stored.pk, {}) if stored is not None else {},
                sku_ids=sku_ids,
                now=now,
            )
        )

    created = [plan.order for plan in plans if plan.new]
    # PostgreSQL: ids first, rows after the platform's status is followed (one COPY, no status update; the
    # foreign keys are checked at commit). Elsewhere: rows first, ids read back, statuses updated after.
    ids_first = connection.vendor == "postgresql"
    if ids_first:
        _take_ids(created)
    else:
        insert_rows(Order, created)
        _set_ids(shop, result.platform, created)
    for plan in plans:
        if plan.new:
            for line in plan.new_lines:
                line.order_id = plan.order.pk
    removed = [line.pk for plan in plans for line in plan.removed_lines]
    for chunk in _chunks(removed):
        OrderLine.objects.filter(pk__in=chunk).delete()
    insert_rows(OrderLine, [line for plan in plans for line in plan.new_lines])
    changed_lines = [line for plan in plans for line in plan.changed_lines]
    OrderLine.objects.bulk_update(changed_lines, LINE_FIELDS, batch_size=CHUNK)

    events: list[OrderEvent] = []
    data_changed: list[Order] = []
    status_changed: list[Order] = []
    for plan in plans:
        if not plan.touched:
            report.orders_unchanged += 1
            continue
        before = _status_of(plan.order)
        events += _follow(plan, actor=actor, now=now)
        plan.order.updated_at = now
        if plan.new:
            report.orders_created += 1
            if not ids_first and _status_of(plan.order) != before:
                status_changed.append(plan.order)
        else:
            report.orders_updated += 1
            data_changed.append(plan.order)
    if ids_first:
        insert_rows(Order, created, with_ids=True)
        for order in created:
            order._state.adding, order._state.db = False, connection.alias
    Order.objects.bulk_update(data_changed, UPDATED_FIELDS, batch_size=CHUNK)
    Order.objects.bulk_update(status_changed, services.STATUS_FIELDS, batch_size=CHUNK)
    insert_rows(OrderEvent, events)
    report.held = sum(1 for plan in plans if plan.order.status == S.ON_HOLD)
