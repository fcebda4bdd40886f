"""Forms of the order pages: the queue's filters, the steps that ask for words (hold, cancel, ship), the import."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from zhanggui.catalog.models import Shop
from zhanggui.channels import records
from zhanggui.orders import pages
from zhanggui.orders.models import Order, OrderStatus, Platform

DUE_CHOICES = [
    ("", _("Any deadline")),
    (pages.DUE_OVERDUE, _("Overdue")),
    (pages.DUE_SOON, _("Due within 4 h")),
    (pages.DUE_TODAY, _("Due today")),
    (pages.DUE_LATE, _("Shipped late")),
]
STATUS_CHOICES = [
    ("", _("Any status")),
    (pages.STATUS_OPEN, _("To ship (paid … packed, on hold)")),
    *OrderStatus.choices,
]


class OrderFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Order number, buyer, receiver or SKU code"), "type": "search"}),
    )
    shop = forms.ModelChoiceField(label=_("Shop"), queryset=Shop.objects.all(), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    due = forms.ChoiceField(label=_("Deadline"), choices=DUE_CHOICES, required=False)
    # Set by the SLA board's links (the orders shipped on a day); kept, not shown.
    shipped_on = forms.DateField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shop"].empty_label = _("All shops")

    def orders(self, now: datetime) -> QuerySet[Order]:
        """The filtered orders; a filter whose value does not parse is ignored, never an error page."""
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
        return pages.queue_rows(
            q=(data.get("q") or "").strip(),
            shop=data.get("shop"),
            status=data.get("status") or "",
            due=data.get("due") or "",
            shipped_on=data.get("shipped_on"),
            now=now,
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=255)


class ShipForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=64, widget=forms.TextInput(attrs={"list": "carriers"}))
    tracking_no = forms.CharField(label=_("Tracking number"), max_length=64)


PLATFORM_CHOICES = [("", _("From the file's columns")), *Platform.choices]


class ImportForm(forms.Form):
    shop = forms.ModelChoiceField(label=_("Shop"), queryset=Shop.objects.all())
    platform = forms.ChoiceField(label=_("Platform"), choices=PLATFORM_CHOICES, required=False)
    file = forms.FileField(label=_("File"), help_text=_(".xlsx or .csv, as the platform's back office wrote it"))
    second_file = forms.FileField(
        label=_("Second file"), required=False, help_text=_("Taobao only: its other file (订单报表 or 宝贝报表)")
    )
    dry_run = forms.BooleanField(label=_("Dry run: check and report, store nothing"), required=False)

    def files_given(self) -> list[tuple[Any, str]]:
        given = [self.cleaned_data["file"], self.cleaned_data.get("second_file")]
        return [(f, f.name or "upload") for f in given if f]

    def platform_given(self) -> str | None:
        platform = self.cleaned_data.get("platform") or ""
        return platform if platform in records.PLATFORMS else None
