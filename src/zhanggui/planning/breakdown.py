"""The year's GMV target into months (docs/planning.md, "Breakdown"): pure arithmetic on Decimal, no database.

Rounding: amounts are whole fen. `allocate` gives each part its share floored to the fen, then hands the fen
left over one each to the parts with the largest remainders (ties: the earlier part), so the parts add up to the
total exactly (the largest-remainder method).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from decimal import ROUND_FLOOR, Decimal
from typing import TypeVar

from zhanggui.core.errors import DomainError

CENT = Decimal("0.01")
K = TypeVar("K", bound=Hashable)
MONTHS = range(1, 13)

#: The seasonality template: each month's weight in a year of 100 (docs/planning.md). The platform events weigh
#: their months: 年货节 (Jan), 38 女王节 (Mar), 618 (Jun), 99 (Sep), 双11 (Nov), 双12 (Dec); February is the
#: Spring Festival's lull (couriers stop).
TEMPLATE: dict[int, Decimal] = {
    1: Decimal("9.0"),
    2: Decimal("5.5"),
    3: Decimal("8.5"),
    4: Decimal("7.0"),
    5: Decimal("7.0"),
    6: Decimal("10.0"),
    7: Decimal("6.5"),
    8: Decimal("6.5"),
    9: Decimal("8.0"),
    10: Decimal("7.0"),
    11: Decimal("14.0"),
    12: Decimal("11.0"),
}
#: The months' platform events, as the grid labels them.
EVENTS: dict[int, str] = {1: "年货节", 3: "38 女王节", 6: "618", 9: "99", 11: "双11", 12: "双12"}


class PlanError(DomainError):
    code = "plan_error"


def allocate(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """`total` (≥ 0, whole fen) split in proportion to `weights` (≥ 0), to the fen, adding up exactly.

    All weights zero: equal parts. Largest remainder; a tie goes to the earlier part."""
    if total < 0:
        raise PlanError("A target cannot be negative.")
    if not weights:
        raise PlanError("Nothing to split the amount into.")
    fen = int((total / CENT).to_integral_value(rounding=ROUND_FLOOR))
    if Decimal(fen) * CENT != total:
        raise PlanError("An amount must be whole fen.")
    if any(w < 0 for w in weights):
        raise PlanError("A weight cannot be negative.")
    whole = sum(weights, Decimal(0))
    shares = list(weights) if whole else [Decimal(1)] * len(weights)
    whole = whole or Decimal(len(weights))
    exact = [Decimal(fen) * w / whole for w in shares]
    floors = [int(q.to_integral_value(rounding=ROUND_FLOOR)) for q in exact]
    left = fen - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [Decimal(n) * CENT for n in floors]


def by_months(total: Decimal, shape: dict[int, Decimal] | None = None) -> tuple[dict[int, Decimal], bool]:
    """The year's target into its 12 months by last year's monthly GMV (`shape`) when every month of it had
    sales, else by the template; also whether last year's shape was used."""
    use_history = shape is not None and all(shape.get(m, Decimal(0)) > 0 for m in MONTHS)
    weights = shape if use_history and shape is not None else TEMPLATE
    parts = allocate(total, [weights[m] for m in MONTHS])
    return dict(zip(MONTHS, parts, strict=True)), use_history


def rebalance(months: dict[int, Decimal], *, month: int, amount: Decimal, locked: set[int]) -> dict[int, Decimal]:
    """Set `month` to `amount` and move the difference onto the other months that are not locked, in proportion
    to their current targets (equal parts when they are all zero), so the year stays to the fen."""
    return rebalance_parts(months, key=month, amount=amount, locked=locked)


def rebalance_parts(parts: dict[K, Decimal], *, key: K, amount: Decimal, locked: set[K]) -> dict[K, Decimal]:
    """Set one part to `amount` and move the difference onto the other parts not locked, in proportion to their
    current amounts (equal parts when they are all zero), so the whole stays to the fen (months of a year, the
    categories of a quarter)."""
    others = [k for k in parts if k != key and k not in locked]
    if not others:
        raise PlanError("Every other month is locked: nothing to rebalance onto.")
    rest = sum((parts[k] for k in others), Decimal(0)) - (amount - parts[key])
    if rest < 0:
        raise PlanError("The other unlocked months cannot give up that much: the year would need negative months.")
    out = dict(parts)
    out[key] = amount
    out.update(zip(others, allocate(rest, [parts[k] for k in others]), strict=True))
    return out


def quarters(months: dict[int, Decimal]) -> dict[int, Decimal]:
    """Q1..Q4: the sums of their months."""
    return {q: sum((months[m] for m in range(3 * q - 2, 3 * q + 1)), Decimal(0)) for q in range(1, 5)}
