"""Shapes of the traffic and ads endpoints. The stored rows' shapes are made from their models, so a figure added
to a model is in the API: counts are integers, money and rates strings ("12345.60"; a rate is a fraction,
"0.034500" is 3.45 %), every figure null when the report did not give it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models
from ninja import Schema
from pydantic import create_model

from zhanggui.analytics.models import AdDay, ItemDayTraffic, ServiceDay, ShopDayTraffic, SourceDayTraffic
from zhanggui.analytics.schemas import RejectedRowOut

_SKIPPED = ("id", "shop")


def _out_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.name not in _SKIPPED]


def _schema(name: str, model: type[models.Model]) -> type[Schema]:
    fields: dict[str, Any] = {}
    for f in _out_fields(model):
        if isinstance(f, models.ForeignKey):
            fields[f.attname] = (int | None, None)
        elif isinstance(f, models.DateField):
            fields[f.name] = (date, ...)
        elif isinstance(f, models.DecimalField):
            fields[f.name] = (str | None, None)
        elif isinstance(f, models.PositiveBigIntegerField):
            fields[f.name] = (int | None, None)
        else:
            fields[f.name] = (str, ...)
    return create_model(name, __base__=Schema, **fields)


def row_out(row: models.Model) -> dict[str, Any]:
    """A stored row as its schema gives it: Decimals as strings, None kept."""
    out: dict[str, Any] = {}
    for f in _out_fields(type(row)):
        value = getattr(row, f.attname)
        out[f.attname] = str(value) if isinstance(value, Decimal) else value
    return out


ShopTrafficDayOut = _schema("ShopTrafficDayOut", ShopDayTraffic)
ItemTrafficDayOut = _schema("ItemTrafficDayOut", ItemDayTraffic)
SourceTrafficDayOut = _schema("SourceTrafficDayOut", SourceDayTraffic)
AdDayOut = _schema("AdDayOut", AdDay)
ServiceDayOut = _schema("ServiceDayOut", ServiceDay)


class ReportFileOut(Schema):
    file: str
    kind: str
    label: str
    rows: int
    days: list[date]


class ReportImportOut(Schema):
    shop: str
    files: list[ReportFileOut]
    rows: int
    days: list[date]
    days_replaced: list[date]
    rows_written: int
    items_unmatched: int
    rejected_rows: int
    rejected: list[RejectedRowOut]


class TrafficDailyOut(Schema):
    shop: str
    days: list[ShopTrafficDayOut]  # type: ignore[valid-type]
    sources: list[SourceTrafficDayOut]  # type: ignore[valid-type]


class ItemDailyOut(Schema):
    shop: str
    items: list[ItemTrafficDayOut]  # type: ignore[valid-type]


class AdTotalOut(Schema):
    day: date
    channel: str
    rows: int
    impressions: int | None
    clicks: int | None
    cost: str | None
    orders: int | None
    gmv: str | None
    roi: str | None  # attributed GMV ÷ cost, 2 decimals half up; null without cost


class AdDailyOut(Schema):
    shop: str
    totals: list[AdTotalOut]
    rows: list[AdDayOut]  # type: ignore[valid-type]


class AgentTotalOut(Schema):
    agent: str  # "" for the shop's total
    days: int
    consulted: int
    received: int
    inquired: int
    inquiry_paid: int
    inquiry_conversion: str | None  # a fraction to 4 decimals; null when nobody inquired
    sales: str
    first_response: str | None  # seconds, weighted by people received
    avg_response: str | None


class ServiceDailyOut(Schema):
    shop: str
    days: list[ServiceDayOut]  # type: ignore[valid-type]
    agents: list[AgentTotalOut]
