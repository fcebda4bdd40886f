"""The shop's costs and monthly targets, as the 店长 sets them (docs/metrics.md, "Costs and targets"): each
change is written to the audit trail with the values before and after, like every money setting."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from zhanggui.analytics.models import MonthlyTarget, ShopCosts
from zhanggui.catalog.models import Shop
from zhanggui.core import roles
from zhanggui.core.services import record_audit

#: Who sets costs and targets: the 店长 (the money settings of a shop).
SET_COSTS = roles.MANAGE_SHOPS


def costs_for(shop: Shop) -> ShopCosts:
    """The shop's costs; an unsaved zero row when none was set."""
    return ShopCosts.objects.filter(shop=shop).first() or ShopCosts(shop=shop)


@transaction.atomic
def set_costs(*, actor: Any, shop: Shop, commission_rate: Decimal, shipping_per_parcel: Decimal) -> ShopCosts:
    """Store the shop's commission rate (a fraction, 0.05 is 5 %) and shipping cost per parcel (yuan)."""
    roles.require(actor, SET_COSTS)
    row = ShopCosts.objects.select_for_update().filter(shop=shop).first() or ShopCosts(shop=shop)
    before = {"commission_rate": str(row.commission_rate), "shipping_per_parcel": str(row.shipping_per_parcel)}
    after = {"commission_rate": str(commission_rate), "shipping_per_parcel": str(shipping_per_parcel)}
    is_new = row.pk is None
    if not is_new and before == after:
        return row
    row.commission_rate = commission_rate
    row.shipping_per_parcel = shipping_per_parcel
    row.save()
    record_audit(
        actor=actor, action="create" if is_new else "update", obj=row, before={} if is_new else before, after=after
    )
    return row


@transaction.atomic
def set_target(*, actor: Any, shop: Shop, month: date, gmv_target: Decimal | None) -> MonthlyTarget | None:
    """Set the shop's GMV target for the month (its first day is kept); None removes the target."""
    roles.require(actor, SET_COSTS)
    month = month.replace(day=1)
    row = MonthlyTarget.objects.select_for_update().filter(shop=shop, month=month).first()
    before = {"month": f"{month:%Y-%m}", "gmv_target": str(row.gmv_target)} if row else {}
    if gmv_target is None:
        if row is not None:
            record_audit(actor=actor, action="analytics.remove_target", obj=row, before=before)
            row.delete()
        return None
    if row is not None and row.gmv_target == gmv_target:
        return row
    if row is None:
        row = MonthlyTarget(shop=shop, month=month, gmv_target=gmv_target)
    row.gmv_target = gmv_target
    row.save()
    record_audit(
        actor=actor,
        action="update" if before else "create",
        obj=row,
        before=before,
        after={"month": f"{month:%Y-%m}", "gmv_target": str(gmv_target)},
    )
    return row
