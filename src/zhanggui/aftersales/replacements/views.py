"""The case page's step "Send the replacement" (换货/补发): one service call (aftersales.replacements), then back to
the case page, which shows the replacement part's number, status and tracking number as it moves."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.aftersales import views
from zhanggui.aftersales.replacements.forms import ReplacementForm
from zhanggui.aftersales.replacements.services import replacement_panel, send_replacement
from zhanggui.core import edges, roles


@login_required
@edges.guarded
@require_POST
def case_replacement(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, roles.HANDLE_CASES)
    case = views._case(pk)
    panel = replacement_panel(case, request.user)
    if panel is None:  # not an exchange or a reissue: the page has no card to show the refusal on
        with edges.message_errors(request):
            send_replacement(actor=request.user, case=case)
        return redirect("aftersales:case-detail", pk=case.pk)
    form = ReplacementForm(request.POST, panel=panel)
    if form.is_valid():
        with edges.form_errors(form) as outcome:
            part = send_replacement(
                actor=request.user, case=case, items=form.items(), reason=form.cleaned_data["reason"]
            )
        if outcome.ok:
            messages.success(
                request,
                _("Case %(no)s: the replacement ships as order %(part)s.")
                % {"no": case.number, "part": part.platform_order_no},
            )
            return redirect("aftersales:case-detail", pk=case.pk)
    return views._case_page(
        request, views._case(pk), status=edges.FORM_ERROR, open_form="replacement", replacement_form=form
    )
