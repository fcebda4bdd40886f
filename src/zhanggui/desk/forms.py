"""The desk's forms: ticking a checklist row, editing the template, a task, and a price shown on a picture."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhanggui.catalog.models import Shop, Sku
from zhanggui.core import roles
from zhanggui.desk.models import CheckKey, Outcome, Place, Section
from zhanggui.desk.selectors import people
from zhanggui.promotions.models import Promotion

ROLE_CHOICES = [("", _("— nobody in particular —")), *roles.ROLE_LABELS.items()]
LOCAL_MINUTE = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class TickForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(v, label) for v, label in Outcome.choices if v != Outcome.OPEN],
        widget=forms.RadioSelect,
    )
    problem_note = forms.CharField(label=_("Problem"), required=False, widget=forms.TextInput)
    follow_up = PersonField(label=_("Follow-up by"), queryset=people(), required=False, empty_label="—")
    result = forms.CharField(label=_("Result"), required=False, widget=forms.TextInput)


class ItemForm(forms.Form):
    section = forms.ChoiceField(label=_("Section"), choices=Section.choices)
    title = forms.CharField(label=_("Item"), max_length=100)
    requirement = forms.CharField(label=_("Requirement"), required=False, widget=forms.TextInput)
    check_key = forms.ChoiceField(
        label=_("Checked by the system"), required=False, choices=[("", _("— ticked by a person —")), *CheckKey.choices]
    )
    role = forms.ChoiceField(label=_("For role"), required=False, choices=ROLE_CHOICES)


class TaskForm(forms.Form):
    """People are offered from one list read once (the assignee and the checker pick from the same people)."""

    title = forms.CharField(label=_("Task"), max_length=200)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    shop = forms.ModelChoiceField(label=_("Shop"), queryset=Shop.objects.order_by("code"), required=False)
    assignee = forms.TypedChoiceField(label=_("Assigned to"), required=False, coerce=int, empty_value=None)
    role = forms.ChoiceField(label=_("Or to role"), required=False, choices=ROLE_CHOICES)
    due_at = forms.DateTimeField(
        label=_("Due"), required=False, widget=LOCAL_MINUTE, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    checker = forms.TypedChoiceField(label=_("Checked by"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, people: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {person.pk: person for person in people}
        choices = [("", "—"), *((p.pk, p.get_full_name() or p.username) for p in people)]
        self.fields["assignee"].choices = choices
        self.fields["checker"].choices = choices

    def clean_assignee(self) -> Any:
        return self.people.get(self.cleaned_data["assignee"])

    def clean_checker(self) -> Any:
        return self.people.get(self.cleaned_data["checker"])


class FinishForm(forms.Form):
    result = forms.CharField(label=_("Result"), required=False, widget=forms.TextInput)


class ShownForm(forms.Form):
    place = forms.ChoiceField(label=_("Where"), choices=Place.choices)
    sku_code = forms.CharField(label=_("SKU code"), required=False, max_length=64)
    price = forms.DecimalField(label=_("Price shown"), required=False, min_value=0, max_digits=14, decimal_places=2)
    promotion = forms.ModelChoiceField(label=_("Promotion shown"), queryset=Promotion.objects.none(), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args: Any, shop: Shop, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shop = shop
        self.fields["promotion"].queryset = Promotion.objects.filter(shop__in=[shop.pk]).order_by("-starts_at") | (
            Promotion.objects.filter(shop__isnull=True).order_by("-starts_at")
        )

    def clean_sku_code(self) -> Sku | None:
        code = self.cleaned_data["sku_code"].strip()
        if not code:
            return None
        sku = Sku.objects.filter(shop=self.shop, code=code).first()
        if sku is None:
            raise forms.ValidationError(_("No SKU %(code)s in this shop.") % {"code": code})
        return sku
