"""The morning page of each role (docs/desk.md): what that person must look at first thing, read through the
selectors of the apps below.

- 店长 / 运营: yesterday's sales and month to date against the month's target (analytics.metrics), each shop's
  month, quarter and year against its yearly plan with the forecast for their ends (planning.progress), today's need
  (orders to ship today, overdue, held; after-sales cases due within 12 h), the checklist items still open today,
  each shop's diagnosis findings (as the worker ran it this morning), overdue tasks, the competitors' changes and
  our items' rank alerts (market).
- 客服: active after-sales cases by deadline, held orders waiting for the buyer's answer, open complaints, each
  agent's inquiry conversion on the latest reported day.
- 仓管: orders due today by wave, overdue orders, SKUs at or under safety stock, purchase orders to receive.
- 美工 / 文案: listed products whose title fails the title rules, listed products without an image, prices and
  promotions shown on pictures that the system's check found wrong this morning.
- Every role: its overdue tasks and today's checklist items given to it.

Each page reads a fixed number of queries, whatever the size of the shop (a test holds every page to 10).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone, translation

from zhanggui.aftersales import selectors as case_selectors
from zhanggui.aftersales.deadlines import AMBER
from zhanggui.aftersales.models import ACTIVE_STATUSES, AfterSaleCase, CaseKind
from zhanggui.analytics import metrics
from zhanggui.analytics.diagnosis import selectors as diagnosis
from zhanggui.analytics.diagnosis.rules import SERIOUS
from zhanggui.analytics.models import ServiceDay
from zhanggui.analytics.report_selectors import agent_totals
from zhanggui.catalog.models import ImageKind, ListingStatus, Product, ProductImage, Sku
from zhanggui.catalog.services import banned_words_for
from zhanggui.catalog.titles import check_title
from zhanggui.core import roles
from zhanggui.desk.models import CheckKey, ChecklistItem, DayCheck, Outcome
from zhanggui.desk.selectors import overdue_tasks
from zhanggui.inventory.models import PurchaseOrder, PurchaseStatus
from zhanggui.inventory.selectors import available_by_sku
from zhanggui.market import competitors as market_competitors
from zhanggui.market import ranks as market_ranks
from zhanggui.orders import selectors as order_selectors
from zhanggui.orders.models import HoldKind, Order, OrderStatus, WaveOrder
from zhanggui.orders.pages import DUE_OVERDUE, DUE_TODAY, desk_counts, due_filter
from zhanggui.planning import progress

LIMIT = 20
#: The diagnosis shown on the morning: runs kept in the last days, the first findings of each shop.
DIAGNOSIS_DAYS = 3
FINDINGS_SHOWN = 5
#: How far back the 客服 card looks for the latest day of customer-service reports.
INQUIRY_DAYS = 7
#: Held orders that wait for the buyer's answer: 客服 calls or messages them (no stock, a changed or unknown line,
#: a person's hold). Presale holds wait for their date, the review's holds for 运营.
WAITING_FOR_BUYER = (HoldKind.OUT_OF_STOCK, HoldKind.MANUAL, HoldKind.LINES_CHANGED, HoldKind.UNKNOWN_SKU)
#: The role whose morning each role sees (运营 shares the 店长's, 文案 the 美工's).
PAGE_OF = {
    roles.MANAGER: roles.MANAGER,
    roles.OPERATOR: roles.MANAGER,
    roles.SERVICE: roles.SERVICE,
    roles.WAREHOUSE: roles.WAREHOUSE,
    roles.DESIGNER: roles.DESIGNER,
    roles.COPYWRITER: roles.DESIGNER,
}


def role_items(role: str, day: date) -> list[dict[str, Any]]:
    """The checklist items given to a role that are not done today (every shop), with today's outcome."""
    today_row = DayCheck.objects.filter(item=OuterRef("pk"), day=day)
    rows = (
        ChecklistItem.objects.filter(is_active=True, role=role)
        .annotate(outcome=Subquery(today_row.values("outcome")[:1]), row_id=Subquery(today_row.values("pk")[:1]))
        .exclude(outcome=Outcome.DONE)
        .select_related("shop")
        .order_by("shop__code", "section", "position")
    )
    return [
        {"item": item, "outcome": item.outcome or Outcome.OPEN, "outcome_label": Outcome(item.outcome or "open").label}
        for item in rows[:LIMIT]
    ]


def open_items(day: date) -> list[ChecklistItem]:
    """Every shop's items in use not done today (the 店长's view)."""
    done = DayCheck.objects.filter(day=day, outcome=Outcome.DONE).values("item_id")
    return list(
        ChecklistItem.objects.filter(is_active=True)
        .exclude(pk__in=done)
        .select_related("shop")
        .order_by("shop__code", "section", "position")[:LIMIT]
    )


def mine(role: str, user: Any, now: datetime) -> dict[str, Any]:
    day = timezone.localdate(now)
    return {
        "role_items": role_items(role, day),
        "overdue": overdue_tasks(role=role, now=now) if user is None else overdue_tasks(user=user, now=now),
    }


# --------------------------------------------------------------------------------------------------------
# 店长 / 运营
# --------------------------------------------------------------------------------------------------------


def sales(now: datetime) -> dict[str, Any]:
    """Yesterday's and the month's figures per shop and in all, with the month's target (analytics.metrics).
    Both periods are read in one pass over the rows
    (metrics.load, then metrics.figures per shop: the same figures period_figures gives, without reading the
    rows again for each shop and period); the target is month_target for all shops together. The shops are
    "behind" when the month to date is under the target's share of the days gone (target × days to yesterday ÷
    days in the month)."""
    today = timezone.localdate(now)
    yesterday = today - timedelta(days=1)
    first = yesterday.replace(day=1)
    day_span, month_span = metrics.Span(yesterday, yesterday), metrics.Span(first, yesterday)
    raw = metrics.load(shop=None, spans=[day_span, month_span], refunds_and_ads=False)  # the card shows neither
    plans = progress.plan_months(yesterday.year)
    # Each shop's progress against its yearly plan (planning.progress): the year's GMV a row a day, not its lines.
    daily = progress.year_gmv(None, today) if plans else {}
    infos = sorted(raw.shops.values(), key=lambda info: info.shop.code)
    rows = []
    for info in infos:
        day = metrics.figures(raw, day_span, shop_ids=[info.shop.pk])
        months = plans.get(info.shop.pk)
        rows.append(
            {
                "shop": info.shop,
                "day": day,
                "month": metrics.figures(raw, month_span, shop_ids=[info.shop.pk]),
                "conversion_pct": percent(day.conversion, Decimal(1)),
                "plan": progress.from_daily(daily, info.shop.pk, months, today)[1:] if months else None,
            }
        )
    total_day = metrics.figures(raw, day_span)
    total_month = metrics.figures(raw, month_span)
    target = metrics.month_target(shop=None, month=first)
    return {
        "rows": rows,
        "yesterday": yesterday,
        "first": first,
        "total_day": total_day,
        "total_month": total_month,
        "target": target,
        "share_pct": percent(total_month.gmv, target),
        "behind": target is not None and total_month.gmv < target * yesterday.day / _days_in(first),
        "year": yesterday.year,
        "planned": any(row["plan"] for row in rows),
    }


def percent(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """part ÷ whole as a percentage to one decimal, half up (12.35 % → 12.4); None without a whole."""
    if part is None or not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _days_in(first: date) -> int:
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return (following - first).days


def need(now: datetime) -> dict[str, Any]:
    """Today's need: orders to ship today, overdue and held (orders' desk counts), after-sales cases overdue and
    due within 12 h, and the checklist items not done today."""
    cases = AfterSaleCase.objects.aggregate(
        overdue=Count("pk", filter=Q(status__in=ACTIVE_STATUSES, deadline__lte=now)),
        due=Count("pk", filter=Q(status__in=ACTIVE_STATUSES, deadline__gt=now, deadline__lt=now + AMBER)),
    )
    return {"orders": desk_counts(now), "cases": cases, "open_items": open_items(timezone.localdate(now))}


# --------------------------------------------------------------------------------------------------------
# 客服
# --------------------------------------------------------------------------------------------------------


def service(now: datetime) -> dict[str, Any]:
    active = case_selectors.cases(status=case_selectors.STATUS_ACTIVE, now=now)
    return {
        "cases": list(active.exclude(kind=CaseKind.COMPLAINT)[:LIMIT]),
        "complaints": list(active.filter(kind=CaseKind.COMPLAINT)[:LIMIT]),
        "held": list(
            order_selectors.orders(statuses=[OrderStatus.ON_HOLD]).filter(hold_kind__in=WAITING_FOR_BUYER)[:LIMIT]
        ),
    }


# --------------------------------------------------------------------------------------------------------
# 仓管
# --------------------------------------------------------------------------------------------------------


def due_by_wave(now: datetime) -> list[dict[str, Any]]:
    """Orders due today (and overdue ones) counted by the wave they are in; "" for those in no wave yet."""
    latest_wave = WaveOrder.objects.filter(order=OuterRef("pk")).order_by("-id").values("wave__number")[:1]
    rows = (
        Order.objects.filter(due_filter(DUE_TODAY, now) | due_filter(DUE_OVERDUE, now))
        .annotate(wave=Subquery(latest_wave))
        .values("wave")
        .annotate(n=Count("pk"), overdue=Count("pk", filter=Q(ship_by__lt=now)))
        .order_by("wave")
    )
    return [{"wave": row["wave"] or "", "n": row["n"], "overdue": row["overdue"]} for row in rows]


def low_stock() -> list[dict[str, Any]]:
    """SKUs at or under their safety stock (available, inventory's own figure), the emptiest first."""
    skus = list(Sku.objects.filter(safety_stock__gt=0).select_related("product"))
    available = available_by_sku([s.pk for s in skus])
    low = sorted(
        (s for s in skus if available[s.pk] <= s.safety_stock),
        key=lambda s: (available[s.pk] - s.safety_stock, s.code),
    )
    return [{"sku": s, "available": available[s.pk]} for s in low]


def warehouse(now: datetime) -> dict[str, Any]:
    low = low_stock()
    return {
        "waves": due_by_wave(now),
        "late": list(order_selectors.orders().filter(due_filter(DUE_OVERDUE, now))[:LIMIT]),
        "low": low[:LIMIT],
        "low_count": len(low),
        "purchase_orders": list(
            PurchaseOrder.objects.filter(status__in=[PurchaseStatus.ORDERED, PurchaseStatus.PARTIAL])
            .select_related("supplier", "warehouse")
            .order_by("expected_on", "pk")[:LIMIT]
        ),
    }


# --------------------------------------------------------------------------------------------------------
# 美工 / 文案
# --------------------------------------------------------------------------------------------------------


def listing(now: datetime) -> dict[str, Any]:
    listed = Product.objects.filter(listing_status=ListingStatus.LISTED).select_related("shop")
    products = list(
        listed.annotate(
            has_main=Exists(ProductImage.objects.filter(product=OuterRef("pk"), kind=ImageKind.MAIN))
        ).order_by("shop__code", "code")
    )
    banned = {channel: banned_words_for(channel) for channel in {p.shop.channel for p in products}}
    bad_titles = []
    for product in products:
        problems = check_title(product.title, product.shop.channel, banned[product.shop.channel])
        if problems:
            bad_titles.append({"product": product, "problems": [p.message for p in problems]})
    no_image = [p for p in products if not p.has_main and not p.main_image_url]
    shown = list(
        DayCheck.objects.filter(
            day=timezone.localdate(now),
            outcome=Outcome.PROBLEM,
            item__check_key__in=[CheckKey.SHOWN_PRICES, CheckKey.ENDED_PROMOTIONS],
        ).select_related("item__shop")
    )
    return {
        "bad_titles": bad_titles[:LIMIT],
        "bad_title_count": len(bad_titles),
        "no_image": no_image[:LIMIT],
        "no_image_count": len(no_image),
        "shown_problems": shown,
    }


# --------------------------------------------------------------------------------------------------------
# 店长 / 运营: the diagnosis; 客服: yesterday's inquiry conversion
# --------------------------------------------------------------------------------------------------------


def findings(now: datetime) -> dict[str, Any]:
    """Each shop's diagnosis as it last ran (the worker runs it each morning; opening the diagnosis page runs
    it again), read in one query."""
    today = timezone.localdate(now)
    language = translation.get_language() or ""
    by_shop = diagnosis.stored(since=today - timedelta(days=DIAGNOSIS_DAYS))
    return {
        "shops": [
            {
                "shop": shop,
                "day": rows[0].day,
                "serious": sum(1 for r in rows if r.severity == SERIOUS),
                "findings": [{"row": r, "text": r.text(language)} for r in rows[:FINDINGS_SHOWN]],
                "more": max(len(rows) - FINDINGS_SHOWN, 0),
            }
            for shop, rows in by_shop.items()
        ],
    }


def inquiries(now: datetime) -> dict[str, Any]:
    """Each agent's inquiry conversion on the latest day the customer-service reports have (yesterday once the
    morning's import is in), every shop: Σ inquired and paid ÷ Σ inquired (analytics.report_selectors)."""
    yesterday = timezone.localdate(now) - timedelta(days=1)
    rows = list(
        ServiceDay.objects.filter(day__gte=yesterday - timedelta(days=INQUIRY_DAYS), day__lte=yesterday)
        .select_related("shop")
        .order_by("-day", "shop__code", "agent")
    )
    day = rows[0].day if rows else None
    latest = [r for r in rows if r.day == day]
    shop_of = {r.agent: r.shop for r in latest}
    return {"day": day, "agents": [{"total": t, "shop": shop_of.get(t.agent)} for t in agent_totals(latest)]}


# --------------------------------------------------------------------------------------------------------
# 店长 / 运营: 竞品动态 (market, docs/market.md)
# --------------------------------------------------------------------------------------------------------


def competitors(now: datetime) -> dict[str, Any]:
    """The competitor digest of the latest day with snapshots and the rank alerts of our items on the latest
    day observed (market.competitors, market.ranks): two queries."""
    today = timezone.localdate(now)
    digest = market_competitors.latest_digest(today)
    alerts_day, alerts = market_ranks.latest_alerts(today)
    return {
        "digest": digest,
        "items": digest.items[:LIMIT],
        "more": max(len(digest.items) - LIMIT, 0),
        "alerts_day": alerts_day,
        "alerts": alerts[:LIMIT],
        "alerts_more": max(len(alerts) - LIMIT, 0),
    }


#: The cards of each role's morning (运营 shares the 店长's, 文案 the 美工's), each loaded on its own (htmx), so
#: no request reads more than 10 queries; "mine" (the role's overdue tasks and checklist items) comes with each.
CARDS_OF = {
    roles.MANAGER: ["sales", "need", "findings", "competitors"],
    roles.SERVICE: ["service", "inquiries"],
    roles.WAREHOUSE: ["warehouse"],
    roles.DESIGNER: ["listing"],
}
CARDS = {
    "sales": lambda now: {"sales": sales(now)},  # the card's template reads sales.rows, sales.target …
    "need": need,
    "findings": findings,
    "service": service,
    "inquiries": inquiries,
    "warehouse": warehouse,
    "listing": listing,
    "competitors": competitors,
}


def cards_for(role: str) -> list[str]:
    return [*CARDS_OF[PAGE_OF[role]], "mine"]


def card(name: str, *, role: str, user: Any, now: datetime) -> dict[str, Any]:
    """One card's figures; "mine" is the role's checklist items and overdue tasks (the user's own when the
    morning is theirs, user None when the 店长 looks at another role's)."""
    if name == "mine":
        return mine(role, user, now)
    return CARDS[name](now)
