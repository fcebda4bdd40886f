"""The header's approvals badge: for a person who may approve something, how many items wait (one COUNT a kind
they decide on); nothing at all for anyone else, so their pages cost no query more."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from zhanggui.approvals import selectors


@dataclass(frozen=True)
class Badge:
    count: int
    url: str


def approvals(request: Any) -> dict[str, Badge | None]:
    user = getattr(request, "user", None)
    count = selectors.pending_count(user) if user is not None and user.is_authenticated else None
    return {"approvals_badge": Badge(count, reverse("approvals:list")) if count is not None else None}
