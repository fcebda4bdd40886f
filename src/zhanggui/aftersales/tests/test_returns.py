"""Returns receiving (aftersales.returns): the buyer's return parcel moves the clock; the warehouse finds the case
by what it scans and books each graded unit through the ledger: resellable back to available stock in the
warehouse the order shipped from, defective to the 次品仓 where nothing reserves it; never more than the case
still expects, and the ledger stays exact."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from zhanggui.aftersales import services
from zhanggui.aftersales.errors import CaseRuleBroken, ReturnRefused
from zhanggui.aftersales.models import (
    AfterSaleCase,
    CaseEvent,
    ReturnGrade,
    ReturnLine,
    ReturnReceipt,
    Situation,
)
from zhanggui.aftersales.returns import services as returns
from zhanggui.aftersales.tests.returns_desk import build_desk, case_line, on_hand, open_return
from zhanggui.core.errors import PermissionDeniedError
from zhanggui.core.models import AuditEntry
from zhanggui.inventory import selectors as stock_selectors
from zhanggui.inventory import services as stock
from zhanggui.inventory.errors import InsufficientStock
from zhanggui.inventory.models import MoveReason, StockMove

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
GOOD, BAD = ReturnGrade.RESELLABLE, ReturnGrade.DEFECTIVE


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def desk(system):
    return build_desk(system)


# ----- the buyer's return parcel -----------------------------------------------------------------------------


def test_the_return_sent_moves_the_clock_to_the_sellers_confirmation(service, desk):
    case = open_return(service, desk)
    assert case.deadline_rule.situation == Situation.RETURN_TRACKING
    sent_at = datetime(2026, 6, 20, 9, 0, tzinfo=SH)
    case = returns.record_return_sent(actor=service, case=case, carrier=" 顺丰 ", tracking_no="SF1001", at=sent_at)
    case.refresh_from_db()
    assert (case.return_carrier, case.return_tracking_no, case.return_sent_at) == ("顺丰", "SF1001", sent_at)
    assert case.deadline_rule.situation == Situation.RETURN_RECEIPT
    assert case.deadline == datetime(2026, 6, 30, 9, 0, tzinfo=SH)  # 240 h on Taobao
    assert case.events.last().reason == "return sent: 顺丰 SF1001"
    audit = AuditEntry.objects.get(action="aftersale_case.return_sent")
    assert audit.after["return_tracking_no"] == "SF1001" and audit.before["return_tracking_no"] == ""


def test_the_return_sent_is_refused_for_a_case_not_agreed_or_without_a_parcel(service, desk, warehouse_user):
    still_open = open_return(service, desk, agree=False)
    with pytest.raises(CaseRuleBroken, match="once the case is agreed"):
        returns.record_return_sent(actor=service, case=still_open, carrier="顺丰", tracking_no="SF1")
    refund_only = open_return(service, desk, kind="refund_shipped")
    with pytest.raises(CaseRuleBroken, match="no parcel comes back"):
        returns.record_return_sent(actor=service, case=refund_only, carrier="顺丰", tracking_no="SF1")
    agreed = open_return(service, desk)
    with pytest.raises(CaseRuleBroken, match="tracking number"):
        returns.record_return_sent(actor=service, case=agreed, carrier="顺丰", tracking_no="  ")
    with pytest.raises(PermissionDeniedError):
        returns.record_return_sent(actor=warehouse_user, case=agreed, carrier="顺丰", tracking_no="SF1")
    assert not AfterSaleCase.objects.exclude(return_tracking_no="").exists()
    assert not AuditEntry.objects.filter(action="aftersale_case.return_sent").exists()


# ----- what the warehouse scans ------------------------------------------------------------------------------


def test_a_scan_finds_the_case_by_tracking_order_or_case_number(service, desk):
    case = open_return(service, desk, platform_refund_no="RF778")
    returns.record_return_sent(actor=service, case=case, carrier="中通", tracking_no="ZT5566")
    open_return(service, desk, kind="refund_shipped")  # no parcel: never found
    for scan in ("zt5566", "T2001", "RF778", f"as-{case.pk}"):
        found = returns.expected_returns(scan)
        assert [e.case.pk for e in found] == [case.pk], scan
        assert [(line.sku_code, line.asked, line.received, line.left) for line in found[0].lines] == [
            ("TEE-M", 2, 0, 2),
            ("CAP-RED", 1, 0, 1),
        ]
    assert returns.expected_returns("") == [] and returns.expected_returns("SF-nothing") == []


# ----- receiving ---------------------------------------------------------------------------------------------


def test_resellable_units_go_back_to_available_stock_where_the_order_shipped_from(service, warehouse_user, desk):
    case = open_return(service, desk)
    tee, east, main = desk["tee"], desk["east"], desk["main"]
    available = stock_selectors.available_by_sku([tee.pk])[tee.pk]
    receipt = returns.receive_return(
        actor=warehouse_user, case=case, items=[(case_line(case, desk["tee_line"]).pk, GOOD, 1)]
    )
    assert (on_hand(tee, east), on_hand(tee, main)) == (2, 5)  # east shipped it: 3 − 2 + 1
    assert stock_selectors.available_by_sku([tee.pk])[tee.pk] == available + 1
    line = receipt.lines.get()
    assert (line.grade, line.quantity, line.warehouse, line.move.quantity) == (GOOD, 1, east, 1)
    assert (line.move.reason, line.move.document, line.move.actor) == (MoveReason.RETURN, case.number, warehouse_user)
    assert case.events.last().reason == "return received: 1 resellable, 0 defective"
    assert case.events.last().actor == warehouse_user
    audit = AuditEntry.objects.get(action="aftersale_case.receive")
    assert audit.after == {"receipt": str(receipt), "resellable": 1, "defective": 0}
    case.refresh_from_db()
    assert case.status == "agreed"  # receiving never refunds: 客服 does


def test_a_chosen_warehouse_takes_the_resellable_units(service, warehouse_user, desk):
    case = open_return(service, desk)
    returns.receive_return(
        actor=warehouse_user,
        case=case,
        items=[(case_line(case, desk["tee_line"]).pk, GOOD, 2)],
        warehouse=desk["main"],
    )
    assert (on_hand(desk["tee"], desk["main"]), on_hand(desk["tee"], desk["east"])) == (7, 1)


def test_defective_units_go_to_the_quarantine_warehouse_and_are_never_reserved(service, warehouse_user, desk, system):
    case = open_return(service, desk)
    cap = desk["cap"]
    returns.receive_return(actor=warehouse_user, case=case, items=[(case_line(case, desk["cap_line"]).pk, BAD, 1)])
    defective = stock.defective_warehouse()
    assert on_hand(cap, defective) == 1
    assert stock_selectors.available_by_sku([cap.pk])[cap.pk] == 2  # the east warehouse's 3 − 1 sold
    stock.reserve(actor=system, reference="order:900", lines={cap.pk: 2})
    with pytest.raises(InsufficientStock):  # the defective unit is on hand, but nothing reserves it
        stock.reserve(actor=system, reference="order:901", lines={cap.pk: 1})
    assert case.events.last().reason == "return received: 0 resellable, 1 defective"


def test_more_than_the_case_still_expects_is_refused_naming_the_sku(service, warehouse_user, desk):
    case = open_return(service, desk)
    tee_line = case_line(case, desk["tee_line"]).pk
    moves = StockMove.objects.count()
    with pytest.raises(ReturnRefused) as refused:
        returns.receive_return(actor=warehouse_user, case=case, items=[(tee_line, GOOD, 2), (tee_line, BAD, 1)])
    assert str(refused.value) == (
        f"TEE-M: 3 units received now, but case AS-{case.pk} asked 2 back and 0 came before: at most 2."
    )
    assert refused.value.code == "return_refused"
    assert (ReturnReceipt.objects.count(), StockMove.objects.count()) == (0, moves)
    assert not AuditEntry.objects.filter(action="aftersale_case.receive").exists()


def test_a_partial_parcel_then_the_rest_then_nothing_more(service, warehouse_user, desk):
    case = open_return(service, desk)
    tee_line, cap_line = case_line(case, desk["tee_line"]).pk, case_line(case, desk["cap_line"]).pk
    returns.receive_return(actor=warehouse_user, case=case, items=[(tee_line, GOOD, 1)])
    assert [line.left for line in returns.expected_return(case).lines] == [1, 1]
    returns.receive_return(actor=warehouse_user, case=case, items=[(tee_line, BAD, 1), (cap_line, GOOD, 1)])
    assert returns.expected_return(case).left == 0
    with pytest.raises(ReturnRefused, match=r"CAP-RED: 1 units received now, .* at most 0\."):
        returns.receive_return(actor=warehouse_user, case=case, items=[(cap_line, GOOD, 1)])
    booked = ReturnLine.objects.order_by("pk").values_list("case_line_id", "grade", "quantity")
    assert list(booked) == [(tee_line, GOOD, 1), (tee_line, BAD, 1), (cap_line, GOOD, 1)]
    assert ReturnReceipt.objects.filter(case=case).count() == 2


def test_nothing_to_receive_and_cases_without_a_parcel_are_refused(service, warehouse_user, desk):
    case = open_return(service, desk)
    tee_line = case_line(case, desk["tee_line"]).pk
    with pytest.raises(ReturnRefused, match="Nothing to receive"):
        returns.receive_return(actor=warehouse_user, case=case, items=[(tee_line, GOOD, 0)])
    with pytest.raises(ReturnRefused, match="does not sell its stock"):
        returns.receive_return(
            actor=warehouse_user, case=case, items=[(tee_line, GOOD, 1)], warehouse=stock.defective_warehouse()
        )
    refund_only = open_return(service, desk, kind="refund_shipped")
    with pytest.raises(ReturnRefused, match="no parcel comes back"):
        returns.receive_return(
            actor=warehouse_user, case=refund_only, items=[(case_line(refund_only, desk["tee_line"]).pk, GOOD, 1)]
        )
    closed = services.close(actor=service, case=open_return(service, desk), reason="买家撤销")
    with pytest.raises(ReturnRefused, match="takes no returned parcel"):
        returns.receive_return(
            actor=warehouse_user, case=closed, items=[(case_line(closed, desk["tee_line"]).pk, GOOD, 1)]
        )
    other = open_return(service, desk)
    with pytest.raises(ReturnRefused, match="is not a line of case"):
        returns.receive_return(
            actor=warehouse_user, case=case, items=[(case_line(other, desk["tee_line"]).pk, GOOD, 1)]
        )
    assert not ReturnReceipt.objects.exists()


def test_an_open_case_takes_a_parcel_that_came_before_the_answer(service, warehouse_user, desk):
    case = open_return(service, desk, agree=False)
    returns.receive_return(actor=warehouse_user, case=case, items=[(case_line(case, desk["tee_line"]).pk, GOOD, 2)])
    assert returns.expected_return(case).left == 1


def test_only_who_books_stock_receives(service, desk):
    case = open_return(service, desk)
    with pytest.raises(PermissionDeniedError):
        returns.receive_return(actor=service, case=case, items=[(case_line(case, desk["tee_line"]).pk, GOOD, 1)])
    assert not ReturnReceipt.objects.exists()
    assert not StockMove.objects.filter(reason=MoveReason.RETURN).exists()


def test_the_ledger_stays_exact_through_mixed_returns_sales_and_refunds(service, warehouse_user, desk, system):
    first = open_return(service, desk)
    tee_line, cap_line = case_line(first, desk["tee_line"]).pk, case_line(first, desk["cap_line"]).pk
    returns.receive_return(actor=warehouse_user, case=first, items=[(tee_line, GOOD, 1), (cap_line, BAD, 1)])
    stock.reserve(actor=system, reference="order:500", lines={desk["tee"].pk: 4})
    stock.issue_reserved(actor=system, reference="order:500")
    services.refund(actor=service, case=first, amounts={desk["tee_line"].pk: "99.00"})
    returns.receive_return(actor=warehouse_user, case=first, items=[(tee_line, BAD, 1)])  # refunded: still takes it
    defective = stock.defective_warehouse()
    stock.transfer_stock(actor=system, sku=desk["cap"], source=defective, destination=desk["main"], quantity=1)
    assert stock.check_ledger() == []
    assert on_hand(desk["tee"], defective) == 1 and on_hand(desk["cap"], defective) == 0
    assert CaseEvent.objects.filter(case=first, reason__startswith="return received").count() == 2


def test_a_line_without_a_catalog_sku_cannot_be_booked(service, warehouse_user, desk):
    from zhanggui.orders.tests.factories import OrderLineFactory

    gift = OrderLineFactory(order=desk["order"], sku=None, sku_code="GIFT-01", position=3)
    case = services.agree(
        actor=service,
        case=services.open_case(
            actor=service, order=desk["order"], kind="return_refund", reason="quality", lines=[(gift.pk, 1)]
        ),
    )
    with pytest.raises(ReturnRefused, match="GIFT-01 is not a SKU of the catalog"):
        returns.receive_return(actor=warehouse_user, case=case, items=[(case_line(case, gift).pk, GOOD, 1)])
    assert not ReturnReceipt.objects.exists()


# ----- through the API ---------------------------------------------------------------------------------------


def _api(user):
    from django.test import Client

    from zhanggui.core.services import create_api_token

    return Client(headers={"Authorization": f"Bearer {create_api_token(user=user, name='t')[1]}"})


def test_the_api_records_the_parcel_finds_it_and_receives_it(service, warehouse_user, desk):
    case = open_return(service, desk)
    sent = _api(service).post(
        f"/api/v1/aftersales/{case.pk}/return-sent",
        {"carrier": "顺丰", "tracking_no": "SF42", "sent_at": "2026-06-20T09:00:00+08:00"},
        content_type="application/json",
    )
    assert sent.status_code == 200 and sent.json()["deadline"] == "2026-06-30T01:00:00Z"  # 09:00 in Shanghai
    warehouse = _api(warehouse_user)
    [found] = warehouse.get("/api/v1/aftersales/returns/find", {"q": "SF42"}).json()
    assert (found["case_id"], found["expected"]) == (case.pk, 3)
    tee = next(line for line in found["lines"] if line["sku_code"] == "TEE-M")
    over = {"lines": [{"case_line_id": tee["case_line_id"], "grade": "defective", "quantity": 3}]}
    refused = warehouse.post(f"/api/v1/aftersales/{case.pk}/receive", over, content_type="application/json")
    assert refused.status_code == 409 and refused.json()["code"] == "return_refused"
    body = {"lines": [{"case_line_id": tee["case_line_id"], "grade": "resellable", "quantity": 2}], "warehouse": "main"}
    made = warehouse.post(f"/api/v1/aftersales/{case.pk}/receive", body, content_type="application/json")
    assert made.status_code == 201
    receipt = made.json()
    assert (receipt["tracking_no"], receipt["received_by"]) == ("SF42", "warehouse")
    assert [(line["grade"], line["quantity"], line["warehouse"]) for line in receipt["lines"]] == [
        ("resellable", 2, "main")
    ]
    assert on_hand(desk["tee"], desk["main"]) == 7
