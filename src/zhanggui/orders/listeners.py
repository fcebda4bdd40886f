"""What the apps above the orders hear from them: functions registered from those apps' AppConfig.ready()
(messaging: the buyer's shipped notice and 签收提醒) and called after the step, so the orders import none of them
(ARCHITECTURE.md, "Which way imports point")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zhanggui.orders.models import Order

Listener = Callable[[Order], None]

_SHIPPED: list[Listener] = []
_DELIVERED: list[Listener] = []


def on_shipped(listener: Listener) -> Listener:
    """Call `listener(order)` after a parcel ships (the main order of a merged parcel: once a parcel)."""
    if listener not in _SHIPPED:
        _SHIPPED.append(listener)
    return listener


def on_delivered(listener: Listener) -> Listener:
    if listener not in _DELIVERED:
        _DELIVERED.append(listener)
    return listener


def shipped(order: Order) -> None:
    for listener in _SHIPPED:
        listener(order)


def delivered(order: Order) -> None:
    for listener in _DELIVERED:
        listener(order)


# An import that stored orders (members: the shop's buyers become members, their points and tiers follow).
_IMPORTED: list[Callable[[Any], None]] = []


def on_imported(listener: Callable[[Any], None]) -> Callable[[Any], None]:
    """Call `listener(shop)` after an orders import (not a dry run) created or updated orders of the shop."""
    if listener not in _IMPORTED:
        _IMPORTED.append(listener)
    return listener


def imported(shop: Any) -> None:
    for listener in _IMPORTED:
        listener(shop)
