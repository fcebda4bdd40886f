from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "zhanggui.messaging"
    label = "messaging"
    verbose_name = "买家消息 Buyer messages"

    def ready(self) -> None:
        from zhanggui.messaging import (
            checks,  # noqa: F401  (registers the sender's check)
            hooks,
        )
        from zhanggui.orders import listeners

        listeners.on_shipped(hooks.order_shipped)
        listeners.on_delivered(hooks.order_delivered)
