"""The desk's front page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhanggui.desk import selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Today's stock worries at a glance, each figure a link to the list behind it; the orders card loads
    itself from orders (htmx) and the approvals card comes from approvals' context processor."""
    return render(request, "desk/home.html", selectors.today())
