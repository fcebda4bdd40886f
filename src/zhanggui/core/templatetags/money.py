"""`{% load money %}`: amounts in templates written one way (core.money.fmt_money).

    {{ amount|yuan }}           ¥1,299.00   −¥308.70
    {{ amount|yuan:"signed" }}  +¥12.00     −¥308.70   ¥0.00

A blank value (None, "") shows as "—", so a template needs no `if` around an amount that may be missing.
"""

from __future__ import annotations

from decimal import Decimal

from django import template

from zhanggui.core.money import MoneyError, fmt_money

register = template.Library()


@register.filter
def yuan(value: Decimal | int | str | None, style: str = "") -> str:
    if value is None or value == "":
        return "—"
    try:
        return fmt_money(value, signed=style == "signed")
    except (MoneyError, ArithmeticError, ValueError):
        return str(value)  # not an amount: shown as it is rather than failing the page
