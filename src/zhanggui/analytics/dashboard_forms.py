"""The dashboard's and the profit page's pickers, and the costs and targets forms."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from zhanggui.catalog.models import Shop

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTH_INPUT = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
#: The longest custom range (a year and a day: a leap year's whole year fits).
MAX_DAYS = 367
DAY, WEEK, MONTH, CUSTOM = "day", "week", "month", "custom"


def range_of(kind: str, day: date, today: date) -> tuple[date, date]:
    """The day; the week (Monday to Sunday) or the month holding it, never past today."""
    if kind == DAY:
        return day, day
    if kind == WEEK:
        first = day - timedelta(days=day.weekday())
        return first, min(first + timedelta(days=6), max(today, first))
    first = day.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return first, min(last, max(today, first))


class RangeForm(forms.Form):
    """A shop (empty: every shop) and a period: a day, the week or month of a day, or from..to."""

    shop = forms.ChoiceField(label=_("Shop"), required=False)
    range = forms.ChoiceField(
        label=_("Period"),
        choices=[(DAY, _("Day")), (WEEK, _("Week")), (MONTH, _("Month")), (CUSTOM, _("From … to"))],
        required=False,
    )
    day = forms.DateField(label=_("Day"), required=False, widget=DATE_INPUT)
    first = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    last = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, shops: list[Shop], today: date, **kwargs: Any) -> None:
        """`shops` are the shops already read (the picker makes no query of its own). Without a day asked for, the
        period ends yesterday, the last whole day (as 生意参谋's do): a morning's few orders and no traffic report
        would make today look like a collapse."""
        kwargs.setdefault("initial", {"range": MONTH, "day": today - timedelta(days=1)})
        if args and args[0] is not None and not args[0].get("range"):
            data = args[0].copy()  # a link with only the shop: the month, and the picker says so
            data["range"] = MONTH
            args = (data, *args[1:])
        super().__init__(*args, **kwargs)
        self.today = today
        self.yesterday = today - timedelta(days=1)
        self.shops = {shop.code: shop for shop in shops}
        cast(forms.ChoiceField, self.fields["shop"]).choices = [("", _("All shops"))] + [
            (s.code, f"{s.name} ({s.code})") for s in shops
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("range") or MONTH
        if kind == CUSTOM:
            first, last = data.get("first"), data.get("last")
            if first is None or last is None:
                raise forms.ValidationError(_("Give both ends of the period."))
            if first > last:
                raise forms.ValidationError(_("The period starts after it ends."))
            if (last - first).days + 1 > MAX_DAYS:
                raise forms.ValidationError(_("A period covers at most %(n)s days.") % {"n": MAX_DAYS})
            self.period = (first, last)
        else:
            day = data.get("day")
            self.period = range_of(kind, day or self.yesterday, self.today if day else self.yesterday)
        return data

    def chosen(self) -> tuple[Shop | None, date, date, str]:
        """The shop, the period and its kind; a form that does not validate falls back to the month up to yesterday,
        all shops."""
        if self.is_bound and self.is_valid():
            return (
                self.shops.get(self.cleaned_data.get("shop") or ""),
                *self.period,
                self.cleaned_data.get("range") or MONTH,
            )
        return None, *range_of(MONTH, self.yesterday, self.yesterday), MONTH


class CostsForm(forms.Form):
    """A shop's commission (typed in percent) and shipping cost per parcel."""

    commission_percent = forms.DecimalField(
        label=_("Commission (%)"),
        min_value=Decimal(0),
        max_value=Decimal("99.99"),
        decimal_places=2,
        help_text=_("The platform's cut of revenue: 5 means 5 %"),
    )
    shipping_per_parcel = forms.DecimalField(
        label=_("Shipping per parcel (¥)"), min_value=Decimal(0), max_digits=10, decimal_places=2
    )

    @property
    def commission_rate(self) -> Decimal:
        return (self.cleaned_data["commission_percent"] / 100).quantize(Decimal("0.0001"))


class TargetForm(forms.Form):
    """A month's GMV target for a shop (empty: remove the target)."""

    month = forms.DateField(label=_("Month"), widget=MONTH_INPUT, input_formats=["%Y-%m", "%Y-%m-%d"])
    gmv_target = forms.DecimalField(
        label=_("GMV target (¥)"), min_value=Decimal(0), max_digits=14, decimal_places=2, required=False
    )
