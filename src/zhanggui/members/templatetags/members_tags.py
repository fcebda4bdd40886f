"""`{% load members_tags %}`: a cohort's repurchase rate for a window, a member's forecast and a probability as a
percentage in a template."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()


@register.filter
def rate(cohort, window: int):
    return cohort.rate(int(window))


@register.filter
def forecast(member):
    """The member's repurchase forecast, or None (no fit yet, or too few repeat buyers)."""
    from zhanggui.members.segments import forecast_of

    return forecast_of(member)


@register.simple_tag
def latest_fit():
    """The latest repurchase fit (None before the first)."""
    from zhanggui.members.forecast import latest_fit as latest

    return latest()


@register.filter
def percent1(probability):
    """0.7266 → "72.7 %" (to one decimal, half up)."""
    if probability is None:
        return "—"
    value = (Decimal(probability) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value} %"
