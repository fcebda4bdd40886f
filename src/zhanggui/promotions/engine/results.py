"""What a quote returns: priced lines with each discount's share, gifts, near misses, notes (as_dict: JSON)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from zhanggui.promotions.spec import COUPON, ITEM, SHOP, yuan

# ------------------------------------------------------------------------------------------------------------
# Results
# ------------------------------------------------------------------------------------------------------------


@dataclass(slots=True, init=False)
class Share:
    promotion: str
    kind: str
    layer: str
    amount: int  # fen

    # Its own __init__: the dataclass's would run as plain Python even when compiled (ADR 0005).
    def __init__(self, promotion: str, kind: str, layer: str, amount: int) -> None:
        self.promotion = promotion
        self.kind = kind
        self.layer = layer
        self.amount = amount

    def as_dict(self) -> dict[str, Any]:
        return {"promotion": self.promotion, "kind": self.kind, "layer": self.layer, "amount": yuan(self.amount)}


@dataclass(slots=True, init=False)
class PricedLine:
    sku: str
    quantity: int
    list_unit_price: int
    unit_prices: list[tuple[int, int]]  # (price after the item layer, units)
    shares: list[Share]

    # Its own __init__: the dataclass's would run as plain Python even when compiled (ADR 0005).
    def __init__(
        self,
        sku: str,
        quantity: int,
        list_unit_price: int,
        unit_prices: list[tuple[int, int]],
        shares: list[Share] | None = None,
    ) -> None:
        self.sku = sku
        self.quantity = quantity
        self.list_unit_price = list_unit_price
        self.unit_prices = unit_prices
        self.shares = [] if shares is None else shares

    @property
    def list_amount(self) -> int:
        return self.list_unit_price * self.quantity

    @property
    def discount(self) -> int:
        return sum(s.amount for s in self.shares)

    @property
    def paid(self) -> int:
        """What the buyer pays for this line; a refund of the whole line returns exactly this."""
        return self.list_amount - self.discount

    def as_dict(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "quantity": self.quantity,
            "list_unit_price": yuan(self.list_unit_price),
            "unit_prices": [{"price": yuan(p), "units": n} for p, n in self.unit_prices],
            "list_amount": yuan(self.list_amount),
            "discounts": [s.as_dict() for s in self.shares],
            "discount": yuan(self.discount),
            "paid": yuan(self.paid),
        }


@dataclass(slots=True, init=False)
class Gift:
    promotion: str
    sku: str
    quantity: int

    # Its own __init__: the dataclass's would run as plain Python even when compiled (ADR 0005).
    def __init__(self, promotion: str, sku: str, quantity: int) -> None:
        self.promotion = promotion
        self.sku = sku
        self.quantity = quantity

    def as_dict(self) -> dict[str, Any]:
        return {"promotion": self.promotion, "sku": self.sku, "quantity": self.quantity}


@dataclass(slots=True, init=False)
class NearMiss:
    """A promotion the cart almost reached: spend `missing` more (or add `missing_items`) to get `benefit`."""

    promotion: str
    kind: str
    missing: int  # fen, 0 when the condition counts items
    missing_items: int
    benefit: str
    message: str

    # Its own __init__: the dataclass's would run as plain Python even when compiled (ADR 0005).
    def __init__(self, promotion: str, kind: str, missing: int, missing_items: int, benefit: str, message: str) -> None:
        self.promotion = promotion
        self.kind = kind
        self.missing = missing
        self.missing_items = missing_items
        self.benefit = benefit
        self.message = message

    def as_dict(self) -> dict[str, Any]:
        return {
            "promotion": self.promotion,
            "kind": self.kind,
            "missing": yuan(self.missing),
            "missing_items": self.missing_items,
            "benefit": self.benefit,
            "message": self.message,
        }


@dataclass
class Quote:
    lines: list[PricedLine]
    gifts: list[Gift]
    applied: dict[str, int]  # promotion id → total discount, fen
    near_misses: list[NearMiss]
    notes: list[str]
    stacking: str = "platform"  # the policy that priced it (spec.STACKING)

    def _layer_total(self, layer: str) -> int:
        return sum(s.amount for line in self.lines for s in line.shares if s.layer == layer)

    @property
    def list_total(self) -> int:
        return sum(line.list_amount for line in self.lines)

    @property
    def discount_total(self) -> int:
        return sum(line.discount for line in self.lines)

    @property
    def payable(self) -> int:
        return self.list_total - self.discount_total

    def as_dict(self) -> dict[str, Any]:
        return {
            "stacking": self.stacking,
            "lines": [line.as_dict() for line in self.lines],
            "gifts": [g.as_dict() for g in self.gifts],
            "applied": [{"promotion": pid, "discount": yuan(amount)} for pid, amount in self.applied.items()],
            "totals": {
                "list": yuan(self.list_total),
                "item_discount": yuan(self._layer_total(ITEM)),
                "shop_discount": yuan(self._layer_total(SHOP)),
                "coupon_discount": yuan(self._layer_total(COUPON)),
                "discount": yuan(self.discount_total),
                "payable": yuan(self.payable),
            },
            "near_misses": [n.as_dict() for n in self.near_misses],
            "notes": self.notes,
        }


def as_decimal(amount_fen: int) -> Decimal:
    return Decimal(amount_fen) / 100
