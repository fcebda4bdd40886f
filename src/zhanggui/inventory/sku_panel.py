"""The stock panel of the catalog's SKU page: the on-hand, reserved and available tiles, stock per warehouse,
the ledger, and the adjust and transfer forms (they post to inventory.views.sku_adjust / sku_transfer).

The catalog sits below inventory and may not import it, so inventory hands it this panel (catalog.panels)
when Django starts, and the catalog's figures of stock come through catalog.stock (READER).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zhanggui.catalog.models import Sku
from zhanggui.catalog.panels import Panel
from zhanggui.catalog.stock import StockReader
from zhanggui.inventory import selectors
from zhanggui.inventory.forms import AdjustForm, TransferForm


def panel_context(sku: Sku, forms: Mapping[str, Any]) -> dict[str, Any]:
    balances = list(selectors.balances_for(sku))
    # The warehouse that holds the SKU is the likely one to correct or move from.
    main_warehouse = max(balances, key=lambda b: b.on_hand).warehouse_id if balances else None
    return {
        "balances": balances,
        "on_hand": sum(b.on_hand for b in balances),
        "reserved": sum(b.reserved for b in balances),
        "available": sum(b.available for b in balances),  # none in a 次品仓
        "moves": selectors.ledger_for(sku),
        "adjust_form": forms.get("adjust_form") or AdjustForm(initial={"warehouse": main_warehouse}),
        "transfer_form": forms.get("transfer_form") or TransferForm(initial={"source": main_warehouse}),
    }


PANEL = Panel(
    key="stock",
    slots={
        "tiles": "inventory/_sku_stock_tiles.html",
        "main": "inventory/_sku_stock.html",
        "aside": "inventory/_sku_stock_forms.html",
    },
    context=panel_context,
)

READER = StockReader(
    available=selectors.available_by_sku,
    totals=selectors.stock_totals,
    balances=selectors.balances_for,
    ledger=lambda sku, limit: selectors.ledger_for(sku, limit=limit),
    products_with_stock=selectors.products_with_stock,
)
