"""Page pieces the warehouse's subjects share (stock, purchasing, stocktakes): a list's batch action, and a
document on the print layout. Each subject's views import them from here, never from a sibling's views.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from zhanggui.core import edges
from zhanggui.core.listing import ListSpec, batch_message, run_batch
from zhanggui.inventory import selectors


def list_batch(request: HttpRequest, spec: ListSpec, rows: QuerySet, back: str) -> HttpResponse:
    """A batch action on a list's ticked rows, then back to the list as it was (its filters kept)."""
    with edges.message_errors(request):
        action, result = run_batch(request, spec, rows)
        (messages.warning if result.refused else messages.success)(request, batch_message(action, result))
    return redirect(edges.safe_next(request, reverse(back)))


def print_page(request: HttpRequest, template: str, context: dict[str, Any], *, sku_ids) -> HttpResponse:
    """A document on the shared print layout (core/print_base.html, docs/printing.md)."""
    context = {"shop_name": selectors.shop_name_for(sku_ids), "printed_at": timezone.now(), **context}
    return edges.render_page(request, template, context)
