from zhanggui.core.errors import DomainError


class TitleRejected(DomainError):
    code = "title_rejected"
    http_status = 422


class DuplicateCode(DomainError):
    code = "duplicate_code"
    http_status = 409


class InvalidPrice(DomainError):
    code = "invalid_price"
    http_status = 422


class ListingNotAllowed(DomainError):
    code = "listing_not_allowed"
    http_status = 409
