"""审单: the automatic review, a chain of small rules each shop turns on or off (OrderSettings.check_*).

A rule looks at one paid order and gives a reason a person can read, or None. An order that trips any rule is
held at once with every reason it tripped (a line out of stock makes it an out-of-stock hold: 客服 contacts the
buyer); one that trips none passes to reviewed once it has waited the shop's `review_wait_minutes` since payment,
so a buyer's second order can still arrive and be merged with it.

The review acts as the `system` user. Its holds release to *reviewed*: the person who releases one has done the
review, and the sweep (which only looks at paid orders) does not hold it again.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.core.money import fmt_money
from zhanggui.core.services import system_user
from zhanggui.inventory import selectors as stock
from zhanggui.orders import selectors, services
from zhanggui.orders.models import HoldKind, Order, OrderLine, OrderSettings, OrderStatus

logger = logging.getLogger(__name__)

S = OrderStatus
#: Orders that can still be merged with another of the same buyer: not yet on a pick list.
MERGEABLE_STATUSES = (S.PAID, S.REVIEWED, S.ALLOCATED, S.ON_HOLD)
#: The address fields an order cannot be shipped without (district: not every city has one).
ADDRESS_FIELDS = ("receiver_name", "receiver_phone", "province", "city", "address")
MIN_PHONE_DIGITS = 7
NOTE_SHOWN = 40  # characters of a note quoted in the reason; the whole note is on the order
SWEEP_LIMIT = 500  # orders reviewed per sweep; the next sweep (a minute later) goes on with the rest

RuleCheck = Callable[[Order, Sequence[OrderLine], OrderSettings], "str | None"]


# --------------------------------------------------------------------------------------------------------
# The rules: (order, its lines, the shop's settings) → a reason or None
# --------------------------------------------------------------------------------------------------------


def incomplete_address(order: Order, lines: Sequence[OrderLine], settings: OrderSettings) -> str | None:
    missing = [name for name in ADDRESS_FIELDS if not getattr(order, name).strip()]
    digits = sum(ch.isdigit() for ch in order.receiver_phone)
    if "receiver_phone" not in missing and digits < MIN_PHONE_DIGITS:
        missing.append("receiver_phone")
    if not missing:
        return None
    fields = ", ".join(_field_label(name) for name in missing)
    return _("incomplete address: no %(fields)s") % {"fields": fields}


def _field_label(name: str) -> str:
    field = Order._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


def _quote(note: str) -> str:
    note = " ".join(note.split())
    return note if len(note) <= NOTE_SHOWN else note[: NOTE_SHOWN - 1] + "…"


def notes_present(order: Order, lines: Sequence[OrderLine], settings: OrderSettings) -> str | None:
    parts = []
    if order.buyer_note.strip():
        parts.append(_("buyer's note: %(note)s") % {"note": _quote(order.buyer_note)})
    if order.seller_note.strip():
        parts.append(_("seller's note: %(note)s") % {"note": _quote(order.seller_note)})
    return "; ".join(parts) or None


def above_amount_limit(order: Order, lines: Sequence[OrderLine], settings: OrderSettings) -> str | None:
    if order.paid_total <= settings.amount_limit:
        return None
    return _("paid %(paid)s, above the review limit of %(limit)s") % {
        "paid": fmt_money(order.paid_total),
        "limit": fmt_money(settings.amount_limit),
    }


def same_buyer_open(order: Order, lines: Sequence[OrderLine], settings: OrderSettings) -> str | None:
    """The buyer's nick names the buyer; without one (some platforms mask it), the receiver's name and phone.
    A part of an order (拆单, 补发/换货) never merges, so it neither trips the rule nor counts for another order."""
    if order.split_from_id is not None:
        return None
    if order.buyer_nick:
        buyer = Q(buyer_nick=order.buyer_nick)
    elif order.receiver_name and order.receiver_phone:
        buyer = Q(receiver_name=order.receiver_name, receiver_phone=order.receiver_phone)
    else:
        return None
    others = list(
        Order.objects.filter(
            buyer, shop_id=order.shop_id, platform=order.platform, status__in=MERGEABLE_STATUSES, split_from=None
        )
        .exclude(pk=order.pk)
        .exclude(merged_into_id=order.pk)
        .exclude(pk=order.merged_into_id or 0)
        .order_by("id")
        .values_list("platform_order_no", flat=True)[:3]
    )
    if not others:
        return None
    return _("merge suggested: order %(orders)s of the same buyer is open") % {"orders": ", ".join(others)}


def out_of_stock(order: Order, lines: Sequence[OrderLine], settings: OrderSettings) -> str | None:
    """Lines whose SKU has fewer units available (on hand − reserved, every warehouse) than the order wants.
    Lines without a SKU are the import's unknown-SKU hold, not this rule's."""
    if order.stock_reserved:
        return None
    wanted: dict[int, int] = defaultdict(int)
    codes: dict[int, str] = {}
    for line in lines:
        if line.sku_id is not None:
            wanted[line.sku_id] += line.quantity
            codes[line.sku_id] = line.sku_code
    available = stock.available_by_sku(wanted)
    short = [
        _("SKU %(sku)s: %(wanted)s wanted, %(available)s available")
        % {"sku": codes[sku_id], "wanted": quantity, "available": max(available[sku_id], 0)}
        for sku_id, quantity in sorted(wanted.items(), key=lambda item: codes[item[0]])
        if available[sku_id] < quantity
    ]
    if not short:
        return None
    return _("out of stock: %(lines)s; contact the buyer") % {"lines": ", ".join(short)}


@dataclass(frozen=True)
class Rule:
    code: str
    setting: str  # the OrderSettings switch that turns it on
    check: RuleCheck
    hold_kind: str = HoldKind.REVIEW


#: The chain, in the order its reasons are written. Out of stock comes first: it is the one 客服 acts on.
RULES: tuple[Rule, ...] = (
    Rule("stock", "check_stock", out_of_stock, HoldKind.OUT_OF_STOCK),
    Rule("address", "check_address", incomplete_address),
    Rule("notes", "check_notes", notes_present),
    Rule("amount", "check_amount", above_amount_limit),
    Rule("duplicates", "check_duplicates", same_buyer_open),
)


def findings(order: Order, lines: Sequence[OrderLine], settings: OrderSettings) -> list[tuple[Rule, str]]:
    """Every rule the shop has on that the order trips, with its reason."""
    found = []
    for rule in RULES:
        if getattr(settings, rule.setting):
            reason = rule.check(order, lines, settings)
            if reason:
                found.append((rule, reason))
    return found


# --------------------------------------------------------------------------------------------------------
# Reviewing one order, and the sweep
# --------------------------------------------------------------------------------------------------------

HELD, PASSED, WAITING, SKIPPED = "held", "passed", "waiting", "skipped"


@dataclass(frozen=True)
class Outcome:
    result: str  # held, passed, waiting (trips nothing, wait not over), skipped (not paid: nothing to review)
    reason: str = ""


def waited_since(order: Order) -> datetime:
    """Payment time; an order without one (a platform that does not say) counts from its import."""
    return order.paid_at or order.imported_at


def review_order(order_id: int, *, now: datetime | None = None) -> Outcome:
    """Run the shop's chain over one paid order: hold it with the reasons it trips, or pass it to reviewed when it
    trips nothing and its wait is over. Anything but a paid order is left as it is (a person got there first)."""
    now = now or timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("shop").filter(pk=order_id).first()
        if order is None or order.status != S.PAID:
            return Outcome(SKIPPED)
        settings = selectors.settings_for(order.shop)
        until = presale_until(order, settings)
        if until is not None and until > now:
            return _hold_presale(order, until)
        lines = services.fulfilment_lines(order)
        found = findings(order, lines, settings)
        if found:
            return _hold(order, found)
        wait = timedelta(minutes=settings.review_wait_minutes)
        if waited_since(order) + wait > now:
            return Outcome(WAITING)
        services.review(actor=system_user(), order=order, reason=_("passed the automatic review"))
        return Outcome(PASSED)


def _hold(order: Order, found: list[tuple[Rule, str]]) -> Outcome:
    kinds = {rule.hold_kind for rule, _reason in found}
    kind = HoldKind.OUT_OF_STOCK if HoldKind.OUT_OF_STOCK in kinds else HoldKind.REVIEW
    reason = "; ".join(reason for _rule, reason in found)
    event = services.put_on_hold(order, kind, reason, actor=system_user(), release_to=S.REVIEWED)
    services.save_changes(order, [event])
    return Outcome(HELD, order.hold_reason)


def presale_until(order: Order, settings: OrderSettings) -> datetime | None:
    """预售: the platform's ship time lies beyond the shop's promise from payment. The order waits until the
    promise window before that ship time opens (ship_by − promise hours), then is reviewed like any other."""
    if order.ship_by is None or order.paid_at is None or order.hold_until is not None:
        return None  # hold_until set: held for its presale once already (released by a person or by time)
    promise = services.promise_deadline(order.paid_at, settings)
    if promise is None or order.ship_by <= promise:
        return None
    return order.ship_by - (promise - order.paid_at)


def _hold_presale(order: Order, until: datetime) -> Outcome:
    reason = _("presale: ships by %(ship_by)s; reviewed from %(until)s") % {
        "ship_by": timezone.localtime(order.ship_by).strftime("%Y-%m-%d %H:%M") if order.ship_by else "",
        "until": timezone.localtime(until).strftime("%Y-%m-%d %H:%M"),
    }
    event = services.put_on_hold(order, HoldKind.PRESALE, reason, actor=system_user(), release_to=S.PAID)
    order.hold_until = until
    services.save_changes(order, [event])
    return Outcome(HELD, order.hold_reason)


def release_presales(*, now: datetime, limit: int = SWEEP_LIMIT) -> int:
    """Presale orders whose time has come go back to paid, to be reviewed by this sweep or the next."""
    due = list(
        Order.objects.filter(status=S.ON_HOLD, hold_kind=HoldKind.PRESALE, hold_until__lte=now)
        .order_by("hold_until", "id")
        .values_list("pk", flat=True)[:limit]
    )
    released = 0
    for order_id in due:
        try:
            services.release_hold(
                actor=system_user(), order=Order(pk=order_id), reason=_("presale: its ship time is near")
            )
        except Exception:
            logger.exception("releasing presale order %s failed", order_id)
        else:
            released += 1
    return released


def due_for_review(*, now: datetime, limit: int = SWEEP_LIMIT) -> list[int]:
    """Paid orders whose shop's wait is over, the longest waiting first."""
    shop_ids = list(Order.objects.filter(status=S.PAID).order_by().values_list("shop_id", flat=True).distinct())
    if not shop_ids:
        return []
    default_wait: Any = OrderSettings._meta.get_field("review_wait_minutes").default
    waits = dict(OrderSettings.objects.filter(shop_id__in=shop_ids).values_list("shop_id", "review_wait_minutes"))
    due = Q()
    for shop_id in shop_ids:
        due |= Q(shop_id=shop_id, since__lte=now - timedelta(minutes=waits.get(shop_id, default_wait)))
    return list(
        Order.objects.filter(status=S.PAID)
        .annotate(since=Coalesce("paid_at", "imported_at"))
        .filter(due)
        .order_by("since", "id")
        .values_list("pk", flat=True)[:limit]
    )


def sweep(*, now: datetime | None = None, limit: int = SWEEP_LIMIT) -> dict[str, int]:
    """Review every paid order past its wait, each in its own transaction: one that fails is logged and left
    for the next sweep, the others go on. Returns how many ended how."""
    now = now or timezone.now()
    counts = dict.fromkeys((HELD, PASSED, WAITING, SKIPPED, "failed"), 0)
    counts["presale_released"] = release_presales(now=now, limit=limit)
    for order_id in due_for_review(now=now, limit=limit):
        try:
            outcome = review_order(order_id, now=now)
        except Exception:
            logger.exception("automatic review of order %s failed", order_id)
            counts["failed"] += 1
        else:
            counts[outcome.result] += 1
    return counts
