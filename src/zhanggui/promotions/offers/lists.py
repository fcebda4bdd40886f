"""The promotions list as core.listing declares it: columns, sorting, the start-date range, export, batch actions.

The batch actions call the same services as the buttons on one promotion (cancel_promotion, submit_promotion),
row by row: a promotion that may not be cancelled (already cancelled, or ended) or submitted (not a draft) is
refused with its reason and the others still change.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhanggui.core import roles
from zhanggui.core.listing import BatchAction, BatchResult, Column, ListSpec, each_row
from zhanggui.promotions.models import Promotion, PromotionState, PromotionStatus
from zhanggui.promotions.offers import services
from zhanggui.promotions.offers.forms import kind_label

# The order of the statuses when the list is sorted by status: as PromotionStatus lists them.
STATUS_RANK = {status: n for n, status in enumerate(PromotionStatus)}


def with_status_rank(rows: QuerySet[Promotion]) -> QuerySet[Promotion]:
    """The rows with `status_rank`, the derived status (Promotion.status_at, now) as a number the database sorts."""
    now = timezone.now()
    rank = STATUS_RANK
    return rows.annotate(
        status_rank=Case(
            When(state=PromotionState.DRAFT, then=Value(rank[PromotionStatus.DRAFT])),
            When(state=PromotionState.SUBMITTED, then=Value(rank[PromotionStatus.PENDING_APPROVAL])),
            When(state=PromotionState.REJECTED, then=Value(rank[PromotionStatus.REJECTED])),
            When(state=PromotionState.CANCELLED, then=Value(rank[PromotionStatus.CANCELLED])),
            When(starts_at__gt=now, then=Value(rank[PromotionStatus.SCHEDULED])),
            When(ends_at__gt=now, then=Value(rank[PromotionStatus.RUNNING])),
            default=Value(rank[PromotionStatus.ENDED]),
            output_field=IntegerField(),
        )
    )


def _label(promotion: Promotion) -> str:
    return str(promotion)


def shop_name(promotion: Promotion) -> str:
    return promotion.shop.name if promotion.shop else gettext("Every shop")


def status_label(promotion: Promotion) -> str:
    return str(PromotionStatus(promotion.status_at(timezone.now())).label)


def approver(promotion: Promotion) -> str:
    """Who approved it, as the list shows it: a manager, or the desk itself for one within the approval limit."""
    if promotion.approved_by is not None:
        return promotion.approved_by.get_full_name() or promotion.approved_by.username
    if promotion.auto_approved:
        return gettext("Approved automatically (within the approval limit)")
    return ""


def _cancel(actor: Any, rows: list[Promotion], data: dict[str, str]) -> BatchResult:
    return each_row(
        rows, lambda p: services.cancel_promotion(actor=actor, promotion=p, note=data.get("reason", "")), _label
    )


def _submit(actor: Any, rows: list[Promotion], data: dict[str, str]) -> BatchResult:
    return each_row(
        rows, lambda p: services.submit_promotion(actor=actor, promotion=p, note=data.get("note", "")), _label
    )


PROMOTIONS = ListSpec(
    name="promotions",
    columns=(
        Column("code", _("Code"), "code", lambda p: p.code),
        Column("name", _("Name"), "name", lambda p: p.name),
        Column("kind", _("Kind"), "kind", lambda p: kind_label(p.kind)),
        Column("shop", _("Shop"), "shop__name", shop_name),
        Column("starts", _("Starts"), "starts_at", lambda p: p.starts_at, numeric=True),
        Column("ends", _("Ends"), "ends_at", lambda p: p.ends_at, numeric=True),
        Column("status", _("Status"), ("status_rank", "starts_at"), status_label),
        Column("created_by", _("Created by"), "created_by__username"),
        Column("approved_by", _("Approved by"), ("auto_approved", "approved_by__username"), approver),
    ),
    default_sort="starts",
    date_field="starts_at",
    date_label=_("Starts"),
    actions=(
        BatchAction(
            "submit",
            _("Submit for approval"),
            roles.MANAGE_PROMOTIONS,
            _submit,
            fields=(("note", _("Note for the manager"), "text"),),
        ),
        BatchAction(
            "cancel",
            _("Cancel promotion"),
            roles.MANAGE_PROMOTIONS,
            _cancel,
            fields=(("reason", _("Reason"), "text"),),
            confirm=_("Cancel the ticked promotions? Running ones stop being priced at once."),
        ),
    ),
    row_label=_label,
)
