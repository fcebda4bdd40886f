"""Segments (docs/members.md, "Segments"): RFM scores by quintile, new vs returning (365 days), churn risk, high
value, and the filters a segment is made of. Computed in Python over the people (members not merged into
another) with at least one counted order; the figures are the members' stored ones (services.refresh)."""

from __future__ import annotations

import io
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import FloatField, Func
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.members.crypto import masked_phone
from zhanggui.members.models import Member, MemberForecast, MemberTier
from zhanggui.members.selectors import MODEL_CHURN_BELOW

SCORES = 5  # quintiles
NEW_BUYER_DAYS = 365  # the platforms' rule: no purchase in the 365 days before the last one is a new buyer


@dataclass(slots=True)
class Row:
    """A person's scores. Built from the members' columns (no model instance: a million rows stay fast, see
    bench/segments.py); `member` is loaded when asked — `with_members` loads many in one query."""

    member_id: int
    tier_code: str  # "none" without a tier
    recency_days: int
    r: int
    f: int
    m: int
    returning: bool
    churn_risk: bool
    p_alive: Decimal | None = None  # the repurchase model's (members/forecast.py); None: no forecast
    _member: Member | None = field(default=None, repr=False, compare=False)

    @property
    def member(self) -> Member:
        if self._member is None:
            self._member = Member.objects.select_related("tier").get(pk=self.member_id)
        return self._member

    @property
    def high_value(self) -> bool:
        return self.m == SCORES

    @property
    def model_churn_risk(self) -> bool:
        """The model's view: P(alive) below one half (no forecast: not counted at risk)."""
        return self.p_alive is not None and self.p_alive < MODEL_CHURN_BELOW


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


def forecast_of(member: Member) -> MemberForecast | None:
    """The member's repurchase forecast, or None before the first fit (or with too few repeat buyers)."""
    try:
        return member.forecast
    except MemberForecast.DoesNotExist:
        return None


class Epoch(Func):
    """A moment as seconds since 1970 (a float, to the millisecond on SQLite): the scores need days and gaps, and
    turning a million stored datetimes into Python datetimes costs more than the scoring (bench/segments.py)."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)::float8"
    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "ROUND((julianday(%(expressions)s) - 2440587.5) * 86400000.0) / 1000.0"
        return self.as_sql(compiler, connection, template=template, **extra)


@dataclass(slots=True)
class Scores:
    """Every person's scores as columns (numpy arrays, latest buyer first): counting a segment is a mask's sum, and
    a `Row` is made only for the people a page, an export or a campaign takes (bench/segments.py)."""

    member_id: Any  # int64 arrays, one entry a person
    tier_code: Any  # object array of codes ("none" without a tier)
    recency_days: Any
    r: Any
    f: Any
    m: Any
    returning: Any  # bool arrays
    churn_risk: Any
    p_alive: Any  # float array, NaN without a forecast

    def __len__(self) -> int:
        return len(self.member_id)

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows())

    def rows(self, which: Any = None) -> list[Row]:
        """Rows for the people at `which` (a boolean mask or indexes; None: everyone), in the list's order."""
        import numpy as np

        index = np.arange(len(self)) if which is None else np.flatnonzero(which) if _is_mask(which) else which
        return [
            Row(pk, tier, days, rs, fs, ms, back, risk, None if p != p else Decimal(str(p)))  # NaN: no forecast
            for pk, tier, days, rs, fs, ms, back, risk, p in zip(
                self.member_id[index].tolist(),
                self.tier_code[index].tolist(),
                self.recency_days[index].tolist(),
                self.r[index].tolist(),
                self.f[index].tolist(),
                self.m[index].tolist(),
                self.returning[index].tolist(),
                self.churn_risk[index].tolist(),
                self.p_alive[index].tolist(),
                strict=True,
            )
        ]


def _is_mask(which: Any) -> bool:
    return getattr(which, "dtype", None) is not None and which.dtype == bool


def _offset_seconds(moment: datetime) -> float:
    offset = moment.utcoffset()
    return offset.total_seconds() if offset is not None else 0.0


def local_days(seconds: Any, zone: Any) -> Any:
    """Each moment's local date (days since 1970-01-01) in `zone`. The zone's offset is looked up at the start and
    end of each distinct UTC day (two years: ~730 days), and once per distinct quarter hour (offsets change on
    quarter hours) only on the days whose offset changes — not once a moment, which costs ~1 s a million."""
    import numpy as np

    def offsets_at(starts: Any) -> Any:
        return np.array([_offset_seconds(datetime.fromtimestamp(int(t), zone)) for t in starts.tolist()], dtype=float)

    days = np.floor_divide(seconds, 86_400).astype(np.int64)
    distinct, back = np.unique(days, return_inverse=True)
    at_start = offsets_at(distinct * 86_400)
    at_end = offsets_at((distinct + 1) * 86_400)
    offsets = at_start[back]
    changing = (at_start != at_end)[back]
    if changing.any():
        quarters = np.floor_divide(seconds[changing], 900).astype(np.int64)
        q_distinct, q_back = np.unique(quarters, return_inverse=True)
        offsets[changing] = offsets_at(q_distinct * 900)[q_back]
    return np.floor_divide(seconds + offsets, 86_400).astype(np.int64)


def scored(now: datetime | None = None) -> Scores:
    """Every person with an order, with their R, F and M scores, new or returning and churn risk (the rules of
    `is_returning` and `churn_risk`, here on the moments as seconds). The columns are read raw (the ORM's SQL,
    without a converter a row) and scored with numpy: a million people in seconds (bench/segments.py)."""
    import numpy as np

    now = now or timezone.now()
    zone = timezone.get_current_timezone()
    query = (
        Member.objects.filter(merged_into__isnull=True, orders_count__gt=0, last_paid_at__isnull=False)
        .order_by()  # no sort: the scores do not depend on the order
        .annotate(
            e_first=Epoch("first_paid_at"),
            e_previous=Epoch("previous_paid_at"),
            e_last=Epoch("last_paid_at"),
            spend_rank=Cast("spend", FloatField()),  # only the order counts: exact for amounts below 10¹³ fen
            alive=Cast("forecast__p_alive", FloatField()),
        )
        .values_list("pk", "orders_count", "spend_rank", "e_first", "e_previous", "e_last", "tier_id", "alive")
    )
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        people = cursor.fetchall()
    if not people:
        empty = np.array([], dtype=np.int64)
        flags = np.array([], dtype=bool)
        nothing = np.array([], dtype=object)
        return Scores(empty, nothing, empty, empty, empty, empty, flags, flags, np.array([]))
    pks, orders, spend, first, previous, last, tier_ids, alive = zip(*people, strict=True)
    pk_a = np.array(pks, dtype=np.int64)
    orders_a = np.array(orders, dtype=np.int64)
    spend_a = np.array(spend, dtype=float)
    first_a = np.array(first, dtype=float)
    last_a = np.array(last, dtype=float)
    previous_a = np.array(previous, dtype=float)  # None becomes NaN
    alive_a = np.array(alive, dtype=float)
    codes = dict(MemberTier.objects.values_list("pk", "code"))
    tier_a = np.array([codes.get(t, "none") if t is not None else "none" for t in tier_ids], dtype=object)
    today = (now.astimezone(zone).date() - date(1970, 1, 1)).days
    recency = today - local_days(last_a, zone)
    n = len(people)
    # 1 + ⌊5 × (how many are strictly more recent / strictly lower) ÷ n⌋, as _descending_score/_ascending_score
    r = 1 + (SCORES * (n - np.searchsorted(np.sort(recency), recency, side="right"))) // n
    f = 1 + (SCORES * np.searchsorted(np.sort(orders_a), orders_a, side="left")) // n
    m = 1 + (SCORES * np.searchsorted(np.sort(spend_a), spend_a, side="left")) // n
    with np.errstate(invalid="ignore"):
        returning = ~np.isnan(previous_a) & (last_a - previous_a <= NEW_BUYER_DAYS * 86_400)
    usual = (last_a - first_a) / np.maximum(orders_a - 1, 1)
    churn = (orders_a >= 2) & (now.timestamp() - last_a > usual)
    order = np.lexsort((-pk_a, -last_a))  # the list's order: latest buyer first
    return Scores(
        pk_a[order],
        tier_a[order],
        recency[order],
        r[order],
        f[order],
        m[order],
        returning[order],
        churn[order],
        alive_a[order],
    )


def with_members(rows: list[Row]) -> list[Row]:
    """The rows with their members loaded (one query), for pages, exports and campaigns."""
    found = Member.objects.select_related("tier").in_bulk([row.member_id for row in rows if row._member is None])
    for row in rows:
        if row._member is None:
            row._member = found[row.member_id]
    return rows


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
    model_churn_risk: bool = False  # the repurchase model's P(alive) < 0.5

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> SegmentFilters:
        known = {k: raw[k] for k in cls.__dataclass_fields__ if k in raw and raw[k] not in (None, "")}
        return cls(**known)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def matches(self, row: Row) -> bool:
        tier = row.tier_code
        return (
            self.r_min <= row.r <= self.r_max
            and self.f_min <= row.f <= self.f_max
            and self.m_min <= row.m <= self.m_max
            and (not self.tiers or tier in self.tiers)
            and (self.buyer_type != "new" or not row.returning)
            and (self.buyer_type != "returning" or row.returning)
            and (not self.churn_risk or row.churn_risk)
            and (not self.high_value or row.high_value)
            and (not self.model_churn_risk or row.model_churn_risk)
        )

    def mask(self, scores: Scores) -> Any:
        """Who matches, as `matches` says, as a boolean array over `scores`: a condition left open costs nothing."""
        import numpy as np

        keep = np.ones(len(scores), dtype=bool)
        for low, high, column in (
            (self.r_min, self.r_max, scores.r),
            (self.f_min, self.f_max, scores.f),
            (self.m_min, self.m_max, scores.m),
        ):
            if (low, high) != (1, SCORES):
                keep &= (column >= low) & (column <= high)
        if self.tiers:
            keep &= np.isin(scores.tier_code, list(self.tiers))
        if self.buyer_type in ("new", "returning"):
            keep &= scores.returning == (self.buyer_type == "returning")
        if self.churn_risk:
            keep &= scores.churn_risk
        if self.high_value:
            keep &= scores.m == SCORES
        if self.model_churn_risk:
            with np.errstate(invalid="ignore"):
                keep &= scores.p_alive < float(MODEL_CHURN_BELOW)  # NaN (no forecast) compares false
        return keep

    def select(self, scores: Scores) -> list[Row]:
        """The rows that match, in the list's order."""
        return scores.rows(self.mask(scores))


def members_in(filters: SegmentFilters, now: datetime | None = None) -> list[Row]:
    """The people the filters match, with their members loaded."""
    return with_members(filters.select(scored(now)))


def count(filters: SegmentFilters, now: datetime | None = None) -> int:
    return int(filters.mask(scored(now)).sum())


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
            _("P(alive)"),
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
                row.p_alive,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
