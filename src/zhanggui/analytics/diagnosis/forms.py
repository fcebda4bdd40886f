"""Forms of the diagnosis page: every rule's on/off and threshold in one form; a peers' average for a month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhanggui.analytics.diagnosis.rules import shown
from zhanggui.analytics.diagnosis.selectors import RuleSetting
from zhanggui.analytics.models import PeerMetric

RATES = (PeerMetric.CONVERSION, PeerMetric.BOUNCE)


class RulesForm(forms.Form):
    """One row per rule: `on_<key>` and `threshold_<key>`."""

    def __init__(self, *args: Any, settings: list[RuleSetting], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.settings = settings
        for s in settings:
            key = s.rule.key
            self.fields[f"on_{key}"] = forms.BooleanField(label=str(s.rule.label), required=False, initial=s.enabled)
            self.fields[f"threshold_{key}"] = forms.DecimalField(
                label=_("Threshold"),
                initial=f"{s.threshold.normalize():f}",  # 20, not 2E+1
                max_digits=10,
                decimal_places=4,
                min_value=Decimal("0.0001"),
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "num", "size": 6}),
            )

    def rows(self) -> list[tuple[RuleSetting, forms.BoundField, forms.BoundField, str]]:
        """Each rule with its two fields and what it checks, in words with the threshold it runs with."""
        return [
            (
                s,
                self[f"on_{s.rule.key}"],
                self[f"threshold_{s.rule.key}"],
                str(s.rule.explains) % {"threshold": shown(s.rule, s.threshold)},
            )
            for s in self.settings
        ]

    def chosen(self) -> dict[str, tuple[bool, Decimal]]:
        return {
            s.rule.key: (bool(self.cleaned_data[f"on_{s.rule.key}"]), self.cleaned_data[f"threshold_{s.rule.key}"])
            for s in self.settings
        }


class PeerForm(forms.Form):
    month = forms.CharField(
        label=_("Month"), widget=forms.TextInput(attrs={"type": "month"}), help_text=_("e.g. 2026-11")
    )
    metric = forms.ChoiceField(label=_("Figure"), choices=PeerMetric.choices)
    value = forms.DecimalField(
        label=_("Peers' average"),
        min_value=0,
        max_digits=14,
        decimal_places=4,
        help_text=_("Rates in percent (3.8 for 3.8 %), money in yuan"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "num"}),
    )
    source = forms.CharField(label=_("Source"), max_length=64, required=False, initial="同行同层平均")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"month": f"{timezone.localdate():%Y-%m}", "source": "同行同层平均"})
        super().__init__(*args, **kwargs)

    def clean_month(self) -> date:
        text = self.cleaned_data["month"].strip()
        try:
            year, month = (int(part) for part in text.replace("/", "-").split("-")[:2])
            return date(year, month, 1)
        except (ValueError, TypeError):
            raise forms.ValidationError(_("Write the month as 2026-11.")) from None

    def stored_value(self) -> Decimal:
        """Rates typed in percent are stored as fractions."""
        value: Decimal = self.cleaned_data["value"]
        return value / 100 if self.cleaned_data["metric"] in RATES else value
