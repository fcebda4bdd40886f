"""The case page's exchange/reissue card: its form (an exchange chooses, per line, which SKU of the same product
goes out, each with the units available) and the context the case page renders it with (aftersales.views)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhanggui.aftersales.models import AfterSaleCase
from zhanggui.aftersales.replacements.services import ReplacementPanel, ReplacementRow, replacement_panel

PREFIX = "replacement"


def _sku_field(row: ReplacementRow) -> forms.TypedChoiceField:
    choices = [
        (choice.sku.pk, _("%(sku)s, %(n)s available") % {"sku": choice.sku, "n": choice.available})
        for choice in row.choices
    ]
    return forms.TypedChoiceField(
        label=_("SKU to send"),
        choices=choices,
        coerce=int,
        initial=row.sku.pk if row.sku is not None else None,
    )


class ReplacementForm(forms.Form):
    """Send the replacement: for an exchange, the SKU each line sends; a note for the timeline."""

    reason = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, panel: ReplacementPanel | None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", PREFIX)
        super().__init__(*args, **kwargs)
        self.panel = panel
        if panel is not None and panel.exchange:
            for row in panel.rows:
                if row.choices:
                    self.fields[self._name(row)] = _sku_field(row)

    @staticmethod
    def _name(row: ReplacementRow) -> str:
        return f"sku_{row.case_line.pk}"

    def line_rows(self) -> list[tuple[ReplacementRow, forms.BoundField | None]]:
        rows = self.panel.rows if self.panel is not None else []
        return [(row, self[self._name(row)] if self._name(row) in self.fields else None) for row in rows]

    def items(self) -> dict[int, int]:
        """Case line id → the SKU id chosen for it (exchange lines only)."""
        rows = self.panel.rows if self.panel is not None else []
        return {
            row.case_line.pk: self.cleaned_data[self._name(row)]
            for row in rows
            if self.cleaned_data.get(self._name(row)) is not None
        }


def replacement_context(case: AfterSaleCase, user: Any, form: ReplacementForm | None = None) -> dict[str, Any]:
    """What the case page needs for aftersales/_replacement.html (nothing shows for the other kinds)."""
    panel = replacement_panel(case, user)
    return {"replacement": panel, "replacement_form": form or ReplacementForm(panel=panel)}
