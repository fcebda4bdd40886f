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

Streaming: a thread reads the files (_read_ahead) while the import checks the orders it hands over and stores
them BATCH at a time (orders.import_store) in the one transaction; from the first refused row on nothing more
is stored, the rest of the files is still read and checked for the report, and the transaction is rolled back.
So a big file is never held in memory, and a bad one still stores nothing. On PostgreSQL one import at a time
goes into a shop (an advisory lock), so the same file uploaded twice at once gives each order once.
docs/orders.md describes the behaviour (its "Speed" the figures); channels/ the files.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Channel, Shop
from zhanggui.channels import orders as channel_orders
from zhanggui.channels import records
from zhanggui.channels.records import ParsedLine, ParsedOrder, ParseResult, RowError
from zhanggui.core import roles
from zhanggui.core.money import FEN, LIMIT
from zhanggui.core.services import record_audit
from zhanggui.core.tabular import FileSource
from zhanggui.core.text import bad_code_character, describe
from zhanggui.inventory import limits
from zhanggui.orders import import_store, listeners
from zhanggui.orders.import_store import sub_order_ids
from zhanggui.orders.models import Order, OrderLine, Platform

#: Orders stored at a time: the memory an import holds, against a few queries per batch.
BATCH = 2000
#: Orders the reading thread hands over at a time, and how many such chunks it may be ahead (_read_ahead).
READ_AHEAD, READ_AHEAD_CHUNKS = 500, 4
#: The first key of the PostgreSQL advisory lock that lets one import at a time into a shop (the second: its id).
IMPORT_LOCK = 0x5A47_0901

#: The shops a platform's file may go into (catalog.Channel); the Zhanggui format fits every shop.
PLATFORM_CHANNELS: dict[str, set[str]] = {
    records.TAOBAO: {Channel.TAOBAO, Channel.TMALL},
    records.JD: {Channel.JD},
    records.PDD: {Channel.PDD},
}
ORDER_NO_LENGTH = Order._meta.get_field("platform_order_no").max_length or 64
SUB_ORDER_LENGTH = OrderLine._meta.get_field("sub_order_id").max_length or 160
SKU_CODE_LENGTH = OrderLine._meta.get_field("sku_code").max_length or 64
TRACKING_LENGTH = Order._meta.get_field("tracking_no").max_length or 64


@dataclass
class PlatformImportReport:
    """What an import of a platform's file into a shop did (or, with errors or a dry run, would do): the rejected
    rows and the head of its summary; orders and refunds (aftersales.imports) add their counts."""

    shop_code: str
    platform: str
    dry_run: bool = False
    rejected: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected

    @property
    def rejected_rows(self) -> int:
        return len({(error.file, error.line) for error in self.rejected})

    def refused_summary(self) -> list[str]:
        """A refused file's summary: how many rows, then each reason."""
        head = _("%(count)s rows rejected; nothing was stored.") % {"count": self.rejected_rows}
        return [head, *(describe_error(error) for error in self.rejected)]

    def stored_head(self) -> str:
        head = (
            _("Checked for shop %(shop)s (dry run: nothing was stored).")
            if self.dry_run
            else _("Imported into shop %(shop)s.")
        )
        return head % {"shop": self.shop_code}


@dataclass
class ImportReport(PlatformImportReport):
    """The shape `import-orders --json` prints."""

    orders_created: int = 0
    orders_updated: int = 0
    orders_unchanged: int = 0
    lines: int = 0
    units: int = 0
    paid_total: Decimal = Decimal("0.00")
    held: int = 0

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
            return self.refused_summary()
        return [
            self.stored_head(),
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
    if not value.same_quantum(FEN) and value != value.quantize(FEN):
        return _("%(value)s has more than two decimals") % {"value": value}
    return None


def _code_problem(value: str, *, length: int) -> str | None:
    # Printable text holds no control, format or separator character: only U+FFFD is left to look for.
    found = None if value.isprintable() and "\ufffd" not in value else bad_code_character(value)
    if found is not None:
        position, char = found
        return _("invisible or control character %(char)s at position %(position)s") % {
            "char": describe(char),
            "position": position + 1,
        }
    if len(value) > length:
        return _("longer than %(max)s characters") % {"max": length}
    return None


def upload_refusal(platform: str, shop: Shop) -> RowError | None:
    """The refusal of a whole upload: a platform we do not know, or a platform's file for another's shop."""
    if platform not in records.PLATFORMS:
        return RowError("", 0, "", _("Unknown platform %(platform)s.") % {"platform": platform})
    channels = PLATFORM_CHANNELS.get(platform)
    if channels is not None and shop.channel not in channels:
        reason = _("A %(platform)s export cannot go into shop %(shop)s, a %(channel)s shop.") % {
            "platform": Platform(platform).label,
            "shop": shop.code,
            "channel": shop.get_channel_display(),
        }
        return RowError("", 0, "", reason)
    return None


class OrderCheck:
    """Our own refusals of the orders an upload gives (the reader's come in its result's errors), one order
    at a time; an order number is refused the second time it comes in the upload."""

    def __init__(self, platform: str, *, numbers_unique: bool = False) -> None:
        self.platform = platform
        self.first_line: dict[str, int] = {}
        self.numbers_unique = numbers_unique  # the reader refused repeated numbers: none to remember

    def __call__(self, order: ParsedOrder) -> list[RowError]:
        if not order.order_no:
            return [RowError(order.file, order.line, "order_no", _("no order number"))]
        problem = _code_problem(order.order_no, length=ORDER_NO_LENGTH)
        if problem is None and order.order_no in self.first_line:
            problem = _("order %(no)s is also on line %(line)s") % {
                "no": order.order_no,
                "line": self.first_line[order.order_no],
            }
        if problem:
            return [RowError(order.file, order.line, "order_no", problem)]
        if not self.numbers_unique:
            self.first_line[order.order_no] = order.line
        errors: list[RowError] = []
        if order.platform != self.platform:
            reason = _("a %(platform)s order in a %(upload)s upload") % {
                "platform": order.platform,
                "upload": self.platform,
            }
            errors.append(RowError(order.file, order.line, "platform", reason))
        errors += [RowError(order.file, order.line, column, reason) for column, reason in _order_problems(order)]
        return errors + _line_errors(order)


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


class _Refused(Exception):
    """Raised inside the import's transaction to roll back what its batches stored."""


def import_orders(*, actor: Any, shop: Shop, result: ParseResult, dry_run: bool = False) -> ImportReport:
    """Store the parsed orders in `shop`, all or nothing; the report lists what was (or would be) done.

    The orders are checked as `result` yields them and stored BATCH at a time in one transaction; with any
    refused row (the reader's or ours) storing stops, every order is still read and checked for the report,
    and nothing is stored. A dry run does everything, then rolls it back, so its report is exactly what the
    import would do (holds for short stock included).
    """
    roles.require(actor, roles.IMPORT_ORDERS)
    report = ImportReport(shop_code=shop.code, platform=result.platform, dry_run=dry_run)
    refusal = upload_refusal(result.platform, shop)
    refused: list[RowError] = [] if refusal is None else [refusal]
    check = OrderCheck(result.platform, numbers_unique=result.numbers_unique)
    files: set[str] = set()
    try:
        with contextlib.ExitStack() as stack, transaction.atomic():
            _one_import_at_a_time(shop)
            store = import_store.Store(actor=actor, shop=shop, platform=result.platform, report=report)
            batch: list[ParsedOrder] = []
            orders = stack.enter_context(contextlib.closing(_read_ahead(result)))  # its thread ends with us
            for order in orders:
                _count(report, order)
                files.add(order.file)
                if refusal is None:
                    refused += check(order)
                if refused or result.has_errors:
                    batch.clear()  # nothing more is stored: the rest is read for its refusals
                    continue
                batch.append(order)
                if len(batch) >= BATCH:
                    store.store(batch)
                    batch = []
            report.rejected = sorted(
                [*result.errors, *refused], key=lambda error: (error.file, error.line, error.column)
            )
            if report.rejected:
                raise _Refused
            store.store(batch)
            if dry_run:
                transaction.set_rollback(True)
            elif report.orders_created or report.orders_updated:
                record_audit(
                    actor=actor,
                    action="orders.import",
                    obj=shop,
                    after={k: v for k, v in report.as_dict().items() if k != "rejected"},
                    note=", ".join(sorted(files - {""})),
                )
    except _Refused:
        report.orders_created = report.orders_updated = report.orders_unchanged = report.held = 0
    if not dry_run and (report.orders_created or report.orders_updated):
        listeners.imported(shop)  # members (above us) build the shop's buyers: orders.listeners
    return report


def _read_ahead(result: ParseResult) -> Generator[ParsedOrder, None, None]:
    """The result's orders, read by a thread up to a few batches ahead of the import: reading the files is
    Python work the thread does while the import waits for the database (a batch's COPY, the commit) instead
    of after it. The reader's messages are in the language of the import's caller."""
    language = translation.get_language()
    handed: queue.Queue[list[ParsedOrder] | BaseException | None] = queue.Queue(maxsize=READ_AHEAD_CHUNKS)
    stop = threading.Event()

    def hand(item: list[ParsedOrder] | BaseException | None) -> None:
        while not stop.is_set():
            try:
                handed.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def read() -> None:
        with translation.override(language):
            try:
                chunk: list[ParsedOrder] = []
                for order in result:
                    chunk.append(order)
                    if len(chunk) >= READ_AHEAD:
                        hand(chunk)
                        chunk = []
                        if stop.is_set():
                            return
                hand(chunk)
                hand(None)
            except BaseException as exc:  # handed over: the import raises it
                hand(exc)

    reader = threading.Thread(target=read, name="order-import-reader", daemon=True)
    reader.start()
    try:
        while (item := handed.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield from item
    finally:
        stop.set()
        reader.join()


def _count(report: ImportReport, order: ParsedOrder) -> None:
    report.lines += len(order.lines)
    report.units += sum(line.quantity for line in order.lines if isinstance(line.quantity, int))
    if isinstance(order.paid_total, Decimal) and order.paid_total.is_finite():
        report.paid_total += order.paid_total


def _one_import_at_a_time(shop: Shop) -> None:
    """On PostgreSQL a second import into the shop waits for the first to commit, then finds its orders
    stored (unchanged) instead of failing on their numbers. The import's statements are index probes: no JIT
    (statistics that still think a table empty make the planner compile one for 0.1 s a statement)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [IMPORT_LOCK, shop.pk % 2**31])
            cursor.execute("SET LOCAL jit = off")
