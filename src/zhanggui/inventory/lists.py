"""The warehouse's list pages as core.listing declares them: stock, purchase orders, stocktakes, alerts.

Batch actions call the same services as the buttons on one object, row by row, so a row the service refuses is
named with its reason and the others still change. The querysets here carry the annotations the columns sort
and total by; the pages' filter forms narrow them.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Case, Count, DecimalField, F, QuerySet, Sum, Value, When
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from zhanggui.catalog import selectors as catalog_selectors
from zhanggui.catalog import services as catalog_services
from zhanggui.catalog.models import Sku
from zhanggui.core import roles
from zhanggui.core.errors import DomainError, ValidationFailed
from zhanggui.core.listing import BatchAction, BatchResult, Column, ListSpec, each_row
from zhanggui.inventory import limits, selectors
from zhanggui.inventory.models import PurchaseOrder, StockBalance, Stocktake
from zhanggui.inventory.purchasing import services as purchasing
from zhanggui.inventory.stocktakes import services as stocktakes

FEN = Decimal("0.01")

# --------------------------------------------------------------------------------------------------------
# Stock
# --------------------------------------------------------------------------------------------------------


def stock_rows() -> QuerySet[StockBalance]:
    """Every balance (SKU × warehouse) with its available units (on hand − reserved; 0 in a 次品仓, whose stock
    is never sold) to sort and total by, and the SKU's bin location in that warehouse (`location_code`)."""
    available = Case(When(warehouse__sellable=True, then=F("on_hand") - F("reserved")), default=Value(0))
    return selectors.with_location(
        StockBalance.objects.select_related("sku__product", "warehouse").annotate(available_units=available)
    )


def price_after(price: Decimal, percent: Decimal) -> Decimal:
    """The price changed by `percent` (−10: 10% lower): price × (100 + percent) / 100, rounded half-up to the
    fen, in Decimal throughout: ¥59.90 at −10% is ¥53.91, ¥0.05 at −50% is ¥0.03 (0.025 rounds up)."""
    return (price * (100 + percent) / 100).quantize(FEN, rounding=ROUND_HALF_UP)


def _sku_label(sku: Sku) -> str:
    return f"{sku.code} {sku.product.title}".strip()


def _skus(rows: list[StockBalance]) -> list[Sku]:
    """The ticked SKUs, each once: a row is a SKU in one warehouse, and a SKU's fields hold for every warehouse."""
    return list({row.sku_id: row.sku for row in rows}.values())


def _refusable(do: Any) -> Any:
    """A model validation error on one row (full_clean in the service) refuses that row like a DomainError."""

    def run(row: Any) -> Any:
        try:
            return do(row)
        except ValidationError as exc:
            raise ValidationFailed("; ".join(exc.messages)) from exc

    return run


def _units(text: str) -> int:
    text = unicodedata.normalize("NFKC", text).strip()
    if not text.isascii() or not text.isdigit() or int(text) > limits.MAX_COUNT:
        raise DomainError(
            gettext("Safety stock: write a whole number from 0 to %(max)s.") % {"max": f"{limits.MAX_COUNT:,}"}
        )
    return int(text)


_PLAIN_PERCENT = re.compile(r"[+-]?[0-9]{1,6}(\.[0-9]{1,4})?")  # no exponent: "1e3" is a typo, not 1000%


def _percent(text: str) -> Decimal:
    """ "-10", "−10", "-10%", "2.5", full-width digits: the change in percent, more than −100."""
    text = unicodedata.normalize("NFKC", text).strip().replace("\u2212", "-").removesuffix("%").strip()
    percent = Decimal(text) if _PLAIN_PERCENT.fullmatch(text) else None
    if percent is None or percent <= -100:
        raise DomainError(
            gettext("Price change: write a percentage above −100, e.g. −10 for a price 10 percent lower.")
        )
    return percent


def _set_safety_stock(actor: Any, rows: list[StockBalance], data: dict[str, str]) -> BatchResult:
    units = _units(data.get("safety_stock", ""))
    return each_row(
        _skus(rows),
        _refusable(lambda sku: catalog_services.update_sku(actor=actor, sku=sku, safety_stock=units)),
        _sku_label,
    )


def _change_price(actor: Any, rows: list[StockBalance], data: dict[str, str]) -> BatchResult:
    """Each SKU's price moved by the percentage through catalog.services.set_price: a price below cost or cut
    deeper than the approval limit waits for a manager instead, and the report says how many wait."""
    percent = _percent(data.get("percent", ""))
    waiting: list[Sku] = []

    def change(sku: Sku) -> None:
        price = price_after(sku.price, percent)
        saved = catalog_services.set_price(actor=actor, sku=sku, price=price, note=f"{percent:+}%")
        if saved.price != price and catalog_selectors.pending_price_change(saved) is not None:
            waiting.append(saved)

    result = each_row(_skus(rows), _refusable(change), _sku_label)
    if not waiting:
        return result
    note = ngettext("%(n)s waits for a manager's approval.", "%(n)s wait for a manager's approval.", len(waiting)) % {
        "n": len(waiting)
    }
    return BatchResult(result.done, result.refused, [*result.notes, note])


def _balance_label(balance: StockBalance) -> str:
    return _sku_label(balance.sku)


STOCK = ListSpec(
    name="stock",
    columns=(
        Column("sku", _("SKU code"), ("sku__code", "warehouse__priority", "warehouse__code"), lambda b: b.sku.code),
        Column("product", _("Product"), "sku__product__title", lambda b: b.sku.product.title),
        Column("spec", _("Spec"), "sku__spec", lambda b: b.sku.spec),
        Column("warehouse", _("Warehouse"), ("warehouse__priority", "warehouse__code"), lambda b: str(b.warehouse)),
        # Sorted as text (A-01-10 after A-01-09; write numbers with their leading zeros); the pick list walks
        # them in natural order.
        Column("location", _("Location"), "location_code", lambda b: b.location_code or ""),
        Column("on_hand", _("On hand"), "on_hand", lambda b: b.on_hand, total="on_hand", numeric=True),
        Column("reserved", _("Reserved"), "reserved", lambda b: b.reserved, total="reserved", numeric=True),
        Column(
            "available",
            _("Available"),
            "available_units",
            lambda b: b.available_units,
            total="available_units",
            numeric=True,
        ),
        Column("safety", _("Safety stock"), "sku__safety_stock", lambda b: b.sku.safety_stock, numeric=True),
    ),
    default_sort="sku",
    default_size=100,
    actions=(
        BatchAction(
            "safety_stock",
            _("Set safety stock"),
            roles.EDIT_SKU_LOGISTICS,
            _set_safety_stock,
            fields=(("safety_stock", _("Safety stock"), "number"),),
        ),
        BatchAction(
            "price",
            _("Change price by %"),
            roles.CHANGE_PRICE,
            _change_price,
            # "text", not "number": the list bar gives number inputs min=0 step=1, and a cut is negative (−10).
            fields=(("percent", _("Percent (−10: a tenth lower)"), "text"),),
            confirm=_(
                "Change the price of every ticked SKU? A lower price below cost or cut deeper than the "
                "approval limit waits for a manager."
            ),
        ),
    ),
    row_label=_balance_label,
)

# --------------------------------------------------------------------------------------------------------
# Purchase orders
# --------------------------------------------------------------------------------------------------------


def purchase_rows() -> QuerySet[PurchaseOrder]:
    """Purchase orders with their lines counted and summed: units ordered and received, and the amount."""
    return PurchaseOrder.objects.select_related("supplier", "warehouse").annotate(
        line_count=Count("lines"),
        ordered=Sum("lines__quantity"),
        received=Sum("lines__received_quantity"),
        amount=Sum(
            F("lines__quantity") * F("lines__unit_cost"), output_field=DecimalField(max_digits=20, decimal_places=2)
        ),
    )


def fen_amount(amount: Decimal | None) -> Decimal | None:
    """A summed amount to the fen (SQLite hands back an expression's sum with float digits)."""
    return None if amount is None else Decimal(amount).quantize(FEN, rounding=ROUND_HALF_UP)


def _close(actor: Any, rows: list[PurchaseOrder], data: dict[str, str]) -> BatchResult:
    return each_row(rows, lambda po: purchasing.close_purchase_order(actor=actor, po=po), str)


PURCHASES = ListSpec(
    name="purchase-orders",
    columns=(
        Column("number", _("Number"), "number", lambda p: p.number),
        Column("supplier", _("Supplier"), "supplier__name", lambda p: str(p.supplier)),
        Column("warehouse", _("Warehouse"), ("warehouse__priority", "warehouse__code"), lambda p: str(p.warehouse)),
        Column("status", _("Status"), "status", lambda p: p.get_status_display()),
        Column("lines", _("Lines"), "line_count", lambda p: p.line_count, numeric=True),
        Column(
            "units_ordered",
            pgettext_lazy("quantity", "Ordered"),
            "ordered",
            lambda p: p.ordered or 0,
            total="ordered",
            numeric=True,
        ),
        Column("units_received", _("Received"), "received", lambda p: p.received or 0, total="received", numeric=True),
        Column(
            "value", _("Amount"), "amount", lambda p: fen_amount(p.amount), total="amount", numeric=True, money=True
        ),
        Column("expected", _("Expected on"), "expected_on", lambda p: p.expected_on, numeric=True),
        Column("created", _("Created"), "created_at", lambda p: p.created_at, numeric=True),
    ),
    default_sort="-created",
    date_field="created_at",
    date_label=_("Created"),
    actions=(
        BatchAction(
            "close",
            _("Close order"),
            roles.MANAGE_PURCHASING,
            _close,
            confirm=_("Close the ticked purchase orders? Nothing more is expected from the supplier on them."),
        ),
    ),
    row_label=str,
)

# --------------------------------------------------------------------------------------------------------
# Stocktakes
# --------------------------------------------------------------------------------------------------------


def stocktake_rows() -> QuerySet[Stocktake]:
    return Stocktake.objects.select_related("warehouse", "category", "created_by", "booked_by").annotate(
        line_count=Count("lines"), counted_count=Count("lines__counted")
    )


def _cancel(actor: Any, rows: list[Stocktake], data: dict[str, str]) -> BatchResult:
    return each_row(rows, lambda take: stocktakes.cancel_stocktake(actor=actor, stocktake=take), str)


STOCKTAKES = ListSpec(
    name="stocktakes",
    columns=(
        Column("number", _("Number"), "number", lambda t: t.number),
        Column("warehouse", _("Warehouse"), ("warehouse__priority", "warehouse__code"), lambda t: str(t.warehouse)),
        Column("category", _("Category"), "category__name", lambda t: t.category.name if t.category else ""),
        Column("status", _("Status"), "status", lambda t: t.get_status_display()),
        Column("counted", _("Counted"), "counted_count", lambda t: f"{t.counted_count} / {t.line_count}", numeric=True),
        Column("created", _("Created"), "created_at", lambda t: t.created_at, numeric=True),
        Column("booked", _("Booked"), "booked_at", lambda t: t.booked_at, numeric=True),
    ),
    default_sort="-created",
    date_field="created_at",
    date_label=_("Created"),
    actions=(
        BatchAction(
            "cancel",
            _("Cancel sheet"),
            roles.BOOK_STOCK,
            _cancel,
            confirm=_("Cancel the ticked count sheets? Nothing on them is booked."),
        ),
    ),
    row_label=str,
)

# --------------------------------------------------------------------------------------------------------
# Safety-stock alerts (computed in Python: sorted by each column's value, no date range)
# --------------------------------------------------------------------------------------------------------


def _issued_label() -> str:
    return gettext("Issued in %(window_days)s days") % {"window_days": selectors.DEMAND_WINDOW_DAYS}


def _cover(alert: selectors.SafetyStockAlert) -> Decimal | None:
    # A Decimal: the export writes a number (a float would be written as text).
    return None if alert.days_of_cover is None else Decimal(str(alert.days_of_cover))


ALERTS = ListSpec(
    name="safety-stock-alerts",
    columns=(
        Column("sku", _("SKU code"), "sku", lambda a: a.sku.code),
        Column("product", _("Product"), "product", lambda a: f"{a.sku.product.title} {a.sku.spec}".strip()),
        Column("shop", _("Shop"), "shop", lambda a: a.sku.shop.name),
        Column("available", _("Available"), "available", lambda a: a.available, numeric=True),
        Column("safety", _("Safety stock"), "safety", lambda a: a.sku.safety_stock, numeric=True),
        Column("on_order", _("On order"), "on_order", lambda a: a.on_order, numeric=True),
        Column("issued", lazy(_issued_label, str)(), "issued", lambda a: a.issued_30d, numeric=True),
        Column("cover", _("Days of cover"), "cover", _cover, numeric=True),
        Column("reorder", _("Suggested reorder"), "reorder", lambda a: a.suggested_reorder, numeric=True),
        Column("order", "", None, None),  # the "Order" button: on screen only
    ),
    default_sort="cover",  # the shortest cover first, as the selector orders them; none issued last
)
