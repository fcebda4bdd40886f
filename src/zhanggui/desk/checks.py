"""The checklist items the data can answer, each a function of (shop, now) → CheckResult with its evidence.

- orders_shipped: every order of the shop paid before yesterday's last wave cut-off has left (shipped or
  later), and no order still to ship is past its promise (`ship_by`, the shop's 发货时效). Cancelled orders and
  presale orders (held until their ship time) are not counted. The cut-off is the latest wave cut-off of any
  warehouse (orders.waves; 15:00 when none is set): what was paid before it could go in yesterday's last wave.
- cases_deadline: no active after-sales case of the shop has its deadline within 12 h from now, or past it
  (the platform refunds or agrees by itself at the deadline: "杜绝自动退款").
- shown_prices: each price written down as shown on a picture or page (ShownPrice, still up) equals what the
  pricing engine charges for one unit now (promotions.pricing.today: no member tier, no coupon), to the fen.
- ended_promotions: no promotion shown on a picture or page (still up) has ended or been cancelled.

Each result lists at most EVIDENCE_LIMIT findings (and says how many there were in all).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.aftersales import selectors as case_selectors
from zhanggui.aftersales.deadlines import AMBER
from zhanggui.catalog.models import Shop
from zhanggui.desk.models import CheckKey, ShownPrice
from zhanggui.orders.models import HoldKind, OrderStatus, WaveCutoff
from zhanggui.orders.pages import OPEN_STATUSES
from zhanggui.orders.waves import DEFAULT_CUTOFFS
from zhanggui.promotions.models import PromotionStatus
from zhanggui.promotions.pricing.today import prices_today

EVIDENCE_LIMIT = 20


@dataclass
class CheckResult:
    passed: bool
    summary: str
    evidence: list[dict[str, str]] = field(default_factory=list)


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%m-%d %H:%M") if moment else "—"


def _cut(found: list[dict[str, str]]) -> list[dict[str, str]]:
    return found[:EVIDENCE_LIMIT]


def yesterdays_cutoff(now: datetime) -> datetime:
    """Yesterday at the latest wave cut-off of any warehouse (15:00 when none is set), in the shop's time."""
    latest = WaveCutoff.objects.aggregate(latest=Max("time"))["latest"] or max(DEFAULT_CUTOFFS)
    yesterday = timezone.localdate(now) - timedelta(days=1)
    return timezone.make_aware(datetime.combine(yesterday, latest))


def orders_shipped(shop: Shop, now: datetime) -> CheckResult:
    from zhanggui.orders import selectors as order_selectors

    cutoff = yesterdays_cutoff(now)
    late = (
        order_selectors.orders(shop=shop, statuses=OPEN_STATUSES)
        .filter(Q(paid_at__lt=cutoff) | Q(ship_by__lt=now))
        .exclude(status=OrderStatus.ON_HOLD, hold_kind=HoldKind.PRESALE, hold_until__gt=now)
    )
    rows = list(late.values("pk", "platform_order_no", "paid_at", "ship_by", "status")[: EVIDENCE_LIMIT + 1])
    count = len(rows) if len(rows) <= EVIDENCE_LIMIT else late.count()
    evidence = [
        {
            "text": _("Order %(no)s paid %(paid)s, ship by %(ship_by)s, still %(status)s")
            % {
                "no": row["platform_order_no"],
                "paid": _local(row["paid_at"]),
                "ship_by": _local(row["ship_by"]),
                "status": OrderStatus(row["status"]).label,
            },
            "url": reverse("orders:order-detail", args=[row["pk"]]),
        }
        for row in rows
    ]
    if not count:
        return CheckResult(
            True,
            _("Everything paid before %(cutoff)s has shipped; nothing is past its promise.")
            % {"cutoff": _local(cutoff)},
        )
    return CheckResult(
        False,
        _("%(n)s orders paid before %(cutoff)s or past their promise have not shipped.")
        % {"n": count, "cutoff": _local(cutoff)},
        _cut(evidence),
    )


def cases_deadline(shop: Shop, now: datetime) -> CheckResult:
    near = case_selectors.cases(shop=shop, status=case_selectors.STATUS_ACTIVE, now=now).filter(
        deadline__isnull=False, deadline__lt=now + AMBER
    )
    rows = list(near[: EVIDENCE_LIMIT + 1])
    count = len(rows) if len(rows) <= EVIDENCE_LIMIT else near.count()
    if not count:
        return CheckResult(True, _("No after-sales case is within 12 h of its deadline."))
    evidence = [
        {
            "text": _("Case AS-%(pk)s (%(kind)s), order %(order)s: deadline %(deadline)s%(late)s")
            % {
                "pk": case.pk,
                "kind": case.get_kind_display(),
                "order": case.order.platform_order_no,
                "deadline": _local(case.deadline),
                "late": _(", already past") if case.deadline and case.deadline <= now else "",
            },
            "url": reverse("aftersales:case-detail", args=[case.pk]),
        }
        for case in rows
    ]
    return CheckResult(
        False,
        _("%(n)s after-sales cases are within 12 h of their deadline or past it.") % {"n": count},
        _cut(evidence),
    )


def _shown(shop: Shop) -> Any:
    return ShownPrice.objects.filter(shop=shop, taken_down_at__isnull=True)


def shown_prices(shop: Shop, now: datetime) -> CheckResult:
    shown = list(_shown(shop).filter(sku__isnull=False, price__isnull=False).select_related("sku__product"))
    if not shown:
        return CheckResult(True, _("No price shown on a picture is written down for this shop."))
    skus = {row.sku_id: row.sku for row in shown}
    pays = {today.sku.pk: today.pays for today in prices_today(list(skus.values()), shop=shop, at=now)}
    wrong = [row for row in shown if row.price != pays[row.sku_id]]
    if not wrong:
        return CheckResult(True, _("All %(n)s prices shown are what the engine charges now.") % {"n": len(shown)})
    evidence = [
        {
            "text": _("%(sku)s on the %(place)s shows ¥%(shown)s, a buyer pays ¥%(pays)s now")
            % {"sku": row.sku.code, "place": row.get_place_display(), "shown": row.price, "pays": pays[row.sku_id]},
            "url": reverse("catalog:sku-detail", args=[row.sku_id]),
        }
        for row in wrong
    ]
    return CheckResult(
        False,
        _("%(n)s of %(total)s prices shown differ from what the engine charges now.")
        % {"n": len(wrong), "total": len(shown)},
        _cut(evidence),
    )


def ended_promotions(shop: Shop, now: datetime) -> CheckResult:
    shown = list(_shown(shop).filter(promotion__isnull=False).select_related("promotion"))
    over = [row for row in shown if row.promotion.status_at(now) in (PromotionStatus.ENDED, PromotionStatus.CANCELLED)]
    if not over:
        return CheckResult(True, _("No ended promotion is shown (%(n)s shown).") % {"n": len(shown)})
    evidence = [
        {
            "text": _("%(promotion)s ended %(ended)s, still on the %(place)s")
            % {
                "promotion": row.promotion,
                "ended": _local(row.promotion.ends_at),
                "place": row.get_place_display(),
            },
            "url": reverse("promotions:promotion-detail", args=[row.promotion_id]),
        }
        for row in over
    ]
    return CheckResult(False, _("%(n)s ended promotions are still shown.") % {"n": len(over)}, _cut(evidence))


CHECKS: dict[str, Callable[[Shop, datetime], CheckResult]] = {
    CheckKey.ORDERS_SHIPPED: orders_shipped,
    CheckKey.CASES_DEADLINE: cases_deadline,
    CheckKey.SHOWN_PRICES: shown_prices,
    CheckKey.ENDED_PROMOTIONS: ended_promotions,
}
