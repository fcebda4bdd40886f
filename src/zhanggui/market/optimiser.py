"""The title optimiser: which words to put in a title so that their value is the largest the byte limit allows.

The model (docs/market.md, "Why the optimiser is exact"): a title is a set of distinct words, each with a cost
in bytes (the platform's count, plus one byte reserved for a separating space when the word is ASCII) and a
value in whole points. A title's bytes and its value are the sums over its words — each word counted once,
whatever keywords it serves — and neither depends on the order of the words. Choosing the words is then exactly
the 0/1 knapsack problem, and the dynamic programme below, over every byte budget from 0 to the limit, finds a
set of the largest value; the required words are taken first and their bytes taken off the budget. Costs are
small whole numbers (a Taobao title has 60 bytes), so the table has at most (words + 1) × (limit + 1) cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    """A word the title may hold: its text, its cost in bytes, its value in points, whether it must be in."""

    text: str
    cost: int
    value: int
    required: bool = False


@dataclass(frozen=True)
class Choice:
    """The chosen words (indices into the candidates, ascending), their total cost and value."""

    indices: tuple[int, ...]
    cost: int
    value: int


class Infeasible(ValueError):
    """The required words alone cost more than the limit."""


def best_words(candidates: Sequence[Candidate], limit: int) -> Choice:
    """The set of candidates of the largest total value whose total cost is at most `limit`, holding every
    required candidate. Among sets of equal value the one found first by the table is kept: the one that leaves
    out the later candidates, so earlier ones (the current title's words come first) win ties. Raises
    Infeasible when the required words do not fit; ValueError for a negative cost or value."""
    if any(c.cost < 0 or c.value < 0 for c in candidates):
        raise ValueError("costs and values must not be negative")
    forced = [i for i, c in enumerate(candidates) if c.required]
    spent = sum(candidates[i].cost for i in forced)
    if spent > limit:
        raise Infeasible(f"required words cost {spent} > {limit}")
    budget = limit - spent
    free = [i for i, c in enumerate(candidates) if not c.required]
    # best[k][b]: the largest value of a subset of the first k free candidates costing at most b.
    best = [[0] * (budget + 1)]
    for i in free:
        cost, value = candidates[i].cost, candidates[i].value
        row = best[-1][:]
        for b in range(cost, budget + 1):
            with_it = best[-1][b - cost] + value
            if with_it > row[b]:
                row[b] = with_it
        best.append(row)
    chosen, b = [], budget
    for k in range(len(free), 0, -1):
        if best[k][b] != best[k - 1][b]:  # the k-th free candidate is needed for this value
            i = free[k - 1]
            chosen.append(i)
            b -= candidates[i].cost
    indices = tuple(sorted([*forced, *chosen]))
    return Choice(
        indices=indices,
        cost=sum(candidates[i].cost for i in indices),
        value=sum(candidates[i].value for i in indices),
    )
