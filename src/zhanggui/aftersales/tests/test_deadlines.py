"""Deadlines, worked out: each channel's rule from the moment the clock started, the platform's own deadline
winning over the table, the clock of the next stage after an agreement, a rule edited by the manager followed by
the open cases, and the badges of the queue."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from zhanggui.aftersales import services
from zhanggui.aftersales.deadlines import deadline_for, time_left
from zhanggui.aftersales.models import DeadlineRule, DeadlineSource, Outcome, RuleBasis, Situation
from zhanggui.aftersales.tests.conftest import lines_of, two_line_order
from zhanggui.catalog.models import Channel
from zhanggui.catalog.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
OPENED = datetime(2026, 6, 18, 10, 0, tzinfo=SH)


def opened(actor, order, kind, **extra):
    tee, _cap = lines_of(order)
    return services.open_case(
        actor=actor, order=order, kind=kind, reason="quality", lines=[(tee.pk, 1)], at=OPENED, **extra
    )


def test_the_seeded_table_has_one_clock_per_channel_and_situation():
    rows = DeadlineRule.objects.all()
    assert rows.count() == len(Channel.values) * len(Situation.values) == 30
    taobao = {r.situation: (r.hours, r.on_expiry, r.basis) for r in rows.filter(channel=Channel.TAOBAO)}
    assert taobao == {
        Situation.REFUND_UNSHIPPED: (48, Outcome.AUTO_REFUND, RuleBasis.PLATFORM),
        Situation.REFUND_SHIPPED: (120, Outcome.AUTO_AGREE, RuleBasis.PLATFORM),
        Situation.RETURN_REFUND: (120, Outcome.AUTO_AGREE, RuleBasis.PLATFORM),
        Situation.RETURN_TRACKING: (168, Outcome.AUTO_CLOSE, RuleBasis.PLATFORM),
        Situation.RETURN_RECEIPT: (240, Outcome.AUTO_REFUND, RuleBasis.PLATFORM),
        Situation.OTHER: (48, Outcome.NOTHING, RuleBasis.ASSUMPTION),
    }
    assert set(rows.filter(channel__in=["jd", "pdd"]).values_list("basis", flat=True)) == {RuleBasis.ASSUMPTION}
    web = rows.get(channel=Channel.WEB, situation=Situation.RETURN_RECEIPT)
    assert (web.hours, web.on_expiry, web.basis) == (168, Outcome.NOTHING, RuleBasis.LAW)
    assert all(r.source for r in rows)


@pytest.mark.parametrize(
    ("kind", "deadline", "outcome"),
    [
        ("refund_unshipped", datetime(2026, 6, 20, 10, 0, tzinfo=SH), Outcome.AUTO_REFUND),  # 2 days
        ("refund_shipped", datetime(2026, 6, 23, 10, 0, tzinfo=SH), Outcome.AUTO_AGREE),  # 5 days
        ("return_refund", datetime(2026, 6, 23, 10, 0, tzinfo=SH), Outcome.AUTO_AGREE),  # 5 days
        ("exchange", datetime(2026, 6, 23, 10, 0, tzinfo=SH), Outcome.AUTO_AGREE),  # answered like a return
        ("complaint", datetime(2026, 6, 20, 10, 0, tzinfo=SH), Outcome.NOTHING),  # our own 48 h
    ],
)
def test_a_taobao_case_gets_the_rule_of_its_kind_from_its_opening(service, order, kind, deadline, outcome):
    case = opened(service, order, kind)
    assert case.deadline == deadline
    assert case.deadline_source == DeadlineSource.RULE
    assert (case.deadline_rule.channel, case.deadline_rule.on_expiry) == (Channel.TAOBAO, outcome)


def test_the_platforms_own_deadline_wins_over_the_table(service, order):
    from_file = datetime(2026, 6, 19, 8, 0, tzinfo=SH)  # earlier than the rule's 06-20 10:00
    case = opened(service, order, "refund_unshipped", platform_deadline=from_file)
    assert (case.deadline, case.deadline_source, case.deadline_rule) == (from_file, DeadlineSource.PLATFORM, None)
    later = datetime(2026, 6, 25, 8, 0, tzinfo=SH)  # later than the rule: it still wins, it is the platform's
    assert (
        deadline_for(channel="taobao", situation="refund_unshipped", started_at=OPENED, platform_deadline=later).at
        == later
    )


def test_each_channel_reads_its_own_rows(service, jd_order):
    DeadlineRule.objects.filter(channel="jd", situation="refund_shipped").update(hours=72)
    case = opened(service, jd_order, "refund_shipped")
    assert case.deadline == datetime(2026, 6, 21, 10, 0, tzinfo=SH)
    assert case.deadline_rule.channel == "jd"
    tmall = two_line_order(ShopFactory(code="tm01", channel=Channel.TMALL), "M1")
    assert opened(service, tmall, "refund_shipped").deadline_rule.channel == "tmall"


def test_an_agreed_return_runs_the_buyers_clock_for_the_tracking_number(service, order, monkeypatch):
    case = opened(service, order, "return_refund")
    agreed_at = datetime(2026, 6, 19, 9, 30, tzinfo=SH)
    monkeypatch.setattr("django.utils.timezone.now", lambda: agreed_at)
    case = services.agree(actor=service, case=case)
    assert case.deadline == agreed_at + timedelta(days=7)
    assert case.deadline_rule.situation == Situation.RETURN_TRACKING
    assert case.deadline_rule.on_expiry == Outcome.AUTO_CLOSE
    assert case.clock_started_at == agreed_at


def test_a_return_sent_runs_the_sellers_clock_to_confirm_the_parcel(service, order, monkeypatch):
    """Worked example: agreed 2026-06-19 09:30, the buyer sent the parcel 2026-06-20 09:00 → 2026-06-30 09:00
    (Taobao's 10 days, then it refunds by itself)."""
    from zhanggui.aftersales.returns import services as returns

    case = opened(service, order, "return_refund")
    monkeypatch.setattr("django.utils.timezone.now", lambda: datetime(2026, 6, 19, 9, 30, tzinfo=SH))
    case = services.agree(actor=service, case=case)
    sent_at = datetime(2026, 6, 20, 9, 0, tzinfo=SH)
    case = returns.record_return_sent(actor=service, case=case, carrier="顺丰", tracking_no="SF1001", at=sent_at)
    assert case.deadline == datetime(2026, 6, 30, 9, 0, tzinfo=SH)
    assert case.deadline_rule.situation == Situation.RETURN_RECEIPT
    assert case.deadline_rule.on_expiry == Outcome.AUTO_REFUND
    assert case.clock_started_at == sent_at


def test_an_agreed_refund_and_a_rejected_case_have_no_clock_against_us(service, order):
    agreed = services.agree(actor=service, case=opened(service, order, "refund_shipped"))
    assert (agreed.deadline, agreed.deadline_source) == (None, "")
    rejected = services.reject(actor=service, case=opened(service, order, "refund_shipped"), reason="已签收无质量问题")
    assert rejected.deadline is None


def test_a_new_status_drops_the_platform_deadline_of_the_old_stage(service, order):
    case = opened(service, order, "return_refund", platform_deadline=datetime(2026, 6, 19, 8, 0, tzinfo=SH))
    case = services.agree(actor=service, case=case)
    assert case.platform_deadline is None and case.deadline_source == DeadlineSource.RULE


def test_a_rule_edited_by_the_manager_moves_the_open_cases_that_follow_it(manager, service, order):
    follows = opened(service, order, "refund_unshipped")
    own = opened(service, order, "refund_unshipped", platform_deadline=datetime(2026, 6, 19, 8, 0, tzinfo=SH))
    rule = DeadlineRule.objects.get(channel="taobao", situation="refund_unshipped")
    services.save_rule(actor=manager, rule=rule, hours=24, on_expiry="auto_refund", basis="platform", source="改")
    follows.refresh_from_db()
    own.refresh_from_db()
    assert follows.deadline == datetime(2026, 6, 19, 10, 0, tzinfo=SH)
    assert own.deadline == datetime(2026, 6, 19, 8, 0, tzinfo=SH)


def test_without_a_rule_row_there_is_no_deadline(service, order):
    DeadlineRule.objects.filter(channel="taobao", situation="refund_shipped").delete()
    case = opened(service, order, "refund_shipped")
    assert (case.deadline, case.deadline_source) == (None, "")


@pytest.mark.parametrize(
    ("left", "text", "kind"),
    [
        (timedelta(hours=30), "30 h left", ""),
        (timedelta(hours=12, minutes=1), "12 h left", ""),
        (timedelta(hours=11, minutes=59), "11 h left", "amber"),
        (timedelta(hours=2), "2 h left", "amber"),
        (timedelta(hours=1, minutes=59), "1 h left", "red"),
        (timedelta(minutes=20), "20 min left", "red"),
        (timedelta(0), "overdue 0 min", "overdue"),
        (-timedelta(hours=3, minutes=10), "overdue 3 h", "overdue"),
    ],
)
def test_the_badge_is_amber_under_12_hours_red_under_2_and_overdue_after(service, order, left, text, kind):
    from django.utils import translation

    case = opened(service, order, "refund_shipped")
    now = case.deadline - left
    with translation.override("en"):
        badge = time_left(case, now)
    assert (badge.text, badge.kind) == (text, kind)


def test_a_closed_case_has_no_badge(service, order):
    case = services.close(actor=service, case=opened(service, order, "refund_shipped"), reason="买家撤销")
    assert time_left(case, OPENED) is None
