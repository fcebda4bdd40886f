"""Set answers (快捷回复): texts the manager writes once per reason, which the case page fills in for one case
(the buyer's nick, the order number, the tracking number…) so that 客服 copies them into 千牛 or the platform's
chat as they are.

Filling in never fails: a variable nobody knows (a typo such as {odrer_no}) or one this case has no value for
yet (no tracking number) stays visible in the text as it was written, and the result says which, so the agent
sees what to fill by hand before sending. Writes (the manager's) are audited like the deadline rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanggui.aftersales.errors import CaseRuleBroken
from zhanggui.aftersales.models import AfterSaleCase, CaseKind, CaseReason, SetAnswer
from zhanggui.core import roles
from zhanggui.core.money import ZERO, fmt_money
from zhanggui.core.services import record_audit
from zhanggui.core.text import clean_line, clean_text

#: The variables a set answer may use, with what each becomes (shown on the manager's page).
VARIABLES: dict[str, Any] = {
    "buyer": gettext_lazy("the buyer's nick (买家昵称)"),
    "order_no": gettext_lazy("the platform's order number"),
    "case_no": gettext_lazy("the case's number (退款编号, or AS-…)"),
    "shop": gettext_lazy("the shop's name"),
    "amount": gettext_lazy("the amount the buyer asks"),
    "refund_amount": gettext_lazy("what this case refunded so far"),
    "tracking_no": gettext_lazy("the order's tracking number"),
    "return_tracking_no": gettext_lazy("the return parcel's tracking number"),
    "deadline": gettext_lazy("the case's deadline (date and time)"),
    "sku": gettext_lazy("the SKU codes (or titles) of the case's lines"),
    "reason": gettext_lazy("the case's reason, in words"),
}
VARIABLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

#: The values of a made-up case, for the manager's preview when no real case is named.
SAMPLE_VALUES: dict[str, str] = {
    "buyer": "tb_小王",
    "order_no": "4012345678901234",
    "case_no": "RF20260618001",
    "shop": "示例旗舰店",
    "amount": "¥59.90",
    "refund_amount": "¥0.00",
    "tracking_no": "YT1234567890",
    "return_tracking_no": "SF1234567890",
    "deadline": "2026-06-20 18:00",
    "sku": "TEE-M",
    "reason": str(CaseReason.QUALITY.label),
}


@dataclass(frozen=True)
class Rendered:
    """A set answer filled in for one case: the text to copy, and the variables left as written."""

    answer: SetAnswer | None
    text: str
    unknown: list[str] = field(default_factory=list)  # not a variable we know: a typo
    missing: list[str] = field(default_factory=list)  # known, but this case has no value for it yet

    @property
    def complete(self) -> bool:
        return not self.unknown and not self.missing


def render_text(text: str, values: Mapping[str, str], *, answer: SetAnswer | None = None) -> Rendered:
    """Fill `{name}` from `values`; anything else in braces, and a name without a value, is kept as written."""
    unknown: list[str] = []
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in VARIABLES:
            if name not in unknown:
                unknown.append(name)
            return match.group(0)
        value = values.get(name, "")
        if not value:
            if name not in missing:
                missing.append(name)
            return match.group(0)
        return str(value)

    return Rendered(answer=answer, text=VARIABLE.sub(fill, text or ""), unknown=unknown, missing=missing)


def values_for(case: AfterSaleCase) -> dict[str, str]:
    """The variables' values for one case (empty where the case has none yet)."""
    order = case.order
    lines = list(case.lines.all())
    skus: list[str] = []
    for line in lines:
        name = line.order_line.sku_code or line.order_line.title
        if name and name not in skus:
            skus.append(name)
    refunded = sum((line.refund_amount for line in lines), ZERO)
    deadline = timezone.localtime(case.deadline).strftime("%Y-%m-%d %H:%M") if case.deadline else ""
    return {
        "buyer": order.buyer_nick,
        "order_no": order.platform_order_no,
        "case_no": case.number,
        "shop": case.shop.name,
        "amount": fmt_money(case.requested_amount) if case.requested_amount else "",
        "refund_amount": fmt_money(refunded),
        "tracking_no": order.tracking_no,
        "return_tracking_no": case.return_tracking_no,
        "deadline": deadline,
        "sku": "、".join(skus),
        "reason": case.get_reason_display(),
    }


def fitting(case: AfterSaleCase) -> QuerySet[SetAnswer]:
    """The active answers for the case: those of its reason and kind first, then its reason's, then its kind's,
    then the general ones (no reason, no kind); each group in its position order."""
    rank = Case(
        When(reason=case.reason, kind=case.kind, then=Value(0)),
        When(reason=case.reason, kind="", then=Value(1)),
        When(reason="", kind=case.kind, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return (
        SetAnswer.objects.filter(is_active=True, reason__in=(case.reason, ""), kind__in=(case.kind, ""))
        .annotate(rank=rank)
        .order_by("rank", "position", "id")
    )


def for_case(case: AfterSaleCase) -> list[Rendered]:
    """Every fitting answer filled in for the case, in the order the case page lists them."""
    values = values_for(case)
    return [render_text(answer.text, values, answer=answer) for answer in fitting(case)]


# --------------------------------------------------------------------------------------------------------
# The manager's writes
# --------------------------------------------------------------------------------------------------------

FIELDS = ("reason", "kind", "title", "text", "position", "is_active")
TITLE_LENGTH = SetAnswer._meta.get_field("title").max_length or 80


def _fields(*, reason: str, kind: str, title: str, text: str, position: int, is_active: bool) -> dict[str, Any]:
    if reason and reason not in CaseReason.values:
        raise CaseRuleBroken(_("Unknown %(what)s: %(value)s") % {"what": _("reason"), "value": reason})
    if kind and kind not in CaseKind.values:
        raise CaseRuleBroken(_("Unknown %(what)s: %(value)s") % {"what": _("kind"), "value": kind})
    title, text = clean_line(title).strip(), clean_text(text).strip()
    if not title or not text:
        raise CaseRuleBroken(_("A set answer needs a title and a text."))
    if len(title) > TITLE_LENGTH:
        raise CaseRuleBroken(_("A title is at most %(n)s characters.") % {"n": TITLE_LENGTH})
    if not 0 <= int(position) <= 32767:
        raise CaseRuleBroken(_("The position is a number from 0 to 32767."))
    return {
        "reason": reason,
        "kind": kind,
        "title": title,
        "text": text,
        "position": int(position),
        "is_active": bool(is_active),
    }


@transaction.atomic
def save_answer(
    *,
    actor: Any,
    answer: SetAnswer | None = None,
    reason: str = "",
    kind: str = "",
    title: str,
    text: str,
    position: int = 10,
    is_active: bool = True,
) -> SetAnswer:
    """Add a set answer (answer=None) or change one (店长 only). Unknown variables are allowed: the preview and
    the case page flag them, and an answer that uses a variable added later keeps working."""
    roles.require(actor, roles.MANAGE_AFTERSALES_RULES)
    fields = _fields(reason=reason, kind=kind, title=title, text=text, position=position, is_active=is_active)
    actor_row = actor if getattr(actor, "pk", None) else None
    if answer is None:
        answer = SetAnswer(**fields, updated_by=actor_row, updated_at=timezone.now())
        answer.full_clean()
        answer.save()
        record_audit(actor=actor, action="set_answer.create", obj=answer, after=fields)
        return answer
    answer = SetAnswer.objects.select_for_update().get(pk=answer.pk)
    before = {name: getattr(answer, name) for name in FIELDS if getattr(answer, name) != fields[name]}
    if not before:
        return answer
    for name, value in fields.items():
        setattr(answer, name, value)
    answer.updated_by, answer.updated_at = actor_row, timezone.now()
    answer.full_clean()
    answer.save()
    action = "set_answer.update"
    if set(before) == {"is_active"}:
        action = "set_answer.activate" if answer.is_active else "set_answer.deactivate"
    record_audit(actor=actor, action=action, obj=answer, before=before, after={k: fields[k] for k in before})
    return answer


@transaction.atomic
def set_active(*, actor: Any, answer: SetAnswer, active: bool) -> SetAnswer:
    """Switch an answer off (kept for the record, no longer offered) or on again; nothing else of it changes."""
    roles.require(actor, roles.MANAGE_AFTERSALES_RULES)
    answer = SetAnswer.objects.select_for_update().get(pk=answer.pk)
    return save_answer(
        actor=actor,
        answer=answer,
        reason=answer.reason,
        kind=answer.kind,
        title=answer.title,
        text=answer.text,
        position=answer.position,
        is_active=active,
    )
