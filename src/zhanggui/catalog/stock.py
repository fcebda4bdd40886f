"""How the catalog reads stock without importing the inventory app.

Inventory sits above the catalog (core ← catalog ← inventory: its rows point at the catalog's SKUs), so the
catalog may not import it. Inventory registers its readers here when Django starts (InventoryConfig.ready);
the catalog's listing rules, product list filter, pages and API ask through this module, and the dependency
keeps pointing one way. Only reads pass here: stock is written by inventory's own views and services (the SKU
page's stock panel and its forms come from inventory, see catalog.panels).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet


class StockState:
    """Values of the catalog's stock filter (pages and API share them, so a desk URL's query works in both)."""

    IN_STOCK = "in_stock"  # some units available
    LOW = "low"  # some SKU at or under its safety stock
    OUT = "out"  # nothing available over all SKUs and warehouses
    ALL = (IN_STOCK, LOW, OUT)


@dataclass(frozen=True)
class StockReader:
    """The stock figures the catalog shows, as the stock app answers them."""

    # Available units per SKU id over the sellable warehouses (0 for a SKU without stock).
    available: Callable[[Iterable[int]], dict[int, int]]
    # (on hand, reserved) per SKU id over every warehouse.
    totals: Callable[[Iterable[int]], dict[int, tuple[int, int]]]
    # A SKU's balance rows, one per warehouse (each with .warehouse, .on_hand, .reserved, .available).
    balances: Callable[[Any], Iterable[Any]]
    # A SKU's most recent ledger moves, newest first, at most `limit`.
    ledger: Callable[[Any, int], Iterable[Any]]
    # Products annotated with sku_count, price_min/max, on_hand, available and low; optionally one StockState.
    products_with_stock: Callable[[QuerySet, str | None], QuerySet]


_reader: StockReader | None = None


def set_reader(reader: StockReader) -> None:
    global _reader
    _reader = reader


def reader() -> StockReader:
    """The registered reader; the pages and the API need one (inventory is an installed app)."""
    if _reader is None:
        raise ImproperlyConfigured("No stock reader registered: install zhanggui.inventory (it registers one).")
    return _reader


def available_for(sku_ids: Iterable[int]) -> dict[int, int] | None:
    """Available units per SKU id over all warehouses, or None when no inventory app is installed (the listing
    rules then let a SKU go on sale without asking)."""
    if _reader is None:
        return None
    return _reader.available(list(sku_ids))
