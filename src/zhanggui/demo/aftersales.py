"""The demo's after-sales: a mix of cases over the history, answered as a service team would, and a few today
near their deadline.

Why it is built this way:
- Every case goes through aftersales.services as the 客服 who would handle it, so timelines, audit rows and
  the refund caps are the real ones. The services stamp the current time; `_Backdate` remembers, step by step,
  which simulated moment each real moment stands for and at the end moves every timestamp the steps wrote
  back to its moment (demo data only, as demo.generator does for the stock history).
- About one paid order in thirty gets a case, in the proportions a clothing and home-textile shop sees (most
  are refunds and returns; exchanges, reissues, price differences, complaints and lost parcels are rarer).
- Today some cases are still open, with their deadlines 1–30 hours away and one overdue, so the board and the
  queue show amber, red and overdue badges.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import F
from django.utils import timezone

from zhanggui.aftersales import services as cases
from zhanggui.aftersales.claims import services as claims
from zhanggui.aftersales.compensation import services as compensation
from zhanggui.aftersales.deadlines import ANSWER_SITUATION, apply_deadline
from zhanggui.aftersales.models import (
    AfterSaleCase,
    CarrierClaim,
    CaseKind,
    CaseReason,
    ClaimStatus,
    CompensationStatus,
    DeadlineRule,
    OfferKind,
    Responsibility,
    ReturnGrade,
)
from zhanggui.aftersales.replacements import services as replacements
from zhanggui.aftersales.returns import services as returns
from zhanggui.core import roles
from zhanggui.core.errors import DomainError
from zhanggui.inventory.models import StockMove
from zhanggui.orders import services as order_services
from zhanggui.orders.models import Order, OrderStatus

K, R = CaseKind, CaseReason
#: One paid order in this many opens a case (over the history).
ORDERS_PER_CASE = 30
#: (kind, weight, reasons to draw from)
MIX: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    (K.REFUND_UNSHIPPED, 16, (R.CHANGED_MIND, R.LATE, R.OTHER)),
    (K.REFUND_SHIPPED, 12, (R.QUALITY, R.NOT_AS_DESCRIBED, R.LOST)),
    (K.RETURN_REFUND, 40, (R.SIZE, R.SIZE, R.CHANGED_MIND, R.QUALITY, R.NOT_AS_DESCRIBED, R.WRONG_ITEM)),
    (K.EXCHANGE, 10, (R.SIZE, R.SIZE, R.WRONG_ITEM)),
    (K.REISSUE, 5, (R.WRONG_ITEM, R.QUALITY)),
    (K.PRICE_DIFFERENCE, 8, (R.OTHER,)),
    (K.COMPLAINT, 5, (R.LATE, R.QUALITY, R.NOT_AS_DESCRIBED)),
    (K.PARCEL_CLAIM, 4, (R.LOST,)),
)
RESPONSIBLE = {
    R.SIZE: Responsibility.BUYER,
    R.CHANGED_MIND: Responsibility.BUYER,
    R.QUALITY: Responsibility.SUPPLIER,
    R.WRONG_ITEM: Responsibility.US,
    R.NOT_AS_DESCRIBED: Responsibility.US,
    R.LATE: Responsibility.US,
    R.LOST: Responsibility.CARRIER,
    R.OTHER: "",
}
WORDS = {
    R.SIZE: ("尺码偏小，想换大一码", "穿着偏大", "床品尺寸和床不合适"),
    R.QUALITY: ("洗了一次就起球", "有线头，做工一般", "有色差还掉色"),
    R.WRONG_ITEM: ("发错颜色了", "收到的不是我买的款"),
    R.NOT_AS_DESCRIBED: ("和图片不一样", "面料不是描述的纯棉"),
    R.LATE: ("说好48小时发货，三天了还没发", "物流太慢"),
    R.LOST: ("物流一直不更新，包裹丢了", "收到时外箱破损"),
    R.CHANGED_MIND: ("不想要了", "拍多了", "七天无理由退货"),
    R.OTHER: ("买贵了，活动降价了，申请补差价", "重复下单"),
}
#: Shipped statuses: a case about goods the buyer has (or should have) received.
SENT = (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)
#: Returns graded defective (次品): the rest go back on sale.
DEFECTIVE_SHARE = 0.15
#: (carrier, tracking prefix) for return parcels and replacement shipments.
RETURN_CARRIERS = (("中通快递", "ZT"), ("圆通速递", "YT"), ("韵达快递", "YD"), ("顺丰速运", "SF"))
#: Coupons within 客服's limit; cash back above it (the manager approves).
COUPONS = ("5.00", "10.00", "15.00")
CASH_BACK = ("30.00", "50.00")
#: Today's open cases: hours left before their deadline (negative: overdue).
TODAY_HOURS_LEFT = (-3, 1.5, 5, 9, 20, 30)


HISTORY_AGE_DAYS = 12  # a history case's order was paid at least this long ago (create_demo_cases)


class _Backdate:
    """Maps the real moments of the steps to simulated ones and, at the end, moves the timestamps the steps
    wrote back in time. Only rows created by the steps, and the orders they touched, are moved."""

    APPS = ("aftersales", "orders", "inventory", "core", "messaging")

    def __init__(self) -> None:
        self.models = [
            (model, [f.attname for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)])
            for label in self.APPS
            for model in apps.get_app_config(label).get_models()
        ]
        self.models = [(model, fields) for model, fields in self.models if fields]
        self.last = {
            model: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0 for model, _ in self.models
        }
        self.end = timezone.now()
        self.latest = self.end - timedelta(minutes=1)
        self.real: list[datetime] = []
        self.shift: list[timedelta] = []
        self.orders: set[int] = set()

    def step(self, moment: datetime, do: Callable[[], Any]) -> Any:
        """Run one service call that, in the story, happens at `moment` (never later than the story's start: a
        step the story dates after now, a parcel sent an hour after a late answer, happens now)."""
        moment = min(moment, self.latest)
        real = timezone.now()
        if self.real and real <= self.real[-1]:
            real = self.real[-1] + timedelta(microseconds=1)
        self.real.append(real)
        self.shift.append(real - moment)
        return do()

    def _back(self, value: datetime | None) -> datetime | None:
        """A moment stamped during the steps, moved to its simulated moment; others (older rows, deadlines
        counted forward from a step) as they are: `fix_deadlines` recounts those."""
        if value is None or not self.real or not self.real[0] <= value <= self.end:
            return value
        return value - self.shift[bisect_right(self.real, value) - 1]

    def finish(self) -> None:
        self.end = timezone.now()
        for model, fields in self.models:
            rows = model.objects.filter(pk__gt=self.last[model])
            if model is Order:
                rows = Order.objects.filter(models.Q(pk__gt=self.last[model]) | models.Q(pk__in=self.orders))
            changed = []
            for row in rows.only("pk", *fields):
                moved = False
                for name in fields:
                    value = getattr(row, name)
                    back = self._back(value)
                    if back != value:
                        setattr(row, name, back)
                        moved = True
                if moved:
                    changed.append(row)
            if changed:
                model.objects.bulk_update(changed, fields, batch_size=500)
            if model is StockMove and changed:
                _rerun_balances(
                    {
                        (move.sku_id, move.warehouse_id)
                        for move in StockMove.objects.filter(pk__in=[row.pk for row in changed])
                    }
                )


def _rerun_balances(pairs: set[tuple[int, int]]) -> None:
    """A return or a reissue booked after the story but dated inside it: each move's balance after it is counted
    again in the order of the (simulated) times, so the ledger reads as it would have (demo data only)."""
    for sku_id, warehouse_id in pairs:
        running, changed = 0, []
        for move in StockMove.objects.filter(sku_id=sku_id, warehouse_id=warehouse_id).order_by("created_at", "pk"):
            running += move.quantity
            if move.on_hand_after != running:
                move.on_hand_after = running
                changed.append(move)
        StockMove.objects.bulk_update(changed, ["on_hand_after"], batch_size=500)


@dataclass
class _Team:
    service: list[Any]
    warehouse: Any
    manager: Any


def create_demo_cases(*, people: dict[str, Any], extra_service: list[Any], shops: Any, seed: int, now: datetime) -> int:
    """Cases over the history and today; returns how many were opened."""
    rng = random.Random(f"zhanggui-demo-aftersales-{seed}")
    team = _Team(
        service=[people[roles.SERVICE], *extra_service],
        warehouse=people[roles.WAREHOUSE],
        manager=people[roles.MANAGER],
    )
    clock = _Backdate()
    orders = list(
        Order.objects.filter(shop__in=shops, paid_at__isnull=False, split_from__isnull=True)
        .exclude(status=OrderStatus.UNPAID)
        .select_related("shop")
        .prefetch_related("lines")
        .order_by("paid_at", "pk")
    )
    opened = 0
    # A case of the history runs its whole course before today: opened up to 4 days after shipping, answered,
    # sent back, received and refunded over up to 8 more (_story's steps), so its order was paid 12 days ago.
    history = [o for o in orders if o.paid_at < now - timedelta(days=HISTORY_AGE_DAYS)]
    kinds = [kind for kind, _w, _r in MIX]
    weights = [weight for _k, weight, _r in MIX]
    reasons = {kind: reasons for kind, _w, reasons in MIX}
    for order in history:
        if rng.randrange(ORDERS_PER_CASE):
            continue
        kind = _fitting(rng.choices(kinds, weights)[0], order)
        if kind is None:
            continue
        _story(clock, team, rng, order, kind, rng.choice(reasons[kind]))
        clock.orders.add(order.pk)
        opened += 1
    opened += _today(clock, team, rng, orders, now)
    clock.finish()
    _recount_deadlines(shops)
    return opened


def _recount_deadlines(shops: Any) -> None:
    """Deadlines counted forward from a step's real moment, counted again from the simulated one."""
    window = timedelta(days=claims.window_days())
    CarrierClaim.objects.filter(order__shop__in=shops).update(deadline=F("filed_at") + window)
    for case in AfterSaleCase.objects.filter(shop__in=shops).select_related("shop"):
        before = (case.deadline, case.deadline_source, case.deadline_rule_id)
        apply_deadline(case)
        if (case.deadline, case.deadline_source, case.deadline_rule_id) != before:
            case.save(update_fields=["deadline", "deadline_source", "deadline_rule"])


def _fitting(kind: str, order: Order) -> str | None:
    """The kind, or the nearest one the order allows (a refund before shipping needs an unshipped order)."""
    shipped = order.status in SENT
    if kind == K.REFUND_UNSHIPPED:
        return kind if order.status == OrderStatus.CANCELLED else None
    if order.status == OrderStatus.CANCELLED:
        return None
    return kind if shipped else None


def _lines(order: Order, rng: random.Random) -> list[tuple[int, int]]:
    lines = [line for line in order.lines.all() if line.paid > 0]
    if not lines:
        return []
    line = rng.choice(lines)
    return [(line.pk, rng.randint(1, line.quantity))]


def _share(order: Order, line_id: int, units: int) -> Decimal:
    line = next(line for line in order.lines.all() if line.pk == line_id)
    return (line.paid * units / line.quantity).quantize(Decimal("0.01"))


def _story(clock: _Backdate, team: _Team, rng: random.Random, order: Order, kind: str, reason: str) -> None:
    """One case from the buyer's request to its end, hours or days after the order shipped."""
    agent = rng.choice(team.service)
    start = (order.shipped_at or order.paid_at) + timedelta(hours=rng.randint(6, 96))
    if kind == K.REFUND_UNSHIPPED:
        start = order.paid_at + timedelta(hours=rng.randint(1, 12))
    lines = _lines(order, rng)
    if not lines and kind in (K.REFUND_UNSHIPPED, K.REFUND_SHIPPED, K.RETURN_REFUND, K.EXCHANGE, K.REISSUE):
        return
    asked = sum((_share(order, pk, n) for pk, n in lines), Decimal("0.00"))
    if kind == K.PRICE_DIFFERENCE:
        asked = min(Decimal(rng.choice(("5.00", "10.00", "15.00"))), order.paid_total)  # never above what was paid
    case = clock.step(
        start,
        lambda: cases.open_case(
            actor=agent,
            order=order,
            kind=kind,
            reason=reason,
            lines=lines,
            requested_amount=asked if kind not in (K.EXCHANGE, K.REISSUE, K.COMPLAINT, K.PARCEL_CLAIM) else 0,
            description=rng.choice(WORDS[reason]),
            at=start,
        ),
    )
    answer = start + timedelta(minutes=rng.randint(8, 600))
    responsible = RESPONSIBLE[reason]
    if kind in (K.RETURN_REFUND, K.REFUND_SHIPPED) and rng.random() < 0.08:
        clock.step(answer, lambda: cases.reject(actor=agent, case=case, reason="商品已使用，影响二次销售"))
        clock.step(
            answer + timedelta(days=3), lambda: cases.close(actor=agent, case=case, reason="买家未申诉，平台关闭")
        )
        return
    clock.step(answer, lambda: cases.agree(actor=agent, case=case, responsibility=responsible))
    done = answer + timedelta(hours=rng.randint(2, 30))
    if kind in (K.RETURN_REFUND, K.EXCHANGE):
        done = _return_comes_back(clock, team, rng, case, agent, answer)
    if kind == K.EXCHANGE:
        done = _send_replacement(clock, team, rng, case, agent, done + timedelta(hours=1), exchange=True)
    elif kind == K.REISSUE:
        done = _send_replacement(clock, team, rng, case, agent, done, exchange=False)
    elif kind in (K.REFUND_UNSHIPPED, K.REFUND_SHIPPED, K.RETURN_REFUND):
        amounts = {pk: _share(order, pk, n) for pk, n in lines}
        clock.step(done, lambda: cases.refund(actor=agent, case=case, amounts=amounts))
    elif kind == K.PRICE_DIFFERENCE:
        line = max(order.lines.all(), key=lambda line: line.paid)
        amount = min(asked, line.paid)
        if amount > 0:
            clock.step(done, lambda: cases.refund(actor=agent, case=case, amounts={line.pk: amount}))
    elif kind == K.COMPLAINT:
        _compensate(clock, team, rng, case, agent, done)
    elif kind == K.PARCEL_CLAIM:
        done = _claim(clock, team, rng, case, agent, done)
    clock.step(done + timedelta(minutes=5), lambda: cases.close(actor=agent, case=case, reason="已处理完毕"))


def _return_comes_back(
    clock: _Backdate, team: _Team, rng: random.Random, case: AfterSaleCase, agent: Any, agreed: datetime
) -> datetime:
    """The buyer posts the parcel a day or two after we agreed; the warehouse scans it two or three days later,
    mostly resellable. Returns the moment it was received."""
    sent = agreed + timedelta(hours=rng.randint(10, 48))
    carrier = rng.choice(RETURN_CARRIERS)
    tracking = f"{carrier[1]}{rng.randrange(10**11, 10**12)}"
    clock.step(
        sent,
        lambda: returns.record_return_sent(actor=agent, case=case, carrier=carrier[0], tracking_no=tracking, at=sent),
    )
    received = sent + timedelta(hours=rng.randint(40, 80))
    items = []
    for line in case.lines.all():
        if line.quantity:
            grade = ReturnGrade.DEFECTIVE if rng.random() < DEFECTIVE_SHARE else ReturnGrade.RESELLABLE
            items.append((line.pk, grade, line.quantity))
    if items:
        clock.step(
            received,
            lambda: returns.receive_return(actor=team.warehouse, case=case, items=items, tracking_no=tracking),
        )
    return received + timedelta(hours=rng.randint(1, 8))


def _send_replacement(
    clock: _Backdate,
    team: _Team,
    rng: random.Random,
    case: AfterSaleCase,
    agent: Any,
    when: datetime,
    *,
    exchange: bool,
) -> datetime:
    """补发/换货: the part is sent and, the next morning, allocated and shipped by the warehouse (held when the
    stock is gone: a person sees it on the queue). Returns when it shipped (or would have)."""
    items: dict[int, Any] = {}
    if exchange:
        for line in case.lines.select_related("order_line__sku"):
            sku = line.order_line.sku
            others = [other for other in sku.product.skus.exclude(pk=sku.pk)] if sku else []
            if others:
                items[line.pk] = rng.choice(others)
    part = clock.step(when, lambda: replacements.send_replacement(actor=agent, case=case, items=items or None))
    clock.orders.add(part.pk)
    shipped = when + timedelta(hours=rng.randint(14, 20))
    carrier = rng.choice(RETURN_CARRIERS)
    try:
        clock.step(shipped - timedelta(minutes=30), lambda: order_services.review(actor=agent, order=part))
        allocated = clock.step(
            shipped - timedelta(minutes=20), lambda: order_services.allocate(actor=team.warehouse, order=part)
        )
        clock.step(
            shipped,
            lambda: order_services.ship(
                actor=team.warehouse,
                order=allocated,
                carrier=carrier[0],
                tracking_no=f"{carrier[1]}{rng.randrange(10**11, 10**12)}",
            ),
        )
    except DomainError:
        pass  # not in stock: the part waits, held, as it would at a desk
    return shipped


def _compensate(clock: _Backdate, team: _Team, rng: random.Random, case: AfterSaleCase, agent: Any, when: datetime):
    """A coupon within the agent's limit, or now and then cash back above it that the manager approves."""
    if rng.random() < 0.7:
        clock.step(
            when, lambda: compensation.offer(actor=agent, case=case, offer=OfferKind.COUPON, amount=rng.choice(COUPONS))
        )
        return
    made = clock.step(
        when,
        lambda: compensation.offer(
            actor=agent, case=case, offer=OfferKind.CASH_BACK, amount=rng.choice(CASH_BACK), note="物流延误，安抚买家"
        ),
    )
    if made.status == CompensationStatus.PENDING:
        clock.step(
            when + timedelta(hours=rng.randint(1, 6)),
            lambda: compensation.decide(actor=team.manager, compensation=made, approve=True),
        )


def _claim(clock: _Backdate, team: _Team, rng: random.Random, case: AfterSaleCase, agent: Any, when: datetime):
    """丢件: refund the buyer, claim the goods' value from the carrier, settled a week or two later."""
    order = case.order
    paid = sum((line.paid for line in order.lines.all()), Decimal("0.00"))
    if paid <= 0 or not order.tracking_no:
        return when
    amounts = {line.pk: line.paid for line in order.lines.all() if line.paid > 0}
    clock.step(when, lambda: cases.refund(actor=agent, case=case, amounts=amounts))
    claim = clock.step(
        when + timedelta(minutes=20),
        lambda: claims.file_claim(
            actor=agent, case=case, order=order, value_claimed=paid, evidence="物流轨迹停滞七天，快递网点确认丢件"
        ),
    )
    settled = when + timedelta(days=rng.randint(7, 16))
    outcome = rng.random()
    if outcome < 0.6:
        clock.step(settled, lambda: claims.settle_claim(actor=agent, claim=claim, status=ClaimStatus.PAID))
    elif outcome < 0.85:
        part = (paid * Decimal("0.6")).quantize(Decimal("0.01"))
        clock.step(
            settled,
            lambda: claims.settle_claim(
                actor=agent, claim=claim, status=ClaimStatus.PARTLY_PAID, amount_recovered=part, note="按保价比例赔付"
            ),
        )
    else:
        clock.step(
            settled,
            lambda: claims.settle_claim(actor=agent, claim=claim, status=ClaimStatus.REFUSED, note="未保价，快递拒赔"),
        )
    return settled


def _fits_today(recent: list[Order], kind: str, now: datetime, hours_left: float) -> tuple[Order | None, datetime]:
    """The first order (taken off `recent`) that had shipped when a case of `kind` opened so that its deadline
    falls `hours_left` from now, and that moment."""
    for order in list(recent):
        rule = DeadlineRule.objects.filter(channel=order.shop.channel, situation=ANSWER_SITUATION[kind]).first()
        if rule is None:
            continue
        start = now - timedelta(hours=rule.hours) + timedelta(hours=hours_left)
        if start > (order.shipped_at or order.paid_at):
            recent.remove(order)
            return order, start
    return None, now


def _today(clock: _Backdate, team: _Team, rng: random.Random, orders: list[Order], now: datetime) -> int:
    """Open cases whose deadlines fall 1.5 to 30 hours from now, and one overdue."""
    recent = [
        o
        for o in orders
        if o.status in SENT and o.paid_at >= now - timedelta(days=30) and o.lines.all() and o.pk not in clock.orders
    ]
    rng.shuffle(recent)
    opened = 0
    for index, hours_left in enumerate(TODAY_HOURS_LEFT):
        kind = (K.RETURN_REFUND, K.REFUND_SHIPPED)[index % 2]
        order, start = _fits_today(recent, kind, now, hours_left)
        if order is None:
            continue
        reason = rng.choice((R.SIZE, R.QUALITY, R.NOT_AS_DESCRIBED))
        lines = _lines(order, rng)
        asked = sum((_share(order, pk, n) for pk, n in lines), Decimal("0.00"))
        agent = team.service[opened % len(team.service)]
        clock.step(
            start,
            lambda order=order, kind=kind, reason=reason, lines=lines, asked=asked, start=start, agent=agent: (
                cases.open_case(
                    actor=agent,
                    order=order,
                    kind=kind,
                    reason=reason,
                    lines=lines,
                    requested_amount=asked,
                    description=rng.choice(WORDS[reason]),
                    at=start,
                )
            ),
        )
        clock.orders.add(order.pk)
        opened += 1
    return opened + _waiting_today(clock, team, rng, recent, now)


def _waiting_today(clock: _Backdate, team: _Team, rng: random.Random, recent: list[Order], now: datetime) -> int:
    """For the manager's morning: a complaint whose cash back is above 客服's limit waits for approval, and a
    lost parcel's claim filed four weeks ago is close to the carrier's deadline."""
    opened = 0
    agent = team.service[0]
    if recent:
        order = recent.pop()
        start = now - timedelta(hours=5)
        case = clock.step(
            start,
            lambda: cases.open_case(
                actor=agent, order=order, kind=K.COMPLAINT, reason=R.LATE, description=WORDS[R.LATE][0], at=start
            ),
        )
        clock.step(start + timedelta(minutes=30), lambda: cases.agree(actor=agent, case=case))
        clock.step(
            start + timedelta(minutes=40),
            lambda: compensation.offer(
                actor=agent, case=case, offer=OfferKind.CASH_BACK, amount="40.00", note="超时未发货，补偿运费"
            ),
        )
        clock.orders.add(order.pk)
        opened += 1
    lost = next((o for o in recent if o.shipped_at and o.shipped_at < now - timedelta(days=29) and o.tracking_no), None)
    if lost is not None:
        recent.remove(lost)
        filed = now - timedelta(days=28)
        case = clock.step(
            filed - timedelta(hours=2),
            lambda: cases.open_case(
                actor=agent,
                order=lost,
                kind=K.PARCEL_CLAIM,
                reason=R.LOST,
                description=WORDS[R.LOST][0],
                at=filed - timedelta(hours=2),
            ),
        )
        paid = sum((line.paid for line in lost.lines.all()), Decimal("0.00"))
        clock.step(filed, lambda: cases.agree(actor=agent, case=case, responsibility=Responsibility.CARRIER))
        clock.step(
            filed + timedelta(minutes=10),
            lambda: claims.file_claim(
                actor=agent, case=case, order=lost, value_claimed=paid, evidence="物流停在中转站十天，网点确认丢失"
            ),
        )
        clock.orders.add(lost.pk)
        opened += 1
    return opened
