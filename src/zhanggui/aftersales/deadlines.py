"""A case's deadline: the moment the platform acts by itself (refunds, agrees, closes) if nobody answers.

The platform's own deadline wins when the file or the agent gives one (超时时间); otherwise the DeadlineRule of
the shop's channel for the case's situation, counted from the moment the stage's clock started. A status with
no clock running against us (agreed refunds, rejected, refunded, closed) has no deadline. Nothing here refunds:
the deadline only orders the queue and colours its badges ("杜绝自动退款").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from zhanggui.aftersales.models import (
    ACTIVE_STATUSES,
    AfterSaleCase,
    CaseKind,
    CaseStatus,
    DeadlineRule,
    DeadlineSource,
    Situation,
)

K = CaseKind
#: The clock that runs while a case waits for the seller's first answer, by kind.
ANSWER_SITUATION: dict[str, str] = {
    K.REFUND_UNSHIPPED: Situation.REFUND_UNSHIPPED,
    K.REFUND_SHIPPED: Situation.REFUND_SHIPPED,
    K.RETURN_REFUND: Situation.RETURN_REFUND,
    K.EXCHANGE: Situation.RETURN_REFUND,
    K.REISSUE: Situation.OTHER,
    K.PRICE_DIFFERENCE: Situation.OTHER,
    K.COMPLAINT: Situation.OTHER,
    K.PARCEL_CLAIM: Situation.OTHER,
}
#: Kinds whose units come back: once agreed, the buyer's clock for the return's tracking number runs.
RETURN_KINDS = (K.RETURN_REFUND, K.EXCHANGE)

#: The queue's badges: amber under 12 hours left, red under 2, and overdue.
AMBER = timedelta(hours=12)
RED = timedelta(hours=2)


def situation_for(kind: str, status: str, *, return_sent: bool = False) -> str | None:
    """Which clock runs for a case of this kind in this status (None: none runs against us). An agreed return
    waits for the buyer's tracking number, then, once the buyer sent the parcel, for us to confirm it."""
    if status == CaseStatus.OPEN:
        return ANSWER_SITUATION[kind]
    if status == CaseStatus.AGREED and kind in RETURN_KINDS:
        return Situation.RETURN_RECEIPT if return_sent else Situation.RETURN_TRACKING
    return None


@dataclass(frozen=True)
class Deadline:
    at: datetime | None
    source: str  # DeadlineSource, or "" when no deadline
    rule: DeadlineRule | None = None


NO_DEADLINE = Deadline(None, "")


def deadline_for(
    *, channel: str, situation: str | None, started_at: datetime, platform_deadline: datetime | None = None
) -> Deadline:
    """The platform's deadline when given (it wins), else the channel's rule for the situation from
    `started_at`; no situation or no rule row: no deadline."""
    if platform_deadline is not None:
        return Deadline(platform_deadline, DeadlineSource.PLATFORM)
    if situation is None:
        return NO_DEADLINE
    rule = DeadlineRule.objects.filter(channel=channel, situation=situation).first()
    if rule is None:
        return NO_DEADLINE
    return Deadline(started_at + timedelta(hours=rule.hours), DeadlineSource.RULE, rule)


def apply_deadline(case: AfterSaleCase) -> Deadline:
    """Set the case's deadline fields (in memory) for its kind, status, clock start and platform deadline."""
    found = deadline_for(
        channel=case.shop.channel,
        situation=situation_for(case.kind, case.status, return_sent=case.return_sent_at is not None),
        started_at=case.clock_started_at,
        platform_deadline=case.platform_deadline,
    )
    case.deadline, case.deadline_source, case.deadline_rule = found.at, found.source, found.rule
    return found


@dataclass(frozen=True)
class TimeLeft:
    """The deadline as a badge: "12 h left" (amber under 12 h, red under 2 h) or "overdue 3 h"."""

    text: str
    kind: str  # "overdue", "red", "amber" or ""

    @property
    def css(self) -> str:
        return {"overdue": "bad overdue", "red": "bad", "amber": "warn"}.get(self.kind, "")


def span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return _("%(n)s min") % {"n": minutes}
    if minutes < 48 * 60:
        return _("%(n)s h") % {"n": minutes // 60}
    return _("%(n)s d") % {"n": minutes // (24 * 60)}


def time_left(case: AfterSaleCase, now: datetime) -> TimeLeft | None:
    """Only for a case still active that has a deadline."""
    if case.deadline is None or case.status not in ACTIVE_STATUSES:
        return None
    if case.deadline <= now:
        return TimeLeft(_("overdue %(span)s") % {"span": span(now - case.deadline)}, "overdue")
    left = case.deadline - now
    kind = "red" if left < RED else "amber" if left < AMBER else ""
    return TimeLeft(_("%(span)s left") % {"span": span(left)}, kind)
