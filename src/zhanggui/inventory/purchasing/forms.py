"""Forms of the purchasing pages: filters, a new order and its lines, receiving (scan, review, book), returns,
and "order all suggested". They parse and check input; inventory.purchasing.services decides and books.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from zhanggui.catalog.models import Sku
from zhanggui.inventory import limits
from zhanggui.inventory.forms import active_warehouses, resolve_sku
from zhanggui.inventory.models import PurchaseOrder, PurchaseOrderLine, PurchaseStatus, Supplier

OPEN = "open"  # ordered or partially received: what the warehouse still waits for


class PurchaseFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), (OPEN, _("Still to receive")), *PurchaseStatus.choices],
    )
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Supplier.objects.all(), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier"].empty_label = _("All suppliers")

    def filters(self) -> dict:
        data: dict = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
        found: dict = {}
        if data.get("status") == OPEN:
            found["status__in"] = [PurchaseStatus.ORDERED, PurchaseStatus.PARTIAL]
        elif data.get("status"):
            found["status"] = data["status"]
        if data.get("supplier"):
            found["supplier"] = data["supplier"]
        return found

    def orders(self, orders: QuerySet[PurchaseOrder]) -> QuerySet[PurchaseOrder]:
        """`orders` (inventory.lists.purchase_rows) narrowed to the filters; the list orders them."""
        return orders.filter(**self.filters())


class PurchaseOrderForm(forms.Form):
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Supplier.objects.all())
    warehouse = forms.ModelChoiceField(label=_("Deliver to warehouse"), queryset=active_warehouses())
    expected_on = forms.DateField(
        label=_("Expected on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class PurchaseLineForm(forms.Form):
    sku = forms.CharField(
        label=_("SKU code"), max_length=130, widget=forms.TextInput(attrs={"placeholder": _("code or barcode")})
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=limits.MAX_LINE_QUANTITY)
    unit_cost = forms.DecimalField(
        label=_("Unit cost (¥)"),
        min_value=Decimal("0"),
        max_value=limits.MAX_UNIT_COST,
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text=_("Blank: the SKU's cost"),
    )

    def has_changed(self) -> bool:
        # A row prefilled from the alerts page counts as filled in even when nobody touched it.
        return any(str(self.data.get(self.add_prefix(name), "")).strip() for name in self.fields)

    def clean_sku(self) -> Sku:
        return resolve_sku(self.cleaned_data["sku"])


class BasePurchaseLineFormSet(forms.BaseFormSet):
    def initial_form_count(self) -> int:
        return 0  # every row may be left blank, prefilled ones too

    def clean(self) -> None:
        if any(self.errors):
            return
        if not self.lines():
            raise forms.ValidationError(_("Enter at least one line: SKU code and quantity."))

    def lines(self) -> list[tuple[Sku, int, Decimal]]:
        """(SKU, quantity, unit cost) of the filled rows; a blank unit cost takes the SKU's cost."""
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if data and data.get("sku"):
                cost = data["unit_cost"] if data.get("unit_cost") is not None else data["sku"].cost
                rows.append((data["sku"], data["quantity"], cost))
        return rows


def purchase_lines_formset(data=None, *, initial: list[dict] | None = None) -> BasePurchaseLineFormSet:
    """The lines of a new purchase order: the prefilled rows plus a few blank ones."""
    initial = initial or []
    formset_class = forms.formset_factory(
        PurchaseLineForm, formset=BasePurchaseLineFormSet, extra=max(5, len(initial) + 2), max_num=200
    )
    return formset_class(data, initial=initial, prefix="lines")


class LineQuantitiesForm(forms.Form):
    """One whole number per purchase-order line, named `<field_prefix>_<SKU id>`; blank means 0."""

    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(
        self,
        *args,
        lines: Iterable[PurchaseOrderLine],
        field_prefix: str,
        initial_of: Callable[[PurchaseOrderLine], int],
        max_of: Callable[[PurchaseOrderLine], int],
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        self.field_prefix = field_prefix
        for line in self.lines:
            self.fields[self.field_name(line)] = forms.IntegerField(
                label=line.sku.code,
                min_value=0,
                max_value=limits.MAX_LINE_QUANTITY,
                required=False,
                initial=initial_of(line),
                widget=forms.NumberInput(attrs={"class": "count", "min": 0, "max": max_of(line)}),
            )

    def field_name(self, line: PurchaseOrderLine) -> str:
        return f"{self.field_prefix}_{line.sku_id}"

    def rows(self) -> list[tuple[PurchaseOrderLine, forms.BoundField]]:
        return [(line, self[self.field_name(line)]) for line in self.lines]

    def quantities(self) -> dict[int, int]:
        return {line.sku_id: self.cleaned_data.get(self.field_name(line)) or 0 for line in self.lines}


def receive_form(lines: Iterable[PurchaseOrderLine], data=None) -> LineQuantitiesForm:
    """'Receive now' per line, blank: what arrived is scanned or typed, never assumed ("receive all
    remaining" is one deliberate button)."""
    return LineQuantitiesForm(
        data,
        lines=lines,
        field_prefix="receive",
        initial_of=lambda line: None,
        max_of=lambda line: line.open_quantity,
    )


RECEIVE_ACTIONS = ("scan", "all", "edit", "review", "book")


def receive_action(data) -> str:
    """What a POST of the receiving page asks for: a scan (Enter in the scan box without JavaScript), every
    open unit, back to the lines, the review of what will be booked, or the booking itself."""
    action = (data.get("action") or "").strip()
    return action if action in RECEIVE_ACTIONS else "review"


def receive_data(form: LineQuantitiesForm, data, *, add: dict[int, int] | None = None, fill: bool = False) -> dict:
    """The receiving page's values again, changed by a scan (`add`) or by "receive all remaining" (`fill`):
    every typed quantity is kept, a value that does not parse too."""
    values = {name: data.get(name, "") for name in form.fields}
    for line in form.lines:
        name = form.field_name(line)
        if fill:
            values[name] = str(line.open_quantity) if line.open_quantity else ""
        elif add and line.sku_id in add:
            raw = str(values.get(name) or "").strip()
            values[name] = str((int(raw) if raw.isdecimal() else 0) + add[line.sku_id])
    return values


def return_form(lines: Iterable[PurchaseOrderLine], data=None) -> LineQuantitiesForm:
    """'Return to supplier' per line, never more than was received and not yet returned."""
    return LineQuantitiesForm(
        data,
        lines=lines,
        field_prefix="return",
        initial_of=lambda line: 0,
        max_of=lambda line: line.received_quantity - line.returned_quantity,
    )


class ReorderPlanForm(forms.Form):
    """ "Order all suggested": a quantity per SKU (0 leaves it out) and the supplier of the SKUs never
    ordered before."""

    supplier = forms.ModelChoiceField(
        label=_("Supplier for SKUs never ordered before"), queryset=Supplier.objects.all(), required=False
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args, sku_ids: Iterable[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sku_ids = list(sku_ids)
        for sku_id in self.sku_ids:
            self.fields[plan_name(sku_id)] = forms.IntegerField(
                label=str(sku_id),
                min_value=0,
                max_value=limits.MAX_LINE_QUANTITY,
                widget=forms.NumberInput(attrs={"class": "count", "min": 0, "inputmode": "numeric"}),
            )

    def quantities(self) -> dict[int, int]:
        return {sku_id: self.cleaned_data[plan_name(sku_id)] for sku_id in self.sku_ids}


def plan_name(sku_id: int) -> str:
    return f"qty_{sku_id}"
