"""Returns pages: 仓管's receiving page (scan the parcel, grade each line, receive) and the case page's return
panel (the buyer's return parcel, recorded by 客服, and the receipts).

Every role reads; a write checks its right first (edges.require) and calls one service of aftersales.returns,
which checks again. A refusal (more than the case still expects, nothing typed) comes back on the page with what
was typed kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.aftersales.deadlines import RETURN_KINDS
from zhanggui.aftersales.models import AfterSaleCase, CaseStatus, ReturnGrade, ReturnReceipt
from zhanggui.aftersales.returns import services as returns
from zhanggui.aftersales.returns.forms import ReceiveForm, ReturnSentForm, ScanForm
from zhanggui.core import edges, roles

# --------------------------------------------------------------------------------------------------------
# The receiving page
# --------------------------------------------------------------------------------------------------------


def _page(request: HttpRequest, q: str, *, bound: ReceiveForm | None = None, status: int = 200) -> HttpResponse:
    found = returns.expected_returns(q)
    may_receive = roles.holds(request.user, roles.BOOK_STOCK)
    rows = []
    for expected in found:
        if bound is not None and bound.expected.case.pk == expected.case.pk:
            rows.append((expected, bound))
        else:
            rows.append((expected, ReceiveForm(expected=expected)))
    if bound is not None and all(expected.case.pk != bound.expected.case.pk for expected in found):
        rows.insert(0, (bound.expected, bound))  # the refused case stays on screen whatever the scan shows
    context = {
        "scan_form": ScanForm(initial={"q": q}),
        "q": q,
        "rows": rows,
        "may_receive": may_receive,
    }
    return edges.render_page(request, "aftersales/returns.html", context, status=status)


@login_required
@edges.guarded
def returns_page(request: HttpRequest) -> HttpResponse:
    """GET ?q=<scan>: the cases that expect the parcel; POST: receive one case's graded units."""
    if request.method != "POST":
        scan = ScanForm(request.GET)
        q = scan.cleaned_data["q"].strip() if scan.is_valid() else ""
        return _page(request, q)
    edges.require(request, roles.BOOK_STOCK)
    q = request.POST.get("q", "")[:64].strip()
    case_id = request.POST.get("case", "")
    case = get_object_or_404(AfterSaleCase, pk=int(case_id)) if case_id.isdigit() and len(case_id) <= 18 else None
    if case is None:
        return _page(request, q, status=edges.FORM_ERROR)
    form = ReceiveForm(request.POST, expected=returns.expected_return(case))
    if form.is_valid():
        with edges.form_errors(form) as outcome:
            receipt = returns.receive_return(
                actor=request.user,
                case=case,
                items=form.items(),
                note=form.cleaned_data["note"],
                warehouse=form.cleaned_data["warehouse"],
            )
        if outcome.ok:
            good, bad = _graded(receipt)
            messages.success(
                request,
                _("Case %(no)s: %(good)s resellable and %(bad)s defective units received.")
                % {"no": case.number, "good": good, "bad": bad},
            )
            return redirect(f"{reverse('aftersales:returns')}?{urlencode({'q': q or case.number})}")
    return _page(request, q, bound=form, status=edges.FORM_ERROR)


def _graded(receipt: ReturnReceipt) -> tuple[int, int]:
    lines = list(receipt.lines.all())
    good = sum(line.quantity for line in lines if line.grade == ReturnGrade.RESELLABLE)
    return good, sum(line.quantity for line in lines) - good


# --------------------------------------------------------------------------------------------------------
# The case page's return panel
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnPanel:
    """What aftersales/_returns.html shows on a case page."""

    shown: bool
    may_record: bool
    form: ReturnSentForm | None
    expected: returns.ExpectedReturn | None
    receipts: list[ReturnReceipt]


def panel(case: AfterSaleCase, user: Any, form: ReturnSentForm | None = None) -> ReturnPanel:
    """The return parcel of a return or exchange case (any other kind shows nothing, unless units came back)."""
    receipts = returns.receipts_of(case)
    if case.kind not in RETURN_KINDS and not receipts:
        return ReturnPanel(False, False, None, None, [])
    may_record = (
        case.kind in RETURN_KINDS and case.status == CaseStatus.AGREED and roles.holds(user, roles.HANDLE_CASES)
    )
    if may_record and form is None:
        form = ReturnSentForm(
            prefix="return",
            initial={"carrier": case.return_carrier, "tracking_no": case.return_tracking_no},
        )
    return ReturnPanel(True, may_record, form, returns.expected_return(case), receipts)


@login_required
@edges.guarded
@require_POST
def case_return_sent(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, roles.HANDLE_CASES)
    case = get_object_or_404(AfterSaleCase, pk=pk)
    form = ReturnSentForm(request.POST, prefix="return")
    if form.is_valid():
        data = form.cleaned_data
        with edges.form_errors(form) as outcome:
            returns.record_return_sent(
                actor=request.user,
                case=case,
                carrier=data["carrier"],
                tracking_no=data["tracking_no"],
                at=data["sent_at"],
            )
        if outcome.ok:
            messages.success(request, _("Case %(no)s: the return's tracking number is recorded.") % {"no": case.number})
            return redirect("aftersales:case-detail", pk=case.pk)
    from zhanggui.aftersales import views

    return views._case_page(
        request, views._case(pk), status=edges.FORM_ERROR, open_form="return_sent", return_sent_form=form
    )
