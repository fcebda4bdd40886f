"""Activity calendar endpoints: platform events and the shop's own activities of a year (docs/planning.md).

Reading is open to every role; adding, changing and deleting need the 店长's right (planning.services.EDIT_PLANS,
checked by planning.calendar). Shops are named by their codes; money is a string ("50000.00")."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from zhanggui.catalog.api import ERRORS, get_or_404
from zhanggui.catalog.models import Shop
from zhanggui.catalog.schemas import InputSchema, MoneyIn
from zhanggui.core import roles
from zhanggui.planning import calendar, services
from zhanggui.planning.models import PlanActivity

router = Router(tags=["planning"])


class ActivityOut(Schema):
    id: int
    shop: str
    year: int
    name: str
    kind: str
    starts_on: date
    ends_on: date
    gmv_target: str | None
    promotion_id: int | None
    note: str
    status: str = Field(description="upcoming, running (the result counts the days to yesterday) or done")
    first_counted: date | None
    last_counted: date | None
    gmv: str | None
    before: str | None = Field(description="GMV of the same number of days just before the days counted")
    reached: str | None = Field(description="gmv ÷ target, a fraction (0.8500 is 85 %)")
    uplift: str | None = Field(description="gmv ÷ before − 1, a fraction")


class YearIn(InputSchema):
    shop: str = Field(description="Shop code")
    year: int = Field(ge=2000, le=2100)


class ActivityIn(InputSchema):
    shop: str = Field(description="Shop code")
    year: int = Field(ge=2000, le=2100)
    name: str = Field("", max_length=128, description="Empty with a promotion: the promotion's name")
    starts_on: date | None = Field(None, description="Empty with a promotion: the promotion's first day")
    ends_on: date | None = Field(None, description="Empty with a promotion: the promotion's last day")
    gmv_target: MoneyIn | None = None
    promotion_id: int | None = Field(None, ge=1, le=2**63 - 1)
    note: str = Field("", max_length=255)


class ActivityPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=128)
    starts_on: date | None = None
    ends_on: date | None = None
    gmv_target: MoneyIn | None = None
    promotion_id: int | None = Field(None, ge=1, le=2**63 - 1)
    note: str | None = Field(None, max_length=255)


def _s(value: Any) -> str | None:
    return None if value is None else str(value)


def _out(result: calendar.Result) -> dict[str, Any]:
    a = result.activity
    return {
        "id": a.pk,
        "shop": a.shop.code,
        "year": a.year,
        "name": a.name,
        "kind": a.kind,
        "starts_on": a.starts_on,
        "ends_on": a.ends_on,
        "gmv_target": _s(a.gmv_target),
        "promotion_id": a.promotion_id,
        "note": a.note,
        "status": result.status,
        "first_counted": result.span.first if result.span else None,
        "last_counted": result.span.last if result.span else None,
        "gmv": _s(result.gmv),
        "before": _s(result.before),
        "reached": _s(result.reached),
        "uplift": _s(result.uplift),
    }


def _shop(code: str) -> Shop:
    return get_or_404(Shop.objects.all(), _("Shop"), code=code)


def _one(activity: PlanActivity) -> dict[str, Any]:
    found = calendar.results(shop=activity.shop, year=activity.year, today=timezone.localdate())
    return _out(next(r for r in found if r.activity.pk == activity.pk))


def _activity(activity_id: int) -> PlanActivity:
    return get_or_404(PlanActivity.objects.select_related("shop"), _("Activity"), pk=activity_id)


@router.get("", response={200: list[ActivityOut], **ERRORS})
def list_activities(
    request,
    shop: str = Query(..., description="Shop code"),
    year: int = Query(..., ge=2000, le=2100),
):
    """The year's platform events and own activities, each with its result once it has run: the GMV paid over
    its days up to yesterday, against its target and against the same number of days just before it."""
    found = _shop(shop)
    return [_out(r) for r in calendar.results(shop=found, year=year, today=timezone.localdate())]


@router.post("/platform-events", response={200: list[ActivityOut], **ERRORS})
def seed_platform_events(request, payload: YearIn):
    """Add the year's platform events (年货节, 38 女王节, 618, 99, 双11, 双12) at their usual dates; those the shop
    has already are left as they are. Returns the events added (none when seeded before)."""
    roles.require(request.auth, services.EDIT_PLANS)
    shop = _shop(payload.shop)
    added = {a.pk for a in calendar.seed_platform_events(actor=request.auth, shop=shop, year=payload.year)}
    found = calendar.results(shop=shop, year=payload.year, today=timezone.localdate())
    return [_out(r) for r in found if r.activity.pk in added]


@router.post("", response={201: ActivityOut, **ERRORS})
def add_activity(request, payload: ActivityIn):
    """Add the shop's own activity, typed or linked to a stored promotion of the shop (whose name and days fill
    what is left empty)."""
    roles.require(request.auth, services.EDIT_PLANS)
    shop = _shop(payload.shop)
    activity = calendar.add_activity(
        actor=request.auth,
        shop=shop,
        year=payload.year,
        name=payload.name,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        gmv_target=payload.gmv_target,  # type: ignore[arg-type]
        promotion=payload.promotion_id,
        note=payload.note,
    )
    return 201, _one(activity)


@router.patch("/{activity_id}", response={200: ActivityOut, **ERRORS})
def change_activity(request, activity_id: int, payload: ActivityPatch):
    """Change the fields sent (a platform event: its dates, target and note)."""
    roles.require(request.auth, services.EDIT_PLANS)
    activity = _activity(activity_id)
    changes = {name: getattr(payload, name) for name in payload.model_fields_set}
    if "promotion_id" in changes:
        changes["promotion"] = changes.pop("promotion_id")
    calendar.update_activity(actor=request.auth, activity=activity, **changes)
    return _one(activity)


@router.delete("/{activity_id}", response={204: None, **ERRORS})
def delete_activity(request, activity_id: int):
    roles.require(request.auth, services.EDIT_PLANS)
    calendar.delete_activity(actor=request.auth, activity=_activity(activity_id))
    return 204, None
