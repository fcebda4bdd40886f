"""Members' refusals, each with a stable code (core.errors)."""

from __future__ import annotations

from zhanggui.core.errors import DomainError


class NotEnoughPoints(DomainError):
    code = "not_enough_points"
    http_status = 409


class MergeRefused(DomainError):
    code = "merge_refused"
    http_status = 409


class RedemptionRefused(DomainError):
    """Out of stock, past the per-member limit, or the item is not on sale."""

    code = "redemption_refused"
    http_status = 409
