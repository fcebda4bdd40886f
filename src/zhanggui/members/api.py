"""Members endpoints (/api/v1/members, docs/members.md): the members and a member's page, merge and unmerge,
consent, points (ledger, adjustments, spending), a member's quote, tiers, segments with live counts, the
cohort table, and a sync with the orders. Every role reads; merge and consent need members.manage_members
(店长, 客服); tiers, points and segments members.manage_loyalty (店长, 运营), checked by members.services."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from ninja import Body, Query, Router, Schema

from zhanggui.catalog.api import ERRORS, MAX_PAGE, MAX_PAGE_SIZE, get_or_404
from zhanggui.catalog.models import Shop
from zhanggui.members import cohorts, crypto, pricing, segments, selectors, services
from zhanggui.members.models import Channel, Member, MemberTier, Segment, TierBasis
from zhanggui.members.segments import SegmentFilters

router = Router(tags=["members"])


class ForecastOut(Schema):
    """The repurchase model's estimate for the person (docs/members.md): none before a fit."""

    p_alive: Decimal
    expected_orders_90: Decimal
    expected_value_90: Decimal
    value_12m: Decimal


class MemberOut(Schema):
    id: int
    name: str
    phone: str  # masked
    tier: str | None
    orders_count: int
    spend: Decimal
    points: int
    first_paid_at: datetime | None
    last_paid_at: datetime | None
    merged_into: int | None
    forecast: ForecastOut | None = None


class MemberPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[MemberOut]


class MemberMergeIn(Schema):
    survivor: int
    absorbed: int
    reason: str = ""


class ConsentIn(Schema):
    channel: str
    granted: bool
    note: str = ""


class PointsIn(Schema):
    points: int
    note: str


class SpendIn(Schema):
    points: int
    reference: str
    key: str


class TierIn(Schema):
    code: str
    name: str
    rank: int
    basis: str = TierBasis.SPEND
    threshold: Decimal
    window_days: int | None = None


class SegmentIn(Schema):
    name: str
    filters: dict[str, Any] = {}


def _out(member: Member) -> dict[str, Any]:
    return {
        "id": member.pk,
        "name": member.name,
        "phone": crypto.masked_phone(member.phone_cipher),
        "tier": member.tier.code if member.tier else None,
        "orders_count": member.orders_count,
        "spend": member.spend,
        "points": services.person_points(member),
        "first_paid_at": member.first_paid_at,
        "last_paid_at": member.last_paid_at,
        "merged_into": member.merged_into_id,
        "forecast": _forecast(member),
    }


def _forecast(member: Member) -> dict[str, Decimal] | None:
    found = segments.forecast_of(member)
    if found is None:
        return None
    names = ("p_alive", "expected_orders_90", "expected_value_90", "value_12m")
    return {name: getattr(found, name) for name in names}


def _member(member_id: int) -> Member:
    return get_or_404(Member.objects.select_related("tier", "forecast"), _("Member"), pk=member_id)


@router.get("", response={200: MemberPage, **ERRORS})
def list_members(
    request,
    q: str = Query("", max_length=100, description="Part of a nick or name, or a whole phone number"),
    tier: str = Query("", max_length=32, description="A tier code, or none"),
    outlook: str = Query("", pattern="^(|at_risk|likely)$", description="The model's P(alive): < 0.5 or ≥ 0.5"),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
):
    """People (members not merged into another), the latest buyers first; phones masked."""
    rows = selectors.members(q=q, tier=tier, outlook=outlook)
    start = (page - 1) * page_size
    items = [_out(m) for m in rows[start : start + page_size]]
    return {"count": rows.count(), "page": page, "page_size": page_size, "items": items}


@router.get("/tiers", response={200: list[dict[str, Any]], **ERRORS})
def list_tiers(request):
    return [
        {
            "code": t.code,
            "name": t.name,
            "rank": t.rank,
            "basis": t.basis,
            "threshold": str(t.threshold),
            "window_days": t.window_days,
        }
        for t in MemberTier.objects.order_by("-rank")
    ]


@router.post("/tiers", response={200: dict[str, Any], **ERRORS})
def save_tier(request, payload: TierIn):
    """Add or change a tier rule by code; every member's tier is evaluated again."""
    tier = services.save_tier(actor=request.auth, **payload.dict())
    return {"code": tier.code, "rank": tier.rank}


@router.get("/segments", response={200: list[dict[str, Any]], **ERRORS})
def list_segments(request):
    """Saved segments with their live counts."""
    return [
        {"id": s.pk, "name": s.name, "filters": s.filters, "count": segments.count(SegmentFilters.from_dict(s.filters))}
        for s in Segment.objects.order_by("name")
    ]


@router.post("/segments", response={200: dict[str, Any], **ERRORS})
def save_segment(request, payload: SegmentIn):
    filters = _filters(payload.filters)
    segment = services.save_segment(actor=request.auth, name=payload.name.strip(), filters=filters.as_dict())
    return {"id": segment.pk, "name": segment.name, "count": segments.count(filters)}


def _filters(raw: dict[str, Any]) -> SegmentFilters:
    from zhanggui.core.errors import ValidationFailed

    try:
        filters = SegmentFilters.from_dict(raw)
        ranges = [(filters.r_min, filters.r_max), (filters.f_min, filters.f_max), (filters.m_min, filters.m_max)]
        ok = all(isinstance(a, int) and isinstance(b, int) and 1 <= a <= b <= 5 for a, b in ranges)
        ok = ok and filters.buyer_type in ("", "new", "returning") and isinstance(filters.tiers, list)
    except TypeError:
        ok = False
    if not ok:
        raise ValidationFailed(_("filters: scores 1 to 5 (from ≤ to), buyer_type new or returning, tiers a list"))
    return filters


@router.get("/segments/count", response={200: dict[str, Any], **ERRORS})
def segment_count(
    request,
    r_min: int = Query(1, ge=1, le=5),
    r_max: int = Query(5, ge=1, le=5),
    f_min: int = Query(1, ge=1, le=5),
    f_max: int = Query(5, ge=1, le=5),
    m_min: int = Query(1, ge=1, le=5),
    m_max: int = Query(5, ge=1, le=5),
    tiers: list[str] = Query([]),  # noqa: B008 - ninja's way to take a repeated query parameter
    buyer_type: str = Query("", pattern="^(|new|returning)$"),
    churn_risk: bool = False,
    high_value: bool = False,
    model_churn_risk: bool = False,
):
    """How many people the filters match now (RFM scores 1–5 by quintile, docs/members.md)."""
    filters = _filters(
        {
            "r_min": r_min,
            "r_max": r_max,
            "f_min": f_min,
            "f_max": f_max,
            "m_min": m_min,
            "m_max": m_max,
            "tiers": tiers,
            "buyer_type": buyer_type,
            "churn_risk": churn_risk,
            "high_value": high_value,
            "model_churn_risk": model_churn_risk,
        }
    )
    return {"count": segments.count(filters), "filters": filters.as_dict()}


@router.get("/cohorts", response={200: dict[str, Any], **ERRORS})
def cohort_table(request):
    """Repurchase by first-order month: people, 30/90/180-day rates (percent, None while too young), median
    days between orders."""
    table, total = cohorts.cohort_table()

    def row(c: cohorts.Cohort) -> dict[str, Any]:
        rates = {str(w): (str(c.rate(w)) if c.rate(w) is not None else None) for w in cohorts.WINDOWS}
        gap = c.median_gap
        return {"month": c.month, "people": c.people, "rates": rates, "median_days_between": str(gap) if gap else None}

    return {"cohorts": [row(c) for c in table], "total": row(total)}


@router.post("/sync", response={200: dict[str, int], **ERRORS})
def sync(request):
    """Bring every member up to date with the orders now (what the worker does after imports and nightly)."""
    from zhanggui.core import roles

    roles.require(request.auth, roles.MANAGE_LOYALTY)
    return services.sync_members()


@router.post("/merge", response={200: MemberOut, **ERRORS})
def merge(request, payload: MemberMergeIn):
    """`absorbed` is the same person as `survivor` (reversible: POST /{absorbed}/unmerge)."""
    survivor, absorbed = _member(payload.survivor), _member(payload.absorbed)
    services.merge(actor=request.auth, survivor=survivor, absorbed=absorbed, reason=payload.reason)
    return _out(_member(survivor.pk))


@router.get("/{member_id}", response={200: dict[str, Any], **ERRORS})
def member_detail(request, member_id: int):
    """A member with identities, consent per channel and tier history."""
    member = _member(member_id)
    consents = selectors.consent_state(member)
    return {
        **_out(member),
        "identities": list(member.identities.values("platform", "buyer_nick")),
        "consent": {c: (None if e is None else e.granted) for c, e in consents.items()},
        "tier_history": [
            {"at": c.at, "from": c.from_tier.code if c.from_tier else None, "to": c.to_tier.code if c.to_tier else None}
            for c in member.tier_changes.select_related("from_tier", "to_tier")
        ],
    }


@router.post("/{member_id}/unmerge", response={200: MemberOut, **ERRORS})
def unmerge(request, member_id: int):
    return _out(services.unmerge(actor=request.auth, member=_member(member_id)))


@router.post("/{member_id}/consent", response={200: dict[str, Any], **ERRORS})
def consent(request, member_id: int, payload: ConsentIn):
    """Consent or opt-out for a channel (platform, sms); platform follows into the messaging opt-outs."""
    if payload.channel not in Channel.values:
        from zhanggui.core.errors import ValidationFailed

        raise ValidationFailed(_("channel: one of %(c)s") % {"c": ", ".join(Channel.values)})
    event = services.record_consent(
        actor=request.auth,
        member=_member(member_id),
        channel=payload.channel,
        granted=payload.granted,
        note=payload.note,
    )
    return {"channel": event.channel, "granted": event.granted, "at": event.at}


@router.get("/{member_id}/points", response={200: dict[str, Any], **ERRORS})
def points_ledger(request, member_id: int):
    """The member's own moves, the newest first, and the person's balance."""
    member = _member(member_id)
    moves = member.points_moves.order_by("-at", "-id").values(
        "points", "reason", "reference", "at", "expires_at", "note"
    )[:500]
    return {"balance": member.points, "person_balance": services.person_points(member), "moves": list(moves)}


@router.post("/{member_id}/points", response={200: dict[str, Any], **ERRORS})
def adjust_points(request, member_id: int, payload: PointsIn):
    member = _member(member_id)
    services.adjust_points(actor=request.auth, member=member, points_change=payload.points, note=payload.note)
    return {"person_balance": services.person_points(member)}


@router.post("/{member_id}/points/spend", response={200: dict[str, Any], **ERRORS})
def spend_points(request, member_id: int, payload: SpendIn):
    """Spend points on a coupon or a points-shop item; the same key twice spends once (409 when too few)."""
    member = _member(member_id)
    spent = services.spend_points(
        actor=request.auth, member=member, amount=payload.points, reference=payload.reference, key=payload.key
    )
    return {"spent": spent, "person_balance": services.person_points(member)}


@router.post("/{member_id}/quote", response={200: dict[str, Any], **ERRORS})
def quote(request, member_id: int, payload: dict[str, Any] = Body(...)):  # noqa: B008 - ninja's JSON body
    """Price payload["cart"] for the member (their tier and lifetime spend fill the cart's buyer) against the
    promotions running in payload["shop"] (a code), or payload["promotions"]. Changes nothing."""
    code = payload.get("shop")
    shop = (
        get_or_404(Shop.objects.all(), _("Shop"), code=code if isinstance(code, str) else repr(code)) if code else None
    )
    return pricing.quote_for_member(
        member=_member(member_id), cart=payload.get("cart") or {}, shop=shop, promotions=payload.get("promotions")
    )
