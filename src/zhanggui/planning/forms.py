"""The plan page's forms: the shop and year pickers, a new plan's year target, a month's row of the grid."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from zhanggui.planning.services import KEEP_OTHERS, REBALANCE


class PlanForm(forms.Form):
    """A new plan: the year's GMV target, broken into months by the service."""

    gmv_target = forms.DecimalField(
        label=_("The year's GMV target (¥)"), min_value=Decimal(0), max_digits=14, decimal_places=2
    )

    def clean_gmv_target(self) -> Decimal:
        value: Decimal = self.cleaned_data["gmv_target"]
        if value <= 0:
            raise forms.ValidationError(_("The year's target must be above zero."))
        return value


class MonthForm(forms.Form):
    """A month of the grid: its target and drivers (leave one of UV, conversion, AOV empty to have it solved)."""

    gmv_target = forms.DecimalField(label=_("GMV target (¥)"), min_value=Decimal(0), max_digits=14, decimal_places=2)
    uv = forms.IntegerField(label=_("UV"), min_value=0, required=False)
    conversion_percent = forms.DecimalField(
        label=_("Conversion (%)"), min_value=Decimal(0), max_value=Decimal(100), decimal_places=2, required=False
    )
    aov = forms.DecimalField(label=_("AOV (¥)"), min_value=Decimal(0), max_digits=12, decimal_places=2, required=False)
    locked = forms.BooleanField(label=_("Locked"), required=False)
    mode = forms.ChoiceField(
        label=_("The other months"),
        choices=[
            (REBALANCE, _("Rebalance the other unlocked months so the year stays")),
            (KEEP_OTHERS, _("Keep the others and let the year change")),
        ],
        initial=REBALANCE,
    )

    @property
    def conversion(self) -> Decimal | None:
        percent = self.cleaned_data.get("conversion_percent")
        return None if percent is None else (percent / 100).quantize(Decimal("0.0001"))


class ShareRowForm(forms.Form):
    """A slice's row of the categories / roles grid: each quarter's GMV target, units and SKU count."""

    mode = forms.ChoiceField(
        choices=[
            ("rebalance", _("Rebalance the quarter's other unlocked slices")),
            ("keep", _("Keep the others and show the difference")),
        ],
        initial="rebalance",
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        for q in range(1, 5):
            self.fields[f"q{q}_amount"] = forms.DecimalField(
                label=_("Q%(q)s GMV (¥)") % {"q": q}, min_value=Decimal(0), max_digits=14, decimal_places=2
            )
            self.fields[f"q{q}_units"] = forms.IntegerField(label=_("Q%(q)s units") % {"q": q}, min_value=0)
            self.fields[f"q{q}_skus"] = forms.IntegerField(
                label=_("Q%(q)s SKUs") % {"q": q}, min_value=0, required=False
            )

    def quarter(self, q: int) -> forms.BoundField:
        return self[f"q{q}_amount"]
