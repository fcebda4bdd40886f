"""Customer-service report files (千牛/赤兔 客服绩效, 京东 咚咚) in the shapes the platforms export them: GBK CSV
with title rows, XLSX; the figures are worked by hand in test_service_imports.py."""

from __future__ import annotations

from zhanggui.analytics.tests.report_fixtures import bom, gbk, xlsx

# ----- 赤兔 客服绩效: GBK, a title row, one row a day and agent, a 汇总 row, a derived rate column not read ------
# Lines: 1 title, 2 header, 3-6 rows, 7 the summary. 小美 on 2 Nov answered nobody: her response times are empty.
QIANNIU = gbk(
    "客服绩效 2026-11-01~2026-11-02\n"
    "日期,旺旺,咨询人数,接待人数,询单人数,询单->最终付款人数,询单->最终付款成功率,销售额,销售量,平均首次响应时间,"
    "平均响应时间,回复率\n"
    '2026-11-01,店小二:阿花,120,118,80,36,45.00%,"￥7,200.50",52,12.5,25.0,99.15%\n'
    "2026-11-01,店小二:小美,60,60,40,10,25.00%,1500.00,12,1分5秒,00:01:30,95%\n"
    "2026-11-02,店小二:阿花,100,100,50,20,40.00%,4000.00,30,10秒,20,100.00%\n"
    "2026-11-02,店小二:小美,0,0,0,0,-,0.00,0,-,-,-\n"
    '汇总,,280,278,170,66,,"12,700.50",94,,,\n'
)

# The same agent's 1 November restated by a later export (the platform counts late payments in).
QIANNIU_NOV1_RESTATED = bom(
    "日期,旺旺,咨询人数,接待人数,询单人数,最终付款人数,销售额\n2026-11-01,店小二:阿花,120,118,80,38,7600.50\n"
)

# ----- 京东 咚咚 客服绩效: XLSX with two title rows ---------------------------------------------------------------
# Lines: 1-2 title, 3 header, 4-5 rows.
JD = xlsx(
    [
        ["咚咚客服绩效"],
        ["统计时间：2026-11-01"],
        [
            "日期",
            "客服账号",
            "咨询量",
            "接待量",
            "售前接待人数",
            "出库人数",
            "出库金额",
            "首次响应时长",
            "平均响应时长",
            "应答率",
        ],
        ["2026-11-01", "jd_kefu01", 90, 88, 60, 30, "6,000.00", "8", "30秒", "98.00%"],
        ["2026-11-01", "jd_kefu02", 40, 40, 20, 5, "1,000.00", "2分", "1分30秒", "90.00%"],
    ]
)

# A bad file: a count that is no number (line 3), a negative one (line 4), a duration that is none (line 5).
QIANNIU_BAD = bom(
    "日期,旺旺,咨询人数,询单人数,最终付款人数,平均首次响应时间\n"
    "2026-11-01,阿花,12,10,5,10\n"
    "2026-11-01,小美,十二,10,5,10\n"
    "2026-11-02,阿花,12,-3,5,10\n"
    "2026-11-02,小美,12,10,5,快\n"
)
