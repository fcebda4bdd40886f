"""Forms of the after-sales pages: the queue's filters, opening a case (a quantity per order line), the steps
that ask for words, the refund (an amount per order line), assigning, and one deadline rule.

Amounts are read as text and parsed by the services (core.money), so "¥1,299.00" and "12.5" are read exactly
and a bad amount comes back as an error on the page with what was typed kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from zhanggui.aftersales import selectors
from zhanggui.aftersales.models import (
    AfterSaleCase,
    CaseKind,
    CaseReason,
    CaseStatus,
    DeadlineRule,
    Responsibility,
)
from zhanggui.aftersales.selectors import LineMoney
from zhanggui.catalog.models import Shop
from zhanggui.orders.models import SHIPPED_STATUSES, Order

STATUS_CHOICES = [
    ("", _("Any status")),
    (selectors.STATUS_TO_HANDLE, _("To handle (open, agreed)")),
    (selectors.STATUS_ACTIVE, _("Not finished (open, agreed, rejected)")),
    *CaseStatus.choices,
]
DUE_CHOICES = [
    ("", _("Any time left")),
    (selectors.DUE_OVERDUE, _("Overdue")),
    (selectors.DUE_RED, _("Under 2 h left")),
    (selectors.DUE_AMBER, _("Under 12 h left")),
]
ASSIGNED_CHOICES = [
    ("", _("Anyone's")),
    (selectors.ASSIGNED_MINE, _("Mine")),
    (selectors.ASSIGNED_NOBODY, _("Nobody's")),
]
RESPONSIBILITY_CHOICES = [("", _("Not decided")), *Responsibility.choices]
MONEY_INPUT = {"inputmode": "decimal", "autocomplete": "off", "size": "8"}


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Refund number, order number or buyer"), "type": "search"}),
    )
    shop = forms.ModelChoiceField(label=_("Shop"), queryset=Shop.objects.all(), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    due = forms.ChoiceField(label=_("Time left"), choices=DUE_CHOICES, required=False)
    assigned = forms.ChoiceField(label=_("Assigned"), choices=ASSIGNED_CHOICES, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shop"].empty_label = _("All shops")

    def cases(self, user: Any, now: datetime) -> QuerySet[AfterSaleCase]:
        """The filtered cases; a filter whose value does not parse is ignored, never an error page."""
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
        return selectors.cases(
            q=(data.get("q") or "").strip(),
            shop=data.get("shop"),
            status=data.get("status") or "",
            due=data.get("due") or "",
            assigned=data.get("assigned") or "",
            user=user,
            now=now,
        )


def _quantity_field(name: str) -> str:
    return f"qty_{name}"


class OpenCaseForm(forms.Form):
    """售后单 from an order: what and why, and how many units of each line it is about."""

    kind = forms.ChoiceField(label=_("Kind"), choices=CaseKind.choices)
    reason = forms.ChoiceField(label=_("Reason"), choices=CaseReason.choices)
    responsibility = forms.ChoiceField(label=_("Responsibility"), choices=RESPONSIBILITY_CHOICES, required=False)
    requested_amount = forms.CharField(
        label=_("Amount asked"), required=False, max_length=32, widget=forms.TextInput(attrs=MONEY_INPUT)
    )
    platform_refund_no = forms.CharField(
        label=_("Platform refund number"),
        required=False,
        max_length=64,
        help_text=_("退款编号 / 服务单号 / 售后编号; empty for a case of our own"),
    )
    platform_deadline = forms.DateTimeField(
        label=_("Platform's deadline"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("超时时间 as the platform shows it: it wins over the rules"),
    )
    description = forms.CharField(
        label=_("What the buyer says"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, order: Order, rows: list[LineMoney], **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"kind": CaseKind.RETURN_REFUND if order.status in SHIPPED_STATUSES else CaseKind.REFUND_UNSHIPPED},
        )
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[_quantity_field(str(row.line.pk))] = forms.IntegerField(
                label=row.line.title or row.line.sku_code,
                required=False,
                min_value=0,
                max_value=row.line.quantity,
                widget=forms.NumberInput(attrs={"size": "4"}),
            )

    def line_rows(self) -> list[tuple[LineMoney, forms.BoundField]]:
        return [(row, self[_quantity_field(str(row.line.pk))]) for row in self.rows]

    def chosen_lines(self) -> list[tuple[int, int]]:
        chosen = []
        for row in self.rows:
            quantity = self.cleaned_data.get(_quantity_field(str(row.line.pk))) or 0
            if quantity:
                chosen.append((row.line.pk, quantity))
        return chosen


class StepForm(forms.Form):
    """Agree, reject, close or open again: the words the timeline keeps, and who is responsible."""

    reason = forms.CharField(label=_("Why"), max_length=255, required=False)
    responsibility = forms.ChoiceField(label=_("Responsibility"), choices=RESPONSIBILITY_CHOICES, required=False)


class RefundForm(forms.Form):
    """An amount to give back per order line (empty: nothing for that line), and why."""

    reason = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, rows: list[LineMoney], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[f"amount_{row.line.pk}"] = forms.CharField(
                label=row.line.title or row.line.sku_code,
                required=False,
                max_length=32,
                widget=forms.TextInput(attrs={**MONEY_INPUT, "placeholder": f"{row.left:.2f}"}),
            )

    def line_rows(self) -> list[tuple[LineMoney, forms.BoundField]]:
        return [(row, self[f"amount_{row.line.pk}"]) for row in self.rows]

    def amounts(self) -> dict[int, str]:
        return {row.line.pk: (self.cleaned_data.get(f"amount_{row.line.pk}") or "").strip() for row in self.rows}


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=get_user_model().objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = selectors.handlers()
        self.fields["assignee"].empty_label = _("Nobody")
        self.fields["assignee"].label_from_instance = lambda user: user.get_full_name() or user.get_username()


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), max_length=255)


class RuleForm(forms.ModelForm):
    """One row of the rules page; its inputs sit in the row's cells and belong to the row's form (`form=`)."""

    class Meta:
        model = DeadlineRule
        fields = ("hours", "on_expiry", "basis", "source")
        widgets = {"hours": forms.NumberInput(attrs={"size": "5"}), "source": forms.TextInput(attrs={"size": "40"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["form"] = f"rule-form-{self.instance.pk}"


class RefundImportForm(forms.Form):
    """A platform's refund export for one shop (aftersales.imports)."""

    shop = forms.ModelChoiceField(label=_("Shop"), queryset=Shop.objects.all())
    file = forms.FileField(
        label=_("Refund export"),
        help_text=_(
            "Taobao/Tmall 退款管理, JD 赔付单 or 售后服务单, Pinduoduo 售后: .xlsx or .csv, as the platform wrote it"
        ),
    )
    platform = forms.ChoiceField(
        label=_("Platform"),
        required=False,
        choices=[
            ("", _("Told by the file's columns")),
            ("taobao", _("Taobao / Tmall")),
            ("jd", _("JD")),
            ("pdd", _("Pinduoduo")),
        ],
    )
    dry_run = forms.BooleanField(label=_("Dry run: check and report, store nothing"), required=False)
