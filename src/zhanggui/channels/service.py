"""The customer-service reports we read, one row a day and agent: 千牛 客服绩效 (赤兔名品 and 千牛's own 客服数据
export, Taobao/Tmall) and 京东 咚咚 客服绩效 (JD); and the shop's scores by day, one row a day: Taobao/Tmall's
DSR (店铺评分: 描述相符, 服务态度, 物流服务) and JD's shop score (商品评价, 物流履约, 售后服务, out of 10).
Columns as in channels.traffic; PLATFORMS.md lists none of these, so every name is our assumption of one
version (`documented=False`), aliases included (docs/metrics.md, "Customer-service imports").

Derived columns (询单->最终付款成功率, 客单价, 回复率 when the counts are there) are not read: the inquiry
conversion is computed from the stored counts (inquiry_paid ÷ inquired), so a period's figure is Σ ÷ Σ, never a
mean of daily rates. Response times are kept in seconds ("23.5", "23.5秒", "1分5秒", "00:01:05").

JD's export is tried first: its 咨询量 and 售前接待人数 are its own; both name the agent differently (旺旺 vs 客服账号).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhanggui.channels.report_files import (
    COUNT,
    DECIMAL,
    MONEY,
    RATE,
    SECONDS,
    TEXT,
    ReportFile,
    ReportKind,
    read_report,
)
from zhanggui.channels.traffic import DAY_FIELD, JD_SHOPS, TAOBAO_SHOPS
from zhanggui.channels.traffic import field as _f
from zhanggui.core.tabular import FileSource

SERVICE, SCORES = "service", "scores"

QIANNIU = ReportKind(
    key="qianniu_service",
    label=_("千牛 / 赤兔 客服绩效"),
    platforms=TAOBAO_SHOPS,
    target=SERVICE,
    signature=("agent", "inquired"),
    identity=("agent",),
    fields=(
        DAY_FIELD,
        _f(
            "agent",
            ("旺旺", "客服旺旺", "客服昵称", "客服", "子账号", "客服名称"),
            TEXT,
            max_length=64,
            documented=False,
        ),
        _f("consulted", ("咨询人数", "咨询客户数"), COUNT, documented=False),
        _f("received", ("接待人数", "接待客户数"), COUNT, documented=False),
        _f("inquired", ("询单人数", "询单客户数"), COUNT, documented=False),
        _f(
            "inquiry_paid",
            ("询单->最终付款人数", "询单最终付款人数", "最终付款人数", "询单付款人数"),
            COUNT,
            documented=False,
        ),
        _f("sales", ("销售额", "客服销售额", "最终付款金额"), MONEY, documented=False),
        _f("units", ("销售量", "销售件数"), COUNT, documented=False),
        _f(
            "first_response",
            ("平均首次响应时间", "首次响应时间", "平均首次响应(秒)", "首次响应(秒)", "首响时长"),
            SECONDS,
            documented=False,
        ),
        _f("avg_response", ("平均响应时间", "平均响应(秒)", "平均响应时长"), SECONDS, documented=False),
        _f("reply_rate", ("回复率", "旺旺回复率"), RATE, documented=False),
    ),
)

JD_DONGDONG = ReportKind(
    key="jd_service",
    label=_("京东 咚咚 客服绩效"),
    platforms=JD_SHOPS,
    target=SERVICE,
    signature=("agent", "consulted", "inquired"),
    identity=("agent",),
    fields=(
        DAY_FIELD,
        _f("agent", ("客服账号", "客服", "客服名称", "咚咚账号"), TEXT, max_length=64, documented=False),
        _f("consulted", ("咨询量", "咨询人数"), COUNT, documented=False),
        _f("received", ("接待量", "接待人数"), COUNT, documented=False),
        _f("inquired", "售前接待人数", COUNT, documented=False),  # JD's own word: what tells its file
        _f("inquiry_paid", ("出库人数", "下单出库人数", "24小时下单出库人数"), COUNT, documented=False),
        _f("sales", ("出库金额", "下单出库金额", "销售额"), MONEY, documented=False),
        _f("units", ("出库商品件数", "销售量"), COUNT, documented=False),
        _f("first_response", ("首次响应时长", "平均首次响应时长", "首响时长"), SECONDS, documented=False),
        _f("avg_response", ("平均响应时长", "平均响应时间"), SECONDS, documented=False),
        _f("reply_rate", ("应答率", "回复率"), RATE, documented=False),
    ),
)

TAOBAO_DSR = ReportKind(
    key="dsr",
    label=_("店铺评分 DSR (Taobao/Tmall)"),
    platforms=TAOBAO_SHOPS,
    target=SCORES,
    signature=("description", "service", "shipping"),
    fields=(
        DAY_FIELD,
        _f("description", ("描述相符", "宝贝与描述相符", "描述相符评分"), DECIMAL, documented=False),
        _f("service", ("服务态度", "卖家服务态度", "服务态度评分"), DECIMAL, documented=False),
        _f("shipping", ("物流服务", "发货速度", "卖家发货速度", "物流服务评分"), DECIMAL, documented=False),
    ),
)

JD_SCORE = ReportKind(
    key="jd_score",
    label=_("京东 店铺评分"),
    platforms=JD_SHOPS,
    target=SCORES,
    signature=("description", "shipping", "service"),
    fields=(
        DAY_FIELD,
        _f("description", ("商品评价", "用户评价", "商品质量"), DECIMAL, documented=False),
        _f("shipping", ("物流履约", "物流时效"), DECIMAL, documented=False),
        _f("service", ("售后服务", "服务质量"), DECIMAL, documented=False),
    ),
)

#: Tried in this order (the module's docstring says why).
SERVICE_KINDS: dict[str, ReportKind] = {kind.key: kind for kind in (JD_DONGDONG, QIANNIU, TAOBAO_DSR, JD_SCORE)}


def read_service(*, file: FileSource, filename: str = "", kind: str | None = None) -> ReportFile:
    """One customer-service report, its kind told by its header row unless `kind` (a key of SERVICE_KINDS) names
    it."""
    return read_report(
        file=file, filename=filename, kinds=list(SERVICE_KINDS.values()), kind=SERVICE_KINDS[kind] if kind else None
    )
