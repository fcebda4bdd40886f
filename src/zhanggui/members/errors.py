"""Members' refusals, each with a stable code (core.errors)."""

from __future__ import annotations

from zhanggui.core.errors import DomainError


class NotEnoughPoints(DomainError):
    code = "not_enough_points"
    http_status = 409


class MergeRefused(DomainError):
    code = "merge_refused"
    http_status = 409
