"""Reads of stored promotions: running now (for a quote), the list and the calendar, export, history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from zhanggui.catalog.models import Shop
from zhanggui.core.models import AuditEntry
from zhanggui.promotions import spec
from zhanggui.promotions.models import Promotion, PromotionState, PromotionStatus


def promotion_status_q(status: str, at: datetime) -> Q:
    """The rows whose derived status (Promotion.status_at) is `status` at that moment, as a database filter."""
    approved = Q(state=PromotionState.APPROVED)
    return {
        PromotionStatus.DRAFT: Q(state=PromotionState.DRAFT),
        PromotionStatus.PENDING_APPROVAL: Q(state=PromotionState.SUBMITTED),
        PromotionStatus.CANCELLED: Q(state=PromotionState.CANCELLED),
        PromotionStatus.SCHEDULED: approved & Q(starts_at__gt=at),
        PromotionStatus.RUNNING: approved & Q(starts_at__lte=at, ends_at__gt=at),
        PromotionStatus.ENDED: approved & Q(ends_at__lte=at),
    }[PromotionStatus(status)]


def _for_shop(shop: Shop | None) -> Q:
    """A shop sees its own promotions and the all-shops ones; no shop means the all-shops ones only."""
    return Q(shop__isnull=True) | Q(shop=shop) if shop is not None else Q(shop__isnull=True)


def promotions(
    *,
    shop: Shop | None = None,
    status: str | None = None,
    kind: str | None = None,
    starts_before: datetime | None = None,
    ends_after: datetime | None = None,
    at: datetime | None = None,
) -> QuerySet[Promotion]:
    """Stored promotions in calendar order; with both bounds, those whose window overlaps them.

    `shop` narrows to that shop's rows and the all-shops ones; without it every row is listed.
    """
    rows = Promotion.objects.select_related("shop", "created_by", "approved_by")
    if shop is not None:
        rows = rows.filter(_for_shop(shop))
    if status:
        rows = rows.filter(promotion_status_q(status, at or timezone.now()))
    if kind:
        rows = rows.filter(kind=kind)
    if starts_before is not None:
        rows = rows.filter(starts_at__lt=starts_before)
    if ends_after is not None:
        rows = rows.filter(ends_at__gt=ends_after)
    return rows


def calendar(
    *, start: datetime, end: datetime, shop: Shop | None = None, cancelled: bool = False
) -> QuerySet[Promotion]:
    """Promotions whose window [starts_at, ends_at) overlaps [start, end), cancelled ones left out unless asked."""
    rows = promotions(shop=shop, starts_before=end, ends_after=start)
    return rows if cancelled else rows.exclude(state=PromotionState.CANCELLED)


# (row id, updated_at) → parsed spec: a row's spec only changes with its updated_at, and parsing is the
# costly part of reading the running promotions for each quote.
_PARSED: dict[tuple[int, datetime], spec.Promotion] = {}
_PARSED_MAX = 2_000


def _parsed(row_id: int, updated_at: datetime, raw: dict[str, Any]) -> spec.Promotion:
    key = (row_id, updated_at)
    parsed = _PARSED.get(key)
    if parsed is None:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        parsed = _PARSED[key] = spec.parse_promotion(raw, f"promotion #{row_id}")
    return parsed


def running_promotions(shop: Shop | None = None, at: datetime | None = None) -> list[spec.Promotion]:
    """The approved promotions whose window contains `at` (default now), parsed for the engine.

    With a shop: that shop's and the all-shops ones; without: the all-shops ones only (codes are unique
    within what one quote sees, so the engine's ids never clash).
    """
    at = at or timezone.now()
    rows = (
        Promotion.objects.filter(_for_shop(shop), state=PromotionState.APPROVED, starts_at__lte=at, ends_at__gt=at)
        .order_by("code", "id")
        .values_list("id", "updated_at", "spec")
    )
    return [_parsed(row_id, updated_at, raw) for row_id, updated_at, raw in rows]


def export_promotions(*, shop: Shop | None = None) -> list[dict[str, Any]]:
    """The specs of a shop's promotions (or the all-shops ones), cancelled ones left out, in calendar order:
    the file `zhanggui import-promotions` reads back unchanged."""
    rows = Promotion.objects.filter(shop=shop).exclude(state=PromotionState.CANCELLED).order_by("starts_at", "code")
    return [row.spec for row in rows]


def promotion_history(promotion: Promotion) -> QuerySet[AuditEntry]:
    """The audit rows of one promotion, oldest first."""
    return (
        AuditEntry.objects.filter(object_type=Promotion._meta.label_lower, object_id=str(promotion.pk))
        .select_related("actor")
        .order_by("at", "id")
    )
