"""The plan's quarters split by category and by product role (docs/planning.md, "Categories and product roles").

"根据每个季度的SKU数进行全年的销售目标分解…每个类目的数量配比以及金额配比；主推款、促销款与当季的SKU数配比":
each quarter's target goes to the shop's categories and to the four product roles (引流款/利润款/活动款/形象款)
by amount, units and SKU count.

- Amount: by last year's sales of the same quarter in each category (role) when that quarter sold, else by the
  number of the shop's SKUs on sale in each (the season's SKU count), else equal parts; largest remainder to the
  fen, so a quarter's slices add up to its target exactly.
- Units: the slice's amount ÷ its average unit price (last year's paid ÷ units in that quarter, else the mean
  price of its SKUs on sale), half up to a whole unit.
- SKU count: the SKUs on sale in it now, a starting point the team edits per season.

A changed slice either rebalances the other unlocked slices of its quarter (the quarter stays) or leaves them
(the difference against the quarter's target is shown); a slice typed by hand is locked. When a month of the plan
changes, its quarter's slices follow it in proportion (units with them).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhanggui.catalog.models import ListingStatus, ProductRole, Sku
from zhanggui.core.services import record_audit
from zhanggui.orders.models import LineOrigin, OrderLine, OrderStatus
from zhanggui.planning import breakdown
from zhanggui.planning.breakdown import PlanError, allocate
from zhanggui.planning.models import Dimension, Plan, PlanShare

ZERO = Decimal(0)
QUARTERS = range(1, 5)
NO_CATEGORY = "none"
REBALANCE, KEEP_OTHERS = "rebalance", "keep"


def quarter_of(month: int) -> int:
    return (month + 2) // 3


@dataclass
class Basis:
    """What one quarter's slices are weighed by: last year's (amount, units) or today's SKUs on sale."""

    sold: dict[str, tuple[Decimal, int]] = field(default_factory=dict)
    skus: dict[str, int] = field(default_factory=dict)
    prices: dict[str, Decimal] = field(default_factory=dict)  # mean price of the SKUs on sale


def _keys(plan: Plan) -> dict[str, dict[str, str]]:
    """The slices of each dimension: the shop's categories (those of its products, and "uncategorised" when a
    product has none), and the four roles."""
    categories: dict[str, str] = {}
    for category_id, name in Sku.objects.filter(product__shop=plan.shop).values_list(
        "product__category_id", "product__category__name"
    ):
        categories[str(category_id) if category_id else NO_CATEGORY] = name or ""
    return {
        Dimension.CATEGORY: dict(sorted(categories.items(), key=lambda kv: (kv[0] == NO_CATEGORY, kv[1]))),
        Dimension.ROLE: {str(value): str(label) for value, label in ProductRole.choices},
    }


def bases(plan: Plan) -> dict[tuple[str, int], Basis]:
    """Last year's sales per quarter and slice, and the SKUs on sale per slice (two queries)."""
    out: dict[tuple[str, int], Basis] = {(d, q): Basis() for d in Dimension.values for q in QUARTERS}
    lines = (
        OrderLine.objects.filter(order__shop=plan.shop, order__split_from__isnull=True)
        .filter(
            order__paid_at__date__gte=f"{plan.year - 1}-01-01",
            order__paid_at__date__lte=f"{plan.year - 1}-12-31",
        )
        .exclude(Q(origin=LineOrigin.REPLACEMENT) | Q(order__status=OrderStatus.CANCELLED))
        .order_by()
        .values_list("order__paid_at", "sku__product__category_id", "sku__product__role", "quantity", "paid")
    )
    sold: dict[tuple[str, int, str], list[Any]] = defaultdict(lambda: [ZERO, 0])
    for paid_at, category_id, role, quantity, paid in lines:
        q = quarter_of(timezone.localtime(paid_at).month)
        slices: tuple[tuple[str, str], ...] = (
            (Dimension.CATEGORY, str(category_id) if category_id else NO_CATEGORY),
            (Dimension.ROLE, role or ProductRole.PROFIT),
        )
        for dimension, key in slices:
            sold[(dimension, q, key)][0] += paid
            sold[(dimension, q, key)][1] += quantity
    for (dim, quarter, key), (amount, units) in sold.items():
        out[(dim, quarter)].sold[key] = (amount, units)
    on_sale: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    for category_id, role, price in Sku.objects.filter(
        product__shop=plan.shop, listing_status=ListingStatus.LISTED, product__listing_status=ListingStatus.LISTED
    ).values_list("product__category_id", "product__role", "price"):
        on_sale[(Dimension.CATEGORY, str(category_id) if category_id else NO_CATEGORY)].append(price)
        on_sale[(Dimension.ROLE, role)].append(price)
    for (dim, key), prices in on_sale.items():
        for q in QUARTERS:
            out[(dim, q)].skus[key] = len(prices)
            out[(dim, q)].prices[key] = sum(prices, ZERO) / len(prices)
    return out


def units_for(amount: Decimal, key: str, basis: Basis) -> int:
    """amount ÷ the slice's average unit price (last year's, else its SKUs' on sale), half up; 0 without a price."""
    amount_sold, units_sold = basis.sold.get(key, (ZERO, 0))
    price = amount_sold / units_sold if units_sold and amount_sold > 0 else basis.prices.get(key, ZERO)
    if price <= 0:
        return 0
    return int((amount / price).to_integral_value(rounding=ROUND_HALF_UP))


def split(target: Decimal, keys: list[str], basis: Basis) -> list[tuple[str, Decimal, int, int | None]]:
    """One quarter's target into slices: (key, amount, units, SKU count)."""
    if any(basis.sold.get(k, (ZERO, 0))[0] > 0 for k in keys):
        weights = [basis.sold.get(k, (ZERO, 0))[0] for k in keys]
    else:
        weights = [Decimal(basis.skus.get(k, 0)) for k in keys]
    amounts = allocate(target, weights)
    return [
        (k, amount, units_for(amount, k, basis), basis.skus.get(k, 0)) for k, amount in zip(keys, amounts, strict=True)
    ]


@transaction.atomic
def build(*, actor: Any, plan: Plan) -> Plan:
    """Split each quarter of the plan's editable version again (every slice, locked or not)."""
    from zhanggui.planning import services

    plan = services.editable(actor, plan)
    targets = breakdown.quarters({m.month: m.gmv_target for m in plan.months.all()})
    found = bases(plan)
    keys = _keys(plan)
    plan.shares.all().delete()
    rows = []
    for dimension, labels in keys.items():
        if not labels:
            continue
        for q in QUARTERS:
            for key, amount, units, skus in split(targets[q], list(labels), found[(dimension, q)]):
                rows.append(
                    PlanShare(
                        plan=plan,
                        quarter=q,
                        dimension=dimension,
                        key=key,
                        label=labels[key],
                        amount=amount,
                        quantity=units,
                        sku_count=skus,
                    )
                )
    PlanShare.objects.bulk_create(rows)
    record_audit(actor=actor, action="planning.split", obj=plan, after={"shares": len(rows)})
    return plan


@dataclass(frozen=True)
class Cell:
    amount: Decimal
    quantity: int
    sku_count: int | None


@transaction.atomic
def set_row(*, actor: Any, plan: Plan, dimension: str, key: str, cells: dict[int, Cell], mode: str = REBALANCE) -> Plan:
    """Change a slice's quarters: each changed amount rebalances the quarter's other unlocked slices (or, with
    `keep`, leaves them and the quarter's total differs from its target); units and SKU counts are set as typed."""
    from zhanggui.planning import services

    plan = services.editable(actor, plan)
    rows = {(s.quarter, s.key): s for s in plan.shares.select_for_update().filter(dimension=dimension)}
    if not any(k == key for _q, k in rows):
        raise PlanError("No such slice.")
    before = {f"Q{q}": str(rows[(q, key)].amount) for q in cells if (q, key) in rows}
    changed: list[PlanShare] = []
    for q, cell in cells.items():
        if cell.amount < 0:
            raise PlanError("A target cannot be negative.")
        mine = rows[(q, key)]
        if cell.amount != mine.amount:
            quarter = {k: s.amount for (qq, k), s in rows.items() if qq == q}
            if mode == REBALANCE:
                try:
                    quarter = breakdown.rebalance_parts(
                        quarter,
                        key=key,
                        amount=cell.amount,
                        locked={k for (qq, k), s in rows.items() if qq == q and s.locked},
                    )
                except PlanError as exc:
                    raise PlanError(
                        "The other unlocked slices of the quarter cannot give up that much."
                        if "negative" in str(exc)
                        else "Every other slice of the quarter is locked: nothing to rebalance onto."
                    ) from exc
            else:
                quarter[key] = cell.amount
            for k, amount in quarter.items():
                if rows[(q, k)].amount != amount:
                    rows[(q, k)].amount = amount
                    changed.append(rows[(q, k)])
            mine.locked = True
        mine.quantity, mine.sku_count = cell.quantity, cell.sku_count
        changed.append(mine)
    PlanShare.objects.bulk_update(set(changed), ["amount", "quantity", "sku_count", "locked"])
    record_audit(
        actor=actor,
        action="planning.set_share",
        obj=plan,
        before=before,
        after={"dimension": dimension, "key": key, "mode": mode, **{f"Q{q}": str(c.amount) for q, c in cells.items()}},
    )
    return plan


def follow(plan: Plan) -> None:
    """After the months changed: each quarter's slices scaled to the quarter's new target, in proportion to their
    amounts (largest remainder), units scaled with them (half up). Called inside the month's transaction."""
    targets = breakdown.quarters({m.month: m.gmv_target for m in plan.months.all()})
    shares = list(plan.shares.all())
    groups: dict[tuple[str, int], list[PlanShare]] = defaultdict(list)
    for share in shares:
        groups[(share.dimension, share.quarter)].append(share)
    changed = []
    for (_dimension, q), group in groups.items():
        total = sum((s.amount for s in group), ZERO)
        if total == targets[q]:
            continue
        for share, amount in zip(group, allocate(targets[q], [s.amount for s in group]), strict=True):
            if share.amount:
                share.quantity = int((Decimal(share.quantity) * amount / share.amount).to_integral_value(ROUND_HALF_UP))
            share.amount = amount
            changed.append(share)
    PlanShare.objects.bulk_update(changed, ["amount", "quantity"])


def copy(source: Plan, revision: Plan) -> None:
    """The slices into a new version (the revision keeps them as they were approved)."""
    PlanShare.objects.bulk_create(
        PlanShare(
            plan=revision,
            quarter=s.quarter,
            dimension=s.dimension,
            key=s.key,
            label=s.label,
            amount=s.amount,
            quantity=s.quantity,
            sku_count=s.sku_count,
            locked=s.locked,
        )
        for s in source.shares.all()
    )


@dataclass
class GridRow:
    """A slice's four quarters and its year."""

    key: str
    label: str
    cells: dict[int, PlanShare]

    @property
    def amount(self) -> Decimal:
        return sum((c.amount for c in self.cells.values()), ZERO)

    @property
    def quantity(self) -> int:
        return sum(c.quantity for c in self.cells.values())


@dataclass
class QuarterTotal:
    quarter: int
    target: Decimal  # the quarter's months
    amount: Decimal  # its slices
    quantity: int

    @property
    def difference(self) -> Decimal:
        """slices − target: 0 when the split is consistent; shown when a `keep` left it off."""
        return self.amount - self.target


@dataclass
class Grid:
    dimension: str
    rows: list[GridRow]
    totals: list[QuarterTotal]

    @property
    def amount(self) -> Decimal:
        return sum((t.amount for t in self.totals), ZERO)

    @property
    def target(self) -> Decimal:
        return sum((t.target for t in self.totals), ZERO)

    @property
    def quantity(self) -> int:
        return sum(t.quantity for t in self.totals)


def grid(plan: Plan, dimension: str) -> Grid:
    """The slices of one dimension as rows of quarters, with each quarter's total against its target."""
    targets = breakdown.quarters({m.month: m.gmv_target for m in plan.months.all()})
    rows: dict[str, GridRow] = {}
    for share in plan.shares.filter(dimension=dimension).order_by("key", "quarter"):
        rows.setdefault(share.key, GridRow(share.key, share.label, {})).cells[share.quarter] = share
    ordered = sorted(rows.values(), key=lambda r: (r.key == NO_CATEGORY, -r.amount, r.label))
    totals = [
        QuarterTotal(
            q,
            targets[q],
            sum((r.cells[q].amount for r in ordered if q in r.cells), ZERO),
            sum(r.cells[q].quantity for r in ordered if q in r.cells),
        )
        for q in QUARTERS
    ]
    return Grid(dimension, ordered, totals)
