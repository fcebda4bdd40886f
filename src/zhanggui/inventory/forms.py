"""Forms of the stock pages and what the warehouse's forms share: a SKU from what a person types, the active
warehouses. They parse and check input; inventory.services decides and books. The forms of purchasing and
stocktakes are in their sub-packages.
"""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from zhanggui.catalog.models import Shop, Sku
from zhanggui.inventory.models import StockBalance, Warehouse


def resolve_sku(text: str) -> Sku:
    """A SKU from what a person types: its code (商家编码) or barcode, or `shop code/SKU code` when the
    same code is used in several shops."""
    text = text.strip()
    found = list(Sku.objects.select_related("shop").filter(Q(code=text) | Q(barcode=text))[:5])
    if not found and "/" in text:
        shop_code, _sep, code = text.partition("/")
        found = list(Sku.objects.select_related("shop").filter(shop__code=shop_code.strip(), code=code.strip()))
    if not found:
        raise forms.ValidationError(_("No SKU has the code or barcode %(code)s."), params={"code": text})
    if len({sku.pk for sku in found}) > 1:
        shops = ", ".join(sorted({sku.shop.code for sku in found}))
        raise forms.ValidationError(
            _("%(code)s is used in several shops (%(shops)s): write shop code/SKU code, e.g. %(example)s."),
            params={"code": text, "shops": shops, "example": f"{found[0].shop.code}/{text}"},
        )
    return found[0]


def active_warehouses() -> QuerySet[Warehouse]:
    """The warehouses a new document may name (an inactive one keeps its history but takes nothing new)."""
    return Warehouse.objects.filter(is_active=True)


class StockFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("SKU code, barcode or title"), "type": "search"}),
    )
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.all(), required=False)
    in_stock = forms.BooleanField(label=_("Only with stock on hand"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].empty_label = _("All warehouses")

    def balances(self, balances: QuerySet[StockBalance]) -> QuerySet[StockBalance]:
        """`balances` (inventory.lists.stock_rows) narrowed to the filters; the list orders them."""
        data: dict = {}
        if self.is_bound:
            self.is_valid()  # a filter value that does not parse is ignored
            data = self.cleaned_data
        q = (data.get("q") or "").strip()
        if q:
            balances = balances.filter(
                Q(sku__code__icontains=q) | Q(sku__barcode=q) | Q(sku__product__title__icontains=q)
            )
        if data.get("warehouse"):
            balances = balances.filter(warehouse=data["warehouse"])
        if data.get("in_stock"):
            balances = balances.filter(on_hand__gt=0)
        return balances


class AlertFilterForm(forms.Form):
    shop = forms.ModelChoiceField(label=_("Shop"), queryset=Shop.objects.all(), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shop"].empty_label = _("All shops")

    def shop_id(self) -> int | None:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("shop"):
            return self.cleaned_data["shop"].pk
        return None


class LocationForm(forms.Form):
    """One SKU's location in one warehouse, typed in the stock list; empty clears it."""

    code = forms.CharField(label=_("Location"), required=False, max_length=100, strip=True)


class LocationUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Locations file (XLSX or CSV)"),
        help_text=_(
            "Columns 商家编码 (SKU code) and 库位 (location); 仓库 (warehouse) unless you choose it here; 店铺 (shop) "
            "when a code is used in several shops. The stock list's export can be read back."
        ),
    )
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.all(), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].empty_label = _("From the file's 仓库 column")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in {".xlsx", ".csv"}:
            raise forms.ValidationError(_("Upload an .xlsx or .csv file."))
        return upload


# --------------------------------------------------------------------------------------------------------
# The SKU page's stock forms (its stock panel comes from inventory: catalog.panels)
# --------------------------------------------------------------------------------------------------------


class AdjustForm(forms.Form):
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=active_warehouses())
    quantity = forms.IntegerField(
        label=_("Quantity (+ in, − out)"), widget=forms.NumberInput(attrs={"placeholder": "-2"})
    )
    note = forms.CharField(
        label=_("Why"),
        max_length=255,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 2 damaged in the shelf")}),
    )

    def clean_quantity(self) -> int:
        quantity = self.cleaned_data["quantity"]
        if quantity == 0:
            raise forms.ValidationError(_("Enter a quantity other than 0."))
        return quantity


class TransferForm(forms.Form):
    source = forms.ModelChoiceField(label=_("From warehouse"), queryset=active_warehouses())
    destination = forms.ModelChoiceField(label=_("To warehouse"), queryset=active_warehouses())
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)
