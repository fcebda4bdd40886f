"""Errors of flash sales: a stable code for machines, a translated message for people.

The three refusals of a flash-sale purchase (closed, sold out, buyer limit) are conflicts with the sale as
it is now, so they answer 409 like `insufficient_stock`, which the same purchase can also raise.
"""

from __future__ import annotations

from zhanggui.core.errors import DomainError


class InvalidFlashSale(DomainError):
    """The flash sale as asked for cannot be created (price, caps or window)."""

    code = "invalid_flash_sale"
    http_status = 422


class FlashSaleClosed(DomainError):
    """The sale is not running at that moment: not started, ended, or switched off."""

    code = "flash_sale_closed"
    http_status = 409


class FlashSaleSoldOut(DomainError):
    """Fewer units are left under the sale's stock cap than were asked for."""

    code = "flash_sale_sold_out"
    http_status = 409

    def __init__(self, message: str, *, wanted: int, left: int) -> None:
        super().__init__(message, wanted=wanted, left=left)
        self.wanted, self.left = wanted, left


class BuyerLimitReached(DomainError):
    """The buyer would go over the per-buyer cap (限购)."""

    code = "buyer_limit_reached"
    http_status = 409

    def __init__(self, message: str, *, wanted: int, bought: int, cap: int) -> None:
        super().__init__(message, wanted=wanted, bought=bought, cap=cap)
        self.wanted, self.bought, self.cap = wanted, bought, cap


class FlashPurchaseNotHeld(DomainError):
    """Only a held purchase can be released or issued; this one already was."""

    code = "flash_purchase_not_held"
    http_status = 409
