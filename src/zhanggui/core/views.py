"""The shared pages: the language switch and the audit trail. The front page is the desk app's (core imports no
domain app)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhanggui.core.audit import describe
from zhanggui.core.edges import render_page
from zhanggui.core.forms import AuditFilterForm
from zhanggui.core.listing import Column, ListSpec, list_response
from zhanggui.core.middleware import SESSION_KEY, SUPPORTED
from zhanggui.core.models import AuditEntry
from zhanggui.core.services import set_user_language


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    if language in SUPPORTED:
        request.session[SESSION_KEY] = language
        if request.user.is_authenticated:
            set_user_language(user=request.user, language=language)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(_without_lang(target))


def _without_lang(url: str) -> str:
    """Drop `?lang=` from the page we go back to, or it would switch the language right back."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _who(entry: AuditEntry) -> str:
    actor = entry.actor
    return (actor.get_full_name() or actor.username) if actor is not None else "—"


AUDIT = ListSpec(
    name="audit",
    columns=(
        Column("at", gettext_lazy("When"), "at", lambda e: e.at, numeric=True),
        Column("actor", gettext_lazy("Who"), "actor__username", _who),
        Column("action", gettext_lazy("Action"), "action", lambda e: describe(e).what),
        Column("object", gettext_lazy("Object"), "object_repr", lambda e: e.object_repr),
        Column("changes", gettext_lazy("Changes"), None, lambda e: "; ".join(describe(e).changes)),
        Column("note", gettext_lazy("Note"), None, lambda e: e.note),
    ),
    default_sort="-at",
    date_field="at",
    date_label=gettext_lazy("When"),
)


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    """Who changed what, in words, filtered by action, person, object and date; exported as it is filtered."""
    form = AuditFilterForm(request.GET or None)
    listing, export = list_response(request, AUDIT, form.entries())
    if export is not None:
        return export
    assert listing.page is not None
    lines = [describe(entry) for entry in listing.page]
    return render_page(
        request,
        "core/audit_list.html",
        {"form": form, "page": listing.page, "listing": listing, "lines": lines},
        fragment="core/_audit_results.html",
    )
