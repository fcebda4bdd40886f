"""The traffic reports we read: 生意参谋 (Taobao/Tmall) shop overview, 商品排行 and 流量来源, and JD 商智's shop and
item reports. Each kind lists its columns with their aliases. A column whose first name is in PLATFORMS.md
("Traffic exports", "Metric definitions") is `documented`; `documented=False` marks a first name that is our
assumption of what the platform writes, and aliases after the first name are assumptions too (docs/metrics.md
lists which are which).

The kinds are tried in the order of TRAFFIC_KINDS: the sources and item reports carry columns the shop overview
has too (访客数, 支付金额), so they go first, each told by a column of its own (一级来源, 商品ID).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from zhanggui.channels.report_files import (
    CODE,
    COUNT,
    DAY,
    DECIMAL,
    MONEY,
    RATE,
    TEXT,
    Field,
    ReportFile,
    ReportKind,
    read_report,
)
from zhanggui.core.tabular import FileSource

#: The shops each platform's reports fit (catalog.Channel values).
TAOBAO_SHOPS = ("taobao", "tmall")
JD_SHOPS = ("jd",)

DAY_FIELD = Field("day", ("统计日期", "日期", "统计时间", "时间", "数据日期"), DAY)
#: 统计日期 and 日期 are documented; 统计时间, 时间 and 数据日期 are assumed.
DAY_DOCUMENTED = ("统计日期", "日期")

SHOP, ITEMS, SOURCES = "shop", "items", "sources"


def field(key: str, names: tuple[str, ...] | str, kind: str, **options: Any) -> Field:
    """A Field, one name written without a tuple."""
    return Field(key, (names,) if isinstance(names, str) else names, kind, **options)


_f = field


SYCM_SHOP = ReportKind(
    key="sycm_shop",
    label=_("生意参谋 shop overview"),
    platforms=TAOBAO_SHOPS,
    target=SHOP,
    signature=("visitors", "paid_amount", "paying_buyers"),
    fields=(
        DAY_FIELD,
        _f("visitors", "访客数", COUNT),
        _f("mobile_visitors", "无线端访客数", COUNT),
        _f("pv", "浏览量", COUNT),
        _f("item_visitors", "商品访客数", COUNT),
        _f("item_pv", "商品浏览量", COUNT),
        _f("bounce_rate", "跳失率", RATE),
        _f("pv_per_visitor", "人均浏览量", DECIMAL),
        _f("cart_buyers", "加购人数", COUNT),
        _f("cart_units", "加购件数", COUNT),
        _f("fav_buyers", ("商品收藏买家数", "收藏人数", "收藏买家数"), COUNT),
        _f("order_amount", "下单金额", MONEY),
        _f("order_buyers", "下单买家数", COUNT),
        _f("order_units", "下单件数", COUNT),
        _f("order_conversion", "下单转化率", RATE),
        _f("paid_amount", "支付金额", MONEY),
        _f("paying_buyers", "支付买家数", COUNT),
        _f("paid_units", "支付件数", COUNT),
        _f("paid_orders", "支付子订单数", COUNT),
        _f("payment_conversion", "支付转化率", RATE),
        _f("aov", "客单价", MONEY, rounded=True),
        _f("uv_value", "UV价值", MONEY, rounded=True),
        _f("returning_visitors", "老访客数", COUNT),
        _f("new_visitors", "新访客数", COUNT),
        _f("new_buyers", "支付新买家数", COUNT),
        _f("returning_buyers", "支付老买家数", COUNT),
        _f("returning_buyer_amount", "老买家支付金额", MONEY),
        _f("affiliate_commission", "淘宝客佣金", MONEY),
        _f("refund_amount", "成功退款金额", MONEY),
        _f("reviews", "评价数", COUNT),
        _f("shop_followers", "关注店铺人数", COUNT),
    ),
)

JD_SHOP = ReportKind(
    key="jd_shop",
    label=_("京东商智 shop overview"),
    platforms=JD_SHOPS,
    target=SHOP,
    signature=("visitors", "paid_amount", "paying_buyers"),
    fields=(
        DAY_FIELD,
        _f("visitors", "访客数", COUNT),
        _f("pv", "浏览量", COUNT, documented=False),
        _f("bounce_rate", "跳失率", RATE, documented=False),
        _f("pv_per_visitor", "人均浏览量", DECIMAL, documented=False),
        _f("cart_buyers", ("加购客户数", "加购人数"), COUNT, documented=False),
        _f("fav_buyers", ("关注商品人数", "收藏人数"), COUNT, documented=False),
        _f("order_buyers", "下单客户数", COUNT, documented=False),
        _f("order_amount", "下单金额", MONEY, documented=False),
        _f("order_conversion", "下单转化率", RATE, documented=False),
        _f("paid_amount", "成交金额", MONEY, documented=False),
        _f("paying_buyers", "成交客户数", COUNT),
        _f("paid_units", "成交商品件数", COUNT, documented=False),
        _f("paid_orders", "成交单量", COUNT, documented=False),
        _f("payment_conversion", "成交转化率", RATE),
        _f("aov", "客单价", MONEY, rounded=True, documented=False),
        _f("uv_value", "UV价值", MONEY, rounded=True, documented=False),
        _f("shop_followers", "关注店铺人数", COUNT, documented=False),
    ),
)

SYCM_ITEMS = ReportKind(
    key="sycm_items",
    label=_("生意参谋 商品排行 (items)"),
    platforms=TAOBAO_SHOPS,
    target=ITEMS,
    signature=("item_id", "visitors"),
    identity=("item_id",),
    fields=(
        DAY_FIELD,
        _f("item_id", ("商品ID", "宝贝ID"), CODE, max_length=32),
        _f("title", ("商品名称", "宝贝标题"), TEXT, max_length=200),
        _f("item_code", ("货号", "商家编码", "商品编码"), CODE, max_length=64),
        _f("status", "商品状态", TEXT, max_length=32),
        _f("visitors", "商品访客数", COUNT),
        _f("pv", "商品浏览量", COUNT),
        _f("bounce_rate", "商品详情页跳出率", RATE),
        _f("fav_buyers", "商品收藏人数", COUNT),
        _f("cart_units", "商品加购件数", COUNT),
        _f("cart_buyers", "商品加购人数", COUNT),
        _f("order_buyers", "下单买家数", COUNT),
        _f("order_units", "下单件数", COUNT),
        _f("order_amount", "下单金额", MONEY),
        _f("paying_buyers", "支付买家数", COUNT),
        _f("paid_units", "支付件数", COUNT),
        _f("paid_amount", "支付金额", MONEY),
        _f("payment_conversion", "商品支付转化率", RATE),
        _f("refund_amount", "成功退款金额", MONEY),
        _f("search_visitors", "搜索引导访客数", COUNT),
    ),
)

JD_ITEMS = ReportKind(
    key="jd_items",
    label=_("京东商智 items"),
    platforms=JD_SHOPS,
    target=ITEMS,
    signature=("item_id", "visitors", "paid_amount"),
    identity=("item_id",),
    fields=(
        DAY_FIELD,
        _f("item_id", ("商品编号", "SKU编号", "商品ID", "SKU"), CODE, max_length=32, documented=False),
        _f("title", "商品名称", TEXT, max_length=200),
        _f("item_code", ("货号", "商家编码", "商家SKUID"), CODE, max_length=64),
        _f("visitors", "访客数", COUNT),
        _f("pv", "浏览量", COUNT, documented=False),
        _f("bounce_rate", "跳失率", RATE, documented=False),
        _f("fav_buyers", ("关注人数", "收藏人数"), COUNT, documented=False),
        _f("cart_buyers", ("加购客户数", "加购人数"), COUNT, documented=False),
        _f("paying_buyers", "成交客户数", COUNT),
        _f("paid_units", "成交商品件数", COUNT, documented=False),
        _f("paid_amount", "成交金额", MONEY, documented=False),
        _f("payment_conversion", "成交转化率", RATE),
    ),
)

SOURCES_KIND = ReportKind(
    key="sources",
    label=_("流量来源 (traffic sources)"),
    platforms=TAOBAO_SHOPS + JD_SHOPS,
    target=SOURCES,
    signature=("level1", "visitors"),
    identity=("carrier", "level1", "level2", "level3", "level4"),
    fields=(
        DAY_FIELD,
        _f("carrier", "流量载体", TEXT, max_length=32),
        _f("level1", ("一级来源", "来源"), TEXT, max_length=64),
        _f("level2", "二级来源", TEXT, max_length=64),
        _f("level3", "三级来源", TEXT, max_length=64),
        _f("level4", "四级来源", TEXT, max_length=64),
        _f("visitors", "访客数", COUNT),
        _f("new_visitors", ("新访客", "新访客数"), COUNT),
        _f("cart_buyers", ("加购人数", "加购客户数"), COUNT),
        _f("paying_buyers", ("支付买家数", "成交客户数"), COUNT),
        _f("payment_conversion", ("支付转化率", "成交转化率"), RATE),
        _f("paid_amount", ("支付金额", "成交金额"), MONEY),
        _f("aov", "客单价", MONEY, rounded=True),
        _f("uv_value", "UV价值", MONEY, rounded=True),
    ),
)

#: Tried in this order (the module's docstring says why).
TRAFFIC_KINDS: dict[str, ReportKind] = {
    kind.key: kind for kind in (SOURCES_KIND, SYCM_ITEMS, JD_ITEMS, SYCM_SHOP, JD_SHOP)
}


def read_traffic(*, file: FileSource, filename: str = "", kind: str | None = None) -> ReportFile:
    """One traffic report, its kind told by its header row unless `kind` (a key of TRAFFIC_KINDS) names it."""
    return read_report(
        file=file, filename=filename, kinds=list(TRAFFIC_KINDS.values()), kind=TRAFFIC_KINDS[kind] if kind else None
    )
