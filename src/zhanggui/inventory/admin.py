"""Admin of the inventory.

Balances, the ledger, reservations and stocktakes are read-only for everyone: stock changes only through
inventory.services (and inventory.purchasing.services and inventory.stocktakes.services, which book through
it), which write the ledger and the cached balance in one transaction. Purchase orders and suppliers are
editable by those who manage purchasing; receiving is an action for those who book stock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from zhanggui.core import roles
from zhanggui.core.admin import CapabilityAdmin, ReadOnlyAdmin, ServiceErrorsMixin
from zhanggui.core.errors import DomainError
from zhanggui.inventory import limits
from zhanggui.inventory.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseStatus,
    Reservation,
    StockBalance,
    StockMove,
    Stocktake,
    StocktakeLine,
    Supplier,
    Warehouse,
)
from zhanggui.inventory.purchasing import services as purchasing


@admin.register(Warehouse)
class WarehouseAdmin(CapabilityAdmin):
    edit_capabilities = (roles.MANAGE_SHOPS,)
    list_display = ("code", "name", "priority", "is_active", "sellable")
    list_filter = ("is_active", "sellable")
    search_fields = ("code", "name")


@admin.register(StockBalance)
class StockBalanceAdmin(ReadOnlyAdmin):
    list_display = ("sku", "warehouse", "on_hand", "reserved", "available")
    list_filter = ("warehouse",)
    search_fields = ("sku__code", "sku__barcode")
    list_select_related = ("sku", "warehouse")

    @admin.display(description=_("available"))
    def available(self, obj: StockBalance) -> int:
        return obj.available


@admin.register(StockMove)
class StockMoveAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "sku",
        "warehouse",
        "quantity",
        "reason",
        "document",
        "on_hand_after",
        "unit_cost",
        "actor",
    )
    list_filter = ("reason", "warehouse")
    search_fields = ("sku__code", "document", "note")
    list_select_related = ("sku", "warehouse", "actor")
    date_hierarchy = "created_at"


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdmin):
    list_display = ("reference", "sku", "warehouse", "quantity", "status", "created_at", "closed_at")
    list_filter = ("status", "warehouse")
    search_fields = ("reference", "sku__code")
    list_select_related = ("sku", "warehouse")
    date_hierarchy = "created_at"


@admin.register(Supplier)
class SupplierAdmin(CapabilityAdmin):
    edit_capabilities = (roles.MANAGE_PURCHASING,)
    list_display = ("code", "name", "contact", "phone", "lead_time_days")
    search_fields = ("code", "name", "contact")


class PurchaseOrderLineForm(forms.ModelForm):
    class Meta:
        model = PurchaseOrderLine
        fields = ("sku", "quantity", "unit_cost")

    def clean_quantity(self) -> int:
        quantity = self.cleaned_data["quantity"]
        if quantity <= 0:
            raise forms.ValidationError(gettext("Order a positive quantity."))
        if quantity > limits.MAX_LINE_QUANTITY:
            raise forms.ValidationError(
                gettext("At most %(limit)s units per line.") % {"limit": limits.MAX_LINE_QUANTITY}
            )
        return quantity

    def clean_unit_cost(self):
        cost = self.cleaned_data["unit_cost"]
        if cost is not None and not 0 <= cost <= limits.MAX_UNIT_COST:
            raise forms.ValidationError(
                gettext("A unit cost is between 0.00 and %(limit)s.") % {"limit": limits.MAX_UNIT_COST}
            )
        return cost


class PurchaseOrderLineInline(admin.TabularInline):
    """Lines are edited while the order is a draft; after that only receiving changes them (a service)."""

    model = PurchaseOrderLine
    form = PurchaseOrderLineForm
    fields = ("sku", "quantity", "unit_cost", "received_quantity", "returned_quantity")
    readonly_fields = ("received_quantity", "returned_quantity")
    raw_id_fields = ("sku",)
    extra = 0

    def _editable(self, request: HttpRequest, obj: PurchaseOrder | None) -> bool:
        is_draft = obj is None or obj.status == PurchaseStatus.DRAFT
        return is_draft and request.user.has_perm(roles.MANAGE_PURCHASING)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj)


# The admin action each capability guards: a user without it gets a 403 when posting the action, the same
# answer as on the pages and in the API, rather than Django's quiet "No action selected".
ACTION_CAPABILITY = {
    "place_orders": roles.MANAGE_PURCHASING,
    "close_orders": roles.MANAGE_PURCHASING,
    "receive_open_quantities": roles.BOOK_STOCK,
}


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(ServiceErrorsMixin, CapabilityAdmin):
    edit_capabilities = (roles.MANAGE_PURCHASING,)
    inlines = (PurchaseOrderLineInline,)
    list_display = ("number", "supplier", "warehouse", "status", "expected_on", "created_at", "created_by")
    list_filter = ("status", "supplier", "warehouse")
    search_fields = ("number", "note", "supplier__name", "supplier__code")
    list_select_related = ("supplier", "warehouse", "created_by")
    date_hierarchy = "created_at"
    fields = ("number", "supplier", "warehouse", "status", "expected_on", "note", "created_by", "created_at")
    actions = ("place_orders", "receive_open_quantities", "close_orders")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        readonly = ("number", "status", "created_by", "created_at")
        if obj is not None and obj.status != PurchaseStatus.DRAFT:
            readonly += ("supplier", "warehouse")
        return readonly

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Only a draft, which never reached the supplier or the ledger, can be deleted."""
        return obj is not None and obj.status == PurchaseStatus.DRAFT and request.user.has_perm(roles.MANAGE_PURCHASING)

    def has_manage_purchasing_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(roles.MANAGE_PURCHASING)

    def has_book_stock_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(roles.BOOK_STOCK)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        capability = ACTION_CAPABILITY.get(request.POST.get("action", "")) if request.method == "POST" else None
        if capability and not request.user.has_perm(capability):
            raise PermissionDenied
        return super().changelist_view(request, extra_context)

    def save_model(self, request: HttpRequest, obj: PurchaseOrder, form: forms.ModelForm, change: bool) -> None:
        if not change:
            # A new order starts as a draft (lines come from the inline); numbered like services' orders.
            obj.status, obj.created_by = PurchaseStatus.DRAFT, request.user
            obj.number = f"tmp-{timezone.now().timestamp()}"
            obj.save()
            obj.number = f"PO{obj.pk:06d}"
            obj.save(update_fields=["number"])
            return
        obj.save(update_fields=[f for f in ("supplier", "warehouse", "expected_on", "note") if f in form.changed_data])

    def _each(
        self, request: HttpRequest, queryset: QuerySet[PurchaseOrder], apply: Callable[[PurchaseOrder], Any]
    ) -> None:
        """Apply one service per order; a refused order is reported and does not stop the others."""
        done = 0
        for po in queryset:
            try:
                apply(po)
            except DomainError as exc:
                self.message_user(request, f"{po.number}: {exc.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(n)d purchase order done.", "%(n)d purchase orders done.", done) % {"n": done},
                messages.SUCCESS,
            )

    @admin.action(description=_("Place the selected draft orders"), permissions=["manage_purchasing"])
    def place_orders(self, request: HttpRequest, queryset: QuerySet[PurchaseOrder]) -> None:
        self._each(request, queryset, lambda po: purchasing.place_purchase_order(actor=request.user, po=po))

    @admin.action(description=_("Receive everything still open"), permissions=["book_stock"])
    def receive_open_quantities(self, request: HttpRequest, queryset: QuerySet[PurchaseOrder]) -> None:
        def receive(po: PurchaseOrder) -> None:
            open_lines = {line.sku_id: line.open_quantity for line in po.lines.all() if line.open_quantity}
            purchasing.receive_purchase_order(actor=request.user, po=po, quantities=open_lines, note="admin")

        self._each(request, queryset, receive)

    @admin.action(description=_("Close the selected orders"), permissions=["manage_purchasing"])
    def close_orders(self, request: HttpRequest, queryset: QuerySet[PurchaseOrder]) -> None:
        self._each(request, queryset, lambda po: purchasing.close_purchase_order(actor=request.user, po=po))


class StocktakeLineInline(admin.TabularInline):
    model = StocktakeLine
    fields = ("sku", "expected", "counted", "booked_difference", "unit_cost")
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Stocktake)
class StocktakeAdmin(ReadOnlyAdmin):
    """Counting and booking happen on the desk or through the API (services); the admin shows the sheets."""

    inlines = (StocktakeLineInline,)
    list_display = ("number", "warehouse", "category", "status", "blind", "created_at", "booked_at", "booked_by")
    list_filter = ("status", "warehouse")
    search_fields = ("number",)
    list_select_related = ("warehouse", "category", "booked_by")
    readonly_fields = (
        "number",
        "warehouse",
        "category",
        "status",
        "blind",
        "created_by",
        "created_at",
        "booked_by",
        "booked_at",
    )
