"""Forms of the buyer-message pages: the outbox's filters, a template's text, an opt-out."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from zhanggui.catalog.models import Shop
from zhanggui.messaging import rendering, selectors
from zhanggui.messaging.models import BODY_MAX_LENGTH, BuyerOptOut, MessageKind, MessageStatus, OutboxMessage


def _all_shops(form: forms.Form) -> None:
    form.fields["shop"].empty_label = _("All shops")


class OutboxFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Buyer or order number"), "type": "search"}),
    )
    shop = forms.ModelChoiceField(label=_("Shop"), queryset=Shop.objects.all(), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *MessageStatus.choices], required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Any kind")), *MessageKind.choices], required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _all_shops(self)

    def messages(self) -> QuerySet[OutboxMessage]:
        """The filtered messages; a filter whose value does not parse is ignored, never an error page."""
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
        return selectors.outbox(
            shop=data.get("shop"),
            status=data.get("status") or "",
            kind=data.get("kind") or "",
            q=(data.get("q") or "").strip(),
        )


class TemplateForm(forms.Form):
    body = forms.CharField(
        label=_("Text"), max_length=BODY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3, "data-template": ""})
    )
    enabled = forms.BooleanField(label=_("On: make this message for the shop's orders"), required=False)

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        error = rendering.unknown_placeholder_error(body)
        if error:
            raise forms.ValidationError(error, code="unknown_placeholder")
        return body


class OptOutForm(forms.Form):
    shop = forms.ModelChoiceField(label=_("Shop"), queryset=Shop.objects.all())
    buyer_nick = forms.CharField(label=_("Buyer"), max_length=100, help_text=_("The nick, as the platform shows it"))
    note = forms.CharField(label=_("Note"), max_length=255, required=False, help_text=_("Why, in a few words"))


class OptOutFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, widget=forms.TextInput(attrs={"placeholder": _("Buyer"), "type": "search"})
    )
    shop = forms.ModelChoiceField(label=_("Shop"), queryset=Shop.objects.all(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _all_shops(self)

    def opt_outs(self) -> QuerySet[BuyerOptOut]:
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
        return selectors.opt_outs(shop=data.get("shop"), q=(data.get("q") or "").strip())
