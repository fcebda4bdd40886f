from zhanggui.core.errors import DomainError


class InsufficientStock(DomainError):
    """Not enough available units; carries the SKU, what was wanted and what was available."""

    code = "insufficient_stock"
    http_status = 409

    def __init__(self, sku_code: str, wanted: int, available: int, message: str = "") -> None:
        super().__init__(
            message or f"Insufficient stock for {sku_code}: wanted {wanted}, available {available}",
            sku=sku_code,
            wanted=wanted,
            available=available,
        )
        self.sku_code, self.wanted, self.available = sku_code, wanted, available


class StockRuleBroken(DomainError):
    code = "stock_rule_broken"
    http_status = 409


class OverReceipt(DomainError):
    code = "over_receipt"
    http_status = 409


class InvalidState(DomainError):
    code = "invalid_state"
    http_status = 409


class ReservationNotFound(DomainError):
    code = "reservation_not_found"
    http_status = 404


class OutOfLimits(DomainError):
    """A quantity or an amount beyond the documented limits (inventory.limits, docs/inventory.md)."""

    code = "out_of_limits"
    http_status = 422


class WrongSign(DomainError):
    """A move whose sign does not fit its kind: a customer return that takes units out, a receipt of −1, ..."""

    code = "wrong_sign"
    http_status = 422


class InvalidReference(DomainError):
    """A reservation reference with characters a URL path cannot carry as they are (see inventory.limits)."""

    code = "invalid_reference"
    http_status = 422


class InvalidLocation(DomainError):
    """A bin location code a shelf label cannot carry (see inventory.limits.LOCATION_PATTERN)."""

    code = "invalid_location"
    http_status = 422
