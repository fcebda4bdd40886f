"""Figures of the platforms' reports on pages: a stored fraction as a percentage, an unknown figure as a dash."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def percent(rate: Decimal | None) -> str:
    """0.034500 → "3.45 %"; None (the report gave none) → "—"."""
    if rate is None:
        return "—"
    return f"{(rate * 100).quantize(Decimal('0.01'))} %"


@register.filter
def figure(value: object) -> str:
    """A count or a figure as it is, None → "—"."""
    return "—" if value is None else str(value)


@register.filter
def score(value: Decimal | None) -> str:
    """A shop score as the back-office shows it: 4.85, 4.8512 (two decimals at least, no trailing zeros past
    them); — when unknown."""
    if value is None:
        return "—"
    places = max(2, -value.normalize().as_tuple().exponent)  # type: ignore[operator]
    return f"{value:.{places}f}"
