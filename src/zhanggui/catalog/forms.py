"""Forms of the catalog pages: they parse and check input; the services decide and write."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from zhanggui.catalog import selectors, stock
from zhanggui.catalog.models import MAX_COUNT, Category, DelistReason, ListingStatus, Product, ProductRole, Shop, Sku
from zhanggui.catalog.stock import StockState
from zhanggui.core.money import MoneyError, parse_money

IN_STOCK, LOW, OUT = StockState.IN_STOCK, StockState.LOW, StockState.OUT
STOCK_CHOICES = [
    ("", _("Any stock")),
    (IN_STOCK, _("In stock")),
    (LOW, _("At or under safety stock")),
    (OUT, _("Out of stock")),
]

# Reasons a person picks; "out of stock" is set by the stock rule itself, never by hand.
MANUAL_DELIST_REASONS = [
    (value, label)
    for value, label in DelistReason.choices
    if value not in (DelistReason.NONE, DelistReason.OUT_OF_STOCK)
]


class ProductFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Title, product code, SKU code or barcode"), "type": "search"}),
    )
    shop = forms.ModelChoiceField(label=_("Shop"), queryset=Shop.objects.all(), required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all(), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("Any role")), *ProductRole.choices], required=False)
    status = forms.ChoiceField(
        label=_("Listing"), choices=[("", _("Any listing status")), *ListingStatus.choices], required=False
    )
    stock = forms.ChoiceField(label=_("Stock"), choices=STOCK_CHOICES, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shop"].empty_label = _("All shops")
        self.fields["category"].empty_label = _("All categories")

    def products(self) -> QuerySet[Product]:
        """The filtered products; a filter with a value that does not parse is ignored, never an error page."""
        data: dict = {}
        if self.is_bound:
            self.is_valid()  # fills cleaned_data with the fields that parse
            data = self.cleaned_data
        category = data.get("category")
        products = selectors.products_for_list(
            q=(data.get("q") or "").strip(),
            shop=data.get("shop"),
            role=data.get("role") or "",
            status=data.get("status") or "",
            category_id=category.pk if category else None,
        )
        return stock.reader().products_with_stock(products, data.get("stock") or None)


class ProductForm(forms.Form):
    """The descriptive fields of a product; the title is checked against the channel's rules by the service."""

    fields_of = Product  # whose field-by-field rules apply (core.roles.FIELD_CAPABILITIES, `locked_for` in templates)
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all(), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=ProductRole.choices)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    main_image_url = forms.URLField(label=_("Main image URL"), required=False, max_length=500, assume_scheme="https")

    @classmethod
    def for_product(cls, product: Product) -> ProductForm:
        return cls(
            initial={
                "title": product.title,
                "category": product.category_id,
                "role": product.role,
                "description": product.description,
                "main_image_url": product.main_image_url,
            }
        )


class ListingForm(forms.Form):
    """Put on sale, or take off sale with a reason (the reason is what the team sees later in the audit)."""

    LIST, DELIST = "list", "delist"
    action = forms.ChoiceField(choices=[(LIST, _("Put on sale")), (DELIST, _("Take off sale"))])
    reason = forms.ChoiceField(
        label=_("Reason"), choices=MANUAL_DELIST_REASONS, required=False, initial=DelistReason.MANUAL
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def clean(self):
        data = super().clean()
        if data.get("action") == self.DELIST and not data.get("reason"):
            self.add_error("reason", _("Choose why it goes off sale."))
        return data


class MoneyField(forms.CharField):
    """An amount in yuan read by core.money.parse_money, exactly as the API and the imports read it.

    Django's DecimalField takes "1e3" for 1000 and "NaN"; an amount a person types is plain digits.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return f"{value:.2f}" if isinstance(value, Decimal) else value

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            amount = parse_money(text)
        except MoneyError:
            raise forms.ValidationError(
                _("Enter an amount in yuan with at most two decimals, such as 99.00."), code="invalid"
            ) from None
        if amount < 0:
            raise forms.ValidationError(_("The amount must not be negative."), code="min_value")
        return amount


class PriceForm(forms.Form):
    price = MoneyField(label=_("Price (¥)"))
    cost = MoneyField(label=_("Cost (¥)"))
    note = forms.CharField(
        label=_("Note"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Why (optional)")}),
    )

    @classmethod
    def for_sku(cls, sku: Sku) -> PriceForm:
        return cls(initial={"price": sku.price, "cost": sku.cost})


class SkuForm(forms.Form):
    """A SKU's descriptive fields; price and cost have their own form and right.

    Barcode, weight and safety stock need edit_sku_logistics: the page shows them read-only to a designer or
    copywriter (`locked_for`), who sends them back unchanged; the service refuses a changed one."""

    fields_of = Sku
    spec = forms.CharField(label=_("Spec"), max_length=200, required=False)
    barcode = forms.CharField(label=_("Barcode"), max_length=64, required=False)
    weight_g = forms.IntegerField(label=_("Weight (g)"), min_value=0, max_value=MAX_COUNT)
    safety_stock = forms.IntegerField(label=_("Safety stock"), min_value=0, max_value=MAX_COUNT)

    @classmethod
    def for_sku(cls, sku: Sku) -> SkuForm:
        return cls(
            initial={
                "spec": sku.spec,
                "barcode": sku.barcode,
                "weight_g": sku.weight_g,
                "safety_stock": sku.safety_stock,
            }
        )


# --------------------------------------------------------------------------------------------------------
# Product images (catalog.images checks the files themselves: format, pixels, bytes)
# --------------------------------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or more files from one input; the pictures are checked by their content in the service."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ImageUploadForm(forms.Form):
    """Pictures for a product: its main image (one file) or gallery images (several), optionally of one SKU."""

    kind = forms.ChoiceField(
        label=_("Use as"),
        choices=[("main", _("Main image")), ("gallery", _("Gallery images"))],
        initial="gallery",
        widget=forms.RadioSelect,
    )
    files = MultipleFileField(
        label=_("Pictures"),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP; checked against the shop's platform rules."),
    )
    sku = forms.ModelChoiceField(
        label=_("Shows SKU"), queryset=Sku.objects.none(), required=False, empty_label=_("The whole product")
    )

    def __init__(self, *args: Any, product: Product, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sku"].queryset = product.skus.order_by("code")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") == "main" and len(data.get("files") or []) > 1:
            self.add_error("files", _("A product has one main image: choose one file (or upload to the gallery)."))
        return data


class ImageSkuForm(forms.Form):
    sku = forms.ModelChoiceField(
        label=_("Shows SKU"), queryset=Sku.objects.none(), required=False, empty_label=_("The whole product")
    )

    def __init__(self, *args: Any, product: Product, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sku"].queryset = product.skus.order_by("code")
