"""Campaigns: the control group's draw is reproducible and never receives anything, opt-outs, the frequency cap
and quiet hours are respected, test sends are not counted, and the report's incremental figures and 95 %
interval match a worked example computed by hand (docs/members.md "Campaigns")."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest

from zhanggui.core.errors import ValidationFailed
from zhanggui.members import campaigns, services
from zhanggui.members.models import (
    Campaign,
    CampaignMember,
    CampaignTestSend,
    Channel,
    CouponGrant,
    Member,
    Segment,
)
from zhanggui.members.tests.conftest import at
from zhanggui.members.tests.factories_campaigns import coupon
from zhanggui.promotions.models import Promotion

pytestmark = pytest.mark.django_db


@pytest.fixture
def everyone(shop, paid, operator):
    """Twenty buyers with one order each, a saved segment of everybody."""
    for n in range(20):
        paid(f"buyer{n:02d}", "2026-09-01", "100.00")
    services.sync_members(shop=shop, now=at("2026-10-01"))
    return services.save_segment(actor=operator, name="全部", filters={"r_min": 1})


def new_campaign(operator, segment, shop, **fields) -> Campaign:
    fields.setdefault("kind", "coupon")
    if "promotion" not in fields:
        fields["promotion"] = Promotion.objects.filter(code="VIP10").first() or coupon(shop)
    fields.setdefault("template", "亲爱的{nick}，送您一张{coupon}，您有{points}积分")
    return campaigns.save_campaign(
        actor=operator, campaign=Campaign(name="回购券", segment=segment, control_share=Decimal("0.25"), **fields)
    )


def test_the_draw_is_the_seeded_shuffle_and_reproducible():
    ids = list(range(1, 21))
    t1, c1 = campaigns.draw(ids, Decimal("0.10"), seed=42)
    t2, c2 = campaigns.draw(list(reversed(ids)), Decimal("0.10"), seed=42)  # order of the input does not matter
    assert (t1, c1) == (t2, c2)
    assert len(c1) == 2 and len(t1) == 18 and not set(t1) & set(c1)
    import random

    shuffled = list(range(1, 21))
    random.Random(42).shuffle(shuffled)
    assert c1 == sorted(shuffled[:2])  # the rule written in the docs
    assert campaigns.control_size(25, Decimal("0.10")) == 3  # 2.5 rounds half up
    assert campaigns.control_size(9, Decimal("0.10")) == 1  # 0.9 → 1
    assert campaigns.control_size(4, Decimal("0.10")) == 0  # 0.4 → 0


def test_sending_draws_the_recorded_control_group_which_never_receives(everyone, operator, shop):
    campaign = new_campaign(operator, everyone, shop)
    ids = sorted(Member.objects.values_list("pk", flat=True))
    treatment, control = campaigns.draw(ids, Decimal("0.25"), campaign.seed)
    assert len(control) == 5
    result = campaigns.send(actor=operator, campaign=campaign, now=at("2026-10-02 10:00"))
    assert result == {"treatment": 15, "control": 5, "sent": 15}
    rows = {r.member_id: r for r in CampaignMember.objects.filter(campaign=campaign)}
    assert sorted(m for m, r in rows.items() if r.group == "control") == control
    for m in control:
        assert rows[m].status == "held_back" and rows[m].text == "" and rows[m].sent_at is None
    granted = set(CouponGrant.objects.filter(campaign=campaign).values_list("member_id", flat=True))
    assert granted == set(treatment) and not granted & set(control)
    first = Member.objects.get(pk=treatment[0])
    assert rows[treatment[0]].text == f"亲爱的{first.name}，送您一张VIP10 满100减10，您有100积分"
    assert rows[treatment[0]].outcome == "stored"  # the default sender stores, never sends
    with pytest.raises(ValidationFailed):
        campaigns.send(actor=operator, campaign=campaign, now=at("2026-10-02 11:00"))


def test_opt_out_and_frequency_cap_skip_and_test_sends_do_not_count(everyone, operator, shop, users):
    first = new_campaign(operator, everyone, shop, kind="message", promotion=None, template="{nick}，上新了")
    ids = sorted(Member.objects.values_list("pk", flat=True))
    treatment, _control = campaigns.draw(ids, Decimal("0.25"), first.seed)
    campaigns.send_test(actor=operator, campaign=first, member=Member.objects.get(pk=treatment[0]))
    assert CampaignTestSend.objects.get().text.endswith("，上新了")
    assert not CampaignMember.objects.exists()  # a test send is in no group
    campaigns.send(actor=operator, campaign=first, now=at("2026-10-02 10:00"))

    second = new_campaign(operator, everyone, shop, cap_days=7)
    opted = Member.objects.exclude(pk__in=CampaignMember.objects.filter(status="sent").values("member_id")).first()
    services.record_consent(actor=users["manager"], member=opted, channel=Channel.PLATFORM, granted=False)
    campaigns.send(actor=operator, campaign=second, now=at("2026-10-05 10:00"))  # 3 days later: within the cap
    rows = {r.member_id: r for r in second.members.all()}
    received_first = set(first.members.filter(status="sent").values_list("member_id", flat=True))
    for m, row in rows.items():
        if row.group == "control":
            continue
        if m == opted.pk:
            assert (row.status, row.skip_reason) == ("skipped", "opted_out")
        elif m in received_first:
            assert (row.status, row.skip_reason) == ("skipped", "capped")
        else:
            assert row.status == "sent"
    assert not CouponGrant.objects.filter(campaign=second, member_id__in=received_first | {opted.pk}).exists()


def test_quiet_hours_defer_until_they_end(everyone, operator, shop):
    campaign = new_campaign(operator, everyone, shop, quiet_start=time(21, 0), quiet_end=time(9, 0))
    result = campaigns.send(actor=operator, campaign=campaign, now=at("2026-10-02 23:00"))
    assert result["sent"] == 0
    assert campaign.members.filter(status="deferred").count() == 15
    assert campaigns.deliver_deferred(now=at("2026-10-03 08:59"))["sent"] == 0
    assert campaigns.deliver_deferred(now=at("2026-10-03 09:00"))["sent"] == 15
    assert campaign.members.filter(status="sent", sent_at=at("2026-10-03 09:00")).count() == 15


def test_a_deferred_delivery_tried_again_grants_each_coupon_once(everyone, operator, shop):
    campaign = new_campaign(operator, everyone, shop, quiet_start=time(21, 0), quiet_end=time(9, 0))
    campaigns.send(actor=operator, campaign=campaign, now=at("2026-10-02 23:00"))
    first = campaign.members.filter(status="deferred").order_by("member_id").first()
    # An earlier try granted this member's coupon and stopped before the rows were saved.
    CouponGrant.objects.create(
        key=f"campaign:{campaign.pk}:{first.member_id}",
        member_id=first.member_id,
        promotion=campaign.promotion,
        campaign=campaign,
        at=at("2026-10-03 09:00"),
    )
    assert campaigns.deliver_deferred(now=at("2026-10-03 09:00"))["sent"] == 15
    grants = list(CouponGrant.objects.filter(campaign=campaign).values_list("member_id", flat=True))
    assert len(grants) == len(set(grants)) == 15
    assert campaign.members.filter(status="sent", text__startswith="亲爱的").count() == 15


def test_unknown_variables_are_refused(everyone, operator, shop):
    with pytest.raises(ValidationFailed, match="order_no"):
        new_campaign(operator, everyone, shop, template="{order_no}")


def test_difference_and_interval_worked_by_hand():
    # Treatment GMV per member 100, 0, 50, 0: mean 37.5, s² = (62.5² + 37.5² + 12.5² + 37.5²)/3 = 6875/3.
    # Control 0, 20: mean 10, s² = (10² + 10²)/1 = 200. diff 27.5; se = √(6875/12 + 100) = √672.9167 = 25.94064;
    # 1.96 × se = 50.84366 → interval −23.34 … 78.34; incremental GMV 27.5 × 4 = 110.00.
    d = campaigns.difference([Decimal(x) for x in (100, 0, 50, 0)], [Decimal(0), Decimal(20)])
    assert (d.treatment, d.control, d.diff) == (Decimal("37.50"), Decimal("10.00"), Decimal("27.50"))
    assert (d.low, d.high, d.incremental) == (Decimal("-23.34"), Decimal("78.34"), Decimal("110.00"))
    one = campaigns.difference([Decimal(1)], [Decimal(0), Decimal(1)])
    assert one.low is None and one.high is None  # fewer than 2 in a group: no interval


def test_the_report_per_day_since_sending(shop, paid, operator):
    for nick in ("a", "b", "c", "d", "e", "f"):
        paid(nick, "2026-09-01", "10.00")  # before sending: not counted
    services.sync_members(shop=shop, now=at("2026-10-01"))
    segment = Segment.objects.create(name="六人", filters={})
    by = {m.name: m for m in Member.objects.all()}
    campaign = Campaign.objects.create(
        name="报告",
        segment=segment,
        kind="message",
        template="hi",
        seed=1,
        state="sent",
        sent_at=at("2026-10-02 10:00"),
    )
    for nick in "abcdef":
        group = "control" if nick in "ef" else "treatment"
        CampaignMember.objects.create(campaign=campaign, member=by[nick], group=group, status="sent")
    paid("a", "2026-10-02 15:00", "100.00")  # day 1
    paid("f", "2026-10-02 20:00", "20.00")  # day 1, control
    paid("c", "2026-10-03 09:00", "50.00")  # day 2
    days = campaigns.report(campaign, now=at("2026-10-03 18:00"))
    assert [d.day.isoformat() for d in days] == ["2026-10-02", "2026-10-03"]
    # Day 1: treatment GMV 100, 0, 0, 0 → 25 per member; control 0, 20 → 10; diff 15, incremental 60.
    assert (days[0].gmv.treatment, days[0].gmv.control, days[0].gmv.diff) == (
        Decimal("25.00"),
        Decimal("10.00"),
        Decimal("15.00"),
    )
    assert days[0].gmv.incremental == Decimal("60.00")
    # Day 2 (cumulative): the worked example above.
    assert (days[1].gmv.low, days[1].gmv.high) == (Decimal("-23.34"), Decimal("78.34"))
    # Orders per member day 2: 1,0,1,0 (mean 0.5, s² 1/3) vs 0,1 (mean 0.5, s² 0.5): diff 0;
    # se = √(1/12 + 1/4) = 0.57735, × 1.96 = 1.13161.
    assert (days[1].orders.diff, days[1].orders.low, days[1].orders.high) == (
        Decimal("0.0000"),
        Decimal("-1.1316"),
        Decimal("1.1316"),
    )
    # Margin = paid − refunds − cost of goods; these orders have no lines, so margin = GMV.
    assert days[1].margin.diff == Decimal("27.50")
