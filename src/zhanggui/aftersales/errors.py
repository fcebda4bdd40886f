"""Failures of the after-sales desk a person can act on, each with a stable code (core.errors)."""

from zhanggui.core.errors import DomainError


class InvalidCaseTransition(DomainError):
    """The case's status does not allow this step (AfterSaleCase.ALLOWED_TRANSITIONS)."""

    code = "invalid_case_transition"
    http_status = 409


class CaseRuleBroken(DomainError):
    """A step the case or its order forbids: no reason given, a line of another order, a quantity too big."""

    code = "case_rule_broken"
    http_status = 409


class OverRefund(DomainError):
    """A refund larger than what is left of a line: what was paid for it minus what earlier refunds took."""

    code = "over_refund"
    http_status = 409
