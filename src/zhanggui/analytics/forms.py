"""Forms of the analytics pages: the event upload and the range of the daily figures."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhanggui.catalog.models import Shop


class EventImportForm(forms.Form):
    shop = forms.ModelChoiceField(label=_("Shop"), queryset=Shop.objects.all())
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            ".csv (with or without a header row) or .parquet: user_id, item_id, category_id, behavior_type, "
            "timestamp, optionally session_id and source"
        ),
    )
