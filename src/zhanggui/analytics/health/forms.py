"""Forms of the store-health page: a day's scores, a violation, an appeal's outcome, a finding and its fix."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhanggui.analytics.models import AppealStatus, FindingSeverity, ViolationKind

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SCORE_INPUT = {"inputmode": "decimal", "placeholder": "4.8", "class": "num"}


def _score(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=6,
        decimal_places=4,
        widget=forms.TextInput(attrs=SCORE_INPUT),
    )


#: JD names its three scores differently (out of 10); they are kept in the same fields.
JD_LABELS = {
    "description": _("商品评价 (items)"),
    "service": _("售后服务 (after-sales)"),
    "shipping": _("物流履约 (logistics)"),
}


class ScoresForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DATE_INPUT)
    description = _score(_("描述相符 (as described)"))
    service = _score(_("服务态度 (service)"))
    shipping = _score(_("物流服务 (logistics)"))

    def __init__(self, *args: Any, channel: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"day": timezone.localdate()})
        super().__init__(*args, **kwargs)
        if channel == "jd":
            for name, label in JD_LABELS.items():
                self.fields[name].label = label
                self.fields[name].widget.attrs["placeholder"] = "9.6"


class ViolationForm(forms.Form):
    noted_on = forms.DateField(label=_("Notice date"), widget=DATE_INPUT)
    kind = forms.ChoiceField(label=_("Kind"), choices=ViolationKind.choices)
    rule = forms.CharField(label=_("Rule broken"), max_length=128, help_text=_("As the notice names it, e.g. 延迟发货"))
    points = forms.IntegerField(label=_("Points"), min_value=0, max_value=48, initial=0)
    order_no = forms.CharField(label=_("Order number"), max_length=64, required=False)
    appeal_deadline = forms.DateTimeField(
        label=_("Appeal deadline"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"noted_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class AppealForm(forms.Form):
    status = forms.ChoiceField(label=_("Appeal"), choices=AppealStatus.choices)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class FindingForm(forms.Form):
    found_on = forms.DateField(label=_("Found on"), widget=DATE_INPUT)
    area = forms.CharField(
        label=_("Area"), max_length=32, required=False, help_text=_("商品, 交易, 物流, 服务, 营销 …")
    )
    finding = forms.CharField(label=_("Finding"), max_length=255)
    severity = forms.ChoiceField(label=_("Severity"), choices=FindingSeverity.choices, initial=FindingSeverity.WARNING)
    follow_up = forms.ModelChoiceField(
        label=_("Follow-up person"), queryset=get_user_model().objects.filter(is_active=True), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"found_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["follow_up"].label_from_instance = lambda user: user.get_full_name() or user.get_username()


class FixForm(forms.Form):
    result = forms.CharField(label=_("Result"), max_length=255)
