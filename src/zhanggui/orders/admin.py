"""Admin of the orders: read-only for everyone (orders change only through orders.services and the imports,
which keep the stock and the timeline right). A receiver's phone is masked for the roles that do not need it.
A shop's order rules are edited by those who manage shops."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from zhanggui.core import roles
from zhanggui.core.admin import CapabilityAdmin, ReadOnlyAdmin
from zhanggui.orders import selectors
from zhanggui.orders.models import Order, OrderEvent, OrderLine, OrderSettings


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    fk_name = "order"
    fields = (
        "sub_order_id",
        "sku_code",
        "sku",
        "title",
        "spec",
        "quantity",
        "unit_price",
        "discount",
        "paid",
        "ships_in",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    fields = ("at", "actor", "from_status", "to_status", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = (
        "platform_order_no",
        "shop",
        "platform",
        "status",
        "ship_by",
        "paid_total",
        "receiver_name",
        "masked_phone",
        "hold_reason",
    )
    list_filter = ("status", "platform", "platform_status", "shop")
    search_fields = ("platform_order_no", "buyer_nick", "receiver_name", "tracking_no", "lines__sku_code")
    list_select_related = ("shop",)
    date_hierarchy = "paid_at"
    inlines = (OrderLineInline, OrderEventInline)
    exclude = ("receiver_phone",)

    @admin.display(description=_("receiver's phone"))
    def masked_phone(self, obj: Order) -> str:
        return obj.masked_phone

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        """The phone as this person may see it: whole for 客服, the warehouse and the manager, masked otherwise."""

        @admin.display(description=_("receiver's phone"))
        def phone(order: Order) -> str:
            return selectors.phone_for(order, request.user)

        return [*super().get_readonly_fields(request, obj), phone]


@admin.register(OrderSettings)
class OrderSettingsAdmin(CapabilityAdmin):
    edit_capabilities = (roles.MANAGE_SHOPS,)
    list_display = ("shop", "promise_hours", "review_wait_minutes", "amount_limit")
    list_select_related = ("shop",)
