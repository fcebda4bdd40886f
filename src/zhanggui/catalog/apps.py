from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "zhanggui.catalog"
    label = "catalog"
    verbose_name = "商品 Catalog"

    def ready(self) -> None:
        from zhanggui.core.audit import link_objects

        link_objects("catalog.product", "catalog:product-detail")
        link_objects("catalog.sku", "catalog:sku-detail")
