"""Helpers the promotion subjects share (stored promotions, flash sales, official campaigns): one copy each.

Domain code only: no form, no API shape (the shared ones are in promotions.forms and promotions.schemas).
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from zhanggui.core.errors import DomainError

if TYPE_CHECKING:
    from zhanggui.catalog.models import Shop

Row = TypeVar("Row", bound=models.Model)


class CodeTaken(DomainError):
    """Another row already uses this code where codes must be unique (each subject says where, and its code)."""

    code = "code_taken"
    http_status = 409


def local_time(value: datetime) -> str:
    """A moment as a message shows it: in the desk's time zone, to the minute ("2026-11-11 20:00")."""
    return date_format(timezone.localtime(value), "Y-m-d H:i")


def locked(row: Row, *, related: tuple[str, ...] = ("shop",)) -> Row:
    """The row again, locked until commit (only its own table's row), with `related` loaded: two people
    editing, approving or archiving at once do not both win."""
    manager = type(row)._default_manager
    return manager.select_for_update(of=("self",)).select_related(*related).get(pk=row.pk)


def check_code_free(
    model: type[models.Model],
    *,
    code: str,
    shop: Shop | None,
    with_every_shop: bool,
    taken: Callable[[], CodeTaken],
) -> None:
    """Raise `taken()` when a row of `model` already has `code` where it must be unique.

    Without `with_every_shop`: among the rows of `shop`. With it: also among the rows of every shop (shop
    null), which a shop sees together with its own; `shop=None` then means anywhere.
    """
    rows = model._default_manager.filter(code=code)
    if shop is not None:
        rows = rows.filter(Q(shop=shop) | Q(shop__isnull=True) if with_every_shop else Q(shop=shop))
    elif not with_every_shop:
        rows = rows.filter(shop__isnull=True)
    if rows.exists():
        raise taken()


def keep_code(data: MutableMapping[str, Any], code: str | None, refuse: Callable[[str], Exception]) -> None:
    """A stored row's spec keeps the row's code as its `id`: the spec may repeat it or leave it out, never
    change it (`refuse(given)` is raised then). `code=None` (a new row): the spec's id stands."""
    if code is None:
        return
    given = str(data.get("id") or "").strip()
    if given and given != code:
        raise refuse(given)
    data["id"] = code
