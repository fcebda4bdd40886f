"""The review and 问大家 exports (评价管理 / 评价导出, the review plug-ins' CSV), matched by header name with
aliases, never by position; docs/market.md lists the columns. The reading is channels.report_files' (encodings,
XLSX, title rows, ="…" cells, refused rows with their line); the rating and the grade are read in market.reviews.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhanggui.channels.report_files import CODE, DAY, TEXT, Field, ReportFile, ReportKind, read_report
from zhanggui.core.tabular import FileSource
from zhanggui.market.watch_files import _ITEM_ID, EVERY_PLATFORM

#: The review's own day (评价时间; a time after the day is dropped), not the snapshot's.
REVIEW_DAY = Field("day", ("评价时间", "评论时间", "评价日期", "评论日期", "日期", "时间"), DAY)

#: A review export: one row a review.
REVIEWS = ReportKind(
    key="reviews",
    label=_("reviews (评价导出 / plug-in CSV)"),
    platforms=EVERY_PLATFORM,
    target="reviews",
    signature=("item_id", "text"),
    identity=("item_id",),
    fields=(
        REVIEW_DAY,
        _ITEM_ID,
        Field("review_id", ("评价ID", "评价id", "评论ID", "评论id", "评价编号", "评论编号"), CODE, max_length=64),
        Field("text", ("评价内容", "评论内容", "初评内容", "评价", "内容"), TEXT, max_length=2000),
        Field("rating", ("评分", "星级", "分数", "评价星级"), TEXT, max_length=16),
        Field("grade", ("评价等级", "评价类型", "好中差评", "评价结果"), TEXT, max_length=16),
        Field("buyer", ("买家昵称", "评价人", "昵称", "买家", "用户名"), TEXT, max_length=64),
        Field("order_no", ("订单号", "订单编号", "子订单号"), CODE, max_length=64),
        Field("sku_code", ("商家编码", "SKU编码", "sku编码"), CODE, max_length=64),
        Field("sku_text", ("SKU", "sku", "规格", "颜色分类", "商品属性", "销售属性"), TEXT, max_length=100),
    ),
)

#: 问大家: one row a question, the answers in one cell (one per line, or split by | or ；).
QUESTIONS = ReportKind(
    key="questions",
    label=_("问大家 (Q&A)"),
    platforms=EVERY_PLATFORM,
    target="questions",
    signature=("item_id", "question"),
    identity=("item_id",),
    fields=(
        Field("day", ("提问时间", "提问日期", "日期", "时间"), DAY),
        _ITEM_ID,
        Field("question", ("问题", "问题内容", "提问", "提问内容"), TEXT, max_length=500),
        Field("answers", ("回答", "回答内容", "答案"), TEXT, max_length=4000),
    ),
)

KINDS = {"reviews": REVIEWS, "questions": QUESTIONS}


def read_review_file(*, file: FileSource, filename: str, kind: str) -> ReportFile:
    return read_report(file=file, filename=filename, kinds=[KINDS[kind]], kind=KINDS[kind])
