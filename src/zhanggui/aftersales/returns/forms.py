"""Forms of returns receiving (aftersales.returns): the scan box, one case's graded quantities per line, and the
buyer's return parcel on the case page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhanggui.aftersales.models import ReturnGrade
from zhanggui.aftersales.returns.services import (
    CARRIER_LENGTH,
    NOTE_LENGTH,
    TRACKING_LENGTH,
    ExpectedLine,
    ExpectedReturn,
)
from zhanggui.inventory.models import Warehouse

QUANTITY_INPUT = {"inputmode": "numeric", "autocomplete": "off", "size": "4", "min": "0"}


class ScanForm(forms.Form):
    q = forms.CharField(
        label=_("Scan the parcel"),
        required=False,
        max_length=TRACKING_LENGTH,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "type": "search",
                "placeholder": _("Return tracking number, order number or case number"),
            }
        ),
    )


def _field_name(grade: str, line: ExpectedLine) -> str:
    return f"{grade}_{line.case_line.pk}"


class ReceiveForm(forms.Form):
    """One case's parcel: how many units of each line are resellable and how many defective (empty: none)."""

    warehouse = forms.ModelChoiceField(
        label=_("Resellable units to"),
        queryset=Warehouse.objects.none(),
        required=False,
        help_text=_("Empty: the warehouse the order shipped from"),
    )
    note = forms.CharField(label=_("Note"), max_length=NOTE_LENGTH, required=False)

    def __init__(self, *args: Any, expected: ExpectedReturn, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"case-{expected.case.pk}")
        super().__init__(*args, **kwargs)
        self.expected = expected
        self.fields["warehouse"].queryset = Warehouse.objects.filter(is_active=True, sellable=True)
        self.fields["warehouse"].empty_label = _("Where the order shipped from")
        for line in expected.lines:
            for grade in ReturnGrade.values:
                self.fields[_field_name(grade, line)] = forms.IntegerField(
                    label=ReturnGrade(grade).label,
                    required=False,
                    min_value=0,
                    widget=forms.NumberInput(attrs=QUANTITY_INPUT),
                )

    def line_rows(self) -> list[tuple[ExpectedLine, forms.BoundField, forms.BoundField]]:
        return [
            (line, self[_field_name(ReturnGrade.RESELLABLE, line)], self[_field_name(ReturnGrade.DEFECTIVE, line)])
            for line in self.expected.lines
        ]

    def items(self) -> list[tuple[int, str, int]]:
        """(case line id, grade, units) of every quantity typed; the service checks them against what is left."""
        found = []
        for line in self.expected.lines:
            for grade in ReturnGrade.values:
                units = self.cleaned_data.get(_field_name(grade, line)) or 0
                if units:
                    found.append((line.case_line.pk, grade, units))
        return found


class ReturnSentForm(forms.Form):
    """客服 types the buyer's return parcel (退货物流) from the platform's case."""

    carrier = forms.CharField(label=_("Carrier"), max_length=CARRIER_LENGTH)
    tracking_no = forms.CharField(label=_("Tracking number"), max_length=TRACKING_LENGTH)
    sent_at = forms.DateTimeField(
        label=_("Sent at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: now"),
    )
