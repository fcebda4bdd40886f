"""After-sales pages: the case queue (least time left first), one case with its order and steps, opening a
case from an order, and the deadline rules.

Every role reads; each step checks its right first (edges.require), calls one service (aftersales.services,
which checks again) and shows the result. A refused step answers 403 and changes nothing; a rule the service
enforces (an over-refund above all) comes back as an error on the page, with what was typed kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhanggui.aftersales import case_panels, imports, lists, selectors, services
from zhanggui.aftersales.deadlines import time_left
from zhanggui.aftersales.forms import (
    AssignForm,
    CaseFilterForm,
    NoteForm,
    OpenCaseForm,
    RefundForm,
    RefundImportForm,
    RuleForm,
    StepForm,
)
from zhanggui.aftersales.models import AfterSaleCase, DeadlineRule
from zhanggui.aftersales.replacements.forms import replacement_context
from zhanggui.aftersales.returns import views as return_views
from zhanggui.core import edges, roles
from zhanggui.core.listing import batch_message, list_response, run_batch
from zhanggui.orders.models import Order

# --------------------------------------------------------------------------------------------------------
# The queue
# --------------------------------------------------------------------------------------------------------


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """Filters, sort, page size and the opened-on range in the URL; ?export=xlsx|csv answers every filtered row."""
    now = timezone.now()
    # Opened without filters, the queue shows what someone still has to act on, least time left first.
    form = CaseFilterForm(request.GET or {"status": selectors.STATUS_TO_HANDLE})
    listing, export = list_response(request, lists.CASES, form.cases(request.user, now))
    if export is not None:
        return export
    for case in listing.page:
        case.time_left = time_left(case, now)
    context = {"form": form, "page": listing.page, "listing": listing, "board": selectors.board(now)}
    context["import_form"] = RefundImportForm() if roles.holds(request.user, roles.HANDLE_CASES) else None
    return edges.render_page(request, "aftersales/case_list.html", context, fragment="aftersales/_case_results.html")


@login_required
@edges.guarded
@require_POST
def case_batch(request: HttpRequest) -> HttpResponse:
    """A batch action on the ticked cases, then back to the queue as it was (its filters kept)."""
    with edges.message_errors(request):
        action, result = run_batch(request, lists.CASES, AfterSaleCase.objects.select_related("shop"))
        (messages.warning if result.refused else messages.success)(request, batch_message(action, result))
    return redirect(edges.safe_next(request, reverse("aftersales:case-list")))


@login_required
@edges.guarded
def case_import(request: HttpRequest) -> HttpResponse:
    """Upload a platform's refund export: the report, or every refused row (file, line, column, reason)."""
    report = None
    status = 200
    if request.method == "POST":
        edges.require(request, roles.HANDLE_CASES)
        form = RefundImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            with edges.form_errors(form) as outcome:
                report = imports.import_refund_file(
                    actor=request.user,
                    shop=form.cleaned_data["shop"],
                    file=upload,
                    filename=upload.name or "upload",
                    dry_run=form.cleaned_data["dry_run"],
                    platform=form.cleaned_data["platform"] or None,
                )
            if not outcome.ok or not report.ok:
                status = edges.FORM_ERROR
        else:
            status = edges.FORM_ERROR
    else:
        form = RefundImportForm(initial={"shop": request.GET.get("shop") or None})
    context = {"form": form, "report": report, "may_import": roles.holds(request.user, roles.HANDLE_CASES)}
    return render(request, "aftersales/case_import.html", context, status=status)


# --------------------------------------------------------------------------------------------------------
# One case
# --------------------------------------------------------------------------------------------------------


def _case(pk: int) -> AfterSaleCase:
    try:
        return selectors.case_detail(pk)
    except AfterSaleCase.DoesNotExist:
        return get_object_or_404(AfterSaleCase, pk=pk)  # raises 404


def _case_page(request: HttpRequest, case: AfterSaleCase, *, status: int = 200, **forms: Any) -> HttpResponse:
    order = selectors.order_for(case.order_id)
    rows = selectors.line_money(order, case)
    context = {
        "case": case,
        "order": order,
        "time_left": time_left(case, timezone.now()),
        "rows": rows,
        "totals": selectors.money_totals(rows),
        "case_lines": list(case.lines.all()),
        "events": list(case.events.all()),
        "steps": selectors.steps_for(case, request.user),
        "agree_form": forms.get("agree_form") or StepForm(prefix="agree"),
        "reject_form": forms.get("reject_form") or StepForm(prefix="reject"),
        "close_form": forms.get("close_form") or StepForm(prefix="close"),
        "reopen_form": forms.get("reopen_form") or StepForm(prefix="reopen"),
        "refund_form": forms.get("refund_form") or RefundForm(prefix="refund", rows=rows),
        "assign_form": forms.get("assign_form") or AssignForm(prefix="assign", initial={"assignee": case.assignee_id}),
        "note_form": forms.get("note_form") or NoteForm(prefix="note"),
        "open_form": forms.get("open_form", ""),
        **replacement_context(case, request.user, forms.get("replacement_form")),
        **case_panels.case_extras(request.user, case, forms),
        "returns": return_views.panel(case, request.user, forms.get("return_sent_form")),
    }
    return edges.render_page(request, "aftersales/case_detail.html", context, status=status)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, _case(pk))


def _done(request: HttpRequest, case: AfterSaleCase, text: Any) -> HttpResponse:
    messages.success(request, str(text) % {"no": case.number})
    return redirect("aftersales:case-detail", pk=case.pk)


def _form_step(
    request: HttpRequest, pk: int, name: str, form: Any, step: Callable[[AfterSaleCase, Any], Any], text: Any
) -> HttpResponse:
    """A step with input: the service's refusal becomes an error on the form, kept open with what was typed."""
    edges.require(request, roles.HANDLE_CASES)
    case = _case(pk)
    if form.is_valid():
        with edges.form_errors(form) as outcome:
            result = step(case, form)
        if outcome.ok:
            return _done(request, result if isinstance(result, AfterSaleCase) else case, text)
    return _case_page(request, _case(pk), status=edges.FORM_ERROR, open_form=name, **{f"{name}_form": form})


def _step_view(name: str, service: Callable[..., AfterSaleCase], text: Any) -> Callable[..., HttpResponse]:
    """Agree, reject, close, open again: the reason and the responsibility of a StepForm."""

    @login_required
    @edges.guarded
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        def step(case: AfterSaleCase, form: StepForm) -> AfterSaleCase:
            data = form.cleaned_data
            extra = {} if name == "reopen" else {"responsibility": data["responsibility"]}
            return service(actor=request.user, case=case, reason=data["reason"], **extra)

        return _form_step(request, pk, name, StepForm(request.POST, prefix=name), step, text)

    view.__name__ = f"case_{name}"
    return view


case_agree = _step_view("agree", services.agree, gettext_lazy("Case %(no)s agreed."))
case_reject = _step_view("reject", services.reject, gettext_lazy("Case %(no)s rejected."))
case_close = _step_view("close", services.close, gettext_lazy("Case %(no)s closed."))
case_reopen = _step_view("reopen", services.reopen, gettext_lazy("Case %(no)s is open again."))


@login_required
@edges.guarded
@require_POST
def case_refund(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, roles.HANDLE_CASES)
    case = _case(pk)
    form = RefundForm(
        request.POST, prefix="refund", rows=selectors.line_money(selectors.order_for(case.order_id), case)
    )

    def step(case: AfterSaleCase, form: RefundForm) -> AfterSaleCase:
        return services.refund(
            actor=request.user, case=case, amounts=form.amounts(), reason=form.cleaned_data["reason"]
        )

    return _form_step(request, pk, "refund", form, step, gettext_lazy("Case %(no)s refunded."))


@login_required
@edges.guarded
@require_POST
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    def step(case: AfterSaleCase, form: AssignForm) -> AfterSaleCase:
        return services.assign(actor=request.user, case=case, assignee=form.cleaned_data["assignee"])

    form = AssignForm(request.POST, prefix="assign")
    return _form_step(request, pk, "assign", form, step, gettext_lazy("Case %(no)s assigned."))


@login_required
@edges.guarded
@require_POST
def case_note(request: HttpRequest, pk: int) -> HttpResponse:
    def step(case: AfterSaleCase, form: NoteForm) -> Any:
        return services.add_note(actor=request.user, case=case, text=form.cleaned_data["text"])

    form = NoteForm(request.POST, prefix="note")
    return _form_step(request, pk, "note", form, step, gettext_lazy("Note added to case %(no)s."))


# --------------------------------------------------------------------------------------------------------
# Opening a case from an order
# --------------------------------------------------------------------------------------------------------


@login_required
@edges.guarded
def case_open(request: HttpRequest, order_pk: int) -> HttpResponse:
    """售后单 from the order page's link: the order's lines with what is left of each, and its earlier cases."""
    edges.require(request, roles.HANDLE_CASES)
    try:
        order = selectors.order_for(order_pk)
    except Order.DoesNotExist:
        return get_object_or_404(Order, pk=order_pk)  # raises 404
    if order.split_from_id is not None:
        return redirect("aftersales:case-open", order_pk=order.split_from_id)  # the lines stay on the order
    rows = selectors.line_money(order)
    status = 200
    if request.method == "POST":
        form = OpenCaseForm(request.POST, order=order, rows=rows)
        if form.is_valid():
            data = form.cleaned_data
            with edges.form_errors(form) as outcome:
                case = services.open_case(
                    actor=request.user,
                    order=order,
                    kind=data["kind"],
                    reason=data["reason"],
                    lines=form.chosen_lines(),
                    requested_amount=data["requested_amount"] or "0",
                    responsibility=data["responsibility"],
                    platform_refund_no=data["platform_refund_no"],
                    platform_deadline=data["platform_deadline"],
                    description=data["description"],
                )
            if outcome.ok:
                return _done(request, case, _("Case %(no)s opened."))
        status = edges.FORM_ERROR
    else:
        form = OpenCaseForm(order=order, rows=rows)
    context = {"order": order, "form": form, "cases": selectors.cases_of_order(order)}
    return render(request, "aftersales/case_open.html", context, status=status)


# --------------------------------------------------------------------------------------------------------
# Deadline rules
# --------------------------------------------------------------------------------------------------------


def _rule_forms(rules: list[DeadlineRule], changed: RuleForm | None = None) -> list[tuple[DeadlineRule, RuleForm]]:
    return [
        (
            rule,
            changed
            if changed is not None and changed.instance.pk == rule.pk
            else RuleForm(instance=rule, prefix=f"rule-{rule.pk}"),
        )
        for rule in rules
    ]


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    """Every channel's clocks; the manager edits each row on its own (htmx swaps the row back)."""
    context = {
        "rows": _rule_forms(selectors.rules()),
        "may_edit": roles.holds(request.user, roles.MANAGE_AFTERSALES_RULES),
    }
    return render(request, "aftersales/rule_list.html", context)


@login_required
@edges.guarded
@require_POST
def rule_save(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, roles.MANAGE_AFTERSALES_RULES)
    rule = get_object_or_404(DeadlineRule, pk=pk)
    form = RuleForm(request.POST, instance=DeadlineRule.objects.get(pk=pk), prefix=f"rule-{pk}")
    saved = False
    if form.is_valid():
        data = form.cleaned_data
        with edges.form_errors(form) as outcome:
            rule = services.save_rule(
                actor=request.user,
                rule=rule,
                hours=data["hours"],
                on_expiry=data["on_expiry"],
                basis=data["basis"],
                source=data["source"],
            )
        saved = outcome.ok
    if not edges.wants_fragment(request):
        if saved:
            messages.success(request, _("Rule saved: %(rule)s.") % {"rule": rule.get_situation_display()})
            return redirect("aftersales:rule-list")
        context = {"rows": _rule_forms(selectors.rules(), form), "may_edit": True}
        return render(request, "aftersales/rule_list.html", context, status=edges.FORM_ERROR)
    if saved:
        rule = DeadlineRule.objects.select_related("updated_by").get(pk=pk)
        form = RuleForm(instance=rule, prefix=f"rule-{pk}")
    context = {"rule": rule, "form": form, "may_edit": True, "saved": saved}
    return render(request, "aftersales/_rule_row.html", context, status=200 if saved else edges.FORM_ERROR)
