"""Set answers (aftersales.answers): the variables filled in for a case, an unknown or empty variable left
visible and flagged (never an error), the order of the answers that fit a case, the manager's writes, and the
pages (the case page's copy list, the list, the form with its preview) with the Django client."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from zhanggui.aftersales import services
from zhanggui.aftersales.answers import services as answers
from zhanggui.aftersales.errors import CaseRuleBroken
from zhanggui.aftersales.models import AfterSaleCase, SetAnswer
from zhanggui.aftersales.tests.conftest import lines_of
from zhanggui.core.errors import PermissionDeniedError
from zhanggui.core.models import AuditEntry
from zhanggui.core.tests.pages import login
from zhanggui.orders.models import Order

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(service, order) -> AfterSaleCase:
    """A size return on one T-shirt of order T2001 (buyer tb_alice, tracking YT9), ¥99.00 asked, refunded ¥10.00,
    with a deadline of 2026-06-20 18:00 (the desk's time zone)."""
    Order.objects.filter(pk=order.pk).update(buyer_nick="tb_alice", tracking_no="YT9")
    tee, _cap = lines_of(order)
    deadline = timezone.make_aware(datetime(2026, 6, 20, 18, 0))  # noqa: DTZ001 - the desk's own time zone
    made = services.open_case(
        actor=service,
        order=Order.objects.get(pk=order.pk),
        kind="return_refund",
        reason="size",
        lines=[(tee.pk, 1)],
        requested_amount="99.00",
        platform_refund_no="RF-1",
        platform_deadline=deadline,
    )
    services.refund(actor=service, case=made, amounts={tee.pk: "10.00"})
    AfterSaleCase.objects.filter(pk=made.pk).update(deadline=deadline)  # a refund's stage has a clock of its own
    return AfterSaleCase.objects.select_related("shop", "order").get(pk=made.pk)


def test_every_variable_is_filled_in_for_the_case(case):
    text = "{buyer}|{order_no}|{case_no}|{shop}|{amount}|{refund_amount}|{tracking_no}|{deadline}|{sku}|{reason}"
    with translation.override("en"):
        rendered = answers.render_text(text, answers.values_for(case))
    assert rendered.text == "tb_alice|T2001|RF-1|淘宝店|¥99.00|¥10.00|YT9|2026-06-20 18:00|TEE-M|Size does not fit"
    assert rendered.complete


def test_an_unknown_variable_stays_visible_and_is_flagged_never_an_error(case):
    rendered = answers.render_text("亲 {buyer}，单号 {odrer_no} {odrer_no} {} {{x}} {1a}", answers.values_for(case))
    assert rendered.text == "亲 tb_alice，单号 {odrer_no} {odrer_no} {} {{x}} {1a}"
    assert rendered.unknown == ["odrer_no", "x"] and rendered.missing == []
    assert not rendered.complete


def test_a_variable_without_a_value_yet_stays_visible_and_is_flagged(case):
    rendered = answers.render_text("退货单号 {return_tracking_no}", answers.values_for(case))
    assert rendered.text == "退货单号 {return_tracking_no}"
    assert (rendered.unknown, rendered.missing) == ([], ["return_tracking_no"])


def test_the_answers_that_fit_a_case_its_reason_and_kind_first_then_general(case, manager):
    SetAnswer.objects.all().delete()
    made = {
        name: answers.save_answer(actor=manager, reason=reason, kind=kind, title=name, text="x", position=position)
        for name, reason, kind, position in [
            ("general", "", "", 1),
            ("kind only", "", "return_refund", 1),
            ("reason late", "size", "", 9),
            ("reason early", "size", "", 2),
            ("reason and kind", "size", "return_refund", 5),
            ("other reason", "quality", "", 1),
            ("other kind", "size", "exchange", 1),
        ]
    }
    answers.set_active(actor=manager, answer=made["reason late"], active=False)
    assert [a.title for a in answers.fitting(case)] == ["reason and kind", "reason early", "kind only", "general"]


def test_the_seeded_answers_cover_every_reason_and_fill_in(case):
    from zhanggui.aftersales.models import CaseReason

    seeded = set(SetAnswer.objects.values_list("reason", flat=True))
    assert set(CaseReason.values) <= seeded
    rendered = answers.for_case(case)
    assert rendered[0].answer.reason == "size" and "TEE-M" in rendered[0].text
    assert all(not r.unknown for r in rendered)


def test_writes_are_the_managers_and_audited(service, manager):
    with pytest.raises(PermissionDeniedError):
        answers.save_answer(actor=service, title="t", text="x")
    with pytest.raises(CaseRuleBroken):
        answers.save_answer(actor=manager, title=" ", text="x")
    with pytest.raises(CaseRuleBroken):
        answers.save_answer(actor=manager, reason="nope", title="t", text="x")
    made = answers.save_answer(actor=manager, reason="late", title="催发货", text="亲，单号{tracking_no}")
    answers.save_answer(actor=manager, answer=made, reason="late", title="催发货", text="亲，单号 {tracking_no}")
    answers.set_active(actor=manager, answer=made, active=False)
    actions = AuditEntry.objects.filter(object_type="aftersales.setanswer", object_id=str(made.pk)).order_by("id")
    assert [e.action for e in actions] == ["set_answer.create", "set_answer.update", "set_answer.deactivate"]
    assert actions[1].before == {"text": "亲，单号{tracking_no}"}


# ----- pages ---------------------------------------------------------------------------------------------


def test_the_case_page_lists_the_fitting_answers_filled_in_with_a_copy_button(client, service, case):
    html = login(client, service).get(reverse("aftersales:case-detail", args=[case.pk])).content.decode()
    assert 'id="set-answers"' in html and "aftersales/set-answers.js" in html
    first = answers.for_case(case)[0]
    assert f'id="set-answer-text-{first.answer.pk}"' in html
    assert f'data-copy-target="set-answer-text-{first.answer.pk}"' in html
    assert "TEE-M" in html and "{sku}" not in html


def test_the_list_shows_every_answer_and_only_the_manager_edits(client, service, manager):
    url = reverse("aftersales:answer-list")
    html = login(client, service).get(url).content.decode()
    assert "尺码不合适" in html and 'id="answer-add"' not in html
    assert client.get(reverse("aftersales:answer-new")).status_code == 200  # reads the form, cannot save it
    refused = client.post(reverse("aftersales:answer-new"), {"title": "t", "text": "x", "position": "1"})
    assert refused.status_code == 403 and not SetAnswer.objects.filter(title="t").exists()
    assert 'id="answer-add"' in login(client, manager).get(url).content.decode()


def test_the_manager_previews_then_saves_and_switches_off(client, manager, case):
    login(client, manager)
    form = {"reason": "late", "kind": "", "title": "催发货", "text": "亲 {buyer}，单号{tracking_no} {oops}",
            "position": "3", "is_active": "on", "preview_case": "RF-1"}  # fmt: skip
    preview = client.post(reverse("aftersales:answer-new"), {**form, "preview": "1"})
    body = preview.content.decode()
    assert preview.status_code == 200 and "亲 tb_alice，单号YT9 {oops}" in body and "oops" in body
    assert not SetAnswer.objects.filter(title="催发货").exists()
    fragment = client.post(reverse("aftersales:answer-new"), {**form, "preview_case": ""}, HTTP_HX_REQUEST="true")
    assert fragment.content.decode().startswith('<div id="answer-preview"')
    assert "亲 tb_小王" in fragment.content.decode()  # the made-up case
    saved = client.post(reverse("aftersales:answer-new"), form)
    assert saved.status_code == 302
    made = SetAnswer.objects.get(title="催发货")
    assert (made.reason, made.position, made.updated_by) == ("late", 3, manager)
    client.post(reverse("aftersales:answer-active", args=[made.pk]), {"active": "0"})
    made.refresh_from_db()
    assert made.is_active is False
