"""The outbox and the opt-outs as core.listing declares them: columns, sorting, export, the outbox's retry."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from zhanggui.core import roles
from zhanggui.core.listing import BatchAction as Action
from zhanggui.core.listing import BatchResult, Column, ListSpec, each_row
from zhanggui.messaging import services
from zhanggui.messaging.models import BuyerOptOut, OutboxMessage


def _label(message: OutboxMessage) -> str:
    return f"{message.order.platform_order_no} {message.get_kind_display()}"


def _retry(actor: Any, rows: list[OutboxMessage], data: dict[str, str]) -> BatchResult:
    return each_row(rows, lambda m: services.retry(actor=actor, message=m), _label)


def _by(row: BuyerOptOut) -> str:
    user = row.created_by
    return (user.get_full_name() or user.username) if user else ""


OUTBOX = ListSpec(
    name="buyer-messages",
    columns=(
        Column("created_at", gettext_lazy("Created"), "created_at", lambda m: m.created_at, numeric=True),
        Column("shop", gettext_lazy("Shop"), "shop__name", lambda m: m.shop.name),
        Column(
            "order_no", gettext_lazy("Order number"), "order__platform_order_no", lambda m: m.order.platform_order_no
        ),
        Column("buyer", gettext_lazy("Buyer"), "buyer_nick", lambda m: m.buyer_nick),
        Column("kind", gettext_lazy("Kind"), "kind", lambda m: m.get_kind_display()),
        Column("status", gettext_lazy("Status"), "status", lambda m: m.get_status_display()),
        Column("reason", gettext_lazy("Reason"), None, lambda m: m.reason),
        Column("text", gettext_lazy("Text"), None, lambda m: m.text),
        Column("attempts", gettext_lazy("Attempts"), "attempts", lambda m: m.attempts, numeric=True),
        Column("sent_at", gettext_lazy("Stored or sent at"), "sent_at", lambda m: m.sent_at, numeric=True),
    ),
    default_sort="-created_at",
    date_field="created_at",
    date_label=gettext_lazy("Created"),
    actions=(Action("retry", gettext_lazy("Try again"), roles.MANAGE_MESSAGES, _retry),),
    row_label=_label,
)

OPT_OUTS = ListSpec(
    name="buyer-opt-outs",
    columns=(
        Column("shop", gettext_lazy("Shop"), "shop__name", lambda o: o.shop.name),
        Column("buyer", gettext_lazy("Buyer"), "buyer_nick", lambda o: o.buyer_nick),
        Column("note", gettext_lazy("Note"), None, lambda o: o.note),
        Column("by", gettext_lazy("Added by"), "created_by__username", _by),
        Column("since", gettext_lazy("Opted out on"), "created_at", lambda o: o.created_at, numeric=True),
    ),
    default_sort="buyer",
    date_field="created_at",
    date_label=gettext_lazy("Opted out on"),
)
