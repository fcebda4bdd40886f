"""Writes of the members (docs/members.md): build members from the imported orders, refresh their figures, book
points earned and taken back, evaluate tiers, merge and unmerge, consent per channel, points adjustments and
spending. Every function here is safe to run again: a sync twice books nothing twice (the ledgers' keys)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Shop
from zhanggui.core import roles
from zhanggui.core.errors import ValidationFailed
from zhanggui.core.rows import update_rows
from zhanggui.core.services import record_audit
from zhanggui.members import crypto, points, selectors
from zhanggui.members.errors import MergeRefused
from zhanggui.members.models import (
    Channel,
    ConsentEvent,
    Member,
    MemberIdentity,
    MemberMerge,
    MemberTier,
    PointsMove,
    PointsReason,
    Segment,
    TierBasis,
    TierChange,
)
from zhanggui.members.selectors import PaidOrder

MANAGE_MEMBERS = roles.MANAGE_MEMBERS
MANAGE_LOYALTY = roles.MANAGE_LOYALTY
ZERO = Decimal("0.00")


# --------------------------------------------------------------------------------------------------------
# Members from orders
# --------------------------------------------------------------------------------------------------------


@transaction.atomic
def sync_members(*, shop: Shop | None = None, now: datetime | None = None) -> dict[str, int]:
    """Every buyer of the shop's counted orders (every shop's: None) has a member; a member without a phone takes
    the latest order's (encrypted); then the touched people's figures, points and tiers are brought up to date."""
    now = now or timezone.now()
    orders = selectors.counted_orders()
    if shop is not None:
        orders = orders.filter(shop=shop)
    seen: dict[tuple[str, str], tuple[int, str]] = {}  # (platform, nick) → (shop, latest phone)
    for platform, nick, shop_id, phone in orders.order_by("paid_at", "id").values_list(
        "platform", "buyer_nick", "shop_id", "receiver_phone"
    ):
        earlier = seen.get((platform, nick))
        seen[(platform, nick)] = (earlier[0] if earlier else shop_id, phone or (earlier[1] if earlier else ""))
    known = {(p, n): m for p, n, m in MemberIdentity.objects.values_list("platform", "buyer_nick", "member_id")}
    new = [key for key in seen if key not in known]
    members = Member.objects.bulk_create([_new_member(nick, seen[(p, nick)][1]) for p, nick in new], batch_size=500)
    MemberIdentity.objects.bulk_create(
        [
            MemberIdentity(member=member, platform=platform, buyer_nick=nick, shop_id=seen[(platform, nick)][0])
            for (platform, nick), member in zip(new, members, strict=True)
        ],
        batch_size=500,
    )
    known.update({key: member.pk for key, member in zip(new, members, strict=True)})
    touched = sorted({known[key] for key in seen})
    _take_phones(touched, seen)
    result = refresh(member_ids=touched, now=now)
    return {"members": len(touched), "created": len(new), **result}


def _new_member(nick: str, phone: str) -> Member:
    """A member as first seen, with the phone of the buyer's latest order when it has a usable one."""
    digest = crypto.phone_hash(phone)
    return Member(name=nick, phone_cipher=crypto.encrypt_phone(phone) if digest else "", phone_hash=digest)


def _take_phones(member_ids: list[int], seen: dict[tuple[str, str], tuple[int, str]]) -> None:
    """A member without a phone takes the latest usable one of its identities' orders (encrypted, hashed)."""
    without = Member.objects.filter(pk__in=member_ids, phone_hash="").values_list("pk", flat=True)
    phones: dict[int, str] = {}
    for member_id, platform, nick in MemberIdentity.objects.filter(member_id__in=list(without)).values_list(
        "member_id", "platform", "buyer_nick"
    ):
        phone = seen.get((platform, nick), (0, ""))[1]
        if crypto.phone_hash(phone):
            phones[member_id] = phone
    for pk, phone in phones.items():  # members made before their orders had a phone: few, one update each
        Member.objects.filter(pk=pk).update(
            phone_cipher=crypto.encrypt_phone(phone), phone_hash=crypto.phone_hash(phone)
        )


def refresh(*, member_ids: list[int] | None = None, now: datetime | None = None) -> dict[str, int]:
    """The people of these members (None: everyone): figures from their orders, points earned net of refunds,
    expired lots, and their tiers. Returns what was booked."""
    now = now or timezone.now()
    by_person = selectors.person_orders(member_ids)
    roots = selectors.roots_of()
    wanted = set(roots.values()) if member_ids is None else {roots[m] for m in member_ids}
    tiers = list(MemberTier.objects.order_by("-rank"))
    booked = {"points_earned": 0, "points_taken_back": 0, "tier_changes": 0}
    groups: dict[int, list[int]] = {}
    for member_id, root_id in roots.items():
        if root_id in wanted:
            groups.setdefault(root_id, []).append(member_id)
    moves: dict[str, list[tuple[int, str]]] = {}  # what was booked for each order, read once
    ordered = PointsMove.objects.filter(
        member_id__in=[m for ids in groups.values() for m in ids], reference__startswith="order:"
    )
    for reference, amount, reason in ordered.values_list("reference", "points", "reason"):
        moves.setdefault(reference, []).append((amount, reason))
    figures: list[Member] = []
    earnings: list[points.Earning] = []
    refunds: list[tuple[list[int], int, str, str]] = []
    earlier = selectors.earlier_purchases(roots)
    for root in Member.objects.filter(pk__in=sorted(wanted)).select_related("tier"):
        orders = by_person.get(root.pk, [])
        if _store_figures(root, orders, earlier.get(root.pk, [])):
            figures.append(root)
        for order in orders:
            _points_for_order(
                order,
                group=groups[root.pk],
                booked=moves.get(f"order:{order.order_id}", []),
                earnings=earnings,
                refunds=refunds,
            )
        booked["tier_changes"] += _evaluate_tier(root, orders, tiers, now)
    update_rows(Member, figures, FIGURES)  # one prepared UPDATE: bulk_update's CASE per field is ~10× slower
    booked["points_earned"] = points.book_earnings(earnings)
    for group, amount, key, reference in refunds:
        booked["points_taken_back"] += points.use(
            member_ids=group,
            points=amount,
            reason=PointsReason.REFUND,
            key=key,
            reference=reference,
            at=now,
            partial=True,
        )
    booked["points_expired"] = points.expire(
        member_ids=[m for m, r in roots.items() if r in wanted] if member_ids is not None else None, now=now
    )
    return booked


FIGURES = ["orders_count", "spend", "first_paid_at", "previous_paid_at", "last_paid_at"]


def _store_figures(
    member: Member, orders: list[PaidOrder], earlier: list[tuple[datetime, Decimal]] | None = None
) -> bool:
    """Set the person's figures on the member — their orders and their earlier purchases from before the desk
    (EarlierPurchase, at noon of their day); True when any changed (the caller saves them in bulk)."""
    before = [getattr(member, name) for name in FIGURES]
    bought = sorted([(o.paid_at, o.net) for o in orders] + list(earlier or []), key=lambda pair: pair[0])
    member.orders_count = len(bought)
    member.spend = sum((net for _at, net in bought), ZERO)
    member.first_paid_at = bought[0][0] if bought else None
    member.previous_paid_at = bought[-2][0] if len(bought) > 1 else None
    member.last_paid_at = bought[-1][0] if bought else None
    return before != [getattr(member, name) for name in FIGURES]


def _points_for_order(
    order: PaidOrder,
    *,
    group: list[int],
    booked: list[tuple[int, str]],
    earnings: list[points.Earning],
    refunds: list[tuple[list[int], int, str, str]],
) -> None:
    """What the order earns now (its net paid) against what was booked for it (`booked`: its moves): a first
    earn on its owner goes to `earnings`; a refund's difference goes to `refunds` (group, points, key, reference),
    taken from the person's lots once the earnings are booked (what is left of them, if spent)."""
    reference = f"order:{order.order_id}"
    target = points.points_for(order.net)
    booked_sum = sum(amount for amount, _reason in booked)
    if target > booked_sum:
        n = sum(1 for _p, r in booked if r == PointsReason.EARN)
        key = f"earn:{reference}" + (f":{n + 1}" if n else "")
        earnings.append(points.Earning(order.owner_id, target - booked_sum, key, reference, order.paid_at))
    elif target < booked_sum:
        n = sum(1 for _p, r in booked if r == PointsReason.REFUND)
        refunds.append((group, booked_sum - target, f"refund:{reference}:{n + 1}", reference))


def tier_metric(tier: MemberTier, orders: list[PaidOrder], now: datetime) -> Decimal:
    """Spend (net of refunds) or the number of orders paid within the tier's window (all: lifetime)."""
    since = now - timedelta(days=tier.window_days) if tier.window_days else None
    inside = [o for o in orders if since is None or o.paid_at >= since]
    if tier.basis == TierBasis.ORDERS:
        return Decimal(len(inside))
    return sum((o.net for o in inside), ZERO)


def _evaluate_tier(member: Member, orders: list[PaidOrder], tiers: list[MemberTier], now: datetime) -> int:
    """The highest-ranked tier whose rule the person meets (or none); a change is booked in the tier ledger."""
    new = next((t for t in tiers if orders and tier_metric(t, orders, now) >= t.threshold), None)
    if (new.pk if new else None) == member.tier_id:
        return 0
    metric = tier_metric(new, orders, now) if new else None
    TierChange.objects.create(
        member=member,
        from_tier_id=member.tier_id,
        to_tier=new,
        reason=(_("%(basis)s %(value)s") % {"basis": new.get_basis_display(), "value": metric})
        if new
        else _("no rule met"),
        at=now,
    )
    member.tier = new
    member.save(update_fields=["tier"])
    return 1


def nightly(*, now: datetime | None = None) -> dict[str, int]:
    """Every member's figures, points (expiry included) and tier, for the worker's nightly run."""
    with transaction.atomic():
        return sync_members(now=now)


# --------------------------------------------------------------------------------------------------------
# Tiers
# --------------------------------------------------------------------------------------------------------


@transaction.atomic
def save_tier(
    *, actor: Any, code: str, name: str, rank: int, basis: str, threshold: Decimal, window_days: int | None
) -> MemberTier:
    """Add or change a tier rule (by code); every member's tier is evaluated again at once."""
    roles.require(actor, MANAGE_LOYALTY)
    tier = MemberTier.objects.filter(code=code).first() or MemberTier(code=code)
    before = {"name": tier.name, "rank": tier.rank, "basis": tier.basis, "threshold": str(tier.threshold or "")}
    tier.name, tier.rank, tier.basis, tier.threshold, tier.window_days = name, rank, basis, threshold, window_days
    tier.full_clean()
    tier.save()
    record_audit(
        actor=actor,
        action="member_tier.save",
        obj=tier,
        before=before,
        after={"name": name, "rank": rank, "basis": basis, "threshold": str(threshold), "window_days": window_days},
    )
    refresh()
    return tier


# --------------------------------------------------------------------------------------------------------
# Merge
# --------------------------------------------------------------------------------------------------------


@transaction.atomic
def merge(*, actor: Any, survivor: Member, absorbed: Member, reason: str = "") -> MemberMerge:
    """`absorbed` is the same person as `survivor`: it points at it and the person's figures, points and tier
    are read over both. Nothing of the absorbed member is moved or changed, so `unmerge` restores it exactly."""
    roles.require(actor, MANAGE_MEMBERS)
    survivor, absorbed = (Member.objects.select_for_update().get(pk=m.pk) for m in (survivor, absorbed))
    if survivor.pk == absorbed.pk:
        raise MergeRefused(_("A member cannot be merged into itself."))
    if survivor.merged_into_id or absorbed.merged_into_id:
        raise MergeRefused(_("Only members not merged into another can be merged."))
    absorbed.merged_into = survivor
    absorbed.save(update_fields=["merged_into"])
    row = MemberMerge.objects.create(
        survivor=survivor, absorbed=absorbed, reason=reason, actor=actor if getattr(actor, "pk", None) else None
    )
    record_audit(actor=actor, action="member.merge", obj=absorbed, after={"merged_into": survivor.pk}, note=reason)
    refresh(member_ids=[survivor.pk])
    return row


@transaction.atomic
def unmerge(*, actor: Any, member: Member) -> Member:
    """Undo the merge of `member`: it is its own person again, with its own orders, points and tier."""
    roles.require(actor, MANAGE_MEMBERS)
    member = Member.objects.select_for_update().get(pk=member.pk)
    if not member.merged_into_id:
        raise MergeRefused(_("This member is not merged into another."))
    survivor_id = member.merged_into_id
    member.merged_into = None
    member.save(update_fields=["merged_into"])
    MemberMerge.objects.filter(absorbed=member, survivor_id=survivor_id, undone_at__isnull=True).update(
        undone_at=timezone.now(), undone_by=actor if getattr(actor, "pk", None) else None
    )
    record_audit(actor=actor, action="member.unmerge", obj=member, before={"merged_into": survivor_id})
    refresh(member_ids=[survivor_id, member.pk])
    member.refresh_from_db()
    return member


# --------------------------------------------------------------------------------------------------------
# Consent
# --------------------------------------------------------------------------------------------------------


@transaction.atomic
def record_consent(*, actor: Any, member: Member, channel: str, granted: bool, note: str = "") -> ConsentEvent:
    """Record the person's consent or opt-out for a channel. For platform messages the messaging app's opt-outs
    follow, for every shop the person bought in under each of their nicks, so the outbox skips them."""
    roles.require(actor, MANAGE_MEMBERS)
    if channel not in Channel.values:
        raise ValidationFailed(_("Unknown channel: %(channel)s") % {"channel": channel})
    root_id = selectors.roots_of([member.pk])[member.pk]
    event = ConsentEvent.objects.create(
        member_id=root_id,
        channel=channel,
        granted=granted,
        note=note,
        actor=actor if getattr(actor, "pk", None) else None,
    )
    if channel == Channel.PLATFORM:
        _follow_in_messaging(actor, root_id, granted, note)
    record_audit(
        actor=actor,
        action="member.consent",
        obj=event.member,
        after={"channel": channel, "granted": granted},
        note=note,
    )
    return event


def _follow_in_messaging(actor: Any, root_id: int, granted: bool, note: str) -> None:
    from zhanggui.messaging import selectors as messaging_selectors
    from zhanggui.messaging import services as messaging

    ids = selectors.group_of(root_id)
    nicks = list(MemberIdentity.objects.filter(member_id__in=ids).values_list("platform", "buyer_nick"))
    pairs = set()
    for platform, nick in nicks:
        shops = selectors.counted_orders().filter(platform=platform, buyer_nick=nick).values_list("shop_id", flat=True)
        pairs |= {(shop_id, nick) for shop_id in shops}
    for shop_id, nick in sorted(pairs):
        existing = messaging_selectors.opt_out_of(shop_id, nick)
        if not granted and existing is None:
            messaging.opt_out(actor=actor, shop=Shop.objects.get(pk=shop_id), buyer_nick=nick, note=note)
        elif granted and existing is not None:
            messaging.opt_in(actor=actor, opt_out=existing)


# --------------------------------------------------------------------------------------------------------
# Points by hand
# --------------------------------------------------------------------------------------------------------


@transaction.atomic
def adjust_points(*, actor: Any, member: Member, points_change: int, note: str, key: str = "") -> int:
    """A points adjustment by hand (a goodwill gift, a correction): a positive change is a new lot on the person's
    root member; a negative one takes from their lots like a spend. Audited; the note is required."""
    roles.require(actor, MANAGE_LOYALTY)
    if not note.strip():
        raise ValidationFailed(_("Say why the points change."))
    if points_change == 0:
        raise ValidationFailed(_("Give a change other than 0."))
    root = Member.objects.get(pk=selectors.roots_of([member.pk])[member.pk])
    key = key or f"adjust:{root.pk}:{timezone.now().isoformat()}"
    if points_change > 0:
        points.book(member=root, points=points_change, reason=PointsReason.ADJUST, key=key, note=note, actor=actor)
    else:
        points.use(
            member_ids=selectors.group_of(root.pk),
            points=-points_change,
            reason=PointsReason.ADJUST,
            key=key,
            note=note,
            actor=actor,
        )
    record_audit(actor=actor, action="member.points_adjust", obj=root, after={"points": points_change}, note=note)
    return points_change


@transaction.atomic
def spend_points(*, actor: Any, member: Member, amount: int, reference: str, key: str) -> int:
    """Spend the person's points on a coupon or a points-shop item (`reference` names it), oldest lots first;
    a repeated call with the same key spends nothing again. Refused when they hold fewer."""
    roles.require(actor, MANAGE_LOYALTY)
    if amount <= 0:
        raise ValidationFailed(_("Spend a positive number of points."))
    root_id = selectors.roots_of([member.pk])[member.pk]
    return points.use(
        member_ids=selectors.group_of(root_id),
        points=amount,
        reason=PointsReason.SPEND,
        key=f"spend:{key}",
        reference=reference,
        actor=actor,
    )


def person_points(member: Member) -> int:
    """The person's balance: the sum of the moves of the member and of the members merged into it."""
    ids = selectors.group_of(selectors.roots_of([member.pk])[member.pk])
    return sum(Member.objects.filter(pk__in=ids).values_list("points", flat=True))


def people_points(member_ids: list[int]) -> dict[int, int]:
    """person_points of many members in two reads (a campaign's thousands of texts, not two reads each)."""
    roots = selectors.roots_of()
    balances = dict(Member.objects.values_list("id", "points"))
    by_root: dict[int, int] = {}
    for member_id, root in roots.items():
        by_root[root] = by_root.get(root, 0) + balances.get(member_id, 0)
    return {member_id: by_root.get(roots.get(member_id, member_id), 0) for member_id in member_ids}


# --------------------------------------------------------------------------------------------------------
# Segments
# --------------------------------------------------------------------------------------------------------


@transaction.atomic
def save_segment(*, actor: Any, name: str, filters: dict[str, Any]) -> Segment:
    roles.require(actor, MANAGE_LOYALTY)
    segment = Segment.objects.filter(name=name).first() or Segment(name=name)
    segment.filters = filters
    segment.created_by = segment.created_by or (actor if getattr(actor, "pk", None) else None)
    segment.full_clean()
    segment.save()
    record_audit(actor=actor, action="member_segment.save", obj=segment, after=filters)
    return segment


@transaction.atomic
def delete_segment(*, actor: Any, segment: Segment) -> None:
    roles.require(actor, MANAGE_LOYALTY)
    record_audit(actor=actor, action="member_segment.delete", obj=segment, before=segment.filters)
    segment.delete()
