"""Allocation (分摊): an order-level discount split over units in proportion, by largest remainder, within
each unit's room above its floor, so the shares add up to the fen."""

from __future__ import annotations

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
