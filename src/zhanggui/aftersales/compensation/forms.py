"""Forms of compensation: an offer on the case page, one rule row, one role's limit, cancelling an offer.

Amounts are read as text and parsed by the services (core.money), like the refund form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhanggui.aftersales.forms import MONEY_INPUT, RESPONSIBILITY_CHOICES
from zhanggui.aftersales.models import CaseReason, CompensationRule, OfferKind


class OfferForm(forms.Form):
    """What to offer on the case: a kind and an amount, or one of the suggested rules (its kind and amount when
    the amount is left empty)."""

    rule = forms.ModelChoiceField(label=_("Rule"), queryset=CompensationRule.objects.none(), required=False)
    offer = forms.ChoiceField(label=pgettext_lazy("compensation", "Offer"), choices=OfferKind.choices, required=False)
    amount = forms.CharField(
        label=_("Amount"), required=False, max_length=32, widget=forms.TextInput(attrs=MONEY_INPUT)
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=255)

    def __init__(self, *args: Any, rules: list[CompensationRule], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["rule"]
        field.queryset = CompensationRule.objects.filter(pk__in=[rule.pk for rule in rules])
        field.empty_label = _("No rule")
        field.label_from_instance = lambda rule: f"{rule.get_offer_display()} ¥{rule.amount} · {rule.description}"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        rule = data.get("rule")
        if rule is not None:
            data["offer"] = data.get("offer") or rule.offer
            data["amount"] = (data.get("amount") or "").strip() or str(rule.amount)
        if not data.get("offer"):
            self.add_error("offer", _("Choose what to offer, or a rule."))
        if not (data.get("amount") or "").strip():
            self.add_error("amount", _("Give the amount."))
        return data


class CancelOfferForm(forms.Form):
    note = forms.CharField(label=_("Why"), required=False, max_length=255)


class CompensationRuleForm(forms.ModelForm):
    """One row of the rules table (or the row that adds one); its inputs belong to the row's form (`form=`)."""

    responsibility = forms.ChoiceField(label=_("Responsibility"), choices=RESPONSIBILITY_CHOICES, required=False)
    amount = forms.CharField(label=_("Amount"), max_length=32, widget=forms.TextInput(attrs=MONEY_INPUT))

    class Meta:
        model = CompensationRule
        fields = ("reason", "responsibility", "offer", "amount", "description", "is_active")
        widgets = {"description": forms.TextInput(attrs={"size": "40"})}

    def __init__(self, *args: Any, form_id: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.form_id = form_id
        self.fields["reason"].choices = CaseReason.choices
        if self.instance.pk is not None and not self.is_bound:
            self.initial["amount"] = f"{self.instance.amount:.2f}"
        for bound in self.fields.values():
            bound.widget.attrs["form"] = form_id

    def _post_clean(self) -> None:
        """The service checks and stores (the amount is text here, parsed to the fen there)."""


class LimitForm(forms.Form):
    limit = forms.CharField(label=_("Limit per case"), max_length=32, widget=forms.TextInput(attrs=MONEY_INPUT))
