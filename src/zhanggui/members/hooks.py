"""What the members hear from the apps below: an orders import (orders.listeners.on_imported)."""

from __future__ import annotations

from django.db import transaction

from zhanggui.catalog.models import Shop


def orders_imported(shop: Shop) -> None:
    """After an import that stored orders, once it has committed: the worker makes the shop's buyers members
    (points and tiers follow), so a big import does not wait for it (members.tasks.sync_shop_members)."""
    from zhanggui.members.tasks import sync_shop_members

    shop_id = shop.pk
    transaction.on_commit(lambda: sync_shop_members.enqueue(shop_id))
