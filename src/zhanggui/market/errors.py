from zhanggui.core.errors import DomainError


class KeywordsRejected(DomainError):
    """An import with refused rows: nothing was stored; the report is in the details."""

    code = "import_rejected"
    http_status = 422


class TitleNotSaved(DomainError):
    """A new title the studio refuses (banned words, too long, unchanged)."""

    code = "title_rejected"
    http_status = 422


class NoFeasibleTitle(DomainError):
    """The required words alone are longer than the platform's limit."""

    code = "no_feasible_title"
    http_status = 422


class ObservationRejected(DomainError):
    """A rank typed by hand that cannot be stored (no keyword, a position of 0, an unknown device)."""

    code = "observation_rejected"
    http_status = 422


class CompetitorRejected(DomainError):
    """A competitor shop or item already watched."""

    code = "competitor_rejected"
    http_status = 422
