"""Report files written from the columns PLATFORMS.md documents (and, marked, the ones we assume), in the shapes
the platforms export them: GBK CSV, UTF-8 CSV with a BOM, XLSX with title rows above the header. The figures are
worked by hand in the tests."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook

NOV1, NOV2, NOV3 = date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)


def gbk(text: str) -> bytes:
    return text.encode("gbk")


def bom(text: str) -> bytes:
    return text.encode("utf-8-sig")


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ----- 生意参谋 shop overview: GBK, two title rows and a blank one, a 环比 column we do not read, a 汇总 row ----
# Lines: 1-3 title, 4 header, 5-7 the days, 8 the summary row.
SYCM_SHOP = gbk(
    "生意参谋 店铺整体\n"
    "统计日期：2026-11-01~2026-11-03\n"
    "\n"
    "统计日期,访客数,浏览量,跳失率,人均浏览量,加购人数,商品收藏买家数,支付金额,支付买家数,支付转化率,客单价,"
    "UV价值,支付子订单数,访客数环比\n"
    '2026-11-01,"1,234",5678,45.67%,4.60,88,31,"￥12,345.60",56,4.54%,220.46,10.00,60,3.2%\n'
    '2026-11-02,1.2万,"31,396",-,-,0,0,"31,396.00元",120,1.00%,261.63,2.62,130,-\n'
    "2026-11-03,800,2400,50.00 %,3,10,5,0.00,0,0.00%,-,0.00,0,--\n"
    '汇总,"14,034",,,,,,"43,741.60",176,,,,,\n'
)

# The same report restating 2 November (platforms restate earlier days).
SYCM_SHOP_NOV2_RESTATED = gbk(
    "统计日期,访客数,浏览量,支付金额,支付买家数,支付转化率\n2026-11-02,12500,31396,31500.00,121,0.97%\n"
)

# ----- 生意参谋 商品排行: UTF-8 with BOM, no date column: the title names the one day ---------------------------
# Lines: 1-2 title, 3 header, 4-6 items. DRESS is a product's code, SHIRT-M a SKU's, NOPE nothing of the shop.
SYCM_ITEMS = bom(
    "商品排行\n"
    "统计日期：2026-11-02~2026-11-02\n"
    "商品ID,商品名称,货号,商品访客数,商品浏览量,商品加购人数,支付买家数,支付件数,支付金额,商品支付转化率\n"
    '="612345678901",连衣裙 夏,DRESS,500,1500,40,20,22,"2,178.00",4.00%\n'
    "'612345678902,衬衫 白,SHIRT-M,300,600,10,5,5,995.00,1.67%\n"
    "612345678903,袜子,NOPE,100,120,1,1,2,19.80,1.00%\n"
)

# ----- 流量来源: XLSX with title rows; a rate as Excel keeps a percentage cell (0.02), an amount as a number ----
# Rows: 1-2 title, 3 header, 4-6 sources.
SOURCES = xlsx(
    [
        ["流量来源 构成"],
        ["统计日期：2026-11-02~2026-11-02"],
        [
            "流量载体",
            "一级来源",
            "二级来源",
            "三级来源",
            "访客数",
            "访客数环比",
            "支付买家数",
            "支付转化率",
            "支付金额",
        ],
        ["无线端", "淘内免费", "手淘搜索", None, 5000, "-3.2%", 100, 0.02, "9,000.00"],
        ["无线端", "付费流量", "直通车", "关键词", 2000, "1.0%", 40, "2.00%", 4000.5],
        ["PC端", "淘内免费", None, None, 300, "-", 0, "-", "-"],
    ]
)

# ----- 万相台 (直通车): GBK, with keywords (assumed column 关键词) and derived columns we compute ourselves ---------
WXT = gbk(
    "日期,场景名字,计划ID,计划名字,主体ID,主体类型,主体名称,关键词,展现量,点击量,花费,点击率,平均点击花费,"
    "投入产出比,总成交金额,总成交笔数,总购物车数\n"
    '2026-11-01,关键词推广,1001,春季连衣裙,55,宝贝,连衣裙 夏,连衣裙女,"12,000",360,"1,080.50",3.00%,3.00,2.75,'
    '"2,971.38",13,40\n'
    "2026-11-01,关键词推广,1001,春季连衣裙,55,宝贝,连衣裙 夏,夏季裙子,3000,60,150.00,2.00%,2.50,0,0.00,0,3\n"
    '2026-11-02,关键词推广,1001,春季连衣裙,55,宝贝,连衣裙 夏,连衣裙女,10000,300,900.00,3.00%,3.00,3.30,"2,970.00",'
    "12,30\n"
)
WXT_NOV2_RESTATED = gbk(
    "日期,计划ID,计划名字,主体名称,关键词,展现量,点击量,花费,总成交金额,总成交笔数\n"
    "2026-11-02,1001,春季连衣裙,连衣裙 夏,连衣裙女,10000,300,905.00,3000.00,12\n"
)

# ----- 京准通 (京东快车): UTF-8 with BOM, compact dates, "(%)" in headers, an attribution window (assumed column) --
JZT = bom(
    "日期,计划,单元,关键词,归因周期,展现数,点击数,点击率(%),总费用,平均点击成本,总订单行,总订单金额,总购物车数,"
    "转化率(%),ROI\n"
    "20261101,快车-连衣裙,单元A,连衣裙,15天,8000,160,2.00,320.00,2.00,4,796.00,12,2.50,2.49\n"
    "20261101,快车-连衣裙,单元A,连衣裙,24小时,8000,160,2.00,320.00,2.00,2,398.00,12,1.25,1.24\n"
)

# ----- 淘宝联盟 (淘宝客) seller daily: XLSX with title rows; its cost is the commission paid ---------------------
TBK = xlsx(
    [
        ["淘宝联盟 商家中心 效果报表"],
        ["统计日期：2026-11-01 至 2026-11-02"],
        [],
        ["日期", "点击量", "付款人数", "付款金额", "付款笔数", "付款佣金支出", "结算金额"],
        ["2026-11-01", 500, 8, "1,592.00", 9, 159.20, "1,400.00"],
        ["2026-11-02", "1.2万", 10, "2,000.00", 10, "200.00", "-"],
    ]
)

# ----- 钻展 (display): its spend is 消耗 (assumed column) ------------------------------------------------------
DISPLAY = bom(
    "日期,计划名称,单元名称,展现量,点击量,消耗,成交金额,成交笔数\n2026-11-01,拉新,女装人群,50000,400,600.00,1200.00,5\n"
)
