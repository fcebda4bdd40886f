"""After-sales reports over June 2026 with worked numbers (money to the fen, rates in exact Decimal percent): refund
rates by SKU, reason and week, top reasons per SKU, the cost of after-sales per week and shop, cases per agent with
the median and 90th percentile of the time to first answer, overdue cases, sales net of refunds; the page, its XLSX
downloads (opened with openpyxl) and the API.

The desk (Taobao shop 淘宝店, Asia/Shanghai), orders paid in June: O1 on 06-02 (TEE-M ×2 ¥198.00, CAP-RED ¥49.90,
paid ¥247.90), O2 on 06-03 (TEE-M ¥99.00, ¥109.00 with postage), O3 on 06-10 (TEE-M ¥99.00, MUG ¥30.00), O4 on
06-20 (CAP-RED ¥49.90): 6 sub-orders paid (TEE-M 3, CAP-RED 2, MUG 1). O5 (TEE-M) was paid on 05-25.

Successful refunds in June: C3 O5's TEE-M ¥99.00 (size, 06-03), C1 O1's TEE-M ¥99.00 (size, 06-05), C2 O1's
CAP-RED ¥49.90 (quality, 06-12, closed since), C7a and C7b O3's MUG ¥10.00 (quality, 06-16) and ¥20.00 (other,
06-17): 4 sub-orders, ¥277.90. Not counted: C5's ¥20.00 refunded on 07-02, and C4 (open, nothing refunded).
A JD shop (京东店) adds one order paid 06-08 and its refund of ¥30.00 on 06-09.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from zhanggui.aftersales.models import (
    CarrierClaim,
    CaseEvent,
    CaseKind,
    CaseReason,
    CaseStatus,
    ClaimStatus,
    Compensation,
    CompensationStatus,
    OfferKind,
    Refund,
)
from zhanggui.aftersales.reports import selectors as reports
from zhanggui.aftersales.tests.factories import CaseFactory, CaseLineFactory
from zhanggui.catalog.models import Channel
from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.conftest import make_user
from zhanggui.core import roles
from zhanggui.core.services import create_api_token
from zhanggui.core.tests.pages import login
from zhanggui.core.tests.rows import built_for_the_module
from zhanggui.orders.tests.factories import OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
D = Decimal
S = CaseStatus
JUNE = reports.Period(date(2026, 6, 1), date(2026, 6, 30))


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


def paid_order(shop, number: str, when: datetime, *lines: tuple[str, str], postage: str = "0.00"):
    order = OrderFactory(
        shop=shop,
        platform_order_no=number,
        paid_at=when,
        status="shipped",
        platform_status="shipped",
        paid_total=sum((D(paid) for _code, paid in lines), D(postage)),
        shipping_fee=D(postage),
    )
    made = [
        OrderLineFactory(order=order, sub_order_id=f"{number}-{n}", sku_code=code, unit_price=D(paid), paid=D(paid))
        for n, (code, paid) in enumerate(lines, start=1)
    ]
    return order, made


def case(order, reason, opened, *, refunds=(), refunded_at=None, status=S.REFUNDED, answered=None, agent=None, **kw):
    """A case made as the services leave it: its lines (order line, refund) and, when it refunded, the timeline
    entry of its first refund (open → refunded) at `refunded_at`."""
    made = CaseFactory(
        order=order,
        shop=order.shop,
        kind=kw.pop("kind", CaseKind.RETURN_REFUND),
        status=status,
        reason=reason,
        created_at=opened,
        first_answer_at=answered,
        assignee=agent,
        **kw,
    )
    for line, amount in refunds:
        made_line = CaseLineFactory(case=made, order_line=line, quantity=1, refund_amount=D(amount))
        if refunded_at is not None:
            Refund.objects.create(case=made, case_line=made_line, order_line=line, amount=D(amount), at=refunded_at)
    CaseEvent.objects.create(case=made, at=opened, from_status="", to_status=S.OPEN, reason="opened")
    if refunded_at is not None:
        CaseEvent.objects.create(case=made, at=refunded_at, from_status=S.OPEN, to_status=S.REFUNDED, reason="refund")
        # a note written later on the refunded case: refunded → refunded, not a new first refund
        later = refunded_at + timedelta(hours=1)
        CaseEvent.objects.create(case=made, at=later, from_status=S.REFUNDED, to_status=S.REFUNDED, reason="note")
    if status == S.CLOSED:
        CaseEvent.objects.create(case=made, at=refunded_at, from_status=S.REFUNDED, to_status=S.CLOSED, reason="done")
    return made


def build() -> dict:
    roles.ensure_roles()
    service, manager = make_user("service", roles.SERVICE), make_user("manager", roles.MANAGER)
    shop = ShopFactory(code="tb01", name="淘宝店", channel=Channel.TAOBAO)
    jd = ShopFactory(code="jd01", name="京东店", channel=Channel.JD)
    o1, (o1_tee, o1_cap) = paid_order(shop, "O1", at(6, 2), ("TEE-M", "198.00"), ("CAP-RED", "49.90"))
    o2, (o2_tee,) = paid_order(shop, "O2", at(6, 3), ("TEE-M", "99.00"), postage="10.00")
    o3, (o3_tee, o3_mug) = paid_order(shop, "O3", at(6, 10), ("TEE-M", "99.00"), ("MUG", "30.00"))
    paid_order(shop, "O4", at(6, 20), ("CAP-RED", "49.90"))
    o5, (o5_tee,) = paid_order(shop, "O5", at(5, 25), ("TEE-M", "99.00"))
    j1, (j1_line,) = paid_order(jd, "J1", at(6, 8), ("JD-X", "30.00"))
    size, quality, other = CaseReason.SIZE, CaseReason.QUALITY, CaseReason.OTHER
    c1 = case(
        o1,
        size,
        at(6, 5, 9),
        refunds=[(o1_tee, "99.00")],
        refunded_at=at(6, 5, 12),
        answered=at(6, 5, 11),
        agent=service,
        return_freight=D("12.00"),
        return_sent_at=at(6, 6),
    )
    c2 = case(
        o1,
        quality,
        at(6, 11, 10),
        refunds=[(o1_cap, "49.90")],
        refunded_at=at(6, 12),
        status=S.CLOSED,
        answered=at(6, 11, 10, 30),
        agent=service,
    )
    case(
        o5, size, at(6, 2, 8), refunds=[(o5_tee, "99.00")], refunded_at=at(6, 3, 8), answered=at(6, 3, 8), agent=manager
    )
    case(o3, quality, at(6, 15), refunds=[(o3_tee, "0.00")], status=S.OPEN, agent=service, deadline=at(6, 16))
    case(
        o2, size, at(6, 29), refunds=[(o2_tee, "20.00")], refunded_at=at(7, 2), answered=at(7, 2), agent=service
    )  # refunded in July: not June's
    case(
        o3,
        quality,
        at(6, 16, 8),
        refunds=[(o3_mug, "10.00")],
        refunded_at=at(6, 16),
        answered=at(6, 16, 9),
        agent=service,
    )
    case(
        o3,
        other,
        at(6, 17, 8),
        refunds=[(o3_mug, "20.00")],
        refunded_at=at(6, 17),
        answered=at(6, 17, 12),
        agent=service,
    )
    case(o1, other, at(5, 30), kind=CaseKind.COMPLAINT, status=S.AGREED, answered=at(5, 30), deadline=at(6, 20, 9))
    case(j1, size, at(6, 9, 9), refunds=[(j1_line, "30.00")], refunded_at=at(6, 9), answered=at(6, 9), agent=service)
    offers = [
        (OfferKind.CASH_BACK, "15.00", CompensationStatus.APPROVED, at(6, 11), at(6, 12)),
        (OfferKind.PARTIAL_REFUND, "5.00", CompensationStatus.APPROVED, at(6, 11), at(6, 12)),  # among the refunds
        (OfferKind.COUPON, "8.00", CompensationStatus.PENDING, at(6, 12), None),
        (OfferKind.COUPON, "6.00", CompensationStatus.APPROVED, at(6, 16), None),  # within the limit: at once
    ]
    for offer, amount, status, offered, decided in offers:
        Compensation.objects.create(
            case=c2,
            offer=offer,
            amount=D(amount),
            status=status,
            offered_by=service,
            offered_at=offered,
            decided_at=decided,
        )
    for status, recovered, settled in (
        (ClaimStatus.PAID, "49.90", at(6, 13)),
        (ClaimStatus.PARTLY_PAID, "9.00", at(7, 1)),
    ):
        CarrierClaim.objects.create(
            case=c2,
            order=o1,
            carrier="中通快递",
            tracking_no="ZT1",
            value_claimed=D("49.90"),
            status=status,
            amount_recovered=D(recovered),
            filed_by=service,
            filed_at=at(6, 12),
            settled_at=settled,
        )
    del c1
    return {"shop": shop, "jd": jd, "service": service}


@pytest.fixture(scope="module")
def desk(django_db_setup, django_db_blocker):
    with built_for_the_module(django_db_blocker, build) as built:
        yield built


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def cells(table: reports.Table, row) -> tuple:
    return tuple(c.value(row) for c in table.columns)


def rows_of(table: reports.Table) -> list[tuple]:
    return [cells(table, row) for row in table.rows]


def total_of(table: reports.Table) -> tuple:
    return cells(table, table.total)[1:]


# ----- the period ---------------------------------------------------------------------------------------------


def test_the_period_defaults_to_the_last_30_days_and_refuses_what_it_cannot_cover():
    p = reports.period(today=date(2026, 6, 30))
    assert (p.first, p.last, len(p.days)) == (date(2026, 6, 1), date(2026, 6, 30), 30)
    assert p.start == at(6, 1, 0) and p.end == at(7, 1, 0)
    for first, last in ((date(2026, 6, 2), date(2026, 6, 1)), (date(1999, 1, 1), None), (date(2025, 1, 1), None)):
        with pytest.raises(reports.PeriodError):
            reports.period(first, last or date(2026, 6, 30))


def test_rates_medians_and_percentiles_are_exact():
    assert reports.rate(2, 3) == D("66.67") and reports.rate(1, 6) == D("16.67") and reports.rate(1, 0) is None
    assert reports.median([1800, 3600, 7200, 14400]) == D("5400")
    assert reports.p90(list(range(1, 11))) == D(9) and reports.p90([5]) == D(5)


# ----- refund rates -----------------------------------------------------------------------------------------------


def test_refund_rate_by_sku_counts_successful_refunds_over_sub_orders_paid(desk):
    table = reports.refund_rate_by_sku(JUNE, desk["shop"])
    assert rows_of(table) == [
        ("MUG", 1, 1, D("30.00"), D("100.00")),  # two cases refunded the one MUG line: it counts once
        ("TEE-M", 3, 2, D("198.00"), D("66.67")),  # O5's refund counts in June, its payment (May) does not
        ("CAP-RED", 2, 1, D("49.90"), D("50.00")),  # closed after its refund: still a successful refund
    ]
    assert total_of(table) == (6, 4, D("277.90"), D("66.67"))


def test_every_shop_together(desk):
    assert total_of(reports.refund_rate_by_sku(JUNE)) == (7, 5, D("307.90"), D("71.43"))


def test_refund_rate_by_reason_divides_by_every_sub_order_paid(desk):
    table = reports.refund_rate_by_reason(JUNE, desk["shop"])
    assert rows_of(table) == [
        ("Size does not fit", 6, 2, D("198.00"), D("33.33")),
        ("Quality problem", 6, 2, D("59.90"), D("33.33")),
        ("Other", 6, 1, D("20.00"), D("16.67")),
    ]
    assert total_of(table) == (6, 4, D("277.90"), D("66.67"))


def test_refund_rate_by_week_counts_each_week_by_its_own_moments(desk):
    table = reports.refund_rate_by_week(JUNE, desk["shop"])
    assert rows_of(table) == [
        (date(2026, 6, 1), 3, 2, D("198.00"), D("66.67")),
        (date(2026, 6, 8), 2, 1, D("49.90"), D("50.00")),
        (date(2026, 6, 15), 1, 1, D("30.00"), D("100.00")),
        (date(2026, 6, 22), 0, 0, D("0.00"), None),
        (date(2026, 6, 29), 0, 0, D("0.00"), None),
    ]


def test_a_refund_outside_the_period_is_not_counted(desk):
    july = reports.Period(date(2026, 7, 1), date(2026, 7, 31))
    assert rows_of(reports.refund_rate_by_sku(july, desk["shop"])) == [("TEE-M", 0, 1, D("20.00"), None)]


def test_top_reasons_per_sku(desk):
    table = reports.top_reasons(JUNE, desk["shop"])
    assert rows_of(table) == [
        ("TEE-M", 1, "Size does not fit", 3, D("75.00")),
        ("TEE-M", 2, "Quality problem", 1, D("25.00")),
        ("MUG", 1, "Quality problem", 1, D("50.00")),
        ("MUG", 2, "Other", 1, D("50.00")),
        ("CAP-RED", 1, "Quality problem", 1, D("100.00")),
    ]
    assert cells(table, table.total)[3] == 7


# ----- cost, agents, overdue, net sales ------------------------------------------------------------------------------


def test_the_cost_of_after_sales_per_week_and_shop(desk):
    table = reports.cost(JUNE)
    assert rows_of(table) == [
        # refunds, compensation, return freight, recovered, cost
        (date(2026, 6, 1), "淘宝店", D("198.00"), D("0.00"), D("12.00"), D("0.00"), D("210.00")),
        (date(2026, 6, 8), "京东店", D("30.00"), D("0.00"), D("0.00"), D("0.00"), D("30.00")),
        # cash back ¥15.00 (the partial refund is among the refunds, the pending coupon not yet a cost) − ¥49.90
        (date(2026, 6, 8), "淘宝店", D("49.90"), D("15.00"), D("0.00"), D("49.90"), D("15.00")),
        (date(2026, 6, 15), "淘宝店", D("30.00"), D("6.00"), D("0.00"), D("0.00"), D("36.00")),
    ]
    assert total_of(table) == ("", D("307.90"), D("21.00"), D("12.00"), D("49.90"), D("291.00"))
    assert [r.shop for r in reports.cost(JUNE, desk["jd"]).rows] == ["京东店"]


def test_cases_per_agent_with_the_median_and_90th_percentile_of_the_first_answer(desk):
    table = reports.agents(JUNE, desk["shop"])
    # service: 0.5 h, 1 h, 2 h, 4 h and 72 h (C4 not answered); manager: 24 h
    assert rows_of(table) == [("service", 6, 5, D("2.00"), D("72.00")), ("manager", 1, 1, D("24.00"), D("24.00"))]
    # all six answers: the median is between 2 h and 4 h, the 90th percentile the 6th of 6 (⌈5.4⌉)
    assert total_of(table) == (7, 6, D("3.00"), D("72.00"))


def test_overdue_cases_per_day_of_the_deadline_and_agent(desk):
    table = reports.overdue(JUNE, desk["shop"], now=at(12, 7))
    assert rows_of(table) == [(date(2026, 6, 16), "service", 1), (date(2026, 6, 20), "nobody", 1)]
    assert rows_of(reports.overdue(JUNE, desk["shop"], now=at(6, 18))) == [(date(2026, 6, 16), "service", 1)]


def test_net_sales_by_day(desk):
    rows = reports.net_sales(shop=desk["shop"], date_from=date(2026, 6, 1), date_to=date(2026, 6, 30))
    assert len(rows) == 30
    by_day = {r.day.day: (r.paid, r.refunded, r.net) for r in rows if r.paid or r.refunded}
    assert by_day == {
        2: (D("247.90"), D("0.00"), D("247.90")),
        3: (D("109.00"), D("99.00"), D("10.00")),  # paid with its postage; O5's refund
        5: (D("0.00"), D("99.00"), D("-99.00")),
        10: (D("129.00"), D("0.00"), D("129.00")),
        12: (D("0.00"), D("49.90"), D("-49.90")),
        16: (D("0.00"), D("10.00"), D("-10.00")),
        17: (D("0.00"), D("20.00"), D("-20.00")),
        20: (D("49.90"), D("0.00"), D("49.90")),
    }
    assert total_of(reports.net_sales_table(JUNE, desk["shop"])) == (D("535.80"), D("277.90"), D("257.90"))


# ----- the page, its downloads, the API -------------------------------------------------------------------------------


def june_url(desk, **extra) -> str:
    query = f"shop={desk['shop'].pk}&date_from=2026-06-01&date_to=2026-06-30"
    return "/aftersales/reports/?" + query + "".join(f"&{k}={v}" for k, v in extra.items())


def test_the_page_shows_the_definition_and_every_table_with_its_total(client, desk):
    login(client, desk["service"])
    response = client.get(june_url(desk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "successful refunds ÷ sub-orders paid" in html
    for key in reports.TABLES:
        assert f'id="table-{key}"' in html, key
    sku = html[html.index('id="table-refund_rate_sku"') :]
    assert "66.67 %" in sku[: sku.index("</table>")] and "¥277.90" in sku[: sku.index("</table>")]


def test_the_page_in_chinese_and_a_bad_period_falls_back_to_30_days(client, desk):
    login(client, desk["service"], "zh-hans")
    response = client.get("/aftersales/reports/?date_from=2026-06-30&date_to=2026-06-01")
    assert response.status_code == 200
    assert response.context["report"].period.last - response.context["report"].period.first == (
        reports.period().last - reports.period().first
    )
    assert response.context["form"].errors


def test_each_table_downloads_as_xlsx_with_its_total_row(client, desk):
    login(client, desk["service"])
    response = client.get(june_url(desk, export="refund_rate_sku"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["SKU code", "Sub-orders paid", "Successful refunds", "Refunded (¥)", "Refund rate (%)"]
    assert rows[1] == ["MUG", 1, 1, 30, 100]
    assert rows[2][0] == "TEE-M" and D(str(rows[2][4])) == D("66.67") and D(str(rows[3][3])) == D("49.90")
    assert rows[-1][:3] == ["Total", 6, 4] and D(str(rows[-1][3])) == D("277.90")


def test_all_tables_download_as_one_workbook_a_sheet_each(client, desk):
    login(client, desk["service"])
    response = client.get(june_url(desk, export="all"))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == list(reports.TABLES)
    cost = [list(r) for r in book["cost"].iter_rows(values_only=True)]
    assert cost[-1][0] == "Total" and D(str(cost[-1][-1])) == D("261.00")  # the Taobao shop: ¥291.00 − JD's ¥30.00
    net = list(book["net_sales"].iter_rows(values_only=True))
    assert len(net) == 1 + 30 + 1


def test_the_api_answers_every_table_as_json(desk):
    token = create_api_token(user=desk["service"], name="test")[1]
    api = Client(headers={"Authorization": f"Bearer {token}"})
    response = api.get("/api/v1/aftersales/reports?shop=tb01&date_from=2026-06-01&date_to=2026-06-30")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["date_from"], body["date_to"], body["shop"]) == ("2026-06-01", "2026-06-30", "tb01")
    tables = {t["key"]: t for t in body["tables"]}
    assert list(tables) == list(reports.TABLES)
    assert tables["refund_rate_sku"]["rows"][1] == {
        "name": "TEE-M",
        "paid": 3,
        "refunds": 2,
        "refunded": "198.00",
        "rate": "66.67",
    }
    assert tables["cost"]["total"]["cost"] == "261.00"
    only = api.get("/api/v1/aftersales/reports?table=agents&date_from=2026-06-01&date_to=2026-06-30").json()
    assert [t["key"] for t in only["tables"]] == ["agents"]
    bad = api.get("/api/v1/aftersales/reports?date_from=2026-06-30&date_to=2026-06-01")
    assert bad.status_code == 422 and bad.json()["code"] == "validation_failed"


def test_a_case_refunded_in_two_steps_costs_each_on_its_day_and_counts_once_at_its_first(desk, monkeypatch):
    from zhanggui.aftersales import services

    shop = desk["shop"]
    order, (line,) = paid_order(shop, "O9", at(6, 20), ("SCARF", "80.00"))
    made = case(order, CaseReason.QUALITY, at(6, 21), refunds=[(line, "30.00")], refunded_at=at(6, 22))
    monkeypatch.setattr("django.utils.timezone.now", lambda: at(6, 25))
    services.refund(actor=desk["service"], case=made, amounts={line.pk: "20.00"})
    by_day = {r.day.day: r.refunded for r in reports.net_sales(shop=shop, date_from=date(2026, 6, 20)) if r.refunded}
    assert by_day[22] == D("30.00") and by_day[25] == D("20.00")
    scarf = [r for r in rows_of(reports.refund_rate_by_sku(JUNE, shop)) if r[0] == "SCARF"]
    assert scarf == [("SCARF", 1, 1, D("50.00"), D("100.00"))]  # one sub-order, refunded once, ¥50 in all


def test_a_case_answered_after_its_deadline_stays_a_missed_deadline(desk, monkeypatch):
    from zhanggui.aftersales import services

    shop = desk["shop"]
    order, _lines = paid_order(shop, "O10", at(6, 1), ("SCARF", "80.00"))
    made = services.open_case(
        actor=desk["service"], order=order, kind=CaseKind.COMPLAINT, reason=CaseReason.LATE, at=at(6, 24, 9)
    )
    assert made.deadline is not None
    late = made.deadline + timedelta(hours=3)
    monkeypatch.setattr("django.utils.timezone.now", lambda: late)
    services.agree(actor=desk["service"], case=made)
    assert made.events.get(to_status=S.AGREED).missed_deadline == made.deadline
    rows = rows_of(reports.overdue(JUNE, shop, now=at(7, 30)))
    assert (made.deadline.astimezone(SH).date(), "service", 1) in rows


def test_the_page_shows_the_first_rows_of_a_long_table_and_says_the_rest_are_in_the_xlsx(client, desk, monkeypatch):
    from zhanggui.aftersales.reports import views

    monkeypatch.setattr(views, "PAGE_ROWS", 1)
    login(client, desk["service"])
    page = client.get(june_url(desk)).content.decode()
    table = page[
        page.index('id="table-refund_rate_sku"') : page.index("</table>", page.index('id="table-refund_rate_sku"'))
    ]
    assert table.count("<tr>") == 2  # the heading and one row; the total row is in <tfoot>
    assert "2 more rows are in the XLSX" in page
