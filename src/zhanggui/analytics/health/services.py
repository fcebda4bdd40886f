"""Store health, typed in by the people who watch the back-office: a day's DSR / shop score, a violation and its
appeal, a health-check finding and its fix (docs/metrics.md, "Store health"). Each change is audited. The same
scores also come in by import (analytics.report_imports, the service family), which replaces a typed day."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.analytics.models import (
    AppealStatus,
    FindingSeverity,
    HealthFinding,
    ShopScoreDay,
    Violation,
    ViolationKind,
)
from zhanggui.catalog.models import Shop
from zhanggui.core import roles
from zhanggui.core.errors import ValidationFailed
from zhanggui.core.services import record_audit

#: Who keeps the store's health: the 店长 and 运营, the people who read the back-office every day.
KEEP_HEALTH = roles.IMPORT_ORDERS
TYPED = "typed"  # ShopScoreDay.report of a day typed in rather than imported
#: The highest score each platform gives: DSR out of 5, JD's shop score out of 10.
SCORE_MAX = {"jd": Decimal(10)}
DSR_MAX = Decimal(5)
SCORE_PLACES = Decimal("0.0001")


def _check_score(shop: Shop, value: Decimal | None, label: str) -> Decimal | None:
    if value is None:
        return None
    top = SCORE_MAX.get(shop.channel, DSR_MAX)
    if value < 0 or value > top:
        raise ValidationFailed(
            _("%(what)s must be between 0 and %(top)s.") % {"what": label, "top": top}, field="scores"
        )
    if value != value.quantize(SCORE_PLACES):
        raise ValidationFailed(_("%(what)s: at most 4 decimals.") % {"what": label}, field="scores")
    return value


@transaction.atomic
def record_scores(
    *,
    actor: Any,
    shop: Shop,
    day: date,
    description: Decimal | None,
    service: Decimal | None,
    shipping: Decimal | None,
) -> ShopScoreDay:
    """Type in the scores the back-office shows for a day: it replaces what that day had (imported or typed)."""
    roles.require(actor, KEEP_HEALTH)
    if day > timezone.localdate():
        raise ValidationFailed(_("The day of the scores cannot be in the future."), field="day")
    values = {
        "description": _check_score(shop, description, _("描述相符")),
        "service": _check_score(shop, service, _("服务态度")),
        "shipping": _check_score(shop, shipping, _("物流服务")),
    }
    if all(value is None for value in values.values()):
        raise ValidationFailed(_("Type at least one score."), field="scores")
    before = ShopScoreDay.objects.filter(shop=shop, day=day).first()
    row, _created = ShopScoreDay.objects.update_or_create(shop=shop, day=day, defaults={**values, "report": TYPED})
    record_audit(
        actor=actor,
        action="analytics.record_scores",
        obj=shop,
        before=_scores(before) if before else None,
        after={"day": day.isoformat(), **_scores(row)},
    )
    return row


def _scores(row: ShopScoreDay) -> dict[str, Any]:
    return {
        "report": row.report,
        **{
            name: None if getattr(row, name) is None else str(getattr(row, name))
            for name in ("description", "service", "shipping")
        },
    }


@transaction.atomic
def note_violation(
    *,
    actor: Any,
    shop: Shop,
    noted_on: date,
    rule: str,
    points: int,
    kind: str = ViolationKind.GENERAL,
    order_no: str = "",
    appeal_deadline: datetime | None = None,
    note: str = "",
) -> Violation:
    """Record a penalty the platform gave the shop; its points count until an appeal wins."""
    roles.require(actor, KEEP_HEALTH)
    if not rule.strip():
        raise ValidationFailed(_("Name the rule the platform says was broken."), field="rule")
    if points < 0 or points > 48:
        raise ValidationFailed(_("Points are between 0 and 48."), field="points")
    if appeal_deadline is not None and appeal_deadline.date() < noted_on:
        raise ValidationFailed(_("The appeal deadline cannot be before the notice."), field="appeal_deadline")
    violation = Violation.objects.create(
        shop=shop,
        noted_on=noted_on,
        kind=kind,
        rule=rule.strip(),
        points=points,
        order_no=order_no.strip(),
        appeal_deadline=appeal_deadline,
        note=note.strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    record_audit(
        actor=actor,
        action="analytics.note_violation",
        obj=violation,
        after={"rule": violation.rule, "points": points, "kind": kind, "noted_on": noted_on.isoformat()},
    )
    return violation


@transaction.atomic
def set_appeal(*, actor: Any, violation: Violation, status: str, note: str = "") -> Violation:
    """Move a violation's appeal on: filed, won (its points stop counting), lost, or not appealed."""
    roles.require(actor, KEEP_HEALTH)
    if status not in AppealStatus.values:
        raise ValidationFailed(_("Unknown appeal status %(status)s.") % {"status": status}, field="status")
    locked = Violation.objects.select_for_update().get(pk=violation.pk)
    before = locked.appeal_status
    locked.appeal_status = status
    if note.strip():
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        locked.note = f"{locked.note}\n{stamp} {note.strip()}".strip()
    locked.save(update_fields=["appeal_status", "note"])
    record_audit(
        actor=actor,
        action="analytics.set_appeal",
        obj=locked,
        before={"appeal_status": before},
        after={"appeal_status": status, "note": note.strip()},
    )
    return locked


@transaction.atomic
def note_finding(
    *,
    actor: Any,
    shop: Shop,
    found_on: date,
    finding: str,
    area: str = "",
    severity: str = FindingSeverity.WARNING,
    follow_up: Any = None,
) -> HealthFinding:
    roles.require(actor, KEEP_HEALTH)
    if not finding.strip():
        raise ValidationFailed(_("Say what the health check found."), field="finding")
    row = HealthFinding.objects.create(
        shop=shop, found_on=found_on, finding=finding.strip(), area=area.strip(), severity=severity, follow_up=follow_up
    )
    record_audit(
        actor=actor,
        action="analytics.note_finding",
        obj=row,
        after={"finding": row.finding, "severity": severity, "follow_up": getattr(follow_up, "pk", None)},
    )
    return row


@transaction.atomic
def fix_finding(*, actor: Any, finding: HealthFinding, result: str, fixed_on: date | None = None) -> HealthFinding:
    """Close a finding with what was done (处理结果)."""
    roles.require(actor, KEEP_HEALTH)
    if not result.strip():
        raise ValidationFailed(_("Say what was done about it."), field="result")
    locked = HealthFinding.objects.select_for_update().get(pk=finding.pk)
    if locked.fixed_on is not None:
        raise ValidationFailed(_("This finding was closed on %(day)s.") % {"day": locked.fixed_on.isoformat()})
    locked.fixed_on = fixed_on or timezone.localdate()
    locked.result = result.strip()
    locked.save(update_fields=["fixed_on", "result"])
    record_audit(
        actor=actor,
        action="analytics.fix_finding",
        obj=locked,
        after={"fixed_on": locked.fixed_on.isoformat(), "result": locked.result},
    )
    return locked
