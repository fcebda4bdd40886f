"""The files of rank tracking, competitor watch and the category board, matched by header name with aliases
(never by position); docs/market.md lists the columns. The reading (encodings, XLSX, title rows naming the
day, ="…" cells, rows refused with their line) is channels.report_files'; the cells it cannot read alone
(a position that may be "100+", a device, sales written "1000+") are read in watch_imports.
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
