"""The form of the report upload page: the shop, the file and, when the headers should not decide, its kind
(traffic, ads or customer service)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhanggui.catalog.models import Shop
from zhanggui.channels.ads import AD_KINDS
from zhanggui.channels.service import SERVICE_KINDS
from zhanggui.channels.traffic import TRAFFIC_KINDS


def _kind_choices() -> list[tuple[str, object]]:
    return [
        ("", _("Tell from the header row")),
        (_("Traffic"), [(key, kind.label) for key, kind in TRAFFIC_KINDS.items()]),
        (_("Ads"), [(key, kind.label) for key, kind in AD_KINDS.items()]),
        (_("Customer service"), [(key, kind.label) for key, kind in SERVICE_KINDS.items()]),
    ]


class ReportImportForm(forms.Form):
    shop = forms.ModelChoiceField(label=_("Shop"), queryset=Shop.objects.all())
    file = forms.FileField(
        label=_("File"),
        help_text=_("A report as the platform exports it: .csv (UTF-8 or GBK) or .xlsx, title rows and all."),
    )
    kind = forms.ChoiceField(label=_("Kind of report"), choices=_kind_choices, required=False)
