"""Campaigns (docs/members.md "Campaigns"): a coupon or a message to the people of a saved segment, with a random
control group that never receives anything, and the report of what the campaign earned against it.

The draw is reproducible: the segment's people (root member ids) sorted, shuffled by `random.Random(seed)` with
the campaign's recorded seed, and the first round-half-up(n × share) are the control group. Delivery goes through
the messaging app's sender (default: stored, not sent); skipped people (opted out, frequency cap) stay in the
treatment group of the report — it compares the groups as drawn (intention to treat).
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.core import roles
from zhanggui.core.errors import ValidationFailed
from zhanggui.core.rows import update_rows
from zhanggui.core.services import record_audit
from zhanggui.members import segments, selectors
from zhanggui.members.models import (
    Campaign,
    CampaignGroup,
    CampaignKind,
    CampaignMember,
    CampaignState,
    CampaignTestSend,
    Channel,
    CouponGrant,
    DeliveryStatus,
    Member,
    MemberIdentity,
    SkipReason,
)
from zhanggui.messaging.models import BuyerOptOut
from zhanggui.orders.models import OrderLine

MANAGE_LOYALTY = roles.MANAGE_LOYALTY
#: The placeholders a campaign's text may use.
VARIABLES = ("nick", "tier", "points", "coupon")
#: z for a two-sided 95 % interval (normal approximation).
Z95 = Decimal("1.96")
CENT = Decimal("0.01")
PER_MEMBER = Decimal("0.0001")


# --------------------------------------------------------------------------------------------------------
# The control group
# --------------------------------------------------------------------------------------------------------


def control_size(n: int, share: Decimal) -> int:
    """round-half-up(n × share): 25 people at 10 % → 3 (2.5 rounds up); 9 at 10 % → 1."""
    return int((Decimal(n) * share).to_integral_value(rounding=ROUND_HALF_UP))


def draw(member_ids: list[int], share: Decimal, seed: int) -> tuple[list[int], list[int]]:
    """(treatment, control), both sorted: the ids sorted, shuffled by Random(seed), the first control_size."""
    shuffled = sorted(set(member_ids))
    random.Random(seed).shuffle(shuffled)
    k = control_size(len(shuffled), share)
    return sorted(shuffled[k:]), sorted(shuffled[:k])


def new_seed() -> int:
    return secrets.randbelow(2**62)


def segment_people(campaign: Campaign, now: datetime | None = None) -> list[int]:
    """The root member ids in the campaign's segment now."""
    filters = segments.SegmentFilters.from_dict(campaign.segment.filters)
    scores = segments.scored(now)
    return scores.member_id[filters.mask(scores)].tolist()


def preview_counts(campaign: Campaign, now: datetime | None = None) -> dict[str, int]:
    treatment, control = draw(segment_people(campaign, now), campaign.control_share, campaign.seed)
    return {"people": len(treatment) + len(control), "treatment": len(treatment), "control": len(control)}


# --------------------------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------------------------


class _Values(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def unknown_variables(text: str) -> list[str]:
    import string

    found = [name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None]
    return sorted({name for name in found if name not in VARIABLES})


def check_template(text: str) -> str:
    try:
        unknown = unknown_variables(text)
    except ValueError:
        raise ValidationFailed(_("A { or } in the text is not closed.")) from None
    if unknown:
        raise ValidationFailed(
            _("Unknown variables: %(names)s. Use %(known)s.")
            % {"names": ", ".join(unknown), "known": ", ".join("{" + v + "}" for v in VARIABLES)}
        )
    return text


def values_for(campaign: Campaign, member: Member, points: int | None = None) -> dict[str, str]:
    """The template's variables for the member; `points` when the caller read the balances of many at once."""
    from zhanggui.members.services import person_points

    promotion = campaign.promotion if campaign.promotion_id else None
    return {
        "nick": member.name,
        "tier": member.tier.name if member.tier_id and member.tier else "",
        "points": str(person_points(member) if points is None else points),
        "coupon": (promotion.name or promotion.code) if promotion else "",
    }


def render(campaign: Campaign, member: Member, points: int | None = None) -> str:
    return campaign.template.format_map(_Values(values_for(campaign, member, points)))


# --------------------------------------------------------------------------------------------------------
# Saving, test sends, sending
# --------------------------------------------------------------------------------------------------------


def _validate(campaign: Campaign) -> None:
    check_template(campaign.template)
    if campaign.kind == CampaignKind.COUPON and not campaign.promotion_id:
        raise ValidationFailed(_("Choose the coupon the campaign gives."))
    if campaign.kind == CampaignKind.MESSAGE and not campaign.template.strip():
        raise ValidationFailed(_("Write the message."))
    if not Decimal("0") <= campaign.control_share < Decimal("1"):
        raise ValidationFailed(_("The control share is at least 0 and below 100 %."))
    if (campaign.quiet_start is None) != (campaign.quiet_end is None):
        raise ValidationFailed(_("Give both ends of the quiet hours, or neither."))


@transaction.atomic
def save_campaign(*, actor: Any, campaign: Campaign) -> Campaign:
    """Create or change a draft; the seed is drawn once, when it is first saved, and kept."""
    roles.require(actor, MANAGE_LOYALTY)
    if campaign.pk and Campaign.objects.get(pk=campaign.pk).state != CampaignState.DRAFT:
        raise ValidationFailed(_("A sent campaign cannot be changed."))
    _validate(campaign)
    if campaign.seed is None:
        campaign.seed = new_seed()
    if not campaign.pk:
        campaign.created_by = actor
    campaign.save()
    record_audit(actor=actor, action="campaign.save", obj=campaign, after={"name": campaign.name})
    return campaign


def in_quiet_hours(campaign: Campaign, now: datetime) -> bool:
    """Quiet hours in the desk's time: from quiet_start up to quiet_end, across midnight when start > end."""
    if campaign.quiet_start is None or campaign.quiet_end is None:
        return False
    local = timezone.localtime(now).time()
    start, end = campaign.quiet_start, campaign.quiet_end
    return start <= local < end if start < end else (local >= start or local < end)


def opted_out(member_ids: list[int], channel: str) -> set[int]:
    """Root ids whose person opted out of the channel: the latest consent of any of their members is an opt-out,
    or (platform messages) a messaging opt-out names one of their nicks."""
    roots = selectors.roots_of()
    wanted = set(member_ids)
    out: set[int] = set()
    from zhanggui.members.models import ConsentEvent

    latest: dict[int, tuple[datetime, int, bool]] = {}
    for member_id, at, pk, granted in ConsentEvent.objects.filter(channel=channel).values_list(
        "member_id", "at", "id", "granted"
    ):
        root = roots.get(member_id, member_id)
        if root in wanted and (root not in latest or (at, pk) > latest[root][:2]):
            latest[root] = (at, pk, granted)
    out |= {root for root, (_at, _pk, granted) in latest.items() if not granted}
    if channel == Channel.PLATFORM:
        nicks = set(BuyerOptOut.objects.values_list("buyer_nick", flat=True))
        if nicks:
            for member_id, _nick in MemberIdentity.objects.filter(buyer_nick__in=nicks).values_list(
                "member_id", "buyer_nick"
            ):
                if roots.get(member_id, member_id) in wanted:
                    out.add(roots.get(member_id, member_id))
    return out


def capped(member_ids: list[int], cap_days: int, now: datetime) -> set[int]:
    """Root ids that received any campaign within the last cap_days (test sends do not count)."""
    if not cap_days:
        return set()
    return set(
        CampaignMember.objects.filter(
            member_id__in=member_ids, status=DeliveryStatus.SENT, sent_at__gte=now - timedelta(days=cap_days)
        ).values_list("member_id", flat=True)
    )


def _deliver(campaign: Campaign, row: CampaignMember, now: datetime, points: int | None = None) -> None:
    """Hand the text to the messaging sender and record the outcome on the row (saved by the caller, with the
    coupon grants, for all rows at once)."""
    from zhanggui.messaging.senders import get_sender

    member = row.member
    row.text = render(campaign, member, points) if campaign.template else ""
    outcome = ""
    if row.text:
        sender = get_sender()
        nick = next((i.buyer_nick for i in member.identities.all()), None) or member.name
        try:
            # Not an OutboxMessage (that is one per order): what a sender reads of one, with no order or shop.
            message = SimpleNamespace(buyer_nick=nick, text=row.text, kind="campaign", order=None, shop=None)
            sender.send(message)  # type: ignore[arg-type]
            outcome = str(sender.outcome)
        except Exception as exc:  # a sender raises when the message did not reach the buyer
            outcome = f"failed: {exc}"[:12]
    row.status, row.sent_at, row.outcome = DeliveryStatus.SENT, now, outcome


def _grant_coupons(rows: list[CampaignMember], now: datetime) -> None:
    """The coupon of each coupon campaign's delivered row, once: a grant's key is its campaign and member, and the
    keys granted already (a retry) are read first, so a thousand receivers cost a read and an insert, not three
    queries each."""
    grants = {
        f"campaign:{row.campaign_id}:{row.member_id}": CouponGrant(
            member_id=row.member_id, promotion_id=row.campaign.promotion_id, campaign_id=row.campaign_id, at=now
        )
        for row in rows
        if row.campaign.kind == CampaignKind.COUPON and row.campaign.promotion_id
    }
    keys = list(grants)
    for at in range(0, len(keys), 500):
        for key in CouponGrant.objects.filter(key__in=keys[at : at + 500]).values_list("key", flat=True):
            grants.pop(key)
    for key, grant in grants.items():
        grant.key = key
    CouponGrant.objects.bulk_create(list(grants.values()), batch_size=500)


@transaction.atomic
def send_test(*, actor: Any, campaign: Campaign, member: Member) -> CampaignTestSend:
    """The campaign's text for one named member, stored as a test: no coupon, not in the groups, not capped."""
    roles.require(actor, MANAGE_LOYALTY)
    text = render(campaign, member) if campaign.template else ""
    return CampaignTestSend.objects.create(campaign=campaign, member=member, text=text, actor=actor)


@transaction.atomic
def send(*, actor: Any, campaign: Campaign, now: datetime | None = None) -> dict[str, int]:
    """Draw the groups and deliver to the treatment group now: skipped when opted out of the campaign's channel
    or capped, deferred during quiet hours (delivered by deliver_deferred). Control is held back."""
    roles.require(actor, MANAGE_LOYALTY)
    now = now or timezone.now()
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.state != CampaignState.DRAFT:
        raise ValidationFailed(_("This campaign was sent already."))
    _validate(campaign)
    people = segment_people(campaign, now)
    if not people:
        raise ValidationFailed(_("The segment has nobody in it now."))
    treatment, control = draw(people, campaign.control_share, campaign.seed)
    out, cap = opted_out(treatment, campaign.channel), capped(treatment, campaign.cap_days, now)
    quiet = in_quiet_hours(campaign, now)
    rows = [
        CampaignMember(campaign=campaign, member_id=m, group=CampaignGroup.CONTROL, status=DeliveryStatus.HELD_BACK)
        for m in control
    ]
    for m in treatment:
        row = CampaignMember(campaign=campaign, member_id=m, group=CampaignGroup.TREATMENT)
        if m in out:
            row.status, row.skip_reason = DeliveryStatus.SKIPPED, SkipReason.OPTED_OUT
        elif m in cap:
            row.status, row.skip_reason = DeliveryStatus.SKIPPED, SkipReason.CAPPED
        else:
            row.status = DeliveryStatus.DEFERRED
        rows.append(row)
    CampaignMember.objects.bulk_create(rows)
    campaign.state, campaign.sent_at, campaign.sent_by = CampaignState.SENT, now, actor
    campaign.save(update_fields=["state", "sent_at", "sent_by"])
    counts = deliver_deferred(campaign=campaign, now=now) if not quiet else {"sent": 0}
    record_audit(
        actor=actor,
        action="campaign.send",
        obj=campaign,
        after={"seed": campaign.seed, "treatment": len(treatment), "control": len(control)},
    )
    return {"treatment": len(treatment), "control": len(control), "sent": counts["sent"]}


@transaction.atomic
def deliver_deferred(*, campaign: Campaign | None = None, now: datetime | None = None) -> dict[str, int]:
    """Deliver what quiet hours held back, for campaigns now outside their quiet hours (the worker, hourly)."""
    now = now or timezone.now()
    rows = (
        CampaignMember.objects.filter(status=DeliveryStatus.DEFERRED)
        .select_related("campaign__promotion", "member__tier")
        .prefetch_related("member__identities")
    )
    if campaign is not None:
        rows = rows.filter(campaign=campaign)
    due = [row for row in rows if not in_quiet_hours(row.campaign, now)]
    # Every receiver's points in two reads: a campaign reaches thousands of members.
    from zhanggui.members.services import people_points

    points = people_points([row.member_id for row in due]) if due else {}
    for row in due:
        _deliver(row.campaign, row, now, points.get(row.member_id))
    _grant_coupons(due, now)
    update_rows(CampaignMember, due, ["text", "status", "sent_at", "outcome"])
    return {"sent": len(due)}


# --------------------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """Treatment mean − control mean per member with its 95 % interval (None when a group has < 2 people)."""

    treatment: Decimal
    control: Decimal
    diff: Decimal
    low: Decimal | None
    high: Decimal | None
    incremental: Decimal  # diff × treatment people: what the campaign added over the whole treatment group


def _mean(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values) if values else Decimal(0)


def _variance(values: list[Decimal]) -> Decimal:
    """Sample variance (n − 1)."""
    m = _mean(values)
    return sum(((v - m) ** 2 for v in values), Decimal(0)) / (len(values) - 1)


def difference(treatment: list[Decimal], control: list[Decimal], places: Decimal = CENT) -> Difference:
    """Welch / normal approximation: diff = x̄t − x̄c, se = √(s²t/nt + s²c/nc), interval diff ± 1.96 × se;
    each figure rounded half up to `places` at the end."""
    mt, mc = _mean(treatment), _mean(control)
    diff = mt - mc
    low = high = None
    if len(treatment) >= 2 and len(control) >= 2:
        se = (_variance(treatment) / len(treatment) + _variance(control) / len(control)).sqrt()
        low, high = diff - Z95 * se, diff + Z95 * se

    def q(x: Decimal | None) -> Decimal | None:
        return None if x is None else x.quantize(places, rounding=ROUND_HALF_UP)

    incremental = (diff * len(treatment)).quantize(places, rounding=ROUND_HALF_UP)
    return Difference(q(mt), q(mc), q(diff), q(low), q(high), incremental)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ReportDay:
    day: date
    orders: Difference
    gmv: Difference
    margin: Difference


@dataclass(frozen=True)
class OrderFigures:
    member_id: int  # root
    paid_at: datetime
    gmv: Decimal
    margin: Decimal


def _orders_of(root_ids: list[int], since: datetime) -> list[OrderFigures]:
    """The people's counted orders paid since `since`: GMV = paid total; margin = paid − refunded − cost of
    goods (line quantity × SKU cost; a SKU without a cost counts 0, as analytics does)."""
    found = [
        (root, o) for root, orders in selectors.person_orders(root_ids).items() for o in orders if o.paid_at >= since
    ]
    if not found:
        return []
    ids = [o.order_id for _root, o in found]
    cost: dict[int, Decimal] = {}
    for order_id, quantity, unit_cost in OrderLine.objects.filter(order_id__in=ids).values_list(
        "order_id", "quantity", "sku__cost"
    ):
        cost[order_id] = cost.get(order_id, Decimal(0)) + quantity * (unit_cost or Decimal(0))
    return [OrderFigures(root, o.paid_at, o.paid_total, o.net - cost.get(o.order_id, Decimal(0))) for root, o in found]


def report(campaign: Campaign, now: datetime | None = None) -> list[ReportDay]:
    """For each local day from the sending day to today: the figures per member of each group from the sending
    moment to the end of that day (cumulative), and their difference with a 95 % interval."""
    if campaign.sent_at is None:
        return []
    now = now or timezone.now()
    groups = dict(campaign.members.values_list("member_id", "group"))
    if not groups:
        return []
    orders = _orders_of(sorted(groups), campaign.sent_at)
    first, last = timezone.localdate(campaign.sent_at), timezone.localdate(now)
    out: list[ReportDay] = []
    day = first
    while day <= last:
        end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
        per: dict[int, list[Decimal]] = {m: [Decimal(0), Decimal(0), Decimal(0)] for m in groups}
        for o in orders:
            if o.paid_at < end and o.member_id in per:
                figures = per[o.member_id]
                figures[0] += 1
                figures[1] += o.gmv
                figures[2] += o.margin
        t = [per[m] for m, g in groups.items() if g == CampaignGroup.TREATMENT]
        c = [per[m] for m, g in groups.items() if g == CampaignGroup.CONTROL]
        out.append(
            ReportDay(
                day,
                difference([v[0] for v in t], [v[0] for v in c], PER_MEMBER),
                difference([v[1] for v in t], [v[1] for v in c]),
                difference([v[2] for v in t], [v[2] for v in c]),
            )
        )
        day += timedelta(days=1)
    return out


def delivery_counts(campaign: Campaign) -> dict[str, int]:
    counts = {"treatment": 0, "control": 0, "sent": 0, "deferred": 0, "opted_out": 0, "capped": 0}
    for group, status, reason in campaign.members.values_list("group", "status", "skip_reason"):
        counts[group] += 1
        if status == DeliveryStatus.SENT:
            counts["sent"] += 1
        elif status == DeliveryStatus.DEFERRED:
            counts["deferred"] += 1
        elif reason:
            counts[reason] += 1
    return counts
