"""Campaign presets belong to their platform: a JD shop is not offered 淘金币 or 天天特价, nor may it start a
campaign from one; and a rate is "25% off" in English where Chinese says "7.5折"."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from zhanggui.catalog.models import Channel
from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.core.tests.pages import login
from zhanggui.promotions.campaigns.forms import CampaignForm, EligibilityForm
from zhanggui.promotions.campaigns.presets import CHANNELS, PRESETS, preset_ids_for
from zhanggui.promotions.models import OfficialCampaign
from zhanggui.promotions.spec import rate_range_text, rate_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def jd_shop():
    return ShopFactory(code="jd-a", name="棉语京东店", channel=Channel.JD)


@pytest.fixture
def tmall_shop():
    return ShopFactory(code="tmall-a", name="棉语天猫店", channel=Channel.TMALL)


def offered(html: str, select_id: str) -> list[str]:
    select = html[html.index(f'id="{select_id}"') :]
    select = select[: select.index("</select>")]
    return [value for value in re.findall(r'<option value="([^"]*)"', select) if value]


def test_taojinbi_and_tiantiantejia_are_taobao_and_tmall_campaigns():
    for key in ("taojinbi", "tiantiantejia"):
        assert set(CHANNELS[key]) == {Channel.TAOBAO, Channel.TMALL}
    assert set(CHANNELS) == set(PRESETS)
    assert "taojinbi" not in preset_ids_for(Channel.JD)
    assert preset_ids_for(Channel.TAOBAO) == list(PRESETS)
    assert preset_ids_for(None) == list(PRESETS)  # no shop chosen yet: every preset


def test_the_jd_shops_new_campaign_page_offers_no_taobao_preset(client, users, jd_shop, tmall_shop):
    login(client, users["operator"])
    url = reverse("promotions:campaign-new")
    jd_page = client.get(url, {"shop": jd_shop.pk}).content.decode()
    assert offered(jd_page, "preset-picker") == []
    assert offered(jd_page, "id_preset") == []
    assert "淘金币" not in jd_page and "天天特价" not in jd_page
    tmall_page = client.get(url, {"shop": tmall_shop.pk}).content.decode()
    assert {"taojinbi", "tiantiantejia"} <= set(offered(tmall_page, "preset-picker"))
    assert {"taojinbi", "tiantiantejia"} <= set(offered(tmall_page, "id_preset"))


def test_a_preset_of_another_platform_in_the_address_is_not_filled_in(client, users, jd_shop):
    login(client, users["operator"])
    response = client.get(reverse("promotions:campaign-new"), {"shop": jd_shop.pk, "preset": "taojinbi"})
    assert response.context["form"].initial["preset"] == ""
    assert response.context["form"].initial["spec"] == ""


def test_a_jd_campaign_cannot_start_from_taojinbi(client, users, jd_shop):
    login(client, users["operator"])
    with translation.override("en"):
        response = client.post(reverse("promotions:campaign-new"), {"shop": jd_shop.pk, "preset": "taojinbi"})
    assert response.status_code == 422
    assert response.context["form"].errors["preset"] == [
        "淘金币 is not a campaign of JD: choose one of its platform's or write your own rules."
    ]
    assert not OfficialCampaign.objects.exists()


def test_a_tmall_campaign_starts_from_taojinbi(client, users, tmall_shop):
    login(client, users["operator"])
    response = client.post(reverse("promotions:campaign-new"), {"shop": tmall_shop.pk, "preset": "taojinbi"})
    assert response.status_code == 302
    assert OfficialCampaign.objects.get().preset == "taojinbi"


def test_the_forms_offer_the_shops_platform_only(jd_shop, tmall_shop):
    assert [k for k, _ in CampaignForm(initial={"shop": jd_shop}).fields["preset"].choices] == [""]
    assert [k for k, _ in CampaignForm(initial={"shop": tmall_shop.pk}).fields["preset"].choices] == ["", *PRESETS]
    assert EligibilityForm(initial={"shop": jd_shop}).fields["preset"].choices == []
    form = EligibilityForm({"shop": jd_shop.pk, "preset": "tiantiantejia", "lines": "A,1,1"})
    assert not form.is_valid()
    assert "天天特价" in form.errors["preset"][0]


def test_the_eligibility_page_of_a_jd_shop_offers_no_taobao_preset(client, users, jd_shop, tmall_shop):
    login(client, users["service"])
    url = reverse("promotions:eligibility")
    assert offered(client.get(url, {"shop": jd_shop.pk}).content.decode(), "id_preset") == []
    assert offered(client.get(url, {"shop": tmall_shop.pk}).content.decode(), "id_preset") == list(PRESETS)


# ----- rates in words -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rate, english, chinese",
    [("7", "30% off", "7折"), ("7.5", "25% off", "7.5折"), ("8.85", "11.5% off", "8.85折"), ("10", "0% off", "10折")],
)
def test_a_rate_is_percent_off_in_english_and_zhe_in_chinese(rate, english, chinese):
    with translation.override("en"):
        assert rate_text(Decimal(rate)) == english
    with translation.override("zh-hans"):
        assert rate_text(Decimal(rate)) == chinese


def test_a_range_of_rates_puts_the_shallower_cut_first_in_english():
    with translation.override("en"):
        assert rate_range_text(Decimal("1"), Decimal("5")) == "50%–90% off"
    with translation.override("zh-hans"):
        assert rate_range_text(Decimal("1"), Decimal("5")) == "1–5折"


def test_the_check_page_has_no_zhe_in_english(client, users, tmall_shop):
    login(client, users["operator"])
    campaign = OfficialCampaign.objects.create(
        shop=tmall_shop, code="dct", name="独畅团", preset="duchangtuan", spec=PRESETS["duchangtuan"],
        created_by=users["operator"],
    )  # fmt: skip
    html = client.get(reverse("promotions:campaign-check", args=[campaign.pk])).content.decode()
    assert "tenths of the price" in html
    assert "折" not in re.sub(r"<[^>]+>", "", html).replace("独畅团", "")


def test_the_service_refuses_another_platforms_preset_for_the_api_too(users, jd_shop):
    from zhanggui.promotions.campaigns.errors import CampaignSpecError
    from zhanggui.promotions.campaigns.services import create_campaign

    with translation.override("en"), pytest.raises(CampaignSpecError, match="淘金币 is not a campaign of JD"):
        create_campaign(actor=users["operator"], shop=jd_shop, preset="taojinbi")
    assert not OfficialCampaign.objects.exists()
