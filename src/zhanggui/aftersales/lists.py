"""The case queue as core.listing declares it: columns, sorting (least time left first), export and the batch
action "take": each ticked case goes through services.assign, the same rule as on the case page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from zhanggui.aftersales import services
from zhanggui.aftersales.models import AfterSaleCase
from zhanggui.core import roles
from zhanggui.core.listing import BatchAction, BatchResult, Column, ListSpec, each_row


def _label(case: AfterSaleCase) -> str:
    return case.number


def _person(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _take(actor: Any, rows: list[AfterSaleCase], data: dict[str, str]) -> BatchResult:
    return each_row(rows, lambda case: services.assign(actor=actor, case=case, assignee=actor), _label)


CASES = ListSpec(
    name="aftersales",
    columns=(
        Column("number", gettext_lazy("Case"), ("platform_refund_no", "pk"), lambda c: c.number),
        Column(
            "order_no", gettext_lazy("Order number"), "order__platform_order_no", lambda c: c.order.platform_order_no
        ),
        Column("shop", gettext_lazy("Shop"), "shop__name", lambda c: c.shop.name),
        Column("buyer", gettext_lazy("Buyer"), "order__buyer_nick", lambda c: c.order.buyer_nick),
        Column("kind", gettext_lazy("Kind"), "kind", lambda c: c.get_kind_display()),
        Column("reason", gettext_lazy("Reason"), "reason", lambda c: c.get_reason_display()),
        Column("status", gettext_lazy("Status"), "status", lambda c: c.get_status_display()),
        Column(
            "requested",
            gettext_lazy("Amount asked"),
            "requested_amount",
            lambda c: c.requested_amount,
            total="requested_amount",
            numeric=True,
            money=True,
        ),
        Column(
            "refunded",
            gettext_lazy("Refunded"),
            "refunded",
            lambda c: c.refunded,
            total="refunded",
            numeric=True,
            money=True,
        ),
        Column("deadline", gettext_lazy("Deadline"), "deadline", lambda c: c.deadline, numeric=True),
        Column("assignee", gettext_lazy("Assignee"), "assignee__username", lambda c: _person(c.assignee)),
        Column("opened", gettext_lazy("Opened"), "created_at", lambda c: c.created_at, numeric=True),
    ),
    default_sort="deadline",
    date_field="created_at",
    date_label=gettext_lazy("Opened"),
    actions=(BatchAction("take", gettext_lazy("Assign to me"), roles.HANDLE_CASES, _take),),
    row_label=_label,
)
