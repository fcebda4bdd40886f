"""A shop's May 2026 worked out by hand for the monthly review (docs/planning.md "Monthly review").

April 2026 (last month): UV 1,000 (the platform's report, one day); two buyers, two orders of ¥100.00 → GMV
¥200.00, conversion 0.0020, AOV ¥100.00.
May 2026: UV 1,200; three buyers: amy A ¥150.00, bob A ¥150.00, cat B ¥90.00 → GMV ¥390.00, conversion
0.0025, AOV ¥130.00. B's line refunded ¥90.00 on 05-20 (quality, refunded: a successful refund).
May 2025: one order of ¥300.00. May's GMV target ¥500.00 (reached 0.78).

GMV's change ¥190.00 by sequential substitution:
  UV part          (1,200 − 1,000) × 200 ÷ 1,000      = ¥40.00
  conversion part  (3 − 1,200 × 2 ÷ 1,000) × 200 ÷ 2   = ¥60.00
  AOV part         390 − 3 × 200 ÷ 2                   = ¥90.00 (the largest: AOV ¥100.00 → ¥130.00, +30.0 %)
SKUs (no commission nor shipping set): A revenue 300.00, cost 2 × 40 → profit 220.00; B revenue 90.00, cost
30.00, refunded 90.00 → profit −30.00.
Ads: 直通车 05-10 cost ¥50.00, GMV ¥200.00 → ROI 4.00.
After-sales: 3 sub-orders paid, 1 successful refund → 退款率 33.33 %.
Checklist: two items on two days, 3 done and 1 problem → 3 ÷ 4 = 0.7500.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from zhanggui.aftersales.models import CaseStatus, Refund
from zhanggui.aftersales.tests.factories import CaseFactory, CaseLineFactory
from zhanggui.analytics.models import AdDay, MonthlyTarget, ShopDayTraffic
from zhanggui.analytics.tests.metrics_fixtures import at, order
from zhanggui.catalog.models import ListingStatus
from zhanggui.catalog.tests.factories import ProductFactory, SkuFactory
from zhanggui.desk.models import ChecklistItem, DayCheck, Outcome, Section

D = Decimal
YEAR, MONTH = 2026, 5


def build_month(shop):
    pa = ProductFactory(shop=shop, code="PA", title="A款 连衣裙", listing_status=ListingStatus.LISTED)
    pb = ProductFactory(shop=shop, code="PB", title="B款 衬衫", listing_status=ListingStatus.LISTED)
    a = SkuFactory(product=pa, code="A", cost=D("40.00"), listing_status=ListingStatus.LISTED)
    b = SkuFactory(product=pb, code="B", cost=D("30.00"), listing_status=ListingStatus.LISTED)
    order(shop, date(2026, 4, 10), (10, 0), "amy", "100.00", [(a, 1, "100.00")])
    order(shop, date(2026, 4, 11), (10, 0), "eve", "100.00", [(b, 1, "100.00")])
    order(shop, date(2026, 5, 3), (10, 0), "amy", "150.00", [(a, 1, "150.00")])
    order(shop, date(2026, 5, 4), (10, 0), "bob", "150.00", [(a, 1, "150.00")])
    _o3, (b_line,) = order(shop, date(2026, 5, 5), (10, 0), "cat", "90.00", [(b, 1, "90.00")])
    order(shop, date(2025, 5, 20), (10, 0), "x", "300.00", [(a, 2, "300.00")])
    case = CaseFactory(order=b_line.order, shop=shop, status=CaseStatus.REFUNDED)
    case_line = CaseLineFactory(case=case, order_line=b_line, refund_amount=D("90.00"))
    Refund.objects.create(
        case=case, case_line=case_line, order_line=b_line, amount=D("90.00"), at=at(date(2026, 5, 20), 15)
    )
    ShopDayTraffic.objects.create(shop=shop, day=date(2026, 4, 10), report="sycm", visitors=1000, pv=3000)
    ShopDayTraffic.objects.create(shop=shop, day=date(2026, 5, 10), report="sycm", visitors=1200, pv=3600)
    AdDay.objects.create(
        shop=shop, day=date(2026, 5, 10), report="ztc", channel="ztc", plan="P1", cost=D("50.00"), gmv=D("200.00"),
        clicks=100, impressions=5000, orders=2,
    )  # fmt: skip
    MonthlyTarget.objects.create(shop=shop, month=date(2026, 5, 1), gmv_target=D("500.00"))
    items = [
        ChecklistItem.objects.create(shop=shop, section=Section.MEETING, title="晨会数据准备"),
        ChecklistItem.objects.create(shop=shop, section=Section.PAGES, title="导航条检查"),
    ]
    outcomes = [Outcome.DONE, Outcome.DONE, Outcome.DONE, Outcome.PROBLEM]
    for n, (day, item) in enumerate((d, i) for d in (date(2026, 5, 6), date(2026, 5, 7)) for i in items):
        DayCheck.objects.create(item=item, day=day, outcome=outcomes[n])
    return {"a": a, "b": b, "b_line": b_line}
