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
        # A quote's buyer named by nick or member id is priced with the member's tier and lifetime spend.
        from zhanggui.members.pricing import lookup_buyer
        from zhanggui.promotions.pricing import buyers

        buyers.register_buyer_lookup(lookup_buyer)
