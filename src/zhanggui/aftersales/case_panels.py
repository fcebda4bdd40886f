"""The case page's cards for set answers and compensation: what views._case_page adds to its context, kept here
so that the case page's own view stays as it was (one line includes these)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zhanggui.aftersales.answers import services as answers
from zhanggui.aftersales.compensation import services as compensation
from zhanggui.aftersales.compensation.forms import OfferForm
from zhanggui.aftersales.models import AfterSaleCase


def case_extras(user: Any, case: AfterSaleCase, forms: Mapping[str, Any]) -> dict[str, Any]:
    """The fitting set answers filled in for the case, and the compensation card for this person (with the offer
    form sent back with its errors, when an offer was refused)."""
    offers = compensation.panel(case, user)
    return {
        "set_answers": answers.for_case(case),
        "offers": offers,
        "offer_form": forms.get("offer_form") or OfferForm(prefix="offer", rules=offers.rules),
    }
