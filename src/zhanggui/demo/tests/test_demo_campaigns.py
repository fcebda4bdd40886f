"""The demo's official campaigns: each Taobao/Tmall shop plans 天天特价 and 淘金币 in the coming weeks, from copies of
the presets, made by the operator; last month's 超优汇 is archived. The JD shop gets none (the presets are Taobao
campaigns). Checked on the campaigns alone (fast) and on the small generated demo."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.core import roles
from zhanggui.demo.campaigns import create_demo_campaigns
from zhanggui.demo.catalog_plan import SMALL
from zhanggui.demo.generator import DEMO_SHOP_CODES, ensure_demo_users, generate_demo
from zhanggui.promotions.campaigns import selectors, services
from zhanggui.promotions.campaigns.presets import PRESETS
from zhanggui.promotions.models import OfficialCampaign

pytestmark = pytest.mark.django_db


def test_each_shop_gets_two_upcoming_campaigns_from_the_presets_and_an_archived_one(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    roles.ensure_roles()
    people = ensure_demo_users()
    shops = [ShopFactory(code="a"), ShopFactory(code="b")]
    now = timezone.now()
    create_demo_campaigns(people=people, shops=shops)
    for shop in shops:
        upcoming = selectors.shop_campaigns(shop=shop, now=now)
        assert [(c.code, c.name, c.preset) for c in upcoming] == [
            ("tiantiantejia", "天天特价", "tiantiantejia"),
            ("taojinbi", "淘金币", "taojinbi"),
        ]
        for c in upcoming:
            assert c.spec["rules"] == services.preset_spec(c.preset)["rules"]
            assert now < c.apply_by < c.starts_at < c.ends_at < now + timedelta(days=30)
            assert selectors.phase(c, now) == "open" and c.created_by == people[roles.OPERATOR]
        (old,) = [c for c in selectors.shop_campaigns(shop=shop, include_archived=True, now=now) if c.is_archived]
        assert old.code == "chaoyouhui" and selectors.phase(old, now) == "ended"
    assert {c.preset for c in OfficialCampaign.objects.all()} <= set(PRESETS)


def test_the_small_demo_has_the_tmall_shops_campaigns_and_none_for_jd(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    generate_demo(size=SMALL)
    rows = OfficialCampaign.objects.filter(is_archived=False).values_list("shop__code", "code")
    assert "jd-store" in DEMO_SHOP_CODES
    assert sorted(rows) == [("tmall-flagship", "taojinbi"), ("tmall-flagship", "tiantiantejia")]
