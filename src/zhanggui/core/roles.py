"""Roles (店长, 运营, 客服, 仓管, 美工, 文案) as Django groups, and the permission matrix.

The matrix below is the single source: docs/permissions.md shows it as a table, `ensure_roles()` writes it
into the groups, and views, API handlers, admin and services all ask `user.has_perm(...)` through `require`.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from zhanggui.core.errors import PermissionDeniedError

MANAGER = "manager"
OPERATOR = "operator"
SERVICE = "service"
WAREHOUSE = "warehouse"
DESIGNER = "designer"
COPYWRITER = "copywriter"

ROLE_LABELS = {
    MANAGER: _("Manager (店长)"),
    OPERATOR: _("Operator (运营)"),
    SERVICE: _("Customer service (客服)"),
    WAREHOUSE: _("Warehouse (仓管)"),
    DESIGNER: _("Designer (美工)"),
    COPYWRITER: _("Copywriter (文案)"),
}
ROLES = list(ROLE_LABELS)

# Capabilities, as Django permission names.
CHANGE_PRICE = "catalog.change_price"  # set a SKU's price (below cost or too deep: waits for APPROVE_PRICES)
CHANGE_COST = "catalog.change_cost"  # set a SKU's cost: the figure every margin and the price rule read
APPROVE_PRICES = "catalog.approve_prices"  # approve price changes below cost or deeper than the approval limit
CHANGE_LISTING = "catalog.change_listing"  # list / delist
EDIT_CATALOG = "catalog.edit_catalog"  # products, SKUs other than price, titles, images
EDIT_SKU_LOGISTICS = "catalog.edit_sku_logistics"  # a SKU's barcode, weight and safety stock (FIELD_CAPABILITIES)
MANAGE_SHOPS = "catalog.manage_shops"  # shops, banned words
BOOK_STOCK = "inventory.book_stock"  # any move of stock: receive, adjust, stocktake, transfer, reserve
MANAGE_PURCHASING = "inventory.manage_purchasing"  # suppliers and purchase orders (not the receiving)
MANAGE_PROMOTIONS = "promotions.manage_promotions"  # create, switch on and off promotions and flash sales
APPROVE_PROMOTIONS = "promotions.approve_promotions"  # approve discounts deeper than the approval limit
REVIEW_ORDERS = "orders.review_orders"  # review, hold, release and cancel orders
FULFIL_ORDERS = "orders.fulfil_orders"  # allocate, pick, pack and ship orders
IMPORT_ORDERS = "orders.import_orders"  # import the platforms' order exports
MANAGE_MESSAGES = "messaging.manage_messages"  # buyer messages: outbox, templates, opt-outs
HANDLE_CASES = "aftersales.handle_cases"  # open, answer, refund, close and assign after-sales cases
MANAGE_AFTERSALES_RULES = "aftersales.manage_rules"  # edit the after-sales deadline, set-answer and compensation rules
APPROVE_COMPENSATION = "aftersales.approve_compensation"  # approve compensation above the offerer's role limit
MANAGE_MEMBERS = "members.manage_members"  # merge and unmerge members, record consent and opt-outs
MANAGE_LOYALTY = "members.manage_loyalty"  # member tiers, points adjustments and spending, saved segments

CAPABILITIES = [
    CHANGE_PRICE,
    CHANGE_COST,
    APPROVE_PRICES,
    CHANGE_LISTING,
    EDIT_CATALOG,
    EDIT_SKU_LOGISTICS,
    MANAGE_SHOPS,
    BOOK_STOCK,
    MANAGE_PURCHASING,
    MANAGE_PROMOTIONS,
    APPROVE_PROMOTIONS,
    REVIEW_ORDERS,
    FULFIL_ORDERS,
    IMPORT_ORDERS,
    MANAGE_MESSAGES,
    HANDLE_CASES,
    MANAGE_AFTERSALES_RULES,
    APPROVE_COMPENSATION,
    MANAGE_MEMBERS,
    MANAGE_LOYALTY,
]
CAPABILITY_LABELS = {
    CHANGE_PRICE: _("change prices"),
    CHANGE_COST: _("change costs"),
    APPROVE_PRICES: _("approve price changes below cost or deeper than the approval limit"),
    CHANGE_LISTING: _("put products on and off sale"),
    EDIT_CATALOG: _("edit products"),
    EDIT_SKU_LOGISTICS: _("change barcodes, weights and safety stock"),
    MANAGE_SHOPS: _("manage shops and banned words"),
    BOOK_STOCK: _("book stock"),
    MANAGE_PURCHASING: _("manage suppliers and purchase orders"),
    MANAGE_PROMOTIONS: _("manage promotions and flash sales"),
    APPROVE_PROMOTIONS: _("approve deep-discount promotions"),
    REVIEW_ORDERS: _("review, hold and cancel orders"),
    FULFIL_ORDERS: _("allocate, pick, pack and ship orders"),
    IMPORT_ORDERS: _("import orders"),
    MANAGE_MESSAGES: _("manage buyer messages, their templates and opt-outs"),
    HANDLE_CASES: _("handle after-sales cases: open, answer, refund and close them"),
    MANAGE_AFTERSALES_RULES: _("edit the after-sales rules: deadlines, set answers, compensation"),
    APPROVE_COMPENSATION: _("approve compensation above a role's limit"),
    MANAGE_MEMBERS: _("merge members and record their consent and opt-outs"),
    MANAGE_LOYALTY: _("manage member tiers, points and segments"),
}

ROLE_CAPABILITIES: dict[str, set[str]] = {
    MANAGER: set(CAPABILITIES),
    OPERATOR: {
        CHANGE_PRICE,
        CHANGE_LISTING,
        EDIT_CATALOG,
        EDIT_SKU_LOGISTICS,
        MANAGE_PURCHASING,
        MANAGE_PROMOTIONS,
        REVIEW_ORDERS,
        IMPORT_ORDERS,
        MANAGE_LOYALTY,
    },
    SERVICE: {REVIEW_ORDERS, MANAGE_MESSAGES, HANDLE_CASES, MANAGE_MEMBERS},
    WAREHOUSE: {EDIT_SKU_LOGISTICS, BOOK_STOCK, MANAGE_PURCHASING, FULFIL_ORDERS},
    DESIGNER: {EDIT_CATALOG},
    COPYWRITER: {EDIT_CATALOG},
}

# Field by field: the capability that changes each editable field of a model. The services check the fields a
# call really changes (an unchanged value sent back by a form is not a change); forms lock the others. A model's
# other fields have services of their own (price, listing). docs/permissions.md, "Field by field".
FIELD_CAPABILITIES: dict[str, dict[str, str]] = {
    "catalog.Product": {
        "title": EDIT_CATALOG,
        "category": EDIT_CATALOG,
        "role": EDIT_CATALOG,
        "description": EDIT_CATALOG,
        "main_image_url": EDIT_CATALOG,
    },
    "catalog.Sku": {
        "spec": EDIT_CATALOG,
        "barcode": EDIT_SKU_LOGISTICS,
        "weight_g": EDIT_SKU_LOGISTICS,
        "safety_stock": EDIT_SKU_LOGISTICS,
    },
}

# Every role reads everything: the view permission of each of our models.
READ_APPS = (
    *("core", "catalog", "inventory", "promotions", "orders", "messaging", "aftersales", "analytics", "market"),
    "members",
)


def ensure_roles() -> None:
    """Create or update the six role groups so that they hold exactly the matrix's permissions."""
    from django.contrib.auth.models import Group, Permission

    view_perms = list(Permission.objects.filter(content_type__app_label__in=READ_APPS, codename__startswith="view_"))
    by_name = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.filter(content_type__app_label__in=READ_APPS).select_related("content_type")
    }
    for role, caps in ROLE_CAPABILITIES.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = [*view_perms, *(by_name[c] for c in caps if c in by_name)]
        group.permissions.set(wanted)


def ensure_roles_after_migrate(sender: Any, **kwargs: Any) -> None:
    """Runs after each of our apps: post_migrate creates an app's permissions only when that app's turn comes,
    so the last of them to migrate is the one that gives the groups their complete set (idempotent)."""
    if getattr(sender, "label", None) in READ_APPS:
        ensure_roles()


def roles_of(user: Any) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    from zhanggui.core.auth_backend import group_names  # read with the permissions, in one query a request

    return [name for name in group_names(user) if name in ROLE_LABELS]


def require(user: Any, permission: str) -> None:
    """Raise PermissionDeniedError unless the user holds the permission (through a role or superuser)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.has_perm(permission):
        raise PermissionDeniedError(
            str(
                _("You are not allowed to %(what)s; ask your manager (店长) for the right role.")
                % {"what": CAPABILITY_LABELS.get(permission, permission)}
            ),
            permission=permission,
        )


def holds(user: Any, permission: str) -> bool:
    """True when the user may use the capability: what `require` checks, as a yes or no."""
    return user is not None and getattr(user, "is_authenticated", False) and user.has_perm(permission)


def locked_fields(user: Any, model: Any) -> set[str]:
    """The editable fields of `model` (a model class or instance) that the user may not change."""
    return {name for name, capability in FIELD_CAPABILITIES[model._meta.label].items() if not holds(user, capability)}


def require_fields(user: Any, model: Any, fields: Any) -> None:
    """Raise PermissionDeniedError naming the first of `fields` the user may not change (matrix order).

    With no fields, the user must be able to change at least one field of the model: an edit a person could
    not make a single change with is refused like any other write they lack the right for."""
    rules = FIELD_CAPABILITIES[model._meta.label]
    wanted = set(fields)
    if not wanted:
        if not any(holds(user, capability) for capability in rules.values()):
            require(user, min(rules.values(), key=CAPABILITIES.index))
        return
    for name, capability in rules.items():
        if name in wanted and not holds(user, capability):
            raise PermissionDeniedError(
                str(
                    _(
                        "You are not allowed to change %(field)s: it needs the right to %(what)s; "
                        "ask your manager (店长) for the right role."
                    )
                    % {"field": model._meta.get_field(name).verbose_name, "what": CAPABILITY_LABELS[capability]}
                ),
                permission=capability,
                field=name,
            )
