"""Forms of the stocktake pages: filters, a new count sheet, counts typed, scanned or uploaded, booking. They
parse and check input; inventory.stocktakes.services decides and books.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from zhanggui.catalog.models import Category, Sku
from zhanggui.inventory import limits
from zhanggui.inventory.forms import active_warehouses, resolve_sku
from zhanggui.inventory.models import Stocktake, StocktakeLine, StocktakeStatus, Warehouse


class StocktakeFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *StocktakeStatus.choices]
    )
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.all(), required=False)

    def __init__(self, *args, **kwargs) -> None:
        # Its own ids: the page's other form (a new count sheet) has a warehouse field too.
        kwargs.setdefault("auto_id", "filter_%s")
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].empty_label = _("All warehouses")

    def stocktakes(self, stocktakes: QuerySet[Stocktake]) -> QuerySet[Stocktake]:
        """`stocktakes` (inventory.lists.stocktake_rows) narrowed to the filters; the list orders them."""
        if not self.is_bound:
            return stocktakes
        self.is_valid()  # a filter value that does not parse is ignored
        data = self.cleaned_data
        if data.get("status"):
            stocktakes = stocktakes.filter(status=data["status"])
        if data.get("warehouse"):
            stocktakes = stocktakes.filter(warehouse=data["warehouse"])
        return stocktakes


class StocktakeForm(forms.Form):
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=active_warehouses())
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        required=False,
        help_text=_("Blank: every SKU with stock history in the warehouse"),
    )
    blind = forms.BooleanField(
        label=_("Blind count"),
        required=False,
        help_text=_("Counters do not see the quantities on the books until the sheet is booked."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].empty_label = _("All categories")


def count_name(sku_id: int) -> str:
    return f"count_{sku_id}"


def seen_name(sku_id: int) -> str:
    return f"seen_{sku_id}"


def _parse_count(raw: str) -> int | None:
    raw = raw.strip()
    if raw == "":
        return None
    value = int(raw)
    if not 0 <= value <= limits.MAX_COUNT:
        raise ValueError(raw)
    return value


class CountsForm(forms.Form):
    """The whole count sheet in one POST; only the lines whose value differs from what the page showed
    are saved, so two people counting different shelves do not overwrite each other."""

    def __init__(self, data, *, lines: Iterable[StocktakeLine]) -> None:
        super().__init__(data)
        self.lines = list(lines)

    def clean(self):
        data = super().clean()
        changed: dict[int, int | None] = {}
        bad: list[str] = []
        for line in self.lines:
            raw = self.data.get(count_name(line.sku_id))
            if raw is None:
                continue  # the line was not on the page (filtered out)
            try:
                counted = _parse_count(raw)
            except ValueError:
                bad.append(line.sku.code)
                continue
            seen = (self.data.get(seen_name(line.sku_id)) or "").strip()
            if str(counted if counted is not None else "") != seen:
                changed[line.sku_id] = counted
        if bad:
            raise forms.ValidationError(
                _("Counts must be whole numbers from 0 to %(max)s: %(skus)s"),
                params={"skus": ", ".join(bad), "max": limits.MAX_COUNT},
            )
        data["counts"] = changed
        return data


class LineCountForm(forms.Form):
    counted = forms.IntegerField(label=_("Counted"), min_value=0, max_value=limits.MAX_COUNT, required=False)


class ScanForm(forms.Form):
    """One scan: what a barcode scanner types (the barcode, then Enter), or a SKU code typed by hand."""

    code = forms.CharField(label=_("Scan"), max_length=130)


class BookStocktakeForm(forms.Form):
    """Booking a sheet with uncounted lines asks what they are: left out (not counted) or zero."""

    uncounted = forms.ChoiceField(
        label=_("The lines nobody counted"),
        required=False,
        widget=forms.RadioSelect,
        choices=[
            ("leave_out", _("Not counted: leave out of the booking; the stock stays as it is")),
            ("zero", _("Zero: nothing is on the shelf; book the whole stock out")),
        ],
    )


class AddCountForm(forms.Form):
    """A SKU found on the shelf that is not on the sheet."""

    sku = forms.CharField(label=_("SKU code"), max_length=130)
    counted = forms.IntegerField(label=_("Counted"), min_value=0, max_value=limits.MAX_COUNT)

    def clean_sku(self) -> Sku:
        return resolve_sku(self.cleaned_data["sku"])


class CountsUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Counts file (XLSX or CSV)"),
        help_text=_(
            "Columns 商家编码 (SKU code) and 实盘数量 (counted); a 店铺 column when a code is used in several shops."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in {".xlsx", ".csv"}:
            raise forms.ValidationError(_("Upload an .xlsx or .csv file."))
        return upload
