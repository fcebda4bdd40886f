"""Segments (docs/members.md, "Segments"): RFM scores by quintile, new vs returning (365 days), churn risk, high
value, and the filters a segment is made of. Computed in Python over the people (members not merged into
another) with at least one counted order; the figures are the members' stored ones (services.refresh)."""

from __future__ import annotations

import io
from bisect import bisect_left, bisect_right
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.members.crypto import masked_phone
from zhanggui.members.models import Member

SCORES = 5  # quintiles
NEW_BUYER_DAYS = 365  # the platforms' rule: no purchase in the 365 days before the last one is a new buyer


@dataclass
class Row:
    member: Member
    recency_days: int
    r: int
    f: int
    m: int
    returning: bool
    churn_risk: bool

    @property
    def high_value(self) -> bool:
        return self.m == SCORES


def _ascending_score(values: list[Any], value: Any) -> int:
    """1 + ⌊5 × (how many are strictly lower) ÷ n⌋: the lowest fifth scores 1, the highest 5; ties share."""
    return 1 + (SCORES * bisect_left(values, value)) // len(values)


def _descending_score(values: list[Any], value: Any) -> int:
    """The same with smaller better (recency in days): 1 + ⌊5 × (how many are strictly higher) ÷ n⌋."""
    return 1 + (SCORES * (len(values) - bisect_right(values, value))) // len(values)


def is_returning(member: Member) -> bool:
    """A returning buyer bought before, within 365 days before their last order; everyone else is new."""
    if member.previous_paid_at is None or member.last_paid_at is None:
        return False
    return member.last_paid_at - member.previous_paid_at <= timedelta(days=NEW_BUYER_DAYS)


def churn_risk(member: Member, now: datetime) -> bool:
    """No purchase for longer than this member's usual interval (the mean gap between their orders: first to
    last over orders − 1); a member with one order has no interval yet and is not counted at risk."""
    if member.orders_count < 2 or member.first_paid_at is None or member.last_paid_at is None:
        return False
    usual = (member.last_paid_at - member.first_paid_at) / (member.orders_count - 1)
    return now - member.last_paid_at > usual


def scored(now: datetime | None = None) -> list[Row]:
    """Every person with an order, with their R, F and M scores."""
    now = now or timezone.now()
    people = list(
        Member.objects.filter(merged_into__isnull=True, orders_count__gt=0, last_paid_at__isnull=False).select_related(
            "tier"
        )
    )
    if not people:
        return []
    today = timezone.localtime(now).date()
    recency = {m.pk: (today - timezone.localtime(m.last_paid_at).date()).days for m in people}
    days = sorted(recency.values())
    counts = sorted(m.orders_count for m in people)
    spends = sorted(m.spend for m in people)
    return [
        Row(
            member=m,
            recency_days=recency[m.pk],
            r=_descending_score(days, recency[m.pk]),
            f=_ascending_score(counts, m.orders_count),
            m=_ascending_score(spends, m.spend),
            returning=is_returning(m),
            churn_risk=churn_risk(m, now),
        )
        for m in people
    ]


@dataclass
class SegmentFilters:
    """What a segment asks, as the segments form's fields: score ranges (1–5), tiers, buyer type, flags."""

    r_min: int = 1
    r_max: int = 5
    f_min: int = 1
    f_max: int = 5
    m_min: int = 1
    m_max: int = 5
    tiers: list[str] = field(default_factory=list)  # tier codes; "none": members without a tier
    buyer_type: str = ""  # "", "new", "returning"
    churn_risk: bool = False
    high_value: bool = False

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> SegmentFilters:
        known = {k: raw[k] for k in cls.__dataclass_fields__ if k in raw and raw[k] not in (None, "")}
        return cls(**known)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def matches(self, row: Row) -> bool:
        tier = row.member.tier.code if row.member.tier else "none"
        return (
            self.r_min <= row.r <= self.r_max
            and self.f_min <= row.f <= self.f_max
            and self.m_min <= row.m <= self.m_max
            and (not self.tiers or tier in self.tiers)
            and (self.buyer_type != "new" or not row.returning)
            and (self.buyer_type != "returning" or row.returning)
            and (not self.churn_risk or row.churn_risk)
            and (not self.high_value or row.high_value)
        )


def members_in(filters: SegmentFilters, now: datetime | None = None) -> list[Row]:
    return [row for row in scored(now) if filters.matches(row)]


def count(filters: SegmentFilters, now: datetime | None = None) -> int:
    return len(members_in(filters, now))


def xlsx(rows: list[Row]) -> bytes:
    """The segment's members as a workbook: masked phones only (personal data stays minimal)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _("Members")[:31]
    sheet.append(
        [
            _("Member"),
            _("Name"),
            _("Phone"),
            _("Tier"),
            _("Orders"),
            _("Spend"),
            _("Last order"),
            "R",
            "F",
            "M",
            _("Returning"),
            _("Churn risk"),
        ]
    )
    for row in rows:
        m = row.member
        sheet.append(
            [
                m.pk,
                m.name,
                masked_phone(m.phone_cipher),
                m.tier.name if m.tier else "",
                m.orders_count,
                m.spend,
                timezone.localtime(m.last_paid_at).strftime("%Y-%m-%d") if m.last_paid_at else "",
                row.r,
                row.f,
                row.m,
                _("yes") if row.returning else _("no"),
                _("yes") if row.churn_risk else _("no"),
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
