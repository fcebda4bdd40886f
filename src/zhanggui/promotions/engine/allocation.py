"""Allocation (分摊): an order-level discount split over units in proportion, by largest remainder, within
each unit's room above its floor, so the shares add up to the fen."""

from __future__ import annotations

import itertools
import operator
from collections.abc import Sequence

from zhanggui.core.money import largest_remainder

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
        base = largest_remainder(total, weights)
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


def place(
    discounts: Sequence[tuple[int, Sequence[int], Sequence[int]]], rooms: Sequence[int], line_of: Sequence[int]
) -> list[list[int]]:
    """Place several discounts that may share units, each unit within its room: as much as fits, in all.

    `discounts` are (total, ascending unit indexes, weights) in the order to place them; returns each one's
    shares, in its units' order. Each is first allocated by allocate_by_line on the room the ones before it
    left (the documented rule, and the answer whenever everything fits). When one falls short while another
    could have left it room — a ¥5 off A and B takes ¥3 of A, and a ¥10 off A alone then finds too little —
    the shares are moved along augmenting paths (a maximum flow from the discounts to groups of
    interchangeable units) until no more fits. The total placed is then the largest possible, whatever the
    order; but where the room left over lies (which a later layer's coupon scoped to some units measures) can
    follow the order, so callers give an order that does not depend on ids: the shop layer the engine's
    (common.order_key).
    """
    room = {i: rooms[i] for _total, units, _weights in discounts for i in units}
    result: list[list[int]] = []
    short = False
    for total, units, weights in discounts:
        caps = [max(0, room[i]) for i in units]
        shares = allocate_by_line(total, units, weights, caps, line_of)
        for i, share in zip(units, shares, strict=True):
            room[i] -= share
        result.append(shares)
        short = short or sum(shares) < total
    if not short or len(discounts) < 2:
        return result
    return _augment(discounts, rooms, room, result)


def _augment(
    discounts: Sequence[tuple[int, Sequence[int], Sequence[int]]],
    rooms: Sequence[int],
    left: dict[int, int],
    placed: list[list[int]],
) -> list[list[int]]:
    """place(), when a discount fell short: the flow is moved between atoms (the units of one line touched by the
    same discounts: interchangeable for the flow) and then spread over each atom's units again."""
    touching: dict[int, list[int]] = {}
    for k, (_total, units, _weights) in enumerate(discounts):
        for i in units:
            touching.setdefault(i, []).append(k)
    atom_of: dict[tuple[int, ...], int] = {}
    atom_units: list[list[int]] = []
    unit_atom: dict[int, int] = {}
    for i in sorted(touching):
        key = tuple(touching[i])
        a = atom_of.get(key)
        if a is None:
            a = atom_of[key] = len(atom_units)
            atom_units.append([])
        atom_units[a].append(i)
        unit_atom[i] = a
    atom_room = [sum(max(0, left[i]) for i in units) for units in atom_units]
    flow: list[dict[int, int]] = []  # per discount: atom → amount placed there
    deficit: list[int] = []
    atoms_of: list[list[int]] = []
    for (total, units, _weights), shares in zip(discounts, placed, strict=True):
        f: dict[int, int] = {}
        for i, share in zip(units, shares, strict=True):
            f[unit_atom[i]] = f.get(unit_atom[i], 0) + share
        flow.append(f)
        deficit.append(total - sum(shares))
        atoms_of.append(sorted({unit_atom[i] for i in units}))
    on_atom: list[list[int]] = [[] for _ in atom_units]  # atom → the discounts touching it
    for k, atoms in enumerate(atoms_of):
        for a in atoms:
            on_atom[a].append(k)

    moved = False
    for k in range(len(discounts)):
        while deficit[k] > 0:
            path = _augmenting_path(k, atoms_of, on_atom, flow, atom_room)
            if path is None:
                break
            # path: [(discount, atom), ...]: each discount takes on its atom; all but the first give up as much
            # on the atom of the step before; the last atom has room left.
            amount = min(deficit[k], atom_room[path[-1][1]])
            for step, (q, _a) in enumerate(path[1:], start=1):
                amount = min(amount, flow[q][path[step - 1][1]])
            for step, (q, a) in enumerate(path):
                flow[q][a] = flow[q].get(a, 0) + amount
                if step:
                    flow[q][path[step - 1][1]] -= amount
            atom_room[path[-1][1]] -= amount
            deficit[k] -= amount
            moved = True
    if not moved:
        return placed
    room = {i: rooms[i] for units in atom_units for i in units}
    shares_at: list[dict[int, int]] = [{} for _ in discounts]
    for a, units in enumerate(atom_units):
        for k in on_atom[a]:
            amount = flow[k].get(a, 0)
            if amount <= 0:
                continue
            weight = dict(zip(discounts[k][1], discounts[k][2], strict=True))
            caps = [max(0, room[i]) for i in units]
            for i, share in zip(units, allocate(amount, [weight[i] for i in units], caps), strict=True):
                room[i] -= share
                shares_at[k][i] = share
    return [[shares_at[k].get(i, 0) for i in units] for k, (_t, units, _w) in enumerate(discounts)]


def _augmenting_path(
    start: int,
    atoms_of: list[list[int]],
    on_atom: list[list[int]],
    flow: list[dict[int, int]],
    atom_room: list[int],
) -> list[tuple[int, int]] | None:
    """Breadth first, the shortest way from discount `start` to an atom with room: discount → atom it touches
    → a discount that has placed something there and can move it → another atom it touches → …"""
    came: dict[int, tuple[int, int] | None] = {}  # atom → (discount that reaches it, atom it came from or -1)
    queue: list[tuple[int, int]] = [(start, -1)]
    seen_discounts = {start}
    while queue:
        following: list[tuple[int, int]] = []
        for q, via in queue:
            for a in atoms_of[q]:
                if a in came:
                    continue
                came[a] = (q, via)
                if atom_room[a] > 0:
                    path = []
                    node: int = a
                    while node != -1:
                        who, back = came[node]  # type: ignore[misc]
                        path.append((who, node))
                        node = back
                    return path[::-1]
                for other in on_atom[a]:
                    if other not in seen_discounts and flow[other].get(a, 0) > 0:
                        seen_discounts.add(other)
                        following.append((other, a))
        queue = following
    return None
