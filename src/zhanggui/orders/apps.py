from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "zhanggui.orders"
    label = "orders"
    verbose_name = "订单 Orders"

    def ready(self) -> None:
        from zhanggui.core.audit import link_objects

        link_objects("orders.order", "orders:order-detail")
