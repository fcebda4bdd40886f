"""Storing checked orders of an import, a batch of a few thousand at a time (orders.imports reads and checks
the files as a stream and calls Store.store for each batch, all inside its one transaction).

The batch's orders already stored are found and locked with one index probe a number, their lines read the
same way; each is compared with the file (_plan_lines) and, when the file changed it, follows the platform
through services.follow_platform. New orders, most of a first import, take the fast way: their rows are built
as plain values (no Model.__init__ a row), take their ids from the sequence before they exist on PostgreSQL,
follow the platform in memory, and go in with one binary COPY per table (orders, lines, events) carrying their
final status. The new orders the platform already shipped book their sales with one
inventory.services.book_sales call for the batch instead of a reserve and an issue each (_ship_new).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from typing import Any

from django.db import connection
from django.db.models import DateTimeField, Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Shop, Sku
from zhanggui.channels import records
from zhanggui.channels.records import ParsedLine, ParsedOrder
from zhanggui.core.rows import update_rows
from zhanggui.core.text import CleanCharField, CleanTextField
from zhanggui.inventory import services as inventory
from zhanggui.inventory.errors import InsufficientStock
from zhanggui.orders import selectors, services
from zhanggui.orders.errors import OrderRuleBroken
from zhanggui.orders.models import (
    SHIPPED_STATUSES,
    LineOrigin,
    Order,
    OrderEvent,
    OrderLine,
    OrderSettings,
    OrderStatus,
    PlatformStatus,
)

S = OrderStatus
CHUNK = 500  # rows per IN (...) list: well inside every database's limit on bound parameters

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
ORDER_TEXTS = (
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
LINE_TEXTS = ("title", "spec", "refund_status")
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
ORDER_TABLE, LINE_TABLE = Order._meta.db_table, OrderLine._meta.db_table
SHOP_FIELD = Order._meta.get_field("shop")
#: What the platform's statuses take a new order to (services.follow_platform) when its sale is booked here.
SHIPPED_ON_PLATFORM = (PlatformStatus.SHIPPED, PlatformStatus.COMPLETED)


def sub_order_ids(order: ParsedOrder) -> list[str]:
    """Each line's identity within its order: the platform's sub-order id, or (when its file has none)
    order number:商家编码 (the line's position when it has no code), numbered when a code comes twice."""
    ids = [line.sub_order_id for line in order.lines]
    if all(ids) and len(set(ids)) == len(ids):
        return ids  # the platform's own, each once: most files
    ids = []
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


# --------------------------------------------------------------------------------------------------------
# Values as the fields store them
# --------------------------------------------------------------------------------------------------------


@functools.cache
def _text_rule(model: type[Model], name: str) -> tuple[Callable[[str], str], int | None]:
    model_field = model._meta.get_field(name)
    assert isinstance(model_field, CleanCharField | CleanTextField)
    return model_field.clean_function, model_field.max_length


def _fit(model: type[Model], name: str, value: str) -> str:
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


@functools.cache
def _text_rules(model: type[Model], names: tuple[str, ...]) -> list[tuple[str, Callable[[str], str], int | None]]:
    return [(name, *_text_rule(model, name)) for name in names]


def order_values(parsed: ParsedOrder, settings: OrderSettings, stored: Order | None) -> dict[str, Any]:
    """The order's data from the file. Against a stored order, what the file does not know (an empty
    moment, no carrier yet) does not erase what we have; a Zhanggui file does not overwrite the platform's
    status of an order that came from a platform's export."""
    values: dict[str, Any] = {}
    for name, clean, length in _text_rules(Order, ORDER_TEXTS):  # _fit, written out: nine texts an order
        value = getattr(parsed, name) or ""
        if not value.isprintable():
            value = clean(value)
        values[name] = value[:length] if length and len(value) > length else value
    values["shipping_fee"], values["paid_total"] = parsed.shipping_fee, parsed.paid_total
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


def line_values(parsed: ParsedLine, position: int) -> dict[str, Any]:
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


def _first_status(parsed: ParsedOrder) -> str:
    """A new order is paid, or outside the queue while the buyer has not paid (closed before paying too)."""
    unpaid = parsed.status == records.UNPAID or (parsed.status == records.CLOSED and parsed.paid_at is None)
    return S.UNPAID if unpaid else S.PAID


# --------------------------------------------------------------------------------------------------------
# Rows without Model.__init__
# --------------------------------------------------------------------------------------------------------


@functools.cache
def _blank(model: type[Model]) -> dict[str, Any]:
    """Every concrete field of `model` by attname, at its default (the fields an import does not set)."""
    return {f.attname: f.get_default() for f in model._meta.concrete_fields}


@functools.cache
def _plain(model: type[Model]) -> bool:
    """Whether instances of `model` may be built without Model.__init__: nothing listens to its init."""
    return not (pre_init.has_listeners(model) or post_init.has_listeners(model))


def _bare(model: type[Model], values: dict[str, Any]) -> Any:
    """An instance holding `values` over the fields' defaults, built without Model.__init__ (which goes through
    each field's descriptor: several times slower, for rows built by the ten thousand). The services use them
    like any instance; a model with init signals is built the normal way."""
    if not _plain(model):
        return model(**{**_blank(model), **values})
    obj = model.__new__(model)
    state = obj.__dict__
    state.update(_blank(model))
    state.update(values)
    obj._state = ModelState()
    return obj


def insert_rows(
    model: type[Order] | type[OrderLine] | type[OrderEvent], objects: Sequence[Any], *, with_ids: bool = False
) -> None:
    """Insert new rows whose values are already what their fields store (texts cleaned and cut by _fit,
    codes checked by imports.check_order, the rest ours): COPY on PostgreSQL, one executemany elsewhere.
    bulk_create builds its SQL value by value through each field, several times slower on wide rows like an
    order's. The ids are not read back (see _set_ids); with_ids writes the ids the objects already have."""
    if not objects:
        return
    fields = [f for f in model._meta.concrete_fields if with_ids or not f.primary_key]
    ops = connection.ops
    values = itemgetter(*(f.attname for f in fields))
    table = ops.quote_name(model._meta.db_table)
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = _binary_types(tuple(fields))
            binary = " (FORMAT BINARY)" if types else ""
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN{binary}") as copy:
                if types:
                    copy.set_types(types)
                for obj in objects:
                    copy.write_row(values(obj.__dict__))
            return
        moments = [i for i, f in enumerate(fields) if isinstance(f, DateTimeField)]
        convert = ops.adapt_datetimefield_value
        rows = []
        for obj in objects:
            row = list(values(obj.__dict__))
            for i in moments:
                row[i] = convert(row[i])
            rows.append(row)
        placeholders = ", ".join(["%s"] * len(fields))
        for chunk in _chunks(rows):
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", chunk)


#: PostgreSQL's binary COPY type of each column type Django creates for our fields (a binary COPY takes half
#: the time of a text one to write, and the server no text to parse).
_BINARY = {
    "bigint": "int8",
    "integer": "int4",
    "smallint": "int2",
    "varchar": "text",
    "text": "text",
    "numeric": "numeric",
    "timestamp with time zone": "timestamptz",
    "boolean": "bool",
}


@functools.cache
def _binary_types(fields: tuple[Any, ...]) -> list[str] | None:
    """The binary COPY types of the fields' columns, or None when one is not in _BINARY (a text COPY then)."""
    types = []
    for model_field in fields:
        db_type = model_field.db_type(connection) or ""
        binary = _BINARY.get(db_type.split("(")[0].strip())
        if binary is None:
            return None
        types.append(binary)
    return types


def update_statuses(orders: Sequence[Order]) -> None:
    """Write the status fields (services.STATUS_FIELDS) of orders just inserted (the rows-first path)."""
    update_rows(Order, orders, services.STATUS_FIELDS)


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


# --------------------------------------------------------------------------------------------------------
# Orders already stored: planned against what the file says
# --------------------------------------------------------------------------------------------------------


@dataclass
class _Plan:
    """One stored order of the file: the order and all its lines as they will be, and what changed."""

    parsed: ParsedOrder
    order: Order
    lines: list[OrderLine]
    changed: list[str] = field(default_factory=list)  # the order's fields the file changed
    new_lines: list[OrderLine] = field(default_factory=list)
    changed_lines: list[OrderLine] = field(default_factory=list)
    removed_lines: list[OrderLine] = field(default_factory=list)
    stock_lines_changed: bool = False  # a SKU or a quantity changed, a line came or went: a reservation no longer fits
    skus_found: bool = False  # a line without a SKU found one

    @property
    def touched(self) -> bool:
        return bool(self.changed or self.lines_touched)

    @property
    def lines_touched(self) -> bool:
        return bool(self.new_lines or self.changed_lines or self.removed_lines)


def _plan_lines(plan: _Plan, stored: dict[str, OrderLine], sku_ids: dict[str, int | None]) -> None:
    """Each line of the file against the stored ones (by sub-order id). An order that has shipped keeps the
    lines that left, SKUs and quantities as they were (changes after shipping are after-sales); only their
    descriptions follow the file."""
    parsed = plan.parsed
    shipped = plan.order.status in SHIPPED_STATUSES
    wanted = sub_order_ids(parsed)
    for position, (line, sub_order_id) in enumerate(zip(parsed.lines, wanted, strict=True), 1):
        values = line_values(line, position)
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
    if shipped:
        return
    # The file holds the whole order: a line no longer in it is gone (its 商家编码 corrected on the platform
    # gives the line a new identity when the platform has no sub-order ids).
    kept_ids = set(wanted)
    plan.removed_lines = [line for line in stored.values() if line.sub_order_id not in kept_ids]
    if plan.removed_lines:
        plan.lines = [line for line in plan.lines if line.sub_order_id in kept_ids]
        plan.stock_lines_changed = True


# --------------------------------------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------------------------------------


class Store:
    """Stores batches of checked orders of one upload into one shop (inside the caller's transaction), counting
    into the caller's report: orders_created, orders_updated, orders_unchanged, held."""

    def __init__(self, *, actor: Any, shop: Shop, platform: str, report: Any) -> None:
        self.actor, self.shop, self.platform, self.report = actor, shop, platform, report
        self.now = timezone.now()
        self.settings = selectors.settings_for(shop)
        self.actor_id = actor.pk if getattr(actor, "pk", None) else None
        self.ids_first = connection.vendor == "postgresql"
        self.sku_ids: dict[str, int | None] = {}  # 商家编码 → SKU id, None when the shop has no such SKU
        self.texts = {
            "imported": _("imported from %(where)s"),
            "updated": _("updated from %(where)s: %(fields)s"),
            "upload": _("the upload"),
        }

    def store(self, batch: Sequence[ParsedOrder]) -> None:
        """Store one batch: the orders already stored first (a closed one gives its units back before a new
        one takes them), then the new ones."""
        existing = self._existing_orders([parsed.order_no for parsed in batch])
        self._find_skus({line.sku_code for parsed in batch for line in parsed.lines if line.sku_code})
        self._store_existing([(parsed, existing[parsed.order_no]) for parsed in batch if parsed.order_no in existing])
        self._store_new([parsed for parsed in batch if parsed.order_no not in existing])

    # ----- reads ------------------------------------------------------------------------------------------

    def _existing_orders(self, numbers: Sequence[str]) -> dict[str, Order]:
        """The shop's orders with these numbers, locked. A Zhanggui file (our own export) matches an order of
        any platform by its number, so an export imports back onto the orders it came from."""
        found: dict[str, Order] = {}
        if self.ids_first and self.platform != records.ZHANGGUI and numbers:
            # One probe of the unique index a number: with IN (...) the planner scans all the shop's orders when
            # its statistics still think the table empty, as during a first big import (quadratic). The ids
            # first, then the rows locked in id order, as the desk's steps lock them.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT o.id FROM unnest(%s::text[]) AS n(no) CROSS JOIN LATERAL (SELECT id FROM {ORDER_TABLE} "
                    f"WHERE shop_id = %s AND platform = %s AND platform_order_no = n.no LIMIT 1) o",
                    [list(numbers), self.shop.pk, self.platform],
                )
                ids = sorted(pk for (pk,) in cursor.fetchall())
            if not ids:
                return found
            query = Order.objects.raw(
                f"SELECT o.* FROM unnest(%s::bigint[]) AS i(id) CROSS JOIN LATERAL (SELECT * FROM {ORDER_TABLE} "
                f"WHERE id = i.id LIMIT 1 FOR UPDATE) o",
                [ids],
            )
            for order in query:
                order.shop = self.shop
                found[order.platform_order_no] = order
            return found
        for chunk in _chunks(numbers):
            qs = Order.objects.select_for_update().filter(shop=self.shop, platform_order_no__in=chunk).order_by("pk")
            if self.platform != records.ZHANGGUI:
                qs = qs.filter(platform=self.platform)
            for order in qs:
                order.shop = self.shop
                kept = found.get(order.platform_order_no)
                if kept is None or (order.platform == self.platform and kept.platform != self.platform):
                    found[order.platform_order_no] = order
        return found

    def _stored_lines(self, order_ids: list[int]) -> Iterable[OrderLine]:
        """The lines of these orders, each order's in their order (on PostgreSQL one index probe an order, as
        _existing_orders does)."""
        if self.ids_first:
            return OrderLine.objects.raw(
                f"SELECT l.* FROM unnest(%s::bigint[]) AS o(id) CROSS JOIN LATERAL (SELECT * FROM {LINE_TABLE} "
                f"WHERE order_id = o.id ORDER BY position, id) l",
                [order_ids],
            )
        return (
            line
            for chunk in _chunks(order_ids)
            for line in OrderLine.objects.filter(order_id__in=chunk).order_by("position", "pk")
        )

    def _find_skus(self, codes: set[str]) -> None:
        missing = sorted(codes - self.sku_ids.keys())
        for chunk in _chunks(missing):
            found = dict(Sku.objects.filter(shop=self.shop, code__in=chunk).values_list("code", "pk"))
            self.sku_ids.update({code: found.get(code) for code in chunk})

    def _where(self, parsed: ParsedOrder) -> str:
        return f"{parsed.file}:{parsed.line}" if parsed.file else self.texts["upload"]

    def _count_held(self, orders: Iterable[Order]) -> None:
        self.report.held += sum(1 for order in orders if order.status == S.ON_HOLD)

    # ----- orders already stored ---------------------------------------------------------------------------

    def _store_existing(self, pairs: Sequence[tuple[ParsedOrder, Order]]) -> None:
        if not pairs:
            return
        stored_lines: dict[int, dict[str, OrderLine]] = {}
        for line in self._stored_lines([order.pk for _parsed, order in pairs]):
            if line.origin == LineOrigin.REPLACEMENT:
                continue  # ours (补发/换货), not in any platform file: never matched, changed or removed
            stored_lines.setdefault(line.order_id, {})[line.sub_order_id] = line
        plans = []
        for parsed, order in pairs:
            lines = stored_lines.get(order.pk, {})
            plan = _Plan(parsed=parsed, order=order, lines=list(lines.values()))
            values = order_values(parsed, self.settings, order)
            plan.changed = [name for name, value in values.items() if getattr(order, name) != value]
            for name in plan.changed:
                setattr(order, name, values[name])
            _plan_lines(plan, lines, self.sku_ids)
            plans.append(plan)

        removed = [line.pk for plan in plans for line in plan.removed_lines]
        for chunk in _chunks(removed):
            OrderLine.objects.filter(pk__in=chunk).delete()
        insert_rows(OrderLine, [line for plan in plans for line in plan.new_lines])
        update_rows(OrderLine, [line for plan in plans for line in plan.changed_lines], LINE_FIELDS)

        events: list[OrderEvent] = []
        changed: list[Order] = []
        for plan in plans:
            if not plan.touched:
                self.report.orders_unchanged += 1
                continue
            events += self._follow_existing(plan)
            plan.order.updated_at = self.now
            self.report.orders_updated += 1
            changed.append(plan.order)
        fields = list(dict.fromkeys([*ORDER_FIELDS, *services.STATUS_FIELDS]))
        update_rows(Order, changed, fields)
        insert_rows(OrderEvent, events)
        self._count_held(plan.order for plan in plans)

    def _follow_existing(self, plan: _Plan) -> list[OrderEvent]:
        """The timeline entries of a stored order the file changed, its status following the platform."""
        order, actor, now = plan.order, self.actor, self.now
        names = [*plan.changed, *(["lines"] if plan.lines_touched else [])]
        reason = self.texts["updated"] % {"where": self._where(plan.parsed), "fields": ", ".join(names)}
        events = [
            OrderEvent(
                order=order,
                at=now,
                actor_id=self.actor_id,
                from_status=order.status,
                to_status=order.status,
                reason=services.clip_reason(reason),
            )
        ]
        if plan.stock_lines_changed:
            events += services.lines_changed(order, actor=actor, at=now)
        if "platform_status" in plan.changed:
            events += services.follow_platform(actor=actor, order=order, lines=plan.lines, at=now)
        elif plan.skus_found:
            events += services.resume_if_known(order, plan.lines, actor=actor, at=now)
        return events

    # ----- new orders --------------------------------------------------------------------------------------

    def _store_new(self, batch: Sequence[ParsedOrder]) -> None:
        if not batch:
            return
        shop, now = self.shop, self.now
        orders: list[Order] = []
        lines: list[list[OrderLine]] = []
        for parsed in batch:
            order = _bare(
                Order,
                {
                    "shop_id": shop.pk,
                    "platform": parsed.platform,
                    "platform_order_no": parsed.order_no,
                    "status": _first_status(parsed),
                    "imported_at": now,
                    "updated_at": now,
                    **order_values(parsed, self.settings, None),
                },
            )
            SHOP_FIELD.set_cached_value(order, shop)  # order.shop, without the descriptor's checks
            orders.append(order)
            lines.append(
                [
                    _bare(OrderLine, self._new_line(line, position, sub_order_id))
                    for position, (line, sub_order_id) in enumerate(
                        zip(parsed.lines, sub_order_ids(parsed), strict=True), 1
                    )
                ]
            )
        # PostgreSQL: ids first, rows after the platform's status is followed (one COPY, no status update; the
        # foreign keys are checked at commit). Elsewhere: rows first, ids read back, statuses updated after.
        if self.ids_first:
            _take_ids(orders)
        else:
            insert_rows(Order, orders)
            _set_ids(shop, self.platform, orders)
        for order, order_lines in zip(orders, lines, strict=True):
            for line in order_lines:
                line.__dict__["order_id"] = order.pk  # a new line has no order object cached to forget
        insert_rows(OrderLine, [line for order_lines in lines for line in order_lines])

        before = [order.status for order in orders]
        events = self._follow_new(batch, orders, lines)
        self.report.orders_created += len(orders)
        if self.ids_first:
            insert_rows(Order, orders, with_ids=True)
        else:
            update_statuses([order for order, status in zip(orders, before, strict=True) if order.status != status])
        for order in orders:
            order._state.adding, order._state.db = False, connection.alias
        insert_rows(OrderEvent, events)
        self._count_held(orders)

    def _new_line(self, line: ParsedLine, position: int, sub_order_id: str) -> dict[str, Any]:
        """line_values with the line's identity and SKU, written out (a hundred thousand lines a big file)."""
        values = {
            "sub_order_id": sub_order_id,
            "sku_id": self.sku_ids.get(line.sku_code) if line.sku_code else None,
            "position": position,
            "sku_code": line.sku_code,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "discount": line.discount,
            "paid": line.paid,
        }
        for name, clean, length in _text_rules(OrderLine, LINE_TEXTS):
            value = getattr(line, name) or ""
            if not value.isprintable():
                value = clean(value)
            values[name] = value[:length] if length and len(value) > length else value
        return values

    def _follow_new(
        self, batch: Sequence[ParsedOrder], orders: Sequence[Order], lines: Sequence[list[OrderLine]]
    ) -> list[OrderEvent]:
        """The timelines of new orders: imported, then following the platform (services.follow_platform); the
        ones the platform already shipped have their sales booked together (_ship_new)."""
        actor, now = self.actor, self.now
        imported = self.texts["imported"]
        events = [
            _bare(
                OrderEvent,
                {
                    "order_id": order.pk,
                    "at": now,
                    "actor_id": self.actor_id,
                    "from_status": "",
                    "to_status": order.status,
                    "reason": _reason(imported % {"where": self._where(parsed)}),
                },
            )
            for parsed, order in zip(batch, orders, strict=True)
        ]
        shipped: list[tuple[Order, list[OrderLine]]] = []
        for order, order_lines in zip(orders, lines, strict=True):
            if order.platform_status in SHIPPED_ON_PLATFORM and order.status == S.PAID:
                shipped.append((order, order_lines))
            else:
                events += services.follow_platform(actor=actor, order=order, lines=order_lines, at=now)
        return events + self._ship_new(shipped)

    def _ship_new(self, shipped: Sequence[tuple[Order, list[OrderLine]]]) -> list[OrderEvent]:
        """New orders the platform shipped or completed: their sales booked in one inventory.book_sales call
        (order by order costs a dozen queries each), then services.shipped_on_platform for each, as
        follow_platform does for one: short stock or an unknown 商家编码 holds the order with the reason, to ship
        when released; otherwise it is shipped (and completed when the platform says so)."""
        if not shipped:
            return []
        actor, now = self.actor, self.now
        sellable = [(order, order_lines) for order, order_lines in shipped if not services.unknown_codes(order_lines)]
        outcomes: dict[int, InsufficientStock | None] = {}
        if sellable:
            sales = [
                inventory.Sale(
                    order.reservation_reference,
                    tuple((line.sku_id, line.quantity) for line in order_lines if line.sku_id is not None),
                    order.platform_order_no,
                )
                for order, order_lines in sellable
            ]
            booked = inventory.book_sales(actor=services.stock_actor(actor), sales=sales, shop=self.shop)
            outcomes = {order.pk: outcome for (order, _lines), outcome in zip(sellable, booked, strict=True)}
        events: list[OrderEvent] = []
        for order, order_lines in shipped:
            unknown = services.unknown_codes(order_lines)
            failure: InsufficientStock | OrderRuleBroken | None = outcomes.get(order.pk)
            if unknown:
                failure = OrderRuleBroken(services.unknown_sku_reason(unknown), codes=unknown)
            events += services.shipped_on_platform(order, actor=actor, at=now, failure=failure)
        return events


def _reason(text: str) -> str:
    """A timeline reason as services.clip_reason stores it; one line of printable text that fits is already."""
    if len(text) <= services.REASON_LENGTH and text.isprintable() and text == text.strip():
        return text
    return services.clip_reason(text)


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
            by_number[number].pk = pk
