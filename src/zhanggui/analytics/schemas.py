"""Shapes of the analytics endpoints: the import report and the daily figures (conversion as a string)."""

from __future__ import annotations

from datetime import date

from ninja import Schema

from zhanggui.orders.schemas import RejectedRowOut  # one shape for every import's refused rows


class EventImportOut(Schema):
    shop: str
    files: list[str]
    rows: int
    events_added: int
    days: list[date]
    days_recomputed: list[date]
    rejected_rows: int
    rejected: list[RejectedRowOut]


class FiguresOut(Schema):
    pv: int
    favs: int
    carts: int
    buys: int
    uv: int
    buyers: int
    conversion: str  # paying buyers ÷ UV, 4 decimals rounded half up ("0.0123" is 1.23 %)


class SourceDayOut(FiguresOut):
    source: str


class DayOut(FiguresOut):
    day: date
    sources: list[SourceDayOut]


class DailyOut(Schema):
    shop: str
    days: list[DayOut]
