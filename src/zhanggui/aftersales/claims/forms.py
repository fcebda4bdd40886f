"""Forms of the carrier claims (快递理赔): filing a claim from a case, settling it, the claims list's filters.

Amounts are read as text and parsed by the services (core.money), like the refund form's.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhanggui.aftersales.claims import services as claims
from zhanggui.aftersales.forms import MONEY_INPUT
from zhanggui.aftersales.models import AfterSaleCase, ClaimStatus
from zhanggui.catalog.models import Shop
from zhanggui.orders.models import Order

SETTLE_CHOICES = [(s, s.label) for s in (ClaimStatus.PAID, ClaimStatus.PARTLY_PAID, ClaimStatus.REFUSED)] + [
    (ClaimStatus.WITHDRAWN, ClaimStatus.WITHDRAWN.label)
]
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ClaimForm(forms.Form):
    """A claim from a case: which parcel (the order, or one of its parts when it was split), the carrier and
    tracking number (the parcel's own when left empty), the value claimed and the evidence."""

    parcel = forms.TypedChoiceField(label=_("Parcel"), coerce=int)
    carrier = forms.CharField(label=_("Carrier"), max_length=64, required=False)
    tracking_no = forms.CharField(label=_("Tracking number"), max_length=64, required=False)
    value_claimed = forms.CharField(label=_("Value claimed"), max_length=32, widget=forms.TextInput(attrs=MONEY_INPUT))
    evidence = forms.CharField(
        label=_("Evidence"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Photos, the signing record, the weight at handover, what the carrier's outlet said"),
    )

    def __init__(self, *args: Any, case: AfterSaleCase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parcels = [case.order, *Order.objects.filter(split_from=case.order_id).order_by("pk")]
        self.parcels = {order.pk: order for order in parcels}
        self.fields["parcel"].choices = [
            (order.pk, f"{order.platform_order_no} · {order.carrier or '—'} {order.tracking_no}".strip())
            for order in parcels
        ]
        self.fields["carrier"].widget.attrs["placeholder"] = case.order.carrier
        self.fields["tracking_no"].widget.attrs["placeholder"] = case.order.tracking_no

    def order(self) -> Order:
        return self.parcels[self.cleaned_data["parcel"]]

    def given(self, name: str) -> str | None:
        """What was typed, or None: the parcel's own."""
        return (self.cleaned_data.get(name) or "").strip() or None


class SettleForm(forms.Form):
    status = forms.ChoiceField(label=_("The carrier's answer"), choices=SETTLE_CHOICES)
    amount_recovered = forms.CharField(
        label=_("Amount recovered"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs=MONEY_INPUT),
        help_text=_("Empty: all that was claimed when paid, nothing otherwise"),
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class ClaimFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    carrier = forms.ChoiceField(label=_("Carrier"), required=False)
    shop = forms.ModelChoiceField(label=_("Shop"), queryset=Shop.objects.all(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *ClaimStatus.choices]
        self.fields["carrier"].choices = [("", _("Any carrier")), *((c, c) for c in claims.carriers())]
        self.fields["shop"].empty_label = _("All shops")

    def rows(self) -> Any:
        """The filtered claims; a filter whose value does not parse is ignored, never an error page."""
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
        return claims.claims(status=data.get("status") or "", carrier=data.get("carrier") or "", shop=data.get("shop"))
