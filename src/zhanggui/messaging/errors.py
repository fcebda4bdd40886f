"""Failures of the buyer messages a person can act on, each with a stable code (core.errors)."""

from zhanggui.core.errors import DomainError


class UnknownPlaceholder(DomainError):
    """A template names a placeholder that does not exist ({tracking} for {tracking_no})."""

    code = "unknown_placeholder"
    http_status = 422


class AlreadyOptedOut(DomainError):
    code = "already_opted_out"
    http_status = 409


class InvalidMessageState(DomainError):
    """The message's status does not allow the step (OutboxMessage.ALLOWED_TRANSITIONS)."""

    code = "invalid_state"
    http_status = 409
