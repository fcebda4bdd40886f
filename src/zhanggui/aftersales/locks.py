"""Row locks a refund takes, in one fixed order: the case, then its order's lines by id.

A refund reads what earlier refunds took from a line and adds to it; two agents refunding the same line at once
(through one case or two) must see each other's refund. Locking every line of the order (`select_for_update`,
by id, so two refunds never wait on each other crosswise) makes the second wait until the first commits; its
sum then counts the first. The lines are only read here: orders keeps writing them through its own services.
"""

from __future__ import annotations

from zhanggui.aftersales.models import AfterSaleCase
from zhanggui.orders.models import OrderLine


def lock_case(case_id: int) -> AfterSaleCase:
    return AfterSaleCase.objects.select_for_update(of=("self",)).select_related("shop", "order").get(pk=case_id)


def lock_order_lines(order_id: int) -> dict[int, OrderLine]:
    """Every line of the order, locked until the transaction ends, by id."""
    return {line.pk: line for line in OrderLine.objects.select_for_update().filter(order_id=order_id).order_by("pk")}
