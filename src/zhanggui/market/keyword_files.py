"""The keyword reports we read, matched by header name with aliases (never by position): 生意参谋 搜索分析 /
相关搜索词 for Taobao and Tmall shops, 京东商智 搜索分析 for JD shops. The columns accepted are listed in
docs/market.md. The reading itself (encodings, XLSX, ="…" numbers, "2.5万", title rows naming the day, rows
refused with their line) is channels.report_files'.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhanggui.channels.report_files import CODE, COUNT, RATE, TEXT, Field, ReportFile, ReportKind, read_report
from zhanggui.channels.traffic import DAY_FIELD, JD_SHOPS, TAOBAO_SHOPS
from zhanggui.core.tabular import FileSource

KEYWORDS = "keywords"
KEYWORD_MAX = 64

_KEYWORD = Field("keyword", ("搜索词", "关键词", "相关搜索词"), CODE, max_length=KEYWORD_MAX)
# 点击率 in a search-term report is clicks ÷ searches and can pass 100 % (one search, several clicks).
_CLICK_RATE = Field("click_rate", ("点击率",), RATE, bounded=False)
_CATEGORY = Field("category", ("类目", "所属类目", "一级类目", "类目名称"), TEXT, max_length=64, documented=False)

SYCM_KEYWORDS = ReportKind(
    key="sycm_keywords",
    label=_("生意参谋 search terms"),
    platforms=TAOBAO_SHOPS,
    target=KEYWORDS,
    signature=("keyword", "search_popularity"),
    identity=("keyword",),
    fields=(
        DAY_FIELD,
        _KEYWORD,
        Field("search_popularity", ("搜索人气", "搜索热度"), COUNT),
        _CLICK_RATE,
        Field("conversion", ("支付转化率", "转化率"), RATE),
        Field("competing_listings", ("在线商品数", "全网商品数", "商品数"), COUNT),
        _CATEGORY,
    ),
)

JD_KEYWORDS = ReportKind(
    key="jd_keywords",
    label=_("京东商智 search terms"),
    platforms=JD_SHOPS,
    target=KEYWORDS,
    signature=("keyword", "search_popularity"),
    identity=("keyword",),
    fields=(
        DAY_FIELD,
        _KEYWORD,
        Field("search_popularity", ("搜索指数", "搜索量"), COUNT, documented=False),
        _CLICK_RATE,
        Field("conversion", ("成交转化率", "转化率"), RATE, documented=False),
        Field("competing_listings", ("商品数", "在线商品数", "全网商品数"), COUNT, documented=False),
        _CATEGORY,
    ),
)

#: Tried in this order; each is told by its popularity column (搜索人气 or 搜索指数).
KEYWORD_KINDS: dict[str, ReportKind] = {kind.key: kind for kind in (SYCM_KEYWORDS, JD_KEYWORDS)}


def read_keywords(*, file: FileSource, filename: str = "", kind: str | None = None) -> ReportFile:
    """One keyword report, its kind told by its header row unless `kind` (a key of KEYWORD_KINDS) names it."""
    return read_report(
        file=file, filename=filename, kinds=list(KEYWORD_KINDS.values()), kind=KEYWORD_KINDS[kind] if kind else None
    )
