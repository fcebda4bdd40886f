"""Forms of the campaigns and the points shop (docs/members.md)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from zhanggui.members.models import Campaign, PointsShopItem
from zhanggui.promotions.models import Promotion, PromotionState


def coupons() -> QuerySet[Promotion]:
    """The coupons a campaign or an item may give: stored promotions of the coupon kind, not cancelled."""
    return Promotion.objects.filter(kind="coupon").exclude(state=PromotionState.CANCELLED)


class CampaignForm(forms.ModelForm):
    control_percent = forms.DecimalField(
        label=_("Control group (%)"), min_value=0, max_value=90, decimal_places=1, initial=10
    )

    class Meta:
        model = Campaign
        fields = ["name", "segment", "kind", "promotion", "channel", "template", "quiet_start", "quiet_end", "cap_days"]
        widgets = {
            "template": forms.Textarea(attrs={"rows": 3}),
            "quiet_start": forms.TimeInput(attrs={"type": "time"}),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}),
        }
        help_texts = {
            "template": _("Variables: {nick} {tier} {points} {coupon}"),
            "cap_days": _("Skip people who received any campaign within this many days (0: no cap)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        promotion = cast(forms.ModelChoiceField, self.fields["promotion"])
        promotion.queryset, promotion.required = coupons(), False
        if self.instance.pk:
            self.fields["control_percent"].initial = self.instance.control_share * 100


class TestSendForm(forms.Form):
    member = forms.IntegerField(label=_("Member number"), min_value=1)


class ItemForm(forms.ModelForm):
    class Meta:
        model = PointsShopItem
        fields = ["name", "kind", "promotion", "points", "stock", "per_member_limit", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        promotion = cast(forms.ModelChoiceField, self.fields["promotion"])
        promotion.queryset, promotion.required = coupons(), False


class OnBehalfForm(forms.Form):
    member = forms.IntegerField(label=_("Member number"), min_value=1)
    item = forms.ModelChoiceField(
        label=_("Points-shop item"), queryset=PointsShopItem.objects.filter(active=True), required=False
    )
