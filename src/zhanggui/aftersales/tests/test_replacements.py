"""换货/补发 of an agreed case (aftersales.replacements): the replacement ships as a new part of the order through
the normal fulfilment; an exchange sends the size chosen; a case sends once; refund cases and others may not;
the case page and the API; who may."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import translation

from zhanggui.aftersales import services
from zhanggui.aftersales.errors import CaseRuleBroken, InvalidCaseTransition
from zhanggui.aftersales.models import CaseLine, ReturnGrade, ReturnLine, ReturnReceipt
from zhanggui.aftersales.replacements import services as replacements
from zhanggui.catalog.tests.factories import ProductFactory, SkuFactory
from zhanggui.channels import records
from zhanggui.core.models import AuditEntry
from zhanggui.core.tests.pages import login
from zhanggui.inventory import services as stock
from zhanggui.inventory.tests.factories import WarehouseFactory
from zhanggui.orders import imports, packing, review, waves
from zhanggui.orders import services as orders
from zhanggui.orders.models import LineOrigin, Order, OrderLine, OrderStatus
from zhanggui.orders.tests.factories import PAID_AT, levels, parse_result, parsed_line, parsed_order, receive
from zhanggui.orders.tests.test_api import client_for, post

pytestmark = pytest.mark.django_db

S = OrderStatus


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def wh(db):
    return WarehouseFactory(code="main", priority=1)


@pytest.fixture
def skus(shop, wh):
    """A T-shirt in M (10 units), L (4) and XL (none), and a cap (5) of another product."""
    tee = ProductFactory(shop=shop, code="TEE", title="纯棉短袖T恤")
    cap = ProductFactory(shop=shop, code="CAP", title="棒球帽")
    made = {
        "M": SkuFactory(product=tee, shop=shop, code="TEE-M", spec="尺码:M"),
        "L": SkuFactory(product=tee, shop=shop, code="TEE-L", spec="尺码:L"),
        "XL": SkuFactory(product=tee, shop=shop, code="TEE-XL", spec="尺码:XL"),
        "CAP": SkuFactory(product=cap, shop=shop, code="CAP-RED"),
    }
    for key, units in (("M", 10), ("L", 4), ("CAP", 5)):
        receive(made[key], wh, units)
    return made


@pytest.fixture
def shipped(shop, skus, users) -> Order:
    """Order 5500001: TEE-M × 2 (¥99.00 each) and CAP-RED × 1, shipped on the platform (sale booked)."""
    parsed = parsed_order(
        "5500001",
        parsed_line("TEE-M", 2, sub_order_id="5500001-1"),
        parsed_line("CAP-RED", 1, "39.90", sub_order_id="5500001-2"),
        status=records.SHIPPED,
        shipped_at=PAID_AT + timedelta(hours=3),
        carrier="中通",
        tracking_no="ZT1",
    )
    imports.import_orders(actor=users["manager"], shop=shop, result=parse_result(parsed))
    order = Order.objects.get(platform_order_no="5500001")
    assert order.status == S.SHIPPED
    return order


def agreed_case(actor, order: Order, kind: str, units: int = 1, agree: bool = True):
    tee_line = order.lines.get(sku_code="TEE-M")
    case = services.open_case(actor=actor, order=order, kind=kind, reason="size", lines=[(tee_line.pk, units)])
    return services.agree(actor=actor, case=case) if agree else case


def fresh(order: Order) -> Order:
    return Order.objects.get(pk=order.pk)


def test_a_reissue_of_a_shipped_order_ships_a_new_parcel(client, shipped, skus, service, users, wh):
    warehouse = users["warehouse"]
    case = agreed_case(service, shipped, "reissue", units=2)
    paid_before = shipped.paid_total

    part = replacements.send_replacement(actor=service, case=case, reason="买家说少了一件")

    case_line = CaseLine.objects.get(case=case)
    line = case_line.replacement_line
    assert (part.platform_order_no, part.status, part.is_replacement) == ("5500001-2", S.PAID, True)
    assert case_line.replacement_sku is None  # a reissue sends the line's own SKU
    assert (line.sku_code, line.quantity, line.origin, line.ships_in_id) == (
        "TEE-M",
        2,
        LineOrigin.REPLACEMENT,
        part.pk,
    )
    assert fresh(shipped).status == S.SHIPPED and fresh(shipped).paid_total == paid_before
    last = case.events.order_by("at", "id").last()
    assert last.reason == "replacement sent as order 5500001-2: TEE-M × 2 · 买家说少了一件"
    audit = AuditEntry.objects.get(action="aftersale_case.replacement")
    assert audit.after["part"] == "5500001-2" and audit.object_id == str(case.pk)

    # The warehouse works it like any order.
    assert review.review_order(part.pk).result == review.PASSED
    orders.allocate(actor=warehouse, order=fresh(part))
    waves.create_wave(actor=warehouse, warehouse=wh)
    for _unit in range(2):
        packing.pack_scan(actor=warehouse, order=fresh(part), code="TEE-M")
    packing.ship_order(actor=warehouse, order=fresh(part), carrier="顺丰", tracking_no="SF9001")
    assert levels(skus["M"]) == (6, 0)  # 2 sold, 2 sent again
    assert stock.check_ledger() == []

    page = login(client, service).get(f"/aftersales/{case.pk}/").content.decode()
    assert f'href="/orders/{part.pk}/"' in page and "SF9001" in page and 'id="replacement-button"' not in page


def test_an_exchange_sends_the_other_size_chosen_on_the_case_page(client, shipped, skus, service):
    case = agreed_case(service, shipped, "exchange")
    assert login(client, service, language="zh-hans").get(f"/aftersales/{case.pk}/").status_code == 200
    login(client, service)
    page = client.get(f"/aftersales/{case.pk}/").content.decode()
    assert 'id="replacement-form"' in page and "The return has not been received yet." in page
    assert "TEE-L 尺码:L, 4 available" in page and "TEE-XL 尺码:XL, 0 available" in page
    assert "CAP-RED" not in page.split('id="replacement-lines"')[1].split("</table>")[0]
    case_line = CaseLine.objects.get(case=case)
    wrong = client.post(f"/aftersales/{case.pk}/replacement/", {f"replacement-sku_{case_line.pk}": skus["CAP"].pk})
    assert wrong.status_code == 422 and "Select a valid choice" in wrong.content.decode()
    assert not Order.objects.filter(split_from=shipped).exists()

    response = client.post(
        f"/aftersales/{case.pk}/replacement/",
        {f"replacement-sku_{case_line.pk}": skus["L"].pk, "replacement-reason": ""},
        follow=True,
    )

    assert "the replacement ships as order 5500001-2" in response.content.decode()
    case_line.refresh_from_db()
    assert case_line.replacement_sku_id == skus["L"].pk
    assert (case_line.replacement_line.sku_code, case_line.replacement_line.quantity) == ("TEE-L", 1)
    assert case_line.replacement_line.spec == "尺码:L"


def test_the_exchange_page_says_when_the_return_came_back(client, shipped, skus, service, users, wh):
    case = agreed_case(service, shipped, "exchange")
    receipt = ReturnReceipt.objects.create(case=case, received_by=users["warehouse"], tracking_no="YT5")
    ReturnLine.objects.create(
        receipt=receipt, case_line=case.lines.get(), grade=ReturnGrade.RESELLABLE, quantity=1, warehouse=wh
    )
    page = login(client, service).get(f"/aftersales/{case.pk}/").content.decode()
    assert "The return has come back: 1 of 1 units received." in page


def test_a_case_sends_once_unless_its_replacement_was_cancelled(shipped, skus, service):
    case = agreed_case(service, shipped, "reissue")
    first = replacements.send_replacement(actor=service, case=case)
    with pytest.raises(CaseRuleBroken, match="was sent already, as order 5500001-2"):
        replacements.send_replacement(actor=service, case=case)
    assert Order.objects.filter(split_from=shipped).count() == 1

    orders.cancel(actor=service, order=first, reason="地址写错了")
    again = replacements.send_replacement(actor=service, case=case)
    assert again.platform_order_no == "5500001-3"
    assert CaseLine.objects.get(case=case).replacement_line.ships_in_id == again.pk


def test_refund_cases_and_unagreed_cases_send_nothing(shipped, skus, service):
    refund = agreed_case(service, shipped, "return_refund")
    with pytest.raises(CaseRuleBroken, match="only an exchange or a reissue sends goods again"):
        replacements.send_replacement(actor=service, case=refund)
    opened = agreed_case(service, shipped, "reissue", agree=False)
    with pytest.raises(InvalidCaseTransition, match="agree to it first"):
        replacements.send_replacement(actor=service, case=opened)
    assert not Order.objects.filter(split_from=shipped).exists()
    assert not OrderLine.objects.filter(origin=LineOrigin.REPLACEMENT).exists()
    assert replacements.replacement_panel(refund, service) is None


def test_an_exchange_sends_only_a_sku_of_the_same_product_and_a_reissue_only_its_own(shipped, skus, service):
    exchange = agreed_case(service, shipped, "exchange")
    line_id = exchange.lines.get().pk
    with pytest.raises(CaseRuleBroken, match="same product as TEE-M"):
        replacements.send_replacement(actor=service, case=exchange, items={line_id: skus["CAP"].pk})
    with pytest.raises(CaseRuleBroken, match="is not a line of case"):
        replacements.send_replacement(actor=service, case=exchange, items={line_id + 999: skus["L"].pk})
    reissue = agreed_case(service, shipped, "reissue")
    with pytest.raises(CaseRuleBroken, match="A reissue sends the line's own SKU TEE-M"):
        replacements.send_replacement(actor=service, case=reissue, items={reissue.lines.get().pk: skus["L"]})
    assert not Order.objects.filter(split_from=shipped).exists()


def test_who_may_send_on_the_page_and_through_the_api(client, shipped, skus, service, users):
    case = agreed_case(service, shipped, "exchange")
    case_line = case.lines.get()
    login(client, users["warehouse"])
    page = client.get(f"/aftersales/{case.pk}/").content.decode()
    assert 'id="replacement"' in page and 'id="replacement-button"' not in page
    assert client.post(f"/aftersales/{case.pk}/replacement/").status_code == 403
    body = {"lines": [{"case_line_id": case_line.pk, "sku_id": skus["L"].pk}]}
    assert post(client_for(users["designer"]), f"/api/v1/aftersales/{case.pk}/replacement", body).status_code == 403
    assert not Order.objects.filter(split_from=shipped).exists()
    assert not AuditEntry.objects.filter(action="aftersale_case.replacement").exists()

    answer = post(client_for(service), f"/api/v1/aftersales/{case.pk}/replacement", body)
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert (data["case_id"], data["part_no"], data["status"]) == (case.pk, "5500001-2", "paid")
    assert [(line["case_line_id"], line["sku_code"], line["quantity"]) for line in data["lines"]] == [
        (case_line.pk, "TEE-L", 1)
    ]
    again = post(client_for(service), f"/api/v1/aftersales/{case.pk}/replacement", {})
    assert (again.status_code, again.json()["code"]) == (409, "case_rule_broken")
