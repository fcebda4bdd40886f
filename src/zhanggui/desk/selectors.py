"""What the desk's pages show: the stock front panel, a day's checklist and an item's history, the task lists."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet

from zhanggui.catalog.models import DelistReason, ListingStatus, Product, Shop, Sku
from zhanggui.core import roles
from zhanggui.desk.models import ChecklistItem, DayCheck, Outcome, Section, Task, TaskStatus
from zhanggui.inventory.models import PurchaseOrder, PurchaseStatus, Stocktake, StocktakeStatus
from zhanggui.inventory.selectors import safety_stock_alerts


def user_roles(user: Any) -> list[str]:
    """core.roles.roles_of, read once a request: kept on the user object the request carries."""
    found = getattr(user, "_desk_roles", None)
    if found is None:
        found = roles.roles_of(user)
        if getattr(user, "is_authenticated", False):
            user._desk_roles = found
    return found


def today() -> dict[str, Any]:
    """Today's stock worries at a glance: the tiles' figures, the first alerts, deliveries and open counts."""
    alerts = safety_stock_alerts()
    open_orders = PurchaseOrder.objects.filter(status__in=[PurchaseStatus.ORDERED, PurchaseStatus.PARTIAL])
    return {
        "products_listed": Product.objects.filter(listing_status=ListingStatus.LISTED).count(),
        "products_total": Product.objects.count(),
        "skus_total": Sku.objects.count(),
        "skus_out_of_stock": Sku.objects.filter(delist_reason=DelistReason.OUT_OF_STOCK).count(),
        "alerts": alerts[:10],
        "alert_count": len(alerts),
        "open_purchase_orders": open_orders.count(),
        "purchase_orders": open_orders.select_related("supplier", "warehouse").order_by("expected_on", "pk")[:5],
        "stocktakes": Stocktake.objects.filter(status=StocktakeStatus.OPEN).select_related("warehouse")[:5],
    }


# --------------------------------------------------------------------------------------------------------
# The checklist
# --------------------------------------------------------------------------------------------------------


def shops() -> list[Shop]:
    return list(Shop.objects.order_by("code"))


def shop_for(code: str | None, choices: list[Shop]) -> Shop | None:
    """The shop a page is about: the one asked for by code, else the first."""
    return next((s for s in choices if s.code == code), choices[0] if choices else None)


def sheet(*, shop: Shop, day: date) -> dict[str, list[DayCheck]]:
    """The day's rows by section (template order), with their item, checker and follow-up person."""
    rows = (
        DayCheck.objects.filter(item__shop=shop, day=day)
        .select_related("item", "checker", "follow_up")
        .prefetch_related(Prefetch("tasks", queryset=Task.objects.filter(status=TaskStatus.OPEN)))
        .order_by("item__section", "item__position", "item_id")
    )
    found: dict[str, list[DayCheck]] = {section: [] for section in Section.values}
    for row in rows:
        found[row.item.section].append(row)
    return found


def sheet_counts(rows: dict[str, list[DayCheck]]) -> dict[str, int]:
    flat = [row for section in rows.values() for row in section]
    return {
        "total": len(flat),
        "done": sum(row.outcome == Outcome.DONE for row in flat),
        "problem": sum(row.outcome == Outcome.PROBLEM for row in flat),
        "open": sum(row.outcome in (Outcome.OPEN, Outcome.NOT_DONE) for row in flat),
    }


def day_counts(*, shop: Shop, day: date) -> dict[str, int]:
    """sheet_counts in one query, for the counts a tick refreshes."""
    found = DayCheck.objects.filter(item__shop=shop, day=day).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(outcome=Outcome.DONE)),
        problem=Count("pk", filter=Q(outcome=Outcome.PROBLEM)),
        open=Count("pk", filter=Q(outcome__in=[Outcome.OPEN, Outcome.NOT_DONE])),
    )
    return {key: found[key] or 0 for key in ("total", "done", "problem", "open")}


def needs_system_run(rows: dict[str, list[DayCheck]]) -> bool:
    """True when an automatic item of the sheet has not been answered yet today."""
    return any(row.item.check_key and row.checked_at is None for section in rows.values() for row in section)


def day_check(pk: int) -> DayCheck:
    return DayCheck.objects.select_related("item__shop", "checker", "follow_up").get(pk=pk)


def item_history(item_id: int, *, days: int = 60) -> list[DayCheck]:
    """An item's past days, the newest first, each with its item and shop."""
    return list(
        DayCheck.objects.filter(item_id=item_id)
        .select_related("item__shop", "checker", "follow_up")
        .order_by("-day")[:days]
    )


def template_items(shop_code: str) -> tuple[Shop, dict[str, list[ChecklistItem]]] | None:
    """A shop's items in use by section, with the shop (one query); None when the shop has none in use (or the
    code is empty: then the first shop's, if it has any)."""
    rows = ChecklistItem.objects.filter(is_active=True).select_related("shop").order_by("section", "position", "id")
    rows = rows.filter(shop__code=shop_code) if shop_code else rows.filter(shop=Shop.objects.order_by("code")[:1])
    found: dict[str, list[ChecklistItem]] = {section: [] for section in Section.values}
    shop = None
    for item in rows:
        shop = item.shop
        found[item.section].append(item)
    return (shop, found) if shop is not None else None


def people() -> QuerySet[Any]:
    """Everyone who can be a checker, a follow-up person or an assignee: active users with a role."""
    return get_user_model().objects.filter(is_active=True, groups__name__in=roles.ROLES).distinct().order_by("username")


# --------------------------------------------------------------------------------------------------------
# Tasks
# --------------------------------------------------------------------------------------------------------

MINE, ROLE, ALL = "mine", "role", "all"


def tasks_for(user: Any, *, scope: str = MINE, status: str = TaskStatus.OPEN) -> QuerySet[Task]:
    """Mine (given to me, or to one of my roles), my roles' only, or all (the 店长)."""
    rows = Task.objects.select_related("shop", "assignee", "checker", "day_check__item")
    if status:
        rows = rows.filter(status=status)
    my_roles = user_roles(user)
    if scope == ROLE:
        return rows.filter(role__in=my_roles)
    if scope == ALL:
        return rows
    return rows.filter(Q(assignee=user) | Q(role__in=my_roles, assignee__isnull=True))


def overdue_tasks(*, user: Any = None, role: str = "", now: datetime) -> list[Task]:
    """Open tasks past their due time: a user's (theirs and their roles'), or one role's."""
    rows = Task.objects.select_related("assignee", "shop").filter(
        status=TaskStatus.OPEN, due_at__isnull=False, due_at__lt=now
    )
    if user is not None:
        rows = rows.filter(Q(assignee=user) | Q(role__in=user_roles(user), assignee__isnull=True))
    else:
        rows = rows.filter(role=role)
    return list(rows.order_by("due_at", "id")[:20])


# --------------------------------------------------------------------------------------------------------
# The month's checklist completion, for planning's monthly review (registered in desk.apps)
# --------------------------------------------------------------------------------------------------------


def month_completion(shop: Shop, first: date, last: date) -> Any:
    """Items done ÷ items due over first..last: a row is due per item and day the sheet was opened; None when no
    sheet was opened in the period (nothing to say). Returns planning.review.Completion."""
    from zhanggui.planning.review import Completion

    found = DayCheck.objects.filter(item__shop=shop, day__gte=first, day__lte=last).aggregate(
        due=Count("pk"),
        done=Count("pk", filter=Q(outcome=Outcome.DONE)),
        problems=Count("pk", filter=Q(outcome=Outcome.PROBLEM)),
        days=Count("day", distinct=True),
    )
    if not found["due"]:
        return None
    return Completion(done=found["done"], due=found["due"], problems=found["problems"], days=found["days"])
