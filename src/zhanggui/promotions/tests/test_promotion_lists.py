"""The promotions list and the official campaigns list built from core.listing: sort, page size, the date range,
XLSX/CSV export of every filtered row, and the batch actions on promotions (cancel, submit for approval), each
row through its own service."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.core.models import AuditEntry
from zhanggui.core.tests.pages import login
from zhanggui.promotions.campaigns import selectors as campaign_selectors
from zhanggui.promotions.campaigns.services import create_campaign
from zhanggui.promotions.models import Promotion, PromotionState
from zhanggui.promotions.offers import services
from zhanggui.promotions.tests.test_campaigns import MINE

pytestmark = pytest.mark.django_db
URL = reverse("promotions:promotion-list")
CAMPAIGNS = reverse("promotions:campaign-list")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def window(start_days: float, days: float = 3) -> dict[str, str]:
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=start_days)
    return {"starts_at": start.isoformat(), "ends_at": (start + timedelta(days=days)).isoformat()}


def mj(code: str, start_days: float = 1, **change) -> dict:
    """满300减30: within the approval limit, approved by the desk when submitted."""
    return {
        "id": code,
        "kind": "spend_save",
        "name": f"满减{code}",
        "tiers": [["300", "30"]],
        **window(start_days),
        **change,
    }


def deep(code: str, start_days: float = 1) -> dict:
    """6折: deeper than the default 7折 limit, so it waits for a manager."""
    return {"id": code, "kind": "discount", "name": f"清仓{code}", "rate": "6", **window(start_days)}


def create(user, raw, shop=None) -> Promotion:
    return services.create_promotion(actor=user, shop=shop, raw_spec=raw)


def codes(response) -> list[str]:
    return [p.code for p in response.context["page"]]


def states() -> dict[str, str]:
    return dict(Promotion.objects.values_list("code", "state"))


@pytest.fixture
def three(users):
    """A draft starting in 5 days, one approved by the desk (in 1 day), a deep one a manager approved (in 10)."""
    operator, manager = users["operator"], users["manager"]
    draft = create(operator, mj("b-draft", 5), ShopFactory(name="天猫店"))
    auto = services.submit_promotion(actor=operator, promotion=create(operator, mj("c-auto", 1)))
    approved = services.approve_promotion(
        actor=manager,
        promotion=services.submit_promotion(actor=operator, promotion=create(operator, deep("a-deep", 10))),
    )
    return draft, auto, approved


# Sort, size, dates -----------------------------------------------------------------------------------------------


def test_the_list_starts_in_calendar_order_and_sorts_by_any_column_both_ways(client, users, three):
    login(client, users["service"])
    assert codes(client.get(URL)) == ["c-auto", "b-draft", "a-deep"]  # by start, as before
    assert codes(client.get(URL, {"sort": "code"})) == ["a-deep", "b-draft", "c-auto"]
    assert codes(client.get(URL, {"sort": "-code"})) == ["c-auto", "b-draft", "a-deep"]
    # status in the order the filter lists them: draft … scheduled; both approved ones are scheduled, by start
    assert codes(client.get(URL, {"sort": "status"})) == ["b-draft", "c-auto", "a-deep"]
    assert codes(client.get(URL, {"sort": "-starts"})) == ["a-deep", "b-draft", "c-auto"]
    html = client.get(URL, {"sort": "-starts"}).content.decode()
    assert 'aria-sort="descending"' in html and 'data-sort="starts">Starts ▼' in html


def test_page_size_is_chosen_and_kept_by_the_pager(client, users):
    for n in range(30):
        create(users["operator"], mj(f"p{n:02d}", 1 + n / 100))
    login(client, users["service"])
    response = client.get(URL, {"size": "25", "sort": "-code"})
    assert len(codes(response)) == 25 and codes(response)[0] == "p29"
    assert "size=25" in response.content.decode().split('class="pager"')[1]
    assert len(codes(client.get(URL, {"size": "100"}))) == 30


def test_the_date_range_is_on_the_start_day(client, users, three):
    login(client, users["service"])
    day = (timezone.localdate() + timedelta(days=5)).isoformat()
    assert codes(client.get(URL, {"from": day, "to": day})) == ["b-draft"]
    assert codes(client.get(URL, {"from": day})) == ["b-draft", "a-deep"]
    html = client.get(URL).content.decode()
    assert 'name="from"' in html and "Starts from" in html


def test_the_old_filters_still_narrow_the_list_with_a_search_by_code_or_name(client, users, three):
    login(client, users["service"])
    assert codes(client.get(URL, {"kind": "discount"})) == ["a-deep"]
    assert codes(client.get(URL, {"status": "draft"})) == ["b-draft"]
    assert codes(client.get(URL, {"q": "清仓"})) == ["a-deep"]
    assert codes(client.get(URL, {"q": "C-AU"})) == ["c-auto"]
    response = client.get(URL, {"q": "draft", "sort": "code"}, **HTMX)
    assert response.templates[0].name == "promotions/_promotion_results.html"
    assert 'id="list-sort" value="code" hx-swap-oob="true"' in response.content.decode()


# Export ----------------------------------------------------------------------------------------------------------


def test_xlsx_export_holds_every_filtered_row_with_who_approved_it(client, users, three):
    for n in range(30):
        create(users["operator"], mj(f"x{n:02d}", 20))
    login(client, users["operator"])
    response = client.get(URL, {"q": "x", "size": "25", "sort": "code", "export": "xlsx"})
    assert response["Content-Disposition"].startswith('attachment; filename="promotions-')
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("Code", "Name", "Kind", "Shop", "Starts", "Ends", "Status", "Approved by")
    assert len(rows) == 31 and rows[1][0] == "x00" and rows[-1][0] == "x29"  # all 30, not the page of 25

    rows = list(
        load_workbook(io.BytesIO(client.get(URL, {"export": "xlsx"}).content)).active.iter_rows(values_only=True)
    )
    by_code = {row[0]: row for row in rows[1:]}
    auto, draft, approved = by_code["c-auto"], by_code["b-draft"], by_code["a-deep"]
    assert auto[2:4] == ("Spend and save", "Every shop") and auto[6] == "Scheduled"
    assert auto[7] == "Approved automatically (within the approval limit)"
    assert approved[2] == "Discount" and approved[7] == "manager"
    assert draft[3] == "天猫店" and draft[6] == "Draft" and draft[7] is None
    starts = timezone.localtime(Promotion.objects.get(code="c-auto").starts_at).replace(tzinfo=None)
    assert isinstance(auto[4], datetime) and auto[4] == starts  # a date the sheet can sort, in the shop's time


def test_csv_export_is_in_the_persons_language_and_opens_in_excel(client, users, three):
    login(client, users["operator"], language="zh-hans")
    response = client.get(URL, {"export": "csv", "sort": "code"})
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r[0] for r in rows[1:]] == ["a-deep", "b-draft", "c-auto"]
    assert rows[3][-1] == "自动通过（在审批线以内）"


# Batch actions ---------------------------------------------------------------------------------------------------


def test_batch_cancel_goes_row_by_row_with_the_reason_and_names_the_refused(client, users, three):
    draft, auto, _approved = three
    gone = services.cancel_promotion(actor=users["operator"], promotion=create(users["operator"], mj("gone")))
    login(client, users["operator"])
    back = URL + "?sort=-code&q="
    response = client.post(
        URL,
        {"action": "cancel", "ids": [draft.pk, auto.pk, gone.pk], "reason": "活动改期", "next": back},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == back
    text = response.content.decode()
    assert "Cancel promotion: 2 done." in text
    assert "1 refused: gone 满减gone — Promotion gone is Cancelled and cannot become Cancelled." in text
    assert states() == {
        "b-draft": PromotionState.CANCELLED,
        "c-auto": PromotionState.CANCELLED,
        "a-deep": PromotionState.APPROVED,  # not ticked
        "gone": PromotionState.CANCELLED,
    }
    assert AuditEntry.objects.filter(action="promotion.cancel", note="活动改期").count() == 2


def test_batch_submit_sends_drafts_for_approval_with_the_note(client, users, three):
    draft, auto, _approved = three
    waiting = create(users["operator"], deep("d-wait"))
    login(client, users["operator"])
    response = client.post(
        URL, {"action": "submit", "ids": [draft.pk, waiting.pk, auto.pk], "note": "双12主推"}, follow=True
    )
    text = response.content.decode()
    assert "Submit for approval: 2 done." in text
    assert "c-auto 满减c-auto — Promotion c-auto is Approved and cannot become Submitted for approval." in text
    assert states()["b-draft"] == PromotionState.APPROVED  # within the limit: the desk approves it
    assert states()["d-wait"] == PromotionState.SUBMITTED  # deep: waits for a manager
    notes = AuditEntry.objects.filter(action="promotion.submit", note="双12主推")
    assert sorted(notes.values_list("object_repr", flat=True)) == ["b-draft 满减b-draft", "d-wait 清仓d-wait"]


def test_batch_actions_are_not_offered_to_customer_service_and_refused_if_posted(client, users, three):
    draft = three[0]
    login(client, users["service"])
    assert 'id="batch-form"' not in client.get(URL).content.decode()
    audit = AuditEntry.objects.count()
    response = client.post(URL, {"action": "cancel", "ids": [draft.pk]})
    assert response.status_code == 403
    assert states()["b-draft"] == PromotionState.DRAFT and AuditEntry.objects.count() == audit

    login(client, users["operator"])
    html = client.get(URL).content.decode()
    assert 'id="batch-form"' in html and f'name="ids" value="{draft.pk}"' in html
    assert 'data-confirm="Cancel the ticked promotions?' in html


def test_batch_without_ticks_or_action_says_what_to_do(client, users, three):
    login(client, users["operator"])
    assert "Tick at least one row first." in client.post(URL, {"action": "cancel"}, follow=True).content.decode()
    response = client.post(URL, {"ids": [three[0].pk]}, follow=True)
    assert "Choose what to do with the ticked rows." in response.content.decode()


# Official campaigns ----------------------------------------------------------------------------------------------


@pytest.fixture
def campaigns(users):
    shop = ShopFactory()
    now = timezone.now()

    def make(code: str, **dates) -> None:
        create_campaign(actor=users["operator"], shop=shop, raw_spec={**MINE, "id": code}, **dates)

    make("ended-long-ago", starts_at=now - timedelta(days=60), ends_at=now - timedelta(days=50))
    make("ended-last-week", starts_at=now - timedelta(days=10), ends_at=now - timedelta(days=7))
    make("undated")
    make("apply-in-9-days", apply_by=now + timedelta(days=9), starts_at=now + timedelta(days=20))
    make("running-ends-in-2-days", starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=2))
    make("closed-starts-in-5-days", apply_by=now - timedelta(days=1), starts_at=now + timedelta(days=5))
    return shop


def campaign_codes(response) -> list[str]:
    return [c.code for c in response.context["rows"]]


def test_campaigns_come_upcoming_first_as_before_and_sort_by_any_column(client, users, campaigns):
    login(client, users["service"])
    upcoming = [c.code for c in campaign_selectors.shop_campaigns(shop=campaigns)]
    assert campaign_codes(client.get(CAMPAIGNS)) == upcoming
    assert campaign_codes(client.get(CAMPAIGNS, {"sort": "-phase"})) == upcoming[::-1]
    by_deadline = campaign_codes(client.get(CAMPAIGNS, {"sort": "-apply_by"}))
    assert by_deadline[:2] == ["apply-in-9-days", "closed-starts-in-5-days"]


def test_campaigns_filter_on_the_event_start_and_export_every_row(client, users, campaigns):
    login(client, users["service"])
    today = timezone.localdate()
    response = client.get(CAMPAIGNS, {"from": (today + timedelta(days=4)).isoformat()})
    assert campaign_codes(response) == ["closed-starts-in-5-days", "apply-in-9-days"]
    assert "Event starts from" in response.content.decode()

    response = client.get(CAMPAIGNS, {"export": "csv", "size": "25", "sort": "code"})
    assert response["Content-Disposition"].startswith('attachment; filename="campaigns-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff"))))
    assert rows[0] == ["Name", "Code", "Shop", "Preset", "Apply by", "Event starts", "Event ends", "Status"]
    assert [r[1] for r in rows[1:]] == sorted(r[1] for r in rows[1:]) and len(rows) == 7
    assert dict((r[1], r[7]) for r in rows[1:])["undated"] == "No dates yet"
