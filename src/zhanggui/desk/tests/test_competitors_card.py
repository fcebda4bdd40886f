"""The 店长/运营 morning's 竞品动态 card: the latest competitor changes and our items' rank alerts, in two
queries, in both languages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zhanggui.catalog.models import Channel
from zhanggui.catalog.tests.factories import ProductFactory, ShopFactory
from zhanggui.core import roles
from zhanggui.core.tests.pages import login
from zhanggui.desk import morning
from zhanggui.market.tests.watch_factories import competitor_item, observe, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def moves():
    """Yesterday and today's snapshots of a competitor item (199 → 179, a new promotion) and our dress falling
    from 12th to 30th for 连衣裙 on mobile (off the first page of 20)."""
    today = timezone.localdate()
    item = competitor_item()
    snapshot(item, today - timedelta(days=1), "199.00")
    snapshot(item, today, "179.00", promotion="满199减20")
    shop = ShopFactory(code="tm01", channel=Channel.TMALL)
    dress = ProductFactory(shop=shop, code="1001", title="碎花连衣裙")
    observe(shop, "连衣裙", "1001", today - timedelta(days=2), 12, product=dress)
    observe(shop, "连衣裙", "1001", today - timedelta(days=1), 30, product=dress)
    return today


def test_the_manager_morning_has_the_card():
    assert "competitors" in morning.cards_for(roles.MANAGER) and "competitors" in morning.cards_for(roles.OPERATOR)
    assert "competitors" not in morning.cards_for(roles.SERVICE)


def test_the_card_reads_two_queries(moves, django_assert_num_queries):
    with django_assert_num_queries(2):
        figures = morning.competitors(timezone.now())
    assert [c.kind for c in figures["items"][0].changes] == ["price_cut", "new_promotion"]
    assert figures["alerts_day"] == moves - timedelta(days=1)
    assert [(a.kind, a.previous, a.current) for a in figures["alerts"]] == [("off_first_page", 12, 30)]


def test_the_card_in_english_and_chinese(client, users, moves):
    login(client, users["operator"])
    html = client.get(reverse("desk-card", args=["competitors"])).content.decode()
    assert 'id="competitors"' in html and "Price cut 199.00 → 179.00" in html and "New promotion" in html
    assert 'class="rank-alert" data-kind="off_first_page"' in html and "12 → 30" in html
    login(client, users["manager"], language="zh-hans")
    chinese = client.get(reverse("desk-card", args=["competitors"])).content.decode()
    assert 'id="competitors"' in chinese and "对手旗舰店" in chinese


def test_the_card_without_snapshots(client, users):
    login(client, users["manager"])
    html = client.get(reverse("desk-card", args=["competitors"])).content.decode()
    assert 'id="no-competitor-changes"' in html and 'id="rank-alerts-card"' not in html
