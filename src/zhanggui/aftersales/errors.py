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


class InvalidCompensationState(DomainError):
    """The compensation is no longer waiting: approved, rejected or cancelled already."""

    code = "invalid_compensation_state"
    http_status = 409


class SelfApprovalRefused(DomainError):
    """The person who offered a compensation cannot be the one who decides it (four eyes), even a manager."""

    code = "self_approval_refused"
    http_status = 403


class ReturnRefused(DomainError):
    """A return that cannot be received as asked: more units than the case still expects, nothing to receive, a
    case that expects no parcel, a line without a SKU."""

    code = "return_refused"
    http_status = 409
