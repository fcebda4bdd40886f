from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "zhanggui.members"
    label = "members"
    verbose_name = "会员 Members"

    def ready(self) -> None:
        from zhanggui.members import hooks
        from zhanggui.orders import listeners

        # The orders import tells us which shop changed; the orders never import members (ARCHITECTURE.md).
        listeners.on_imported(hooks.orders_imported)
