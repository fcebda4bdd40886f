"""The demo's members (docs/members.md, "Demo"): a year of buyers with repeat behaviour, kept out of the orders.

The demo's orders cover its history (90 days on the full demo) and their buyer nicks are drawn at random for each
order, so they are all but always distinct: nobody would have bought twice. Rewriting nicks or adding older orders
would change the figures analytics and planning read from the orders (buyers, GMV, last year's actuals), so the
earlier year is given as the members' **earlier purchases** (`EarlierPurchase`, as a shop moving from an earlier
CRM brings its buyers' history): the repurchase model reads them with the orders; figures, points and tiers stay
the orders'.

Each member made from the demo orders is, with a fixed seed: a one-time buyer (55 %), or a repeat buyer whose
purchase rate (one every 12–90 days) runs back from their first demo order over up to a year, 1–8 earlier
purchases around their order's amount. Beside them, **lapsed buyers** (a third as many): people who bought
2–6 times in the earlier year, every 10–60 days, and not since — members with earlier purchases only, the churn
risks the model should find. Then the members are refreshed, tiers set (silver, gold: the codes the demo's 会员价
promotion names) and the model fitted as the nightly task would.

Last, one **finished campaign** (`_finished_campaign`): the saved segment 回头客 (returning buyers), the coupon
店铺券满199减20 to it with a 10 % control group and a recorded seed, sent 20 days before today through the
campaigns service (which takes the moment). Its report reads the demo's own orders paid since then by the
segment's people (no order is added: the orders and the stock ledger stay the story's).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from zhanggui.catalog.models import Shop
from zhanggui.core import roles
from zhanggui.core.models import AuditEntry
from zhanggui.demo.orders import NICK_WORDS
from zhanggui.members import campaigns, forecast, services
from zhanggui.members.models import (
    Campaign,
    CampaignKind,
    EarlierPurchase,
    Member,
    MemberIdentity,
    RepurchaseFit,
    Segment,
    TierBasis,
)

ONE_TIME_SHARE = 0.55
LAPSED_SHARE = 1 / 3  # lapsed buyers per member from the orders
YEAR_DAYS = 365
SOURCE = "demo: earlier CRM"
CAMPAIGN_DAYS_AGO = 20  # the finished campaign was sent this many days before the demo's today
CAMPAIGN_SEED = 20261107  # recorded, as the campaign page shows it: the same draw on every generation
CAMPAIGN_SEGMENT = {"buyer_type": "returning"}
CAMPAIGN_COUPON = "q20"  # 店铺券满199减20 (demo/generator.py create_demo_promotions)
TIERS = (  # (code, name, rank, basis, threshold, window days)
    ("silver", "银卡会员", 1, TierBasis.SPEND, Decimal("200.00"), None),
    ("gold", "金卡会员", 2, TierBasis.SPEND, Decimal("500.00"), 365),
)


def create_demo_members(*, people: dict[str, Any], shops: Iterable[Shop], seed: int, today: date) -> RepurchaseFit:
    """Members from the demo shops' orders, a year of earlier purchases for the repeat buyers, tiers, the fit."""
    now = timezone.make_aware(datetime.combine(today, time(23, 0)))
    manager = people[roles.MANAGER]
    for code, name, rank, basis, threshold, window in TIERS:
        services.save_tier(
            actor=manager, code=code, name=name, rank=rank, basis=basis, threshold=threshold, window_days=window
        )
    for shop in shops:
        services.sync_members(shop=shop, now=now)
    rng = random.Random(f"{seed}:members")
    earlier: list[EarlierPurchase] = []
    members = Member.objects.filter(merged_into__isnull=True, first_paid_at__isnull=False).order_by("pk")
    for member_id, first_paid_at, spend, orders in members.values_list("pk", "first_paid_at", "spend", "orders_count"):
        if rng.random() < ONE_TIME_SHARE:
            continue
        typical = spend / max(orders, 1)
        gap_mean = rng.uniform(12, 90)  # days between purchases while the buyer was active
        day = timezone.localdate(first_paid_at)
        start = today - timedelta(days=YEAR_DAYS)
        for _n in range(rng.randint(1, 8)):
            day -= timedelta(days=max(1, round(rng.expovariate(1 / gap_mean))))
            if day < start:
                break
            amount = (typical * Decimal(str(round(rng.uniform(0.6, 1.4), 2)))).quantize(Decimal("0.01"))
            earlier.append(EarlierPurchase(member_id=member_id, paid_on=day, amount=amount, source=SOURCE))
    lapsed = _lapsed_buyers(rng, list(shops), round(members.count() * LAPSED_SHARE), today, earlier)
    EarlierPurchase.objects.bulk_create(earlier, batch_size=1000)
    services.refresh(member_ids=sorted({p.member_id for p in earlier} | set(lapsed)), now=now)
    fit = forecast.refit(now)
    _finished_campaign(people=people, today=today)
    return fit


def _finished_campaign(*, people: dict[str, Any], today: date) -> Campaign:
    """The segment 回头客 saved, a coupon campaign to it (10 % control, a fixed seed) sent CAMPAIGN_DAYS_AGO days
    ago by the operator: its report has a row a day since, from the orders its people paid after the send."""
    from zhanggui.promotions.models import Promotion

    operator = people[roles.OPERATOR]
    sent_at = timezone.make_aware(datetime.combine(today - timedelta(days=CAMPAIGN_DAYS_AGO), time(10, 0)))
    segment = services.save_segment(actor=operator, name="回头客", filters=CAMPAIGN_SEGMENT)
    campaign = campaigns.save_campaign(
        actor=operator,
        campaign=Campaign(
            name="回头客满199减20",
            segment=segment,
            kind=CampaignKind.COUPON,
            promotion=Promotion.objects.get(code=CAMPAIGN_COUPON),
            template="{nick}，送您一张{coupon}，欢迎回来逛逛～",
            control_share=Decimal("0.100"),
            seed=CAMPAIGN_SEED,
        ),
    )
    campaigns.send(actor=operator, campaign=campaign, now=sent_at)  # the service takes the sending moment
    # Saving stamps timezone.now() (the segment's and campaign's created_at, the audit rows' time): dated the
    # day before the send, and the send's audit row at the send, as if the operator had done it then.
    drafted = sent_at - timedelta(days=1)
    Segment.objects.filter(pk=segment.pk).update(created_at=drafted)
    Campaign.objects.filter(pk=campaign.pk).update(created_at=drafted)
    audits = AuditEntry.objects.filter(object_type="members.segment", object_id=str(segment.pk))
    audits.update(at=drafted)
    audits = AuditEntry.objects.filter(object_type="members.campaign", object_id=str(campaign.pk))
    audits.filter(action="campaign.save").update(at=drafted)
    audits.filter(action="campaign.send").update(at=sent_at)
    return Campaign.objects.get(pk=campaign.pk)


def _lapsed_buyers(
    rng: random.Random, shops: list[Shop], count: int, today: date, earlier: list[EarlierPurchase]
) -> list[int]:
    """`count` members who bought in the earlier year and not since (their purchases appended to `earlier`)."""
    made: list[int] = []
    platforms = dict(MemberIdentity.objects.filter(shop__in=shops).values_list("shop_id", "platform").distinct())
    for n in range(count):
        shop = shops[n % len(shops)]
        platform = platforms.get(shop.pk)
        if platform is None:
            continue
        nick = f"{rng.choice(NICK_WORDS)}_老客{n + 1}"
        member = Member.objects.create(name=nick)
        MemberIdentity.objects.create(member=member, platform=platform, buyer_nick=nick, shop=shop)
        made.append(member.pk)
        day = today - timedelta(days=rng.randint(60, 300))  # the last purchase
        gap_mean, amount = rng.uniform(10, 60), Decimal(rng.randrange(59, 599)).quantize(Decimal("0.01"))
        for _n in range(rng.randint(2, 6)):
            if day < today - timedelta(days=YEAR_DAYS):
                break
            earlier.append(EarlierPurchase(member_id=member.pk, paid_on=day, amount=amount, source=SOURCE))
            day -= timedelta(days=max(1, round(rng.expovariate(1 / gap_mean))))
    return made
