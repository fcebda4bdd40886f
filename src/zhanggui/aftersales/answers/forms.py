"""The manager's form of one set answer (快捷回复), with the case its preview is filled in for."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhanggui.aftersales.models import AfterSaleCase, CaseKind, CaseReason, SetAnswer


class SetAnswerForm(forms.ModelForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", _("Any reason")), *CaseReason.choices], required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Any kind")), *CaseKind.choices], required=False)
    preview_case = forms.CharField(
        label=_("Preview with the case"),
        required=False,
        max_length=64,
        help_text=_("AS-<id> or a platform refund number; empty: a made-up case"),
    )

    class Meta:
        model = SetAnswer
        fields = ("reason", "kind", "title", "text", "position", "is_active")
        widgets = {"text": forms.Textarea(attrs={"rows": 5}), "position": forms.NumberInput(attrs={"size": "4"})}

    def case(self) -> AfterSaleCase | None:
        """The case named for the preview, when there is one by that name."""
        name = (self.data.get(self.add_prefix("preview_case")) or "").strip()
        if not name:
            return None
        number = name.upper().removeprefix("AS-")
        found = AfterSaleCase.objects.select_related("shop", "order").filter(platform_refund_no=name).first()
        if found is None and number.isdigit() and int(number) < 2**63:
            found = AfterSaleCase.objects.select_related("shop", "order").filter(pk=int(number)).first()
        return found

    def answer_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data[name] for name in ("reason", "kind", "title", "text", "position", "is_active")}
