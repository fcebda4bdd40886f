"""The points shop (积分商城, docs/members.md "Points shop"): items (a coupon or a gift) taken for points while
stock lasts, at most a limit per person, and the daily check-in. Staff act on a member's behalf: the shop has no
buyer-facing site yet. Both are idempotent: a redemption by its key, a check-in by person and local day."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.core import roles
from zhanggui.core.errors import ValidationFailed
from zhanggui.core.services import record_audit
from zhanggui.members import points, selectors
from zhanggui.members.errors import RedemptionRefused
from zhanggui.members.models import (
    CheckIn,
    CouponGrant,
    Member,
    PointsReason,
    PointsRedemption,
    PointsShopItem,
    ShopItemKind,
)

MANAGE_LOYALTY = roles.MANAGE_LOYALTY
#: Points a daily check-in gives (one rule for all shops, like points.POINTS_PER_YUAN).
CHECKIN_POINTS = 5


@transaction.atomic
def save_item(*, actor: Any, item: PointsShopItem) -> PointsShopItem:
    roles.require(actor, MANAGE_LOYALTY)
    if item.kind == ShopItemKind.COUPON and not item.promotion_id:
        raise ValidationFailed(_("Choose the coupon the item gives."))
    if not item.points or item.points <= 0:
        raise ValidationFailed(_("An item costs at least 1 point."))
    item.save()
    record_audit(actor=actor, action="points_shop.item", obj=item, after={"points": item.points, "stock": item.stock})
    return item


@transaction.atomic
def redeem(*, actor: Any, member: Member, item: PointsShopItem, key: str) -> PointsRedemption:
    """Take one item for the person's points (members.services.spend_points, oldest lots first). The same key
    returns the first redemption and spends nothing again. Refused out of stock, past the limit, or off sale."""
    from zhanggui.members.services import spend_points

    roles.require(actor, MANAGE_LOYALTY)
    key = f"redeem:{key}"
    done = PointsRedemption.objects.filter(key=key).first()
    if done is not None:
        return done
    item = PointsShopItem.objects.select_for_update().get(pk=item.pk)
    if not item.active:
        raise RedemptionRefused(_("This item is not on sale."))
    if item.stock <= 0:
        raise RedemptionRefused(_("This item is out of stock."))
    group = selectors.group_of(selectors.roots_of([member.pk])[member.pk])
    if item.per_member_limit is not None:
        taken = PointsRedemption.objects.filter(item=item, member_id__in=group).count()
        if taken >= item.per_member_limit:
            raise RedemptionRefused(
                _("This member has taken this item %(n)s times, the limit.") % {"n": item.per_member_limit}
            )
    spend_points(actor=actor, member=member, amount=item.points, reference=f"points-shop:{item.pk}", key=key)
    item.stock -= 1
    item.save(update_fields=["stock"])
    redemption = PointsRedemption.objects.create(item=item, member=member, points=item.points, key=key, actor=actor)
    if item.kind == ShopItemKind.COUPON and item.promotion_id:
        CouponGrant.objects.create(
            member=member, promotion_id=item.promotion_id, source=f"points-shop:{item.pk}", key=key
        )
    record_audit(actor=actor, action="points_shop.redeem", obj=member, after={"item": item.pk, "points": item.points})
    return redemption


@transaction.atomic
def check_in(*, actor: Any, member: Member, now: datetime | None = None) -> tuple[CheckIn, bool]:
    """+CHECKIN_POINTS once per person and local day: (the check-in, whether it is new). Booked on the person's
    root member as a lot (expires like any other)."""
    roles.require(actor, MANAGE_LOYALTY)
    now = now or timezone.now()
    day = timezone.localdate(now)
    root_id = selectors.roots_of([member.pk])[member.pk]
    done = CheckIn.objects.filter(member_id__in=selectors.group_of(root_id), day=day).first()
    if done is not None:
        return done, False
    root = Member.objects.get(pk=root_id)
    entry = CheckIn.objects.create(member=root, day=day, points=CHECKIN_POINTS, at=now, actor=actor)
    points.book(
        member=root,
        points=CHECKIN_POINTS,
        reason=PointsReason.CHECKIN,
        key=f"checkin:{root_id}:{day.isoformat()}",
        reference=f"checkin:{day.isoformat()}",
        at=now,
        actor=actor,
    )
    return entry, True
