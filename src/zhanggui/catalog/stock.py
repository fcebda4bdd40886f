"""How the catalog learns a SKU's available stock without importing the inventory app.

Inventory sits above the catalog (core ← catalog ← inventory); it registers its selector here when Django
starts, so listing rules in the catalog can ask for stock while the dependency keeps pointing one way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

AvailableProvider = Callable[[Iterable[int]], dict[int, int]]
_provider: AvailableProvider | None = None


def set_available_provider(provider: AvailableProvider) -> None:
    global _provider
    _provider = provider


def available_for(sku_ids: Iterable[int]) -> dict[int, int] | None:
    """Available units per SKU id over all warehouses, or None when no inventory app is installed."""
    if _provider is None:
        return None
    return _provider(list(sku_ids))
