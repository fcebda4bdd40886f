from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "zhanggui.orders"
    label = "orders"
    verbose_name = "订单 Orders"

    def ready(self) -> None:
        from zhanggui.core.audit import link_objects
        from zhanggui.orders.carts import register

        link_objects("orders.order", "orders:order-detail")
        register()  # the last N days of a shop's orders as the what-if report's carts (promotions cannot import us)
