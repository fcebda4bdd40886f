"""The promotion editor's smaller promises: the note typed beside Submit is kept with the submission and shown
to the manager; rates read as "30% off" in English and as 折 in Chinese; the approval notice that speaks of
submitting is only on promotions still to be submitted; who approved it, a person or the desk."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from zhanggui.core.models import AuditEntry
from zhanggui.core.tests.pages import login
from zhanggui.promotions.models import Promotion, PromotionState
from zhanggui.promotions.offers import services
from zhanggui.promotions.offers.editor import EditorForm, spec_initial
from zhanggui.promotions.spec import Kind

pytestmark = pytest.mark.django_db


def window() -> dict[str, str]:
    start = timezone.now().replace(microsecond=0) + timedelta(days=1)
    return {"starts_at": start.isoformat(), "ends_at": (start + timedelta(days=3)).isoformat()}


def mj(code: str = "mj300") -> dict:
    return {"id": code, "kind": "spend_save", "name": "满300减30", "tiers": [["300", "30"]], **window()}


def deep(code: str = "d6") -> dict:
    return {"id": code, "kind": "discount", "name": "6折清仓", "rate": "6", **window()}


def create(user, raw) -> Promotion:
    return services.create_promotion(actor=user, shop=None, raw_spec=raw)


def detail(pk: int) -> str:
    return reverse("promotions:promotion-detail", args=[pk])


def text_of(html: str) -> str:
    """What a reader sees: the page's text without its tags."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# The note with a submission ------------------------------------------------------------------------------------


def test_the_note_typed_beside_submit_is_kept_and_shown_to_the_manager(client, users):
    operator, manager = users["operator"], users["manager"]
    promotion = create(operator, deep())
    login(client, operator)
    assert 'name="note"' in client.get(detail(promotion.pk)).content.decode().split('id="submit-promotion"')[0]
    client.post(reverse("promotions:promotion-submit", args=[promotion.pk]), {"note": "  双12主推款，毛利够  "})
    promotion.refresh_from_db()
    assert promotion.state == PromotionState.SUBMITTED
    entry = AuditEntry.objects.get(action="promotion.submit", object_id=str(promotion.pk))
    assert entry.note == "双12主推款，毛利够"

    login(client, manager)
    page = client.get(detail(promotion.pk)).content.decode()
    assert '<dd id="submit-note">双12主推款，毛利够</dd>' in page
    assert "双12主推款，毛利够" in page.split('id="history"')[1]  # and in the history
    approval = client.get(reverse("approvals:promotion", args=[promotion.pk])).content.decode()
    assert "双12主推款，毛利够" in approval.split('id="history"')[1]


def test_without_a_note_nothing_is_shown_and_the_service_still_takes_none(client, users):
    promotion = services.submit_promotion(actor=users["operator"], promotion=create(users["operator"], mj()))
    assert AuditEntry.objects.get(action="promotion.submit").note == ""
    login(client, users["operator"])
    assert 'id="submit-note"' not in client.get(detail(promotion.pk)).content.decode()


# Rates in the page's language ----------------------------------------------------------------------------------


def test_rate_fields_say_tenths_and_percent_off_in_english_and_zhe_in_chinese():
    raw = {"id": "d85", "kind": "discount", "rate": "8.5", **window()}
    with translation.override("en"):
        field = EditorForm(initial=spec_initial(raw, shop=None))["rate"]
        assert (str(field.label), str(field.help_text)) == (
            "Pay (tenths of the price)",
            "8.5 means the buyer pays 85 % (15% off).",
        )
        form = EditorForm({**spec_initial(raw, shop=None), "kind": Kind.DISCOUNT, "rate": "12"})
        form.is_valid()
        assert form.errors["rate"] == ["Enter the tenths of the price paid, between 0 and 10, such as 8.5 (15% off)."]
    with translation.override("zh-hans"):
        assert "8.5折" in str(EditorForm(initial=spec_initial(raw, shop=None))["rate"].help_text)


@pytest.mark.parametrize("kind", [Kind.DISCOUNT, Kind.MULTIBUY, Kind.COUPON, Kind.MEMBER_PRICE, Kind.SPEND_DISCOUNT])
def test_the_english_editor_has_no_zhe_in_its_sentences(client, users, kind):
    login(client, users["operator"])
    with translation.override("en"):
        html = client.get(reverse("promotions:promotion-new"), {"kind": kind}).content.decode()
    editor = text_of(html.split('id="editor"')[1].split('id="advanced"')[0])
    assert "折" not in editor.replace("折扣", "")  # a name a person typed could hold it; the labels do not


def test_the_approval_notice_says_percent_off_in_english_and_zhe_in_chinese(client, users):
    promotion = create(users["operator"], deep())
    login(client, users["operator"])
    with translation.override("en"):
        notice = text_of(client.get(detail(promotion.pk)).content.decode().split('id="approval"')[1].split("</p>")[0])
    assert "it cuts as deep as 40% off, beyond the limit (30% off)." in notice and "折" not in notice
    login(client, users["operator"], language="zh-hans")
    notice = text_of(client.get(detail(promotion.pk)).content.decode().split('id="approval"')[1].split("</p>")[0])
    assert "6折" in notice and "7折" in notice


# The approval notice and who approved -------------------------------------------------------------------------


def test_the_no_approval_needed_notice_is_for_drafts_not_for_an_approved_promotion(client, users):
    operator = users["operator"]
    draft = create(operator, mj("draft"))
    approved = services.submit_promotion(actor=operator, promotion=create(operator, mj("done")))
    login(client, operator)
    with translation.override("en"):
        page = client.get(detail(draft.pk)).content.decode()
        assert "submitting approves it" in page
        page = client.get(detail(approved.pk)).content.decode()
    assert 'id="approval"' not in page and "submitting approves it" not in page
    assert "Approved automatically (within the approval limit)" in page  # who approved it: the desk


def test_a_promotion_waiting_for_a_manager_still_says_why_it_waits(client, users):
    waiting = services.submit_promotion(actor=users["operator"], promotion=create(users["operator"], deep()))
    login(client, users["operator"])
    page = client.get(detail(waiting.pk)).content.decode()
    assert "Needs a manager&#x27;s approval" in page or "Needs a manager's approval" in page
    cancelled = services.cancel_promotion(actor=users["operator"], promotion=waiting)
    assert 'id="approval"' not in client.get(detail(cancelled.pk)).content.decode()
