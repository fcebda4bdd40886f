"""The case page's claims section (aftersales/_claims.html) asks for its rows and forms here, so the case page's
view stays as it is."""

from __future__ import annotations

from typing import Any

from django import template

from zhanggui.aftersales.models import AfterSaleCase

register = template.Library()


@register.simple_tag
def case_claims(case: AfterSaleCase, user: Any) -> dict[str, Any]:
    from zhanggui.aftersales.claims.views import case_panel

    return case_panel(case, user)
