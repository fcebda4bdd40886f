from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "zhanggui.inventory"
    label = "inventory"
    verbose_name = "库存 Inventory"

    def ready(self) -> None:
        from zhanggui.catalog import stock
        from zhanggui.core.audit import link_objects
        from zhanggui.inventory.selectors import available_by_sku

        stock.set_available_provider(available_by_sku)
        link_objects("inventory.purchaseorder", "inventory:purchase-detail")
        link_objects("inventory.stocktake", "inventory:stocktake-detail")
