"""Failures of the order desk a person can act on, each with a stable code (core.errors)."""

from zhanggui.core.errors import DomainError


class InvalidTransition(DomainError):
    """The order's status does not allow this step (Order.ALLOWED_TRANSITIONS), or the step has its own service."""

    code = "invalid_transition"
    http_status = 409


class OrderRuleBroken(DomainError):
    """A step the order's content forbids: a line whose 商家编码 is not in the catalog, a missing tracking number."""

    code = "order_rule_broken"
    http_status = 409


class ImportRejected(DomainError):
    """An upload with refused rows: nothing was stored; `details` is the import report listing them."""

    code = "import_rejected"
    http_status = 422
