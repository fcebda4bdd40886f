"""Reads of the members: who a member really is (the root of its merges), the person's paid orders, the list
and the page of a member."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from zhanggui.aftersales.selectors import refunded_by_order
from zhanggui.members.crypto import phone_hash
from zhanggui.members.models import Channel, ConsentEvent, EarlierPurchase, Member, MemberIdentity
from zhanggui.orders.models import Order, OrderStatus

#: Orders that count for a member (spend, tiers, points, RFM): paid and not cancelled.
NOT_COUNTED = (OrderStatus.UNPAID, OrderStatus.CANCELLED)
MODEL_CHURN_BELOW = Decimal("0.5")  # churn risk by model: P(alive) below one half (segments uses the same)


@dataclass(frozen=True)
class PaidOrder:
    order_id: int
    owner_id: int  # the member whose identity placed it (not the root)
    paid_at: datetime
    paid_total: Decimal
    refunded: Decimal

    @property
    def net(self) -> Decimal:
        return self.paid_total - self.refunded


def roots_of(member_ids: list[int] | None = None) -> dict[int, int]:
    """member id → the id of the member it is merged into in the end (itself when not merged)."""
    parent = dict(Member.objects.values_list("id", "merged_into_id"))
    found: dict[int, int] = {}
    for member_id in parent if member_ids is None else member_ids:
        seen, at = set(), member_id
        while parent.get(at) and at not in seen:
            seen.add(at)
            at = parent[at]
        found[member_id] = at
    return found


def group_of(root_id: int) -> list[int]:
    """The root and every member merged into it (at any depth)."""
    roots = roots_of()
    return sorted(member_id for member_id, root in roots.items() if root == root_id)


def counted_orders() -> QuerySet[Order]:
    return Order.objects.exclude(status__in=NOT_COUNTED).exclude(buyer_nick="").filter(paid_at__isnull=False)


def paid_orders(member_ids: list[int] | None = None) -> dict[int, list[PaidOrder]]:
    """owner member id → its counted orders, oldest first, each with what was refunded of it."""
    identities = MemberIdentity.objects.all()
    if member_ids is not None:
        identities = identities.filter(member_id__in=member_ids)
    owner = {(p, n): m for p, n, m in identities.values_list("platform", "buyer_nick", "member_id")}
    if not owner:
        return {}
    orders = counted_orders()
    if member_ids is not None:
        orders = orders.filter(buyer_nick__in=sorted({n for _p, n in owner}))
    rows = list(orders.order_by("paid_at", "id").values_list("id", "platform", "buyer_nick", "paid_at", "paid_total"))
    refunded = refunded_by_order([row[0] for row in rows]) if rows else {}
    found: dict[int, list[PaidOrder]] = {}
    for order_id, platform, nick, paid_at, total in rows:
        member_id = owner.get((platform, nick))
        if member_id is not None and paid_at is not None:  # counted_orders() has a paid_at; mypy cannot know
            found.setdefault(member_id, []).append(
                PaidOrder(order_id, member_id, paid_at, total, refunded.get(order_id, Decimal("0.00")))
            )
    return found


def person_orders(member_ids: list[int] | None = None) -> dict[int, list[PaidOrder]]:
    """root member id → the person's counted orders (its own and its merged members'), oldest first."""
    roots = roots_of()
    people = {roots[i] for i in member_ids} if member_ids is not None else set()
    wanted = None if member_ids is None else sorted(m for m, r in roots.items() if r in people)
    found: dict[int, list[PaidOrder]] = {}
    for owner_id, orders in paid_orders(wanted).items():
        found.setdefault(roots[owner_id], []).extend(orders)
    for orders in found.values():
        orders.sort(key=lambda o: (o.paid_at, o.order_id))
    return found


def earlier_purchases(roots: dict[int, int]) -> dict[int, list[tuple[datetime, Decimal]]]:
    """root member id → the person's earlier purchases (from before the desk) as (noon of the day, amount)."""
    found: dict[int, list[tuple[datetime, Decimal]]] = {}
    for member_id, day, amount in EarlierPurchase.objects.values_list("member_id", "paid_on", "amount"):
        noon = timezone.make_aware(datetime.combine(day, time(12, 0)))
        found.setdefault(roots.get(member_id, member_id), []).append((noon, amount))
    return found


def members(*, q: str = "", tier: str = "", outlook: str = "") -> QuerySet[Member]:
    """Members not merged into another, the latest buyers first; `q` is part of a nick or name, or a whole phone
    number (matched by its hash); tier is a tier code, or "none"; outlook is the repurchase model's view:
    "at_risk" (P(alive) below one half), "likely" (at least one half), "" everyone."""
    rows = Member.objects.filter(merged_into__isnull=True).select_related("tier", "forecast")
    if outlook == "at_risk":
        rows = rows.filter(forecast__p_alive__lt=MODEL_CHURN_BELOW)
    elif outlook == "likely":
        rows = rows.filter(forecast__p_alive__gte=MODEL_CHURN_BELOW)
    q = q.strip()
    if q:
        match = Q(name__icontains=q) | Q(identities__buyer_nick__icontains=q) | Q(absorbed__identities__buyer_nick=q)
        digest = phone_hash(q)
        if digest:
            match |= Q(phone_hash=digest) | Q(absorbed__phone_hash=digest)
        rows = rows.filter(match).distinct()
    if tier == "none":
        rows = rows.filter(tier__isnull=True)
    elif tier:
        rows = rows.filter(tier__code=tier)
    return rows


def consent_state(member: Member) -> dict[str, ConsentEvent | None]:
    """channel → the latest consent event of the person for it (None: never asked)."""
    ids = group_of(roots_of([member.pk])[member.pk])
    state: dict[str, ConsentEvent | None] = {channel: None for channel in Channel.values}
    for event in ConsentEvent.objects.filter(member_id__in=ids).order_by("at", "id"):
        state[event.channel] = event
    return state


def person_orders_rows(member: Member) -> QuerySet[Order]:
    """The person's orders (every status), the newest first, for the member page."""
    ids = group_of(roots_of([member.pk])[member.pk])
    match = Q(pk__in=[])
    for platform, nick in MemberIdentity.objects.filter(member_id__in=ids).values_list("platform", "buyer_nick"):
        match |= Q(platform=platform, buyer_nick=nick)
    return Order.objects.filter(match).select_related("shop").order_by("-paid_at", "-id")


def duplicates_of(member: Member) -> list[Member]:
    """Other unmerged members with the same phone: the same person, likely (a person merges them)."""
    if not member.phone_hash:
        return []
    return list(
        Member.objects.filter(phone_hash=member.phone_hash, merged_into__isnull=True).exclude(pk=member.pk)[:20]
    )
