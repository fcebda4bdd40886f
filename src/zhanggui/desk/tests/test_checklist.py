"""The daily checklist: the worksheet's template made on first use and edited by the 店长, ticking a row in place
(htmx) with the person and the time, and an item's history by day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.core.models import AuditEntry
from zhanggui.desk import services
from zhanggui.desk.models import CheckKey, ChecklistItem, DayCheck, Outcome, Section

pytestmark = pytest.mark.django_db


def log_in(client, user) -> None:
    """Logged in, reading English (?lang=en is remembered in the session)."""
    client.force_login(user)
    client.get(reverse("desk-task-list") + "?lang=en")


HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def shop():
    return ShopFactory(code="tm", name="天猫店")


def today_rows(shop):
    services.open_day(shop=shop, day=timezone.localdate())
    return DayCheck.objects.filter(item__shop=shop, day=timezone.localdate()).select_related("item")


def test_a_shop_gets_the_worksheets_items_once(shop):
    assert services.ensure_template(shop) is True
    items = ChecklistItem.objects.filter(shop=shop)
    by_section = {s: items.filter(section=s).count() for s in Section.values}
    assert by_section == {Section.MEETING: 5, Section.PAGES: 9, Section.SERVICE: 5}
    assert sorted(items.exclude(check_key="").values_list("check_key", flat=True)) == sorted(CheckKey.values)
    assert items.get(check_key=CheckKey.ORDERS_SHIPPED).title == "店铺订单发货情况检查"
    assert services.ensure_template(shop) is False
    assert services.open_day(shop=shop, day=timezone.localdate()) == 19
    assert services.open_day(shop=shop, day=timezone.localdate()) == 0  # idempotent


def test_ticking_a_row_in_place_records_who_and_when(client, users, shop):
    row = today_rows(shop).get(item__title="客服交接情况检查")
    log_in(client, users["service"])
    form = client.get(reverse("desk-tick", args=[row.pk]), **HTMX)
    assert form.status_code == 200 and f'id="tick-form-{row.pk}"' in form.content.decode()
    # A problem needs its note: refused, and what was typed comes back.
    refused = client.post(reverse("desk-tick", args=[row.pk]), {"outcome": "problem", "result": "明早再查"}, **HTMX)
    assert refused.status_code == 422
    body = refused.content.decode()
    assert "Write down the problem." in body and 'value="明早再查"' in body
    row.refresh_from_db()
    assert (row.outcome, row.checker) == (Outcome.OPEN, None)
    before = timezone.now()
    saved = client.post(
        reverse("desk-tick", args=[row.pk]),
        {"outcome": "problem", "problem_note": "晚班没交接退款单", "follow_up": users["manager"].pk},
        **HTMX,
    )
    assert saved.status_code == 200
    assert f'id="outcome-{row.pk}">Problem<' in saved.content.decode()
    row.refresh_from_db()
    assert (row.outcome, row.problem_note, row.checker, row.follow_up) == (
        Outcome.PROBLEM,
        "晚班没交接退款单",
        users["service"],
        users["manager"],
    )
    assert before <= row.checked_at <= timezone.now() and row.by_system is False
    entry = AuditEntry.objects.get(action="day_check.tick")
    assert (entry.actor, entry.object_id, entry.after) == (users["service"], str(row.pk), {"outcome": "problem"})
    log_in(client, users["manager"])
    assert client.get(reverse("audit-list")).status_code == 200  # the audit log reads the desk's rows


def test_an_items_history_shows_its_past_days(client, users, shop):
    services.ensure_template(shop)
    item = ChecklistItem.objects.get(shop=shop, title="店铺公告检查")
    today = timezone.localdate()
    DayCheck.objects.create(item=item, day=today - timedelta(days=2), outcome=Outcome.DONE, checker=users["copywriter"])
    DayCheck.objects.create(
        item=item, day=today - timedelta(days=1), outcome=Outcome.PROBLEM, problem_note="公告写着双十一"
    )
    log_in(client, users["manager"])
    body = client.get(reverse("desk-item-history", args=[item.pk])).content.decode()
    yesterday, before = (today - timedelta(days=1)).isoformat(), (today - timedelta(days=2)).isoformat()
    assert body.index(yesterday) < body.index(before)  # newest first
    assert "公告写着双十一" in body and "copywriter" in body


def test_the_manager_adds_moves_and_removes_items_and_the_past_stays(client, users, shop):
    log_in(client, users["manager"])
    response = client.post(
        reverse("desk-template"),
        {"shop": "tm", "section": Section.PAGES, "title": "直播间挂链检查", "requirement": "", "role": "operator"},
    )
    assert response.status_code == 302
    added = ChecklistItem.objects.get(shop=shop, title="直播间挂链检查")
    assert (added.position, added.role) == (10, "operator")  # after the worksheet's 9 page checks
    assert today_rows(shop).filter(item=added).exists()  # on today's sheet at once
    client.post(reverse("desk-item-action", args=[added.pk, "up"]))
    pages = list(ChecklistItem.objects.filter(shop=shop, section=Section.PAGES).order_by("position"))
    assert [p.title for p in pages[-2:]] == ["直播间挂链检查", "同行竞争店铺首页内容监控"]
    # An item ticked yesterday keeps its day when removed; today's untouched row goes.
    old = DayCheck.objects.create(item=added, day=timezone.localdate() - timedelta(days=1), outcome=Outcome.DONE)
    client.post(reverse("desk-item-action", args=[added.pk, "remove"]))
    added.refresh_from_db()
    assert added.is_active is False
    assert list(DayCheck.objects.filter(item=added)) == [old]
    assert "直播间挂链检查" not in client.get(reverse("desk-template") + "?shop=tm").content.decode()


def test_a_missing_title_is_an_error_and_keeps_what_was_typed(client, users, shop):
    log_in(client, users["manager"])
    response = client.post(
        reverse("desk-template"), {"shop": "tm", "section": Section.MEETING, "title": "", "requirement": "每周一"}
    )
    assert response.status_code == 422
    assert 'value="每周一"' in response.content.decode()


def test_only_the_manager_edits_the_checklist(client, users, shop):
    services.ensure_template(shop)
    item = ChecklistItem.objects.filter(shop=shop).first()
    log_in(client, users["operator"])
    assert client.get(reverse("desk-template") + "?shop=tm").status_code == 403
    assert client.post(reverse("desk-item-action", args=[item.pk, "remove"])).status_code == 403
    item.refresh_from_db()
    assert item.is_active is True
