"""The platforms' campaigns as presets a shop can check against or start its own spec from.

Numbers from the team's campaign plan (seed 001, "活动框架"); what the plan leaves open is our choice and
says so in `note`: the sales window (30 days), and "全网均价" read as the SKU's own average price over
30 days (the desk does not see other shops' prices). Shop requirements (钻级, 消保, 旺铺, 好评率) and paperwork
(资质认证, 质量证书) are about the shop, not the SKU, and are not checked here.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from zhanggui.catalog.models import Channel
from zhanggui.promotions.campaigns.eligibility import Campaign, parse_campaign

SALES_DAYS = 30

_SALES_10 = {"kind": "min_sales", "days": SALES_DAYS, "units": 10}
_REVIEWS_5 = {"kind": "min_reviews", "count": 5}
_VALUE_10K = {"kind": "min_offer_value", "amount": "10000.00"}
_FREE_SHIPPING = {"kind": "free_shipping"}

PRESETS: dict[str, dict[str, Any]] = {
    "tiantiantejia": {
        "id": "tiantiantejia",
        "name": "天天特价",
        # 宝贝要求: 销售≥10个, 50 ≤数量≤ 300件
        "rules": [_SALES_10, {"kind": "offer_quantity", "min": 50, "max": 300}],
    },
    "taojinbi": {
        "id": "taojinbi",
        "name": "淘金币",
        # 宝贝要求: 销售≥50个, 评价≥5个, 数量≥200件, 不高于全网均价
        "rules": [
            {"kind": "min_sales", "days": SALES_DAYS, "units": 50},
            _REVIEWS_5,
            {"kind": "offer_quantity", "min": 200},
            {"kind": "price_not_above_recent_average", "days": 30},
        ],
    },
    "chaoyouhui": {
        "id": "chaoyouhui",
        "name": "超优汇",
        # 宝贝要求: 销售≥10个, 评价≥5个, 数量*促销价>=1万, 包邮
        "rules": [_SALES_10, _REVIEWS_5, _VALUE_10K, _FREE_SHIPPING],
    },
    "aigou": {
        "id": "aigou",
        "name": "爱购",
        # 宝贝要求: 销售≥10个, 评价≥5个, 数量*促销价>=1万, 包邮 (the same as 超优汇)
        "rules": [_SALES_10, _REVIEWS_5, _VALUE_10K, _FREE_SHIPPING],
    },
    "duchangtuan": {
        "id": "duchangtuan",
        "name": "独畅团",
        # 宝贝要求: 数量*促销价>=1万, 销售≥10个, 评价≥5个, 包邮, 活动价为销售记录中原价的1-5折
        "rules": [
            _VALUE_10K,
            _SALES_10,
            _REVIEWS_5,
            _FREE_SHIPPING,
            {"kind": "price_rate_of_original", "min_rate": "1", "max_rate": "5"},
        ],
    },
    "fuyoushiyong": {
        "id": "fuyoushiyong",
        "name": "付邮试用",
        # 宝贝要求: 数量≥800件 (合格全新且在保质期内: not a fact the desk holds)
        "rules": [{"kind": "offer_quantity", "min": 800}, {"kind": "min_available"}],
    },
}

NOTES = {
    "tiantiantejia": _("Shop requirement (three hearts to five diamonds) is not checked; sales over 30 days."),
    "taojinbi": _(
        'Shop requirements (three diamonds, 旺铺, 消保) are not checked; "not above the web-wide average" is '
        "checked against this SKU's own average price over 30 days."
    ),
    "chaoyouhui": _("Shop requirements (one diamond, 消保) are not checked; sales over 30 days."),
    "aigou": _("Shop requirements (one diamond, 消保) are not checked; sales over 30 days."),
    "duchangtuan": _(
        "Shop requirements (one diamond, 98 per cent positive reviews, 消保, 旺铺) are not checked; "
        "the original price is the SKU's price."
    ),
    "fuyoushiyong": _(
        "Products must be new and within their shelf life, with quality certificates for cosmetics: not checked."
    ),
}


# The platforms each preset's campaign runs on. All six are Taobao's own (淘系: the plan is a Taobao shop's, and
# 天天特价 and 淘金币 are Taobao's and Tmall's), none is JD's, Pinduoduo's or the web store's. A shop is offered
# only its own platform's presets; a preset added later names its platforms here.
TAOBAO_AND_TMALL = (Channel.TAOBAO, Channel.TMALL)
CHANNELS: dict[str, tuple[str, ...]] = {key: TAOBAO_AND_TMALL for key in PRESETS}


def preset_ids_for(channel: str | None) -> list[str]:
    """The presets a shop of `channel` may start from or check against, in the presets' order; every preset
    when no shop is chosen yet."""
    return [key for key in PRESETS if channel is None or channel in CHANNELS[key]]


def not_of_platform(preset_id: str, shop: Any) -> str:
    """Why a shop may not start from this preset (another platform's campaign), or "" when it may."""
    if shop is None or not preset_id or preset_id not in PRESETS or preset_id in preset_ids_for(shop.channel):
        return ""
    return str(
        _("%(campaign)s is not a campaign of %(platform)s: choose one of its platform's or write your own rules.")
        % {"campaign": PRESETS[preset_id]["name"], "platform": shop.get_channel_display()}
    )


def preset(preset_id: str) -> Campaign | None:
    raw = PRESETS.get(preset_id)
    return parse_campaign(raw, f"preset {preset_id}") if raw is not None else None


def presets() -> list[dict[str, Any]]:
    """Every preset as JSON, with its translated note: a spec a user can copy and change."""
    return [{**parse_campaign(raw).as_dict(), "note": str(NOTES[key])} for key, raw in PRESETS.items()]
