from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "zhanggui.inventory"
    label = "inventory"
    verbose_name = "库存 Inventory"

    def ready(self) -> None:
        from zhanggui.catalog import panels, stock
        from zhanggui.core.audit import link_objects
        from zhanggui.inventory import sku_panel

        # The catalog sits below inventory: it reads stock and shows the SKU page's stock panel through these.
        stock.set_reader(sku_panel.READER)
        panels.register("sku", sku_panel.PANEL)
        link_objects("inventory.purchaseorder", "inventory:purchase-detail")
        link_objects("inventory.stocktake", "inventory:stocktake-detail")
