"""Set answer pages (快捷回复): the list every role reads, and the manager's form to add or change one, with a
preview filled in for a sample case (or a real one named by its number). The case page shows the answers that
fit the case, filled in, with a copy button (aftersales/_set_answers.html)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.aftersales.answers import services as answers
from zhanggui.aftersales.answers.forms import SetAnswerForm
from zhanggui.aftersales.models import CaseReason, SetAnswer
from zhanggui.core import edges, roles


def _preview(form: SetAnswerForm) -> tuple[answers.Rendered | None, str]:
    """The typed text filled in for the named case, or for the made-up one; nothing before a text is typed."""
    text = form.data.get(form.add_prefix("text"), "") if form.is_bound else form.initial.get("text", "")
    if not text and form.instance.pk is not None and not form.is_bound:
        text = form.instance.text
    if not text:
        return None, ""
    case = form.case() if form.is_bound else None
    values = answers.values_for(case) if case is not None else answers.SAMPLE_VALUES
    return answers.render_text(text, values), case.number if case is not None else ""


@login_required
def answer_list(request: HttpRequest) -> HttpResponse:
    rows = [(answer, answers.render_text(answer.text, answers.SAMPLE_VALUES)) for answer in SetAnswer.objects.all()]
    reasons = dict(CaseReason.choices)
    rows.sort(key=lambda row: (row[0].reason != "", reasons.get(row[0].reason, ""), row[0].position, row[0].pk))
    context = {
        "rows": rows,
        "variables": answers.VARIABLES,
        "may_edit": roles.holds(request.user, roles.MANAGE_AFTERSALES_RULES),
    }
    return render(request, "aftersales/answer_list.html", context)


@login_required
@edges.guarded
def answer_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add (no pk) or change a set answer. The Preview button (or htmx as the text is typed) fills the text in
    without saving."""
    answer = get_object_or_404(SetAnswer, pk=pk) if pk is not None else None
    status = 200
    if request.method == "POST":
        edges.require(request, roles.MANAGE_AFTERSALES_RULES)
        form = SetAnswerForm(request.POST, instance=SetAnswer.objects.get(pk=pk) if pk is not None else None)
        if "preview" in request.POST or edges.wants_fragment(request):
            form.is_valid()
            preview, case_no = _preview(form)
            template = (
                "aftersales/_answer_preview.html" if edges.wants_fragment(request) else "aftersales/answer_form.html"
            )
            shown = {"form": form, "answer": answer, "preview": preview, "case_no": case_no}
            return render(request, template, {**shown, "variables": answers.VARIABLES})
        if form.is_valid():
            with edges.form_errors(form) as outcome:
                saved = answers.save_answer(actor=request.user, answer=answer, **form.answer_fields())
            if outcome.ok:
                messages.success(request, _("Set answer saved: %(title)s.") % {"title": saved.title})
                return redirect("aftersales:answer-list")
        status = edges.FORM_ERROR
    else:
        form = SetAnswerForm(instance=answer, initial={} if answer is not None else {"position": 10})
    preview, case_no = _preview(form)
    context: dict[str, Any] = {
        "form": form,
        "answer": answer,
        "preview": preview,
        "case_no": case_no,
        "variables": answers.VARIABLES,
    }
    context["may_edit"] = roles.holds(request.user, roles.MANAGE_AFTERSALES_RULES)
    return render(request, "aftersales/answer_form.html", context, status=status)


@login_required
@edges.guarded
@require_POST
def answer_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Switch an answer off (no longer offered on the case pages, kept for the record) or on again."""
    edges.require(request, roles.MANAGE_AFTERSALES_RULES)
    answer = get_object_or_404(SetAnswer, pk=pk)
    with edges.message_errors(request):
        answers.set_active(actor=request.user, answer=answer, active=request.POST.get("active") == "1")
    return redirect("aftersales:answer-list")
