"""A template's text with its placeholders filled from an order: `{order_no}` → T1001.

Placeholders are the names in PLACEHOLDERS between braces, nothing more: no attribute access or format specs
(str.format would let a template reach `{order_no.__class__}`), so text typed by a person can only name these
values. A pair of braces around any other name is refused (a typo would otherwise reach the buyer as
`{tracking}`); a lone brace is kept as written.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: Each placeholder and what it holds, in the order the template editor lists them.
PLACEHOLDERS: dict[str, Any] = {
    "buyer": gettext_lazy("the buyer's nick on the platform"),
    "order_no": gettext_lazy("the platform's order number"),
    "carrier": gettext_lazy("the carrier"),
    "tracking_no": gettext_lazy("the tracking number"),
    "receiver": gettext_lazy("the receiver's name"),
    "shop": gettext_lazy("the shop's name"),
}
#: What a preview shows when the shop has no order yet.
EXAMPLE_VALUES = {
    "buyer": "tb_lily",
    "order_no": "1234567890123456",
    "carrier": "顺丰速运",
    "tracking_no": "SF1234567890",
    "receiver": "李丽",
    "shop": "旗舰店",
}
_TOKEN = re.compile(r"\{([^{}]*)\}")


def unknown_placeholders(body: str) -> list[str]:
    """The brace pairs of `body` that name no placeholder, as written ("{tracking}"), each once."""
    return list(dict.fromkeys(m.group(0) for m in _TOKEN.finditer(body) if m.group(1) not in PLACEHOLDERS))


def unknown_placeholder_error(body: str) -> str:
    """The form error for a text naming unknown placeholders, or "" when every one is known."""
    unknown = unknown_placeholders(body)
    if not unknown:
        return ""
    return _("Unknown placeholder %(unknown)s: use %(known)s.") % {
        "unknown": ", ".join(unknown),
        "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
    }


def render(body: str, values: dict[str, str]) -> str:
    """Fill the placeholders in one pass (a value holding braces is not read again)."""
    return _TOKEN.sub(lambda m: values.get(m.group(1), m.group(0)), body)


def order_values(order: Any) -> dict[str, str]:
    """The placeholders' values for one order (orders.models.Order, its shop loaded)."""
    return {
        "buyer": order.buyer_nick,
        "order_no": order.platform_order_no,
        "carrier": order.carrier,
        "tracking_no": order.tracking_no,
        "receiver": order.receiver_name,
        "shop": order.shop.name,
    }
