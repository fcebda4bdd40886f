"""Errors of stored promotions: a stable code for machines, a translated message for people."""

from __future__ import annotations

from zhanggui.core.errors import DomainError
from zhanggui.promotions.common import CodeTaken


class PromotionCodeTaken(CodeTaken):
    """Another promotion of the same shop (or of every shop) already uses this code."""

    code = "promotion_code_taken"


class InvalidPromotionState(DomainError):
    """The promotion is not in a state that allows this step (see models.PROMOTION_TRANSITIONS)."""

    code = "invalid_promotion_state"
    http_status = 409


class PromotionStarted(DomainError):
    """An approved promotion that has begun keeps its prices and rules: buyers were already priced with them."""

    code = "promotion_started"
    http_status = 409


class SelfApprovalRefused(DomainError):
    """The person who created a deep discount cannot be the one who approves it (four eyes)."""

    code = "self_approval_refused"
    http_status = 403
