"""JSON shapes the promotion subjects' APIs share: a date-time in the desk's zone, an audit row.

A date-time sent without a UTC offset is read in the desk's time zone (settings.TIME_ZONE, Beijing time by
default), because that is how a shop team writes "20:00 tonight".
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator


def _aware(value: datetime) -> datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


LocalDatetime = Annotated[datetime, AfterValidator(_aware), Field(examples=["2026-06-18T20:00:00+08:00"])]


class AuditOut(Schema):
    at: datetime
    actor: str | None
    action: str
    before: dict[str, Any]
    after: dict[str, Any]
    note: str

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.username if obj.actor_id else None
