"""The header's navigation, declared once: each entry's page, the capability a person needs to see it, and the
pages that light it up.

An entry without a capability is for every role (reading is open to all). An entry with one is hidden from the
roles that cannot act there: 客服 has nothing to do on purchase orders or stocktakes. Hiding is a courtesy, not
the check: the pages stay readable by their address and every write is still refused by its service (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from zhanggui.core import roles


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: str | Promise
    url_name: str
    capability: str | tuple[str, ...] | None = None  # None: every role; a tuple: any one of them
    # View names that light the entry up; one ending in ":" or "-" covers every view it begins (a namespace,
    # or a family of views such as "inventory:purchase-"). Empty: the entry's own page only.
    active: tuple[str, ...] = ()
    staff_only: bool = False

    def is_active(self, view_name: str) -> bool:
        return self.specificity(view_name) > 0

    def specificity(self, view_name: str) -> int:
        """How closely the entry covers the view: its longest matching pattern (0: none). When two entries cover
        a page ("aftersales:" and "aftersales:claim-"), only the closer one lights up."""
        return max(
            (
                len(pattern)
                for pattern in self.active or (self.url_name,)
                if view_name == pattern or (pattern.endswith((":", "-")) and view_name.startswith(pattern))
            ),
            default=0,
        )


NAV: tuple[NavEntry, ...] = (
    NavEntry("home", _("Desk"), "home"),
    NavEntry(
        "orders",
        _("Orders"),
        "orders:order-list",
        active=("orders:order-", "orders:sla-board", "orders:desk-card"),
    ),
    NavEntry(
        "shipping",
        _("Shipping"),
        "orders:wave-list",
        roles.FULFIL_ORDERS,
        active=("orders:wave-", "orders:packing", "orders:packing-", "orders:ship-", "orders:tracking-"),
    ),
    NavEntry("aftersales", _("After-sales"), "aftersales:case-list", roles.HANDLE_CASES, active=("aftersales:",)),
    NavEntry("claims", _("Carrier claims"), "aftersales:claim-list", roles.HANDLE_CASES, active=("aftersales:claim-",)),
    NavEntry("reports", _("After-sales reports"), "aftersales:reports", roles.HANDLE_CASES),
    NavEntry("messages", _("Buyer messages"), "messaging:outbox", roles.MANAGE_MESSAGES, active=("messaging:",)),
    NavEntry("catalog", _("Catalog"), "catalog:product-list", active=("catalog:",)),
    NavEntry("stock", _("Stock"), "inventory:stock-list", active=("inventory:stock-list", "inventory:document")),
    NavEntry(
        "purchase",
        _("Purchasing"),
        "inventory:purchase-list",
        roles.MANAGE_PURCHASING,
        active=("inventory:purchase-",),
    ),
    NavEntry(
        "stocktake", _("Stocktake"), "inventory:stocktake-list", roles.BOOK_STOCK, active=("inventory:stocktake-",)
    ),
    NavEntry("returns", _("Returns receiving"), "aftersales:returns", roles.BOOK_STOCK),
    NavEntry("alerts", _("Alerts"), "inventory:alert-list"),
    NavEntry("promotions", _("Promotions"), "promotions:promotion-list", active=("promotions:",)),
    # Members, segments, repurchase (docs/members.md): for the roles that act on members (店长, 运营, 客服).
    NavEntry(
        "members", _("Members"), "members:list", (roles.MANAGE_MEMBERS, roles.MANAGE_LOYALTY), active=("members:",)
    ),
    # Every analytics page (dashboard, SKU P&L, diagnosis, store health, costs and targets, the reports and events
    # in) under one entry; the pages' own tabs lead from one to another (analytics/_tabs.html).
    NavEntry("analytics", _("Analytics"), "analytics:dashboard", roles.IMPORT_ORDERS, active=("analytics:",)),
    # Keywords and titles (docs/market.md): every role reads them; 美工/文案 edit titles too.
    NavEntry("market", _("Market"), "market:titles", active=("market:",)),
    NavEntry("audit", _("Audit"), "audit-list"),
    NavEntry("admin", _("Admin"), "admin:index", active=("admin:",), staff_only=True),
)


def _may_see(user: Any, capability: str | tuple[str, ...] | None) -> bool:
    if capability is None:
        return True
    return any(roles.holds(user, c) for c in ((capability,) if isinstance(capability, str) else capability))


def nav_for(request: HttpRequest) -> list[dict[str, Any]]:
    """The entries the person sees, in order, each with its address and whether it is the current page's."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else ""
    shown = [entry for entry in NAV if (not entry.staff_only or user.is_staff) and _may_see(user, entry.capability)]
    best = max((entry.specificity(view_name) for entry in shown), default=0)
    return [
        {
            "key": entry.key,
            "label": entry.label,
            "url": reverse(entry.url_name),
            "active": best > 0 and entry.specificity(view_name) == best,
        }
        for entry in shown
    ]
