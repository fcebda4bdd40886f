"""The points ledger (docs/members.md, "Points"): every change is one PointsMove, and a member's `points` is the
sum of its moves, updated in the same transaction with an F() expression, never read-modify-write.

Lots: a positive move is a lot that expires POINTS_LIFE_DAYS after it was booked. A negative move (spent, taken
back for a refund, expired) uses the lots oldest-expiring first (FIFO), so what is left of each lot is found by
replaying the member's moves: the sum of its negative moves eaten from its lots in expiry order. A person's
spending (a member and the members merged into it) takes their lots in that order across members and books each
part on the member whose lot it uses, so every member's own balance stays whole and an unmerge splits nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.members.errors import NotEnoughPoints
from zhanggui.members.models import Member, PointsMove, PointsReason

#: Points per yuan paid, net of refunds; a fraction of a point is dropped (rounded down per order).
POINTS_PER_YUAN = Decimal("1")
#: A lot expires this many days after it was booked.
POINTS_LIFE_DAYS = 365
_FAR = datetime.max.replace(tzinfo=timezone.get_fixed_timezone(0))


def points_for(net_paid: Decimal) -> int:
    """Whole points for an order's paid amount net of refunds: ¥99.90 → 99; nothing below zero."""
    if net_paid <= 0:
        return 0
    return int((net_paid * POINTS_PER_YUAN).to_integral_value(rounding=ROUND_FLOOR))


@dataclass
class Lot:
    move_id: int
    member_id: int
    at: datetime
    expires_at: datetime | None
    left: int

    def order_key(self) -> tuple[datetime, datetime, int]:
        return (self.expires_at or _FAR, self.at, self.move_id)


def lots(member_ids: list[int]) -> list[Lot]:
    """What is left of each lot of these members (members' negatives eaten FIFO), oldest-expiring first."""
    moves = PointsMove.objects.filter(member_id__in=member_ids).order_by()
    by_member: dict[int, list[Lot]] = {}
    used: dict[int, int] = {}
    for move_id, member_id, points, at, expires_at in moves.values_list(
        "id", "member_id", "points", "at", "expires_at"
    ):
        if points > 0:
            by_member.setdefault(member_id, []).append(Lot(move_id, member_id, at, expires_at, points))
        else:
            used[member_id] = used.get(member_id, 0) - points
    left: list[Lot] = []
    for member_id, member_lots in by_member.items():
        member_lots.sort(key=Lot.order_key)
        eat = used.get(member_id, 0)
        for lot in member_lots:
            take = min(eat, lot.left)
            lot.left -= take
            eat -= take
            if lot.left:
                left.append(lot)
    left.sort(key=Lot.order_key)
    return left


def book(
    *,
    member: Member,
    points: int,
    reason: str,
    key: str,
    reference: str = "",
    at: datetime | None = None,
    note: str = "",
    actor: Any = None,
) -> PointsMove | None:
    """Book one move (None when its key was booked already). A positive move is a lot with its expiry."""
    if points == 0 or PointsMove.objects.filter(key=key).exists():
        return None
    at = at or timezone.now()
    with transaction.atomic():
        move = PointsMove.objects.create(
            member=member,
            points=points,
            reason=reason,
            key=key,
            reference=reference,
            at=at,
            expires_at=at + timedelta(days=POINTS_LIFE_DAYS) if points > 0 else None,
            note=note,
            actor=actor if getattr(actor, "pk", None) else None,
        )
        Member.objects.filter(pk=member.pk).update(points=F("points") + points)  # the check keeps it ≥ 0
    return move


@dataclass(frozen=True)
class Earning:
    member_id: int
    points: int
    key: str
    reference: str
    at: datetime


def book_earnings(earnings: list[Earning]) -> int:
    """Book many earnings at once (a sync's): one insert, then each member's balance raised by its sum, in one
    transaction. Keys booked already are left out. Returns the points booked."""
    if not earnings:
        return 0
    taken = set(PointsMove.objects.filter(key__in=[e.key for e in earnings]).values_list("key", flat=True))
    fresh = [e for e in earnings if e.key not in taken and e.points > 0]
    life = timedelta(days=POINTS_LIFE_DAYS)
    per_member: dict[int, int] = {}
    with transaction.atomic():
        PointsMove.objects.bulk_create(
            [
                PointsMove(
                    member_id=e.member_id,
                    points=e.points,
                    reason=PointsReason.EARN,
                    key=e.key,
                    reference=e.reference,
                    at=e.at,
                    expires_at=e.at + life,
                )
                for e in fresh
            ],
            batch_size=500,
        )
        for e in fresh:
            per_member[e.member_id] = per_member.get(e.member_id, 0) + e.points
        table = connection.ops.quote_name(Member._meta.db_table)
        with connection.cursor() as cursor:  # one prepared UPDATE for every member, still points + n (no read)
            cursor.executemany(
                f"UPDATE {table} SET points = points + %s WHERE id = %s",
                [(total, member_id) for member_id, total in per_member.items()],
            )
    return sum(per_member.values())


def use(
    *,
    member_ids: list[int],
    points: int,
    reason: str,
    key: str,
    reference: str = "",
    at: datetime | None = None,
    note: str = "",
    actor: Any = None,
    partial: bool = False,
) -> int:
    """Take `points` from these members' lots, oldest-expiring first, one move per member whose lots it uses
    (keys `key:<member id>`). Refused with NotEnoughPoints when they hold fewer, unless `partial` (a refund takes
    back what is left). Expired lots are expired first. Returns the points taken."""
    at = at or timezone.now()
    with transaction.atomic():
        list(Member.objects.select_for_update().filter(pk__in=member_ids).order_by("pk").values_list("pk"))
        expire(member_ids=member_ids, now=at)
        if PointsMove.objects.filter(key__startswith=f"{key}:").exists():
            return 0
        open_lots = lots(member_ids)
        held = sum(lot.left for lot in open_lots)
        if held < points and not partial:
            raise NotEnoughPoints(
                _("%(held)s points held, %(wanted)s wanted.") % {"held": held, "wanted": points},
                held=held,
                wanted=points,
            )
        per_member: dict[int, int] = {}
        wanted = min(points, held)
        for lot in open_lots:
            if wanted <= 0:
                break
            take = min(wanted, lot.left)
            per_member[lot.member_id] = per_member.get(lot.member_id, 0) + take
            wanted -= take
        members = Member.objects.in_bulk(list(per_member))
        for member_id, taken in sorted(per_member.items()):
            book(
                member=members[member_id],
                points=-taken,
                reason=reason,
                key=f"{key}:{member_id}",
                reference=reference,
                at=at,
                note=note,
                actor=actor,
            )
        return sum(per_member.values())


def expire(*, member_ids: list[int] | None = None, now: datetime | None = None) -> int:
    """Book an expiry for what is left of every lot past its date (key `expire:<lot id>`); returns the points."""
    now = now or timezone.now()
    if member_ids is None:
        member_ids = list(
            PointsMove.objects.filter(points__gt=0, expires_at__lte=now).values_list("member_id", flat=True).distinct()
        )
    expired = 0
    members: dict[int, Member] = {}
    for lot in lots(member_ids):
        if lot.expires_at is None or lot.expires_at > now:
            continue
        member = members.get(lot.member_id) or Member.objects.get(pk=lot.member_id)
        members[lot.member_id] = member
        booked = book(
            member=member,
            points=-lot.left,
            reason=PointsReason.EXPIRE,
            key=f"expire:{lot.move_id}",
            reference=f"lot:{lot.move_id}",
            at=lot.expires_at,
        )
        expired += lot.left if booked else 0
    return expired
