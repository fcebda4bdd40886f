"""Allocation (分摊): an order-level discount split over units in proportion, by largest remainder, within
each unit's room above its floor, so the shares add up to the fen."""

from __future__ import annotations

import itertools
import operator
from collections.abc import Sequence

# ------------------------------------------------------------------------------------------------------------
# Allocation (分摊)
# ------------------------------------------------------------------------------------------------------------


def allocate(total: int, weights: Sequence[int], caps: Sequence[int] | None = None) -> list[int]:
    """Split `total` fen over `weights` in proportion, by largest remainder, never above `caps`.

    The shares add up to exactly `total` (or to Σ caps when the caps leave less room). Ties on the remainder
    go to the earlier position, so the result is deterministic.
    """
    n = len(weights)
    weight_sum = sum(weights)
    if weight_sum > 0 and (caps is None or min(caps, default=0) > 0):
        # The first round of the loop below, which is the last when no share reaches its cap (the usual case).
        base = [total * w // weight_sum for w in weights]
        rest = total - sum(base)
        if rest:
            remainders = [total * w % weight_sum for w in weights]
            for k in sorted(range(n), key=remainders.__getitem__, reverse=True)[:rest]:
                base[k] += 1
        if caps is None or not any(map(operator.ge, base, caps)):  # every share below its cap
            return base
    caps = list(caps) if caps is not None else [total] * n
    total = min(total, sum(caps))
    shares = [0] * n
    open_ = [i for i in range(n) if caps[i] > 0]
    remaining = total
    while remaining > 0 and open_:
        w = [weights[i] for i in open_]
        weight_sum = sum(w)
        if weight_sum <= 0:
            w = [1] * len(open_)
            weight_sum = len(open_)
        base, rems = [], []
        for x in w:
            q, r = divmod(remaining * x, weight_sum)
            base.append(q)
            rems.append(r)
        rest = remaining - sum(base)
        if rest:  # the largest remainders get a fen more; a stable sort leaves ties in position order
            for k in sorted(range(len(open_)), key=rems.__getitem__, reverse=True)[:rest]:
                base[k] += 1
        overflow = False
        for k, i in enumerate(open_):
            room = caps[i] - shares[i]
            if base[k] >= room:
                shares[i] += room
                remaining -= room
                overflow = True
            # shares of the others are recomputed in the next round when someone hit its cap
        if not overflow:
            for k, i in enumerate(open_):
                shares[i] += base[k]
            remaining = 0
        open_ = [i for i in open_ if shares[i] < caps[i]]
    return shares


def allocate_by_line(
    total: int, units: Sequence[int], weights: Sequence[int], caps: Sequence[int] | None, line_of: Sequence[int]
) -> list[int]:
    """allocate() to the lines first, then within each line to its units (docs/pricing.md rule 6).

    `units` are ascending unit indexes (a line's units are consecutive), `weights` and `caps` per unit in the
    same order, `line_of` maps a unit to its line. A line's weight and room are its units' sums, so each line
    gets its largest-remainder share of the total — what the platforms show per sub-order (分摊) — and its
    units split that share the same way.
    """
    n = len(units)
    bounds = [0] + [k for k in range(1, n) if line_of[units[k]] != line_of[units[k - 1]]] + [n]
    if len(bounds) <= 2 or len(bounds) == n + 1:  # one line, or a unit a line: the lines' split is the units'
        return allocate(total, weights, caps)
    spans = list(itertools.pairwise(bounds))
    line_caps = None if caps is None else [sum(caps[a:b]) for a, b in spans]
    line_shares = allocate(total, [sum(weights[a:b]) for a, b in spans], line_caps)
    shares: list[int] = []
    for (a, b), share in zip(spans, line_shares, strict=True):
        if b - a == 1:
            shares.append(share)
        else:
            shares += allocate(share, weights[a:b], None if caps is None else caps[a:b])
    return shares
