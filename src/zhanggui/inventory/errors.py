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
