"""The ad reports we read, one row a day and plan (and unit or keyword when the report has them): 直通车 (as
万相台 exports it), 京东快车 (京准通), 引力魔方/钻展 (display) and 淘宝客 (淘宝联盟, affiliate). Columns as in
channels.traffic: the first name `documented` in PLATFORMS.md ("Ad reports") unless marked, aliases assumed.

Derived columns (点击率, 平均点击花费, 千次展现花费, 投入产出比/ROI, 转化率) are not read: they are computed from
the stored figures (ROI = attributed GMV ÷ cost, never a column divided by 100). The attribution window JD asks
for at export changes every attributed figure, so it is kept with each row when the file names it.

Order of trial: 淘宝客 (its 付款佣金支出 is its own), 京东快车 (展现数/点击数/总费用), display (消耗), then
直通车 (展现量/点击量/花费: 万相台's columns). A 万相台 file of a display scene reads as 直通车 unless the user
names the kind (`--kind display`): the file itself does not tell.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhanggui.channels.report_files import CODE, COUNT, MONEY, TEXT, ReportFile, ReportKind, read_report
from zhanggui.channels.traffic import DAY_FIELD, JD_SHOPS, TAOBAO_SHOPS
from zhanggui.channels.traffic import field as _f
from zhanggui.core.tabular import FileSource

ZTC, JD_EXPRESS, DISPLAY, AFFILIATE = "ztc", "jd_express", "display", "affiliate"
ADS = "ads"
_IDENTITY = ("plan_id", "plan", "unit", "keyword", "attribution")

ZTC_KIND = ReportKind(
    key=ZTC,
    label=_("直通车 / 万相台"),
    platforms=TAOBAO_SHOPS,
    target=ADS,
    channel=ZTC,
    signature=("impressions", "clicks", "cost"),
    identity=_IDENTITY,
    fields=(
        DAY_FIELD,
        _f("scene", ("场景名字", "场景名称"), TEXT, max_length=64),
        _f("plan_id", "计划ID", CODE, max_length=64),
        _f("plan", ("计划名字", "计划名称", "推广计划"), TEXT, max_length=128),
        _f("unit", ("主体名称", "单元名称", "推广单元", "宝贝名称"), TEXT, max_length=128),
        _f("keyword", ("关键词", "关键字", "关键词名称"), TEXT, max_length=128, documented=False),
        _f("impressions", "展现量", COUNT),
        _f("clicks", "点击量", COUNT),
        _f("cost", "花费", MONEY),
        _f("orders", ("总成交笔数", "成交笔数"), COUNT),
        _f("gmv", ("总成交金额", "成交金额"), MONEY),
        _f("carts", ("总购物车数", "购物车数"), COUNT),
    ),
)

DISPLAY_KIND = ReportKind(
    key=DISPLAY,
    label=_("引力魔方 / 钻展 (display)"),
    platforms=TAOBAO_SHOPS,
    target=ADS,
    channel=DISPLAY,
    signature=("impressions", "clicks", "cost"),
    identity=_IDENTITY,
    fields=(
        DAY_FIELD,
        _f("scene", ("场景名字", "场景名称"), TEXT, max_length=64),
        _f("plan_id", "计划ID", CODE, max_length=64),
        _f("plan", ("计划名字", "计划名称", "推广计划"), TEXT, max_length=128),
        _f("unit", ("单元名称", "定向名称", "人群名称", "资源位", "主体名称"), TEXT, max_length=128, documented=False),
        _f("keyword", ("创意名称", "关键词"), TEXT, max_length=128, documented=False),
        _f("impressions", "展现量", COUNT),
        _f("clicks", "点击量", COUNT),
        # 钻展 calls the spend 消耗 (assumed); 万相台 calls it 花费, which only `--kind display` reads here.
        _f("cost", ("消耗", "花费"), MONEY, documented=False),
        _f("orders", ("总成交笔数", "成交笔数"), COUNT),
        _f("gmv", ("总成交金额", "成交金额"), MONEY),
        _f("carts", ("总购物车数", "购物车数"), COUNT),
    ),
)
# Detection must not take a 万相台 file (花费) for display: the signature is tried with 消耗 alone.
_DISPLAY_DETECT = ReportKind(
    key=DISPLAY,
    label=DISPLAY_KIND.label,
    platforms=DISPLAY_KIND.platforms,
    target=ADS,
    channel=DISPLAY,
    signature=DISPLAY_KIND.signature,
    identity=_IDENTITY,
    fields=tuple(_f("cost", "消耗", MONEY) if f.key == "cost" else f for f in DISPLAY_KIND.fields),
)

JD_EXPRESS_KIND = ReportKind(
    key=JD_EXPRESS,
    label=_("京东快车 / 京准通"),
    platforms=JD_SHOPS,
    target=ADS,
    channel=JD_EXPRESS,
    signature=("impressions", "clicks", "cost"),
    identity=_IDENTITY,
    fields=(
        DAY_FIELD,
        _f("plan_id", "计划ID", CODE, max_length=64, documented=False),
        _f("plan", ("计划", "计划名称"), TEXT, max_length=128),
        _f("unit", ("单元", "单元名称"), TEXT, max_length=128, documented=False),
        _f("keyword", ("关键词", "关键字"), TEXT, max_length=128, documented=False),
        _f("attribution", ("归因周期", "转化周期", "订单归因"), TEXT, max_length=32, documented=False),
        _f("impressions", "展现数", COUNT),
        _f("clicks", "点击数", COUNT),
        _f("cost", "总费用", MONEY),
        _f("orders", "总订单行", COUNT),
        _f("gmv", "总订单金额", MONEY),
        _f("carts", "总购物车数", COUNT),
    ),
)

AFFILIATE_KIND = ReportKind(
    key=AFFILIATE,
    label=_("淘宝客 / 淘宝联盟 (affiliate)"),
    platforms=TAOBAO_SHOPS,
    target=ADS,
    channel=AFFILIATE,
    signature=("cost", "gmv"),
    identity=_IDENTITY,
    named=False,
    fields=(
        DAY_FIELD,
        _f("plan", ("推广计划", "计划名称"), TEXT, max_length=128, documented=False),
        _f("unit", ("商品名称", "推广商品"), TEXT, max_length=128, documented=False),
        _f("clicks", "点击量", COUNT),
        _f("buyers", "付款人数", COUNT),
        _f("gmv", "付款金额", MONEY),
        _f("orders", "付款笔数", COUNT),
        _f("cost", "付款佣金支出", MONEY),
    ),
)

#: Tried in this order (the module's docstring says why); the values are what each kind reads once told.
AD_KINDS: dict[str, ReportKind] = {kind.key: kind for kind in (AFFILIATE_KIND, JD_EXPRESS_KIND, DISPLAY_KIND, ZTC_KIND)}
_DETECT = [AFFILIATE_KIND, JD_EXPRESS_KIND, _DISPLAY_DETECT, ZTC_KIND]


def read_ads(*, file: FileSource, filename: str = "", kind: str | None = None) -> ReportFile:
    """One ad report, its kind told by its header row unless `kind` (a key of AD_KINDS) names it."""
    if kind:
        return read_report(file=file, filename=filename, kinds=list(AD_KINDS.values()), kind=AD_KINDS[kind])
    result = read_report(file=file, filename=filename, kinds=_DETECT)
    if result.kind is _DISPLAY_DETECT:
        result.kind = DISPLAY_KIND  # the same columns but the one detection left out
    return result
