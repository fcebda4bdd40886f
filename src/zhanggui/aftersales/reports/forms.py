"""The reports page's form: a report's shop (all when empty) and period (the last 30 days when empty)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhanggui.aftersales.claims.forms import DATE_INPUT
from zhanggui.aftersales.reports import selectors as reports
from zhanggui.catalog.models import Shop


class ReportFilterForm(forms.Form):
    """A report's shop (all when empty) and period (the last 30 days when empty)."""

    shop = forms.ModelChoiceField(label=_("Shop"), queryset=Shop.objects.all(), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shop"].empty_label = _("All shops")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            self.period = reports.period(data.get("date_from"), data.get("date_to"))
        except reports.PeriodError as exc:
            raise forms.ValidationError(str(exc)) from None
        return data

    def chosen(self, today: date | None = None) -> tuple[reports.Period, Shop | None]:
        """The period and shop asked for; a form that does not validate falls back to the last 30 days."""
        if self.is_bound and self.is_valid():
            return self.period, self.cleaned_data.get("shop")
        return reports.period(today=today), None
