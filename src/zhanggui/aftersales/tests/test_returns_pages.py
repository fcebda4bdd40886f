"""The returns pages with Django's test client: 仓管's receiving page (scan, graded quantities per line, one
button; a refusal shown on the line with what was typed kept; 403 for a role that does not book stock) and the
case page's return panel (客服 records the buyer's return parcel; the receipts listed)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhanggui.aftersales.models import AfterSaleCase, ReturnGrade, ReturnReceipt
from zhanggui.aftersales.returns import services as returns
from zhanggui.aftersales.tests.returns_desk import build_desk, case_line, on_hand, open_return
from zhanggui.core.tests.pages import login
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import StockMove

pytestmark = pytest.mark.django_db
PAGE = reverse("aftersales:returns")


@pytest.fixture
def desk(system, service):
    desk = build_desk(system)
    case = open_return(service, desk)
    returns.record_return_sent(actor=service, case=case, carrier="顺丰", tracking_no="SF7001")
    desk["case"] = case
    desk["tee_cl"] = case_line(case, desk["tee_line"])
    desk["cap_cl"] = case_line(case, desk["cap_line"])
    return desk


def form_data(desk, *, tee_good="", tee_bad="", cap_good="", cap_bad="", q="SF7001") -> dict[str, str]:
    prefix = f"case-{desk['case'].pk}"
    tee, cap = desk["tee_cl"].pk, desk["cap_cl"].pk
    return {
        "case": str(desk["case"].pk),
        "q": q,
        f"{prefix}-resellable_{tee}": tee_good,
        f"{prefix}-defective_{tee}": tee_bad,
        f"{prefix}-resellable_{cap}": cap_good,
        f"{prefix}-defective_{cap}": cap_bad,
        f"{prefix}-warehouse": "",
        f"{prefix}-note": "",
    }


def test_the_page_opens_on_an_autofocused_scan_box(client, warehouse_user):
    html = login(client, warehouse_user).get(PAGE).content.decode()
    assert 'name="q"' in html and "autofocus" in html
    assert 'data-nav="returns"' in html


def test_a_scanned_tracking_number_shows_each_line_and_what_is_expected(client, warehouse_user, desk):
    response = login(client, warehouse_user).get(PAGE, {"q": "SF7001"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="return-case-{desk["case"].pk}"' in html
    assert [(e.case.pk, [line.left for line in e.lines]) for e, _form in response.context["rows"]] == [
        (desk["case"].pk, [2, 1])
    ]
    assert 'data-sku="TEE-M"' in html and 'data-sku="CAP-RED"' in html
    assert f'name="case-{desk["case"].pk}-defective_{desk["cap_cl"].pk}"' in html


def test_an_unknown_code_says_nothing_is_expected(client, warehouse_user, desk):
    html = login(client, warehouse_user).get(PAGE, {"q": "YT0000"}).content.decode()
    assert 'id="nothing-expected"' in html and "YT0000" in html


def test_receiving_books_the_graded_units_and_shows_a_banner(client, warehouse_user, desk):
    response = login(client, warehouse_user).post(PAGE, form_data(desk, tee_good="1", tee_bad="1"), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Case AS-{desk['case'].pk}: 1 resellable and 1 defective units received." in html
    assert (on_hand(desk["tee"], desk["east"]), on_hand(desk["tee"], stock.defective_warehouse())) == (2, 1)
    [expected] = [e for e, _form in response.context["rows"]]
    assert [line.left for line in expected.lines] == [0, 1]


def test_too_many_units_come_back_on_the_page_with_what_was_typed(client, warehouse_user, desk):
    moves = StockMove.objects.count()
    response = login(client, warehouse_user).post(PAGE, form_data(desk, tee_good="2", tee_bad="1", cap_bad="1"))
    assert response.status_code == 422
    html = response.content.decode()
    assert "TEE-M: 3 units received now" in html
    prefix = f"case-{desk['case'].pk}"
    assert f'name="{prefix}-resellable_{desk["tee_cl"].pk}" value="2"' in html
    assert f'name="{prefix}-defective_{desk["cap_cl"].pk}" value="1"' in html
    assert (ReturnReceipt.objects.count(), StockMove.objects.count()) == (0, moves)


def test_nothing_typed_is_refused_on_the_page(client, warehouse_user, desk):
    response = login(client, warehouse_user).post(PAGE, form_data(desk))
    assert response.status_code == 422
    assert "Nothing to receive" in response.content.decode()


def test_a_role_that_does_not_book_stock_is_refused(client, service, desk):
    response = login(client, service).post(PAGE, form_data(desk, tee_good="1"))
    assert response.status_code == 403
    assert not ReturnReceipt.objects.exists()
    html = client.get(PAGE, {"q": "SF7001"}).content.decode()  # reading stays open, without the button
    assert 'data-sku="TEE-M"' in html and "receive-button" not in html


def test_service_records_the_return_parcel_on_the_case_page(client, service, system):
    desk = build_desk(system)
    case = open_return(service, desk)
    url = reverse("aftersales:case-detail", args=[case.pk])
    page = login(client, service).get(url).content.decode()
    assert 'id="return-sent-form"' in page
    post = reverse("aftersales:case-return-sent", args=[case.pk])
    refused = client.post(post, {"return-carrier": "圆通", "return-tracking_no": ""})
    assert refused.status_code == 422
    assert 'value="圆通"' in refused.content.decode()
    done = client.post(post, {"return-carrier": "圆通", "return-tracking_no": "YT123", "return-sent_at": ""})
    assert done.status_code == 302
    case.refresh_from_db()
    assert (case.return_carrier, case.return_tracking_no) == ("圆通", "YT123")
    assert case.deadline_rule.situation == "return_receipt"
    page = client.get(url).content.decode()
    assert "YT123" in page and "return sent: 圆通 YT123" in page


def test_the_case_page_lists_the_receipts(client, service, warehouse_user, desk):
    returns.receive_return(
        actor=warehouse_user, case=desk["case"], items=[(desk["cap_cl"].pk, ReturnGrade.DEFECTIVE, 1)], note="破损"
    )
    html = login(client, service).get(reverse("aftersales:case-detail", args=[desk["case"].pk])).content.decode()
    receipts = html[html.index('id="return-receipts"') :]
    assert 'data-grade="defective"' in receipts and "CAP-RED" in receipts and "破损" in receipts
    assert '<td class="nowrap">warehouse</td>' in receipts  # who received it: the 仓管 user


def test_a_warehouse_user_cannot_record_the_return_parcel(client, warehouse_user, system, service):
    desk = build_desk(system)
    case = open_return(service, desk)
    post = reverse("aftersales:case-return-sent", args=[case.pk])
    response = login(client, warehouse_user).post(post, {"return-carrier": "圆通", "return-tracking_no": "YT1"})
    assert response.status_code == 403
    assert AfterSaleCase.objects.get(pk=case.pk).return_tracking_no == ""


def test_a_refused_parcel_stays_on_screen_even_without_the_scan(client, warehouse_user, desk):
    response = login(client, warehouse_user).post(PAGE, form_data(desk, cap_good="5", q=""))
    assert response.status_code == 422
    html = response.content.decode()
    assert f'id="return-case-{desk["case"].pk}"' in html and "CAP-RED: 5 units received now" in html
