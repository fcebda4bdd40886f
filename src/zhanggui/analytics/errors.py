"""Failures of the analytics desk a person can act on, each with a stable code (core.errors)."""

from zhanggui.core.errors import DomainError


class EventsRejected(DomainError):
    """An event upload with refused rows: nothing was stored; `details` is the import report listing them."""

    code = "import_rejected"
    http_status = 422


class ReportsRejected(DomainError):
    """A traffic or ad report upload with refused rows: nothing was stored; `details` is the import report."""

    code = "import_rejected"
    http_status = 422
