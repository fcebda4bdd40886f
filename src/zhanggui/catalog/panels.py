"""Pieces of the catalog's pages that a higher app provides (the SKU page's stock tiles, ledger and forms).

The catalog may not import the apps above it (core ← catalog ← inventory …), yet its SKU page shows the stock
that inventory keeps and books. So the page has slots and an app above registers a panel for a slot when
Django starts (its AppConfig.ready): the panel names its template and builds its own context. The catalog
renders whatever is registered and knows nothing of stock; the panel's forms post to the app's own views.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# (the page's object, the bound forms a refused post hands back) → the panel's context
PanelContext = Callable[[Any, Mapping[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Panel:
    key: str  # unique per page: registering the same key again replaces the panel
    slots: Mapping[str, str]  # slot of the page → template that fills it
    context: PanelContext


_panels: dict[str, dict[str, Panel]] = defaultdict(dict)


def register(page: str, panel: Panel) -> None:
    _panels[page][panel.key] = panel


def context_for(page: str, obj: Any, forms: Mapping[str, Any]) -> dict[str, Any]:
    """The context of every panel registered for the page, plus `panels`: slot → templates, in the order
    the panels were registered. A refused post's bound forms are passed on, so the panel shows its errors."""
    context: dict[str, Any] = {}
    slots: dict[str, list[str]] = defaultdict(list)
    for panel in _panels[page].values():
        context.update(panel.context(obj, forms))
        for slot, template in panel.slots.items():
            slots[slot].append(template)
    context["panels"] = dict(slots)
    return context
