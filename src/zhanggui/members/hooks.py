"""What the members hear from the apps below: an orders import (orders.listeners.on_imported)."""

from __future__ import annotations

from django.db import transaction

from zhanggui.catalog.models import Shop

_SHOP = "members_sync_shop"  # the attribute that marks our pending callback with its shop


def orders_imported(shop: Shop) -> None:
    """After an import that stored orders, once it has committed: the worker makes the shop's buyers members
    (points and tiers follow), so a big import does not wait for it (members.tasks.sync_shop_members).

    One sync a shop per transaction: a sync reads all the shop's orders, so a transaction that imports many files
    (the demo's story imports 140) needs one, not one a file. A callback already waiting for this shop's commit is
    found in the connection's list (Django drops it there when its savepoint rolls back, so nothing goes stale)."""
    from zhanggui.members.tasks import sync_shop_members

    shop_id = shop.pk
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        getattr(func, _SHOP, None) == shop_id for _sids, func, *_rest in connection.run_on_commit
    ):
        return

    def sync() -> None:
        sync_shop_members.enqueue(shop_id)

    setattr(sync, _SHOP, shop_id)
    transaction.on_commit(sync)
