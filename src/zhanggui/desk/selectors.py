"""What the desk's front page shows, read from the apps below it (catalog and inventory)."""

from __future__ import annotations

from typing import Any

from zhanggui.catalog.models import DelistReason, ListingStatus, Product, Sku
from zhanggui.inventory.models import PurchaseOrder, PurchaseStatus, Stocktake, StocktakeStatus
from zhanggui.inventory.selectors import safety_stock_alerts


def today() -> dict[str, Any]:
    """Today's stock worries at a glance: the tiles' figures, the first alerts, deliveries and open counts."""
    alerts = safety_stock_alerts()
    open_orders = PurchaseOrder.objects.filter(status__in=[PurchaseStatus.ORDERED, PurchaseStatus.PARTIAL])
    return {
        "products_listed": Product.objects.filter(listing_status=ListingStatus.LISTED).count(),
        "products_total": Product.objects.count(),
        "skus_total": Sku.objects.count(),
        "skus_out_of_stock": Sku.objects.filter(delist_reason=DelistReason.OUT_OF_STOCK).count(),
        "alerts": alerts[:10],
        "alert_count": len(alerts),
        "open_purchase_orders": open_orders.count(),
        "purchase_orders": open_orders.select_related("supplier", "warehouse").order_by("expected_on", "pk")[:5],
        "stocktakes": Stocktake.objects.filter(status=StocktakeStatus.OPEN).select_related("warehouse")[:5],
    }
