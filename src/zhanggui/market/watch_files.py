"""The files of rank tracking, competitor watch (the plug-in's CSV, 生意参谋 and 京东商智 竞品) and the category
board, matched by header name with aliases (never by position); docs/market.md lists the columns. The reading
(encodings, XLSX, title rows naming the day, ="…" cells, rows refused with their line) is
channels.report_files'; the cells it cannot read alone (a position that may be "100+", a device, sales written
"1000+", an index that may be empty) are read in watch_imports.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhanggui.channels.report_files import CODE, COUNT, MONEY, TEXT, Field, ReportFile, ReportKind, read_report
from zhanggui.channels.traffic import DAY_FIELD
from zhanggui.core.tabular import FileSource

EVERY_PLATFORM = ("taobao", "tmall", "jd", "pdd", "web")
_ITEM_ID = Field("item_id", ("商品ID", "商品id", "宝贝ID", "宝贝id", "商品编号", "item_id"), CODE, max_length=32)
_TITLE = Field("title", ("商品标题", "标题", "商品名称", "宝贝标题", "商品"), TEXT, max_length=200)
_SHOP_NAME = Field("shop_name", ("店铺名称", "店铺", "店铺名"), TEXT, max_length=64)

#: A rank-tracking plug-in's export (排名监控): one row a keyword, item, device and day.
RANKS = ReportKind(
    key="plugin_ranks",
    label=_("rank tracking (plug-in CSV)"),
    platforms=EVERY_PLATFORM,
    target="ranks",
    signature=("keyword", "item_id", "position"),
    identity=("item_id",),
    fields=(
        DAY_FIELD,
        Field("keyword", ("关键词", "搜索词"), CODE, max_length=64),
        _ITEM_ID,
        Field("position", ("排名", "名次", "排名位置", "位置"), TEXT, max_length=16),
        Field("device", ("设备", "终端", "端口", "平台端"), TEXT, max_length=16),
        Field("item_code", ("货号", "商家编码"), CODE, max_length=64),
    ),
)

#: A competitor-watch plug-in's daily export (竞品监控): one row an item and day.
SNAPSHOTS = ReportKind(
    key="plugin_snapshots",
    label=_("competitor snapshots (plug-in CSV)"),
    platforms=EVERY_PLATFORM,
    target="snapshots",
    signature=("shop_name", "item_id"),
    identity=("item_id",),
    fields=(
        DAY_FIELD,
        _SHOP_NAME,
        _ITEM_ID,
        _TITLE,
        Field("price", ("价格", "现价", "到手价", "售价", "券后价"), MONEY, rounded=True),
        Field("promotion", ("促销", "促销信息", "优惠", "活动"), TEXT, max_length=200),
        Field("monthly_sales", ("月销量", "月销", "销量"), TEXT, max_length=32),
        Field("review_count", ("评价数", "评论数", "累计评价"), TEXT, max_length=32),
        Field("main_image_hash", ("主图哈希", "主图MD5", "主图md5", "图片哈希"), CODE, max_length=64),
        Field("main_image_url", ("主图", "主图链接", "主图URL", "主图地址"), TEXT, max_length=500),
        Field("url", ("商品链接", "链接"), TEXT, max_length=500),
    ),
)

#: 生意参谋 竞争 → 竞品分析 / 监控竞品, exported by day: one row a competitor item and day, with the platform's
#: indices (transformed figures, not sales counts). The indices are read as text and made counts in watch_imports,
#: so that an empty cell is unknown rather than 0.
_INDEX = {"max_length": 32}
SYCM_COMPETITORS = ReportKind(
    key="sycm_competitors",
    label=_("生意参谋 competitor analysis"),
    platforms=EVERY_PLATFORM,
    target="snapshots",
    signature=("shop_name", "item_id", "trade_index"),
    identity=("item_id",),
    fields=(
        DAY_FIELD,
        _SHOP_NAME,
        _ITEM_ID,
        _TITLE,
        Field("price", ("商品价格", "一口价", "价格", "售价"), MONEY, rounded=True),
        Field("trade_index", ("交易指数",), TEXT, **_INDEX),
        Field("traffic_index", ("流量指数",), TEXT, **_INDEX),
        Field("search_popularity", ("搜索人气",), TEXT, **_INDEX),
        Field("favourite_popularity", ("收藏人气",), TEXT, **_INDEX),
        Field("cart_popularity", ("加购人气",), TEXT, **_INDEX),
        Field("conversion_index", ("支付转化指数",), TEXT, **_INDEX),
        Field("url", ("商品链接", "链接"), TEXT, max_length=500),
    ),
)

#: 京东商智 竞争 → 竞品分析, exported by day. The column names are our assumption (no export seen): an alias is
#: one line here (docs/market.md).
JD_COMPETITORS = ReportKind(
    key="jdsz_competitors",
    label=_("京东商智 competitor analysis"),
    platforms=EVERY_PLATFORM,
    target="snapshots",
    signature=("shop_name", "item_id", "trade_index"),
    identity=("item_id",),
    fields=(
        DAY_FIELD,
        _SHOP_NAME,
        Field("item_id", ("SKU", "SKU编号", "商品SKU", "商品编号", "商品ID"), CODE, max_length=32, documented=False),
        _TITLE,
        Field("price", ("价格", "京东价", "商品价格", "售价"), MONEY, rounded=True, documented=False),
        Field("trade_index", ("成交金额指数",), TEXT, documented=False, **_INDEX),
        Field("traffic_index", ("访客指数", "流量指数"), TEXT, documented=False, **_INDEX),
        Field("search_popularity", ("搜索指数", "搜索点击指数"), TEXT, documented=False, **_INDEX),
        Field("favourite_popularity", ("关注指数", "关注人数指数"), TEXT, documented=False, **_INDEX),
        Field("cart_popularity", ("加购指数", "加购人数指数"), TEXT, documented=False, **_INDEX),
        Field("conversion_index", ("成交转化指数", "转化率指数"), TEXT, documented=False, **_INDEX),
        Field("url", ("商品链接", "链接"), TEXT, max_length=500),
    ),
)

#: The competitor files, in the order they are told apart: the platforms' exports name an index the plug-in's
#: CSV does not have, so they are tried first (all three have 店铺名称 and 商品ID).
COMPETITOR_KINDS = (SYCM_COMPETITORS, JD_COMPETITORS, SNAPSHOTS)

#: 生意参谋 市场 → 市场排行 → 商品 (高交易 / 高流量), one row an item at its rank.
BOARD = ReportKind(
    key="sycm_market_rank",
    label=_("生意参谋 market ranking"),
    platforms=EVERY_PLATFORM,
    target="board",
    signature=("rank", "item_id"),
    identity=("item_id",),
    fields=(
        DAY_FIELD,
        Field("category", ("类目", "行业类目", "所属类目", "类目名称"), TEXT, max_length=64),
        Field("rank", ("排名", "排行", "名次"), COUNT),
        _ITEM_ID,
        _TITLE,
        _SHOP_NAME,
        Field("price", ("价格", "一口价", "商品价格", "售价"), MONEY, rounded=True),
        Field("trade_index", ("交易指数",), COUNT),
        Field("traffic_index", ("流量指数",), COUNT),
    ),
)


def read_watch_file(*, file: FileSource, filename: str, kind: ReportKind) -> ReportFile:
    return read_report(file=file, filename=filename, kinds=[kind], kind=kind)


def read_competitor_file(*, file: FileSource, filename: str) -> ReportFile:
    """A competitor file of any of COMPETITOR_KINDS, told by its header row."""
    return read_report(file=file, filename=filename, kinds=COMPETITOR_KINDS)
