"""The order queue as core.listing declares it: columns, sorting, export and batch actions.

Batch actions call the same services as the buttons on one order (review, allocate, hold, release_hold,
cancel), row by row, so an order that may not take the step is refused with its reason and the others still go.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanggui.core import roles
from zhanggui.core.errors import DomainError
from zhanggui.core.listing import BatchAction, BatchResult, Column, ListSpec, each_row
from zhanggui.orders import parcels, services
from zhanggui.orders.models import Order, OrderStatus


def _label(order: Order) -> str:
    return order.platform_order_no


def _receiver(order: Order) -> str:
    return " ".join(part for part in (order.receiver_name, order.masked_phone) if part)


def _review(actor: Any, rows: list[Order], data: dict[str, str]) -> BatchResult:
    return each_row(rows, lambda o: services.review(actor=actor, order=o), _label)


def _allocate(actor: Any, rows: list[Order], data: dict[str, str]) -> BatchResult:
    held: list[str] = []

    def do(order: Order) -> None:
        after = services.allocate(actor=actor, order=order)
        if after.status == OrderStatus.ON_HOLD:
            held.append(f"{after.platform_order_no} — {after.hold_reason}")

    result = each_row(rows, do, _label)
    if not held:
        return result
    note = _("%(n)s put on hold instead: %(orders)s") % {"n": len(held), "orders": "; ".join(held[:20])}
    return BatchResult(result.done, result.refused, [note])


def _hold(actor: Any, rows: list[Order], data: dict[str, str]) -> BatchResult:
    reason = data.get("hold_reason", "")
    return each_row(rows, lambda o: services.hold(actor=actor, order=o, reason=reason), _label)


def _release(actor: Any, rows: list[Order], data: dict[str, str]) -> BatchResult:
    return each_row(rows, lambda o: services.release_hold(actor=actor, order=o), _label)


def _cancel(actor: Any, rows: list[Order], data: dict[str, str]) -> BatchResult:
    reason = data.get("cancel_reason", "")
    return each_row(rows, lambda o: services.cancel(actor=actor, order=o, reason=reason), _label)


def _merge(actor: Any, rows: list[Order], data: dict[str, str]) -> BatchResult:
    """合单: the ticked orders into one parcel, all or none (a merge is one decision)."""
    try:
        main = parcels.merge_orders(actor=actor, orders=rows)
    except DomainError as exc:
        return BatchResult(0, [(", ".join(_label(o) for o in rows), exc.message)])
    note = _("They ship in one parcel under order %(no)s.") % {"no": main.platform_order_no}
    return BatchResult(len(rows), [], [note])


ORDERS = ListSpec(
    name="orders",
    columns=(
        Column("order_no", gettext_lazy("Order number"), "platform_order_no", lambda o: o.platform_order_no),
        Column("shop", gettext_lazy("Shop"), "shop__name", lambda o: o.shop.name),
        Column("buyer", gettext_lazy("Buyer"), "buyer_nick", lambda o: o.buyer_nick),
        # Lists never show a whole phone number (docs/orders.md): the export writes it masked as well.
        Column("receiver", gettext_lazy("Receiver"), "receiver_name", lambda o: _receiver(o)),
        Column("paid_at", gettext_lazy("Paid at"), "paid_at", lambda o: o.paid_at, numeric=True),
        Column("ship_by", gettext_lazy("Ship by"), "ship_by", lambda o: o.ship_by, numeric=True),
        Column("items", gettext_lazy("Items"), "units", lambda o: o.units, total="units", numeric=True),
        Column(
            "paid_total",
            gettext_lazy("Paid"),
            "paid_total",
            lambda o: o.paid_total,
            total="paid_total",
            numeric=True,
            money=True,
        ),
        Column("status", gettext_lazy("Status"), "status", lambda o: o.get_status_display()),
        Column(
            "platform_status",
            gettext_lazy("Platform status"),
            "platform_status",
            lambda o: o.platform_status_text or o.get_platform_status_display(),
        ),
    ),
    default_sort="ship_by",
    date_field="paid_at",
    date_label=gettext_lazy("Paid"),
    actions=(
        BatchAction("review", gettext_lazy("Review"), roles.REVIEW_ORDERS, _review),
        BatchAction("allocate", gettext_lazy("Allocate stock"), roles.FULFIL_ORDERS, _allocate),
        BatchAction(
            "hold",
            gettext_lazy("Hold"),
            roles.REVIEW_ORDERS,
            _hold,
            fields=(("hold_reason", gettext_lazy("Why"), "text"),),
        ),
        BatchAction("release", gettext_lazy("Release hold"), roles.REVIEW_ORDERS, _release),
        BatchAction("merge", gettext_lazy("Merge into one parcel"), roles.REVIEW_ORDERS, _merge),
        BatchAction(
            "cancel",
            gettext_lazy("Cancel"),
            roles.REVIEW_ORDERS,
            _cancel,
            fields=(("cancel_reason", gettext_lazy("Why"), "text"),),
            confirm=gettext_lazy("Cancel the ticked orders? Their reserved stock goes back."),
        ),
    ),
    row_label=_label,
)
