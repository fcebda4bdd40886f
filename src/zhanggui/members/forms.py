"""The members' forms: the list's filters, a segment's fields, consent, merge, points and tier rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhanggui.members.models import Channel, MemberTier, TierBasis
from zhanggui.members.segments import SegmentFilters

SCORE_CHOICES = [(n, str(n)) for n in range(1, 6)]


def _tier_choices(with_none: bool = True) -> list[tuple[str, str]]:
    choices = [(t.code, t.name) for t in MemberTier.objects.order_by("-rank")]
    return [*choices, ("none", _("no tier"))] if with_none else choices


class MemberFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Nick, name or a whole phone number")}),
    )
    tier = forms.ChoiceField(label=_("Tier"), required=False)
    outlook = forms.ChoiceField(
        label=_("Repurchase model"),
        required=False,
        choices=[
            ("", _("Everyone")),
            ("at_risk", _("Churn risk by model (P(alive) < 50 %)")),
            ("likely", _("Likely to buy again (P(alive) ≥ 50 %)")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = [("", _("All tiers")), *_tier_choices()]


def _score(label: Any, initial: int) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, choices=SCORE_CHOICES, coerce=int, initial=initial, required=False)


class SegmentForm(forms.Form):
    """A segment's filters as fields: R, F and M score ranges, tiers, new or returning, churn risk, high value."""

    r_min = _score(_("R from"), 1)
    r_max = _score(_("R to"), 5)
    f_min = _score(_("F from"), 1)
    f_max = _score(_("F to"), 5)
    m_min = _score(_("M from"), 1)
    m_max = _score(_("M to"), 5)
    tiers = forms.MultipleChoiceField(
        label=pgettext_lazy("member", "Tiers"), required=False, widget=forms.CheckboxSelectMultiple
    )
    buyer_type = forms.ChoiceField(
        label=_("New or returning"),
        required=False,
        choices=[("", _("Both")), ("new", _("New buyers")), ("returning", _("Returning buyers"))],
    )
    churn_risk = forms.BooleanField(label=_("Churn risk only"), required=False)
    high_value = forms.BooleanField(label=_("High value only"), required=False)
    model_churn_risk = forms.BooleanField(
        label=_("Churn risk by model only"),
        required=False,
        help_text=_("The repurchase model's probability that the buyer is still a buyer is below 50 %."),
    )
    name = forms.CharField(label=_("Save as"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tiers"].choices = _tier_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for axis in "rfm":
            low, high = data.get(f"{axis}_min") or 1, data.get(f"{axis}_max") or 5
            if low > high:
                self.add_error(f"{axis}_max", _("The upper score is below the lower one."))
        return data

    def filters(self) -> SegmentFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return SegmentFilters.from_dict({k: v for k, v in data.items() if k != "name"})


class ConsentForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    granted = forms.TypedChoiceField(
        label=_("The member"),
        choices=[("1", _("consents")), ("0", _("opts out"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class MergeForm(forms.Form):
    other = forms.IntegerField(label=_("Member number to merge into this one"), min_value=1, max_value=2**62)
    reason = forms.CharField(label=_("Why they are the same person"), required=False, max_length=200)


class PointsForm(forms.Form):
    points = forms.IntegerField(label=_("Points (+ or −)"), min_value=-10_000_000, max_value=10_000_000)
    note = forms.CharField(label=_("Why"), max_length=200)


class TierForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=32, help_text=_("As a member_price promotion names it"))
    name = forms.CharField(label=_("Name"), max_length=50)
    rank = forms.IntegerField(label=pgettext_lazy("member tier", "Rank"), min_value=1, max_value=100)
    basis = forms.ChoiceField(label=_("Basis"), choices=TierBasis.choices)
    threshold = forms.DecimalField(label=_("Threshold"), min_value=0, max_digits=14, decimal_places=2)
    window_days = forms.IntegerField(
        label=_("Window (days)"), required=False, min_value=1, max_value=3650, help_text=_("Empty: lifetime")
    )
