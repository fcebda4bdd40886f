"""The decision form: one reason field, two buttons (approve, reject); the service says when a reason is missing."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhanggui.approvals.services import APPROVE, REJECT


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[(APPROVE, _("Approve")), (REJECT, _("Reject"))])
    note = forms.CharField(
        label=_("Reason"),
        max_length=255,
        required=False,
        help_text=_("Needed to reject: the person who asked reads it."),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. below cost: keep ¥49 until the supplier's new price")}),
    )
