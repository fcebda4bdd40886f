"""The members' pages with Django's test client, in English and in Chinese: the list (search by a whole phone,
masked phones), a member's page (orders, ledger, tier history, consent, merge), segments (live count, save,
XLSX export), the cohort table and the tier rules; the refusals change nothing."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from zhanggui.core.tests.pages import login
from zhanggui.members import services
from zhanggui.members.models import ConsentEvent, Member, MemberIdentity, MemberTier, Segment
from zhanggui.members.tests.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyers(shop, paid):
    paid("tb_lily", "2026-01-05", "100.00", receiver_phone="13812345678")
    paid("tb_lily", "2026-01-25", "300.00")
    paid("tb_wang", "2026-02-10", "50.00", receiver_phone="13900001111")
    services.sync_members(shop=shop, now=at("2026-03-01"))
    return {i.buyer_nick: i.member for i in MemberIdentity.objects.select_related("member")}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_list_shows_masked_phones_and_finds_a_whole_number(client, users, buyers, language):
    login(client, users["service"], language)
    page = client.get("/members/").content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert 'data-member="{}"'.format(buyers["tb_wang"].pk) in page
    found = client.get("/members/", {"q": "13812345678"}).content.decode()
    assert 'data-member="{}"'.format(buyers["tb_lily"].pk) in found
    assert 'data-member="{}"'.format(buyers["tb_wang"].pk) not in found
    assert ("Members" if language == "en" else "筛选") in page


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_members_page_shows_orders_ledger_and_tier_history(client, users, buyers, language):
    MemberTier.objects.create(code="gold", name="金卡", rank=1, basis="spend", threshold="300", window_days=None)
    services.refresh(now=at("2026-03-02"))
    login(client, users["manager"], language)
    page = client.get(f"/members/{buyers['tb_lily'].pk}/").content.decode()
    assert page.count('<tr><td><a href="/orders/') == 2
    assert "+100" in page and "+300" in page  # the two earnings
    assert 'id="member-points">400<' in page
    assert "金卡" in page  # the tier and its history
    assert 'id="consent-form"' in page and 'id="points-form"' in page


def test_service_records_consent_and_merges_and_the_operator_may_not(client, users, buyers):
    lily, wang = buyers["tb_lily"], buyers["tb_wang"]
    login(client, users["operator"])
    assert 'id="consent-form"' not in client.get(f"/members/{lily.pk}/").content.decode()
    refused = client.post(f"/members/{lily.pk}/merge/", {"other": wang.pk})
    assert refused.status_code == 403
    assert Member.objects.get(pk=wang.pk).merged_into_id is None
    login(client, users["service"])
    client.post(f"/members/{lily.pk}/consent/", {"channel": "sms", "granted": "0", "note": "电话要求"})
    assert list(ConsentEvent.objects.values_list("channel", "granted")) == [("sms", False)]
    response = client.post(f"/members/{lily.pk}/merge/", {"other": wang.pk, "reason": "同一人"})
    assert response.status_code == 302
    lily.refresh_from_db()
    assert (lily.orders_count, str(lily.spend)) == (3, "450.00")
    response = client.post(f"/members/{wang.pk}/unmerge/")
    lily.refresh_from_db()
    assert lily.orders_count == 2


def test_a_segment_is_counted_live_saved_and_exported(client, users, buyers):
    login(client, users["operator"])
    # Two people: M of lily (¥400) = 1 + ⌊5 × 1 ÷ 2⌋ = 3 (one spends less), of wang (¥50) = 1 + 0 = 1.
    fragment = client.get("/members/segments/", {"m_min": 3}, headers={"HX-Request": "true"}).content.decode()
    assert 'id="segment-count">1<' in fragment and "<html" not in fragment
    saved = client.post("/members/segments/", {"m_min": 3, "name": "高消费"})
    assert saved.status_code == 302
    assert Segment.objects.get().filters["m_min"] == 3
    page = client.get("/members/segments/").content.decode()
    assert 'data-segment="高消费"' in page
    export = client.get("/members/segments/", {"m_min": 3, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == "tb_lily" and rows[1][2] == "138****5678"
    login(client, users["service"])
    assert client.post("/members/segments/", {"name": "x"}).status_code == 403
    assert Segment.objects.count() == 1


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_cohort_table_and_the_tier_rules(client, users, buyers, language):
    login(client, users["operator"], language)
    page = client.get("/members/cohorts/").content.decode()
    assert 'data-month="2026-01"' in page and 'data-month="2026-02"' in page
    assert "20.0" in page  # lily's 20 days between her two orders
    response = client.post(
        "/members/tiers/",
        {"code": "gold", "name": "金卡", "rank": 1, "basis": "spend", "threshold": "300.00", "window_days": ""},
    )
    assert response.status_code == 302
    assert Member.objects.get(pk=buyers["tb_lily"].pk).tier.code == "gold"
    assert Member.objects.get(pk=buyers["tb_wang"].pk).tier is None
