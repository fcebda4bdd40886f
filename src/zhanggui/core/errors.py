"""Domain errors: each failure a person can act on has a stable machine code and a human message.

Edges translate them: views into form errors/messages, the API into a 4xx JSON body
`{"code": ..., "message": ...}`, the CLI into a message and a non-zero exit code.
"""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    code: ClassVar[str] = "domain_error"  # ClassVar: a subclass compiled by mypyc keeps its own (ADR 0005)
    http_status: ClassVar[int] = 400

    def __init__(self, message: str = "", **details: object) -> None:
        super().__init__(message or self.code)
        self.message = message or self.code
        self.details = details

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            **({"details": self.details} if self.details else {}),
        }


class PermissionDeniedError(DomainError):
    code = "permission_denied"
    http_status = 403


class NotFoundError(DomainError):
    code = "not_found"
    http_status = 404


class ValidationFailed(DomainError):
    code = "validation_failed"
    http_status = 422
