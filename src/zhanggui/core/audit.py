"""The audit trail in words a person reads: "售价 ¥59.00 → ¥9.90", "上架状态 草稿 → 在售", linked to the object.

An AuditEntry keeps its before and after as field → value. Field names and choice values are read from the
model the entry names (its verbose names and choices, so both languages come for free), money fields are
written as ¥ amounts, and each app says once, in its AppConfig.ready, which page shows its objects
(`link_objects`), so core imports no domain app.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanggui.core.models import AuditEntry
from zhanggui.core.money import MoneyError, fmt_money

_LINKS: dict[str, str] = {}  # object type ("catalog.sku") → the URL name of its page, which takes its pk

# The verb of an action ("sku.price" → "price") in words; an unknown verb is shown as it is.
VERBS = {
    "create": gettext_lazy("created"),
    "update": gettext_lazy("changed"),
    "price": gettext_lazy("price changed"),
    "list": gettext_lazy("put on sale"),
    "delist": gettext_lazy("taken off sale"),
    "submit": gettext_lazy("submitted"),
    "approve": gettext_lazy("approved"),
    "reject": gettext_lazy("rejected"),
    "cancel": gettext_lazy("cancelled"),
    "close": gettext_lazy("closed"),
    "activate": gettext_lazy("switched on"),
    "deactivate": gettext_lazy("switched off"),
    "archive": gettext_lazy("archived"),
    "restore": gettext_lazy("restored"),
    "receive": gettext_lazy("received"),
    "book": gettext_lazy("booked"),
    "price_request": gettext_lazy("price change asked"),
    "price_rejected": gettext_lazy("price change rejected"),
    "price_superseded": gettext_lazy("price change replaced by a later one"),
    "image_add": gettext_lazy("image added"),
    "image_main": gettext_lazy("main image set"),
    "image_move": gettext_lazy("image moved"),
    "image_sku": gettext_lazy("image's SKU changed"),
    "image_delete": gettext_lazy("image deleted"),
    "agree": gettext_lazy("agreed"),
    "refund": gettext_lazy("refunded"),
    "assign": gettext_lazy("assigned"),
    "reopen": gettext_lazy("opened again"),
    "return_sent": gettext_lazy("return parcel recorded"),
    "replacement": gettext_lazy("replacement sent"),
    "offer": gettext_lazy("offered"),
}
MONEY_FIELDS = {"price", "cost", "unit_price", "unit_cost", "amount", "total", "price_asked", "price_before"}
LABELS = {"price_asked": gettext_lazy("price asked"), "price_before": gettext_lazy("price before")}
HIDDEN = {"price_change"}  # references kept for the record (the request's id), not for reading


def link_objects(object_type: str, url_name: str) -> None:
    """Say which page shows objects of this type (called from an app's ready())."""
    _LINKS[object_type] = url_name


@dataclass
class AuditLine:
    entry: AuditEntry
    what: str  # "SKU · price changed"
    changes: list[str] = field(default_factory=list)  # "售价 ¥59.00 → ¥9.90"
    url: str = ""
    below_cost: bool = False  # a price set under the cost (flagged in the list)


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return found if isinstance(found, models.Field) else None


def _money(value: Any) -> str:
    try:
        return fmt_money(Decimal(str(value)))
    except (InvalidOperation, ValueError, MoneyError):
        return str(value)


def _value(model_field: models.Field | None, name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if model_field is not None and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if name in MONEY_FIELDS or (isinstance(model_field, models.DecimalField) and model_field.decimal_places == 2):
        return _money(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _label(model: type[models.Model] | None, name: str) -> str:
    if name in LABELS:
        return str(LABELS[name])
    model_field = _field(model, name)
    if model_field is not None:
        return str(model_field.verbose_name)
    return name.replace("_", " ")


def describe(entry: AuditEntry) -> AuditLine:
    model = _model(entry.object_type)
    noun = str(model._meta.verbose_name) if model is not None else entry.object_type
    verb = entry.action.rsplit(".", 1)[-1]
    line = AuditLine(entry, f"{noun} · {VERBS.get(verb, verb)}")
    before, after = entry.before or {}, entry.after or {}
    for name in [*before, *(k for k in after if k not in before)]:
        if name in HIDDEN:
            continue
        model_field = _field(model, name)
        label = _label(model, name)
        if name in before and name in after:
            old, new = _value(model_field, name, before[name]), _value(model_field, name, after[name])
            if old != new:  # written for the record ("delist reason: — → —"), nothing a person needs to read
                line.changes.append(f"{label} {old} → {new}")
        elif name in after:
            line.changes.append(f"{label} {_value(model_field, name, after[name])}")
        else:
            line.changes.append(f"{label} {_value(model_field, name, before[name])} → —")
    cost = after.get("cost", before.get("cost"))
    if "price" in after and cost not in (None, ""):
        with suppress(InvalidOperation, ValueError):
            line.below_cost = Decimal(str(after["price"])) < Decimal(str(cost))
    url_name = _LINKS.get(entry.object_type)
    if url_name:
        try:
            line.url = reverse(url_name, args=[int(entry.object_id)])
        except (NoReverseMatch, ValueError):
            line.url = ""
    return line


def object_types() -> list[tuple[str, str]]:
    """The object types the trail holds, with their names, for the filter."""
    found = AuditEntry.objects.order_by().values_list("object_type", flat=True).distinct()
    named = []
    for object_type in found:
        model = _model(object_type)
        named.append((object_type, str(model._meta.verbose_name) if model is not None else object_type))
    return sorted(named, key=lambda t: t[1])
