"""`{% load members_tags %}`: a cohort's repurchase rate for a window in a template."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def rate(cohort, window: int):
    return cohort.rate(int(window))
