"""Helpers for the campaign and points-shop tests: a coupon (a stored promotion of the coupon layer)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from zhanggui.core.services import system_user
from zhanggui.promotions.models import Promotion, PromotionState


def coupon(shop, code: str = "VIP10") -> Promotion:
    now = timezone.now()
    return Promotion.objects.create(
        shop=shop,
        code=code,
        name=f"{code} 满100减10",
        kind="coupon",
        spec={"id": code, "kind": "coupon", "amount": "10.00", "codes": [code]},
        state=PromotionState.APPROVED,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=30),
        created_by=system_user(),
    )
