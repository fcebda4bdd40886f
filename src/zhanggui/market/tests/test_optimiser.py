"""The title optimiser against brute force over every subset (docs/market.md, "Why the optimiser is exact")."""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhanggui.market.optimiser import Candidate, Infeasible, best_words


def brute_force(candidates: list[Candidate], limit: int) -> int | None:
    """The best value of any subset within the limit holding every required candidate; None when none fits."""
    best = None
    for size in range(len(candidates) + 1):
        for subset in combinations(range(len(candidates)), size):
            chosen = set(subset)
            if any(c.required and i not in chosen for i, c in enumerate(candidates)):
                continue
            if sum(candidates[i].cost for i in chosen) > limit:
                continue
            value = sum(candidates[i].value for i in chosen)
            best = value if best is None or value > best else best
    return best


candidate = st.builds(
    Candidate,
    text=st.text(alphabet="连衣裙碎花夏季新款", min_size=1, max_size=3),
    cost=st.integers(min_value=0, max_value=20),
    value=st.integers(min_value=0, max_value=50),
    required=st.sampled_from([False, False, False, True]),
)


@settings(max_examples=300, deadline=None)
@given(candidates=st.lists(candidate, max_size=9), limit=st.integers(min_value=0, max_value=60))
def test_never_over_the_limit_and_as_good_as_the_best_subset(candidates, limit):
    best = brute_force(candidates, limit)
    if best is None:
        with pytest.raises(Infeasible):
            best_words(candidates, limit)
        return
    choice = best_words(candidates, limit)
    assert choice.cost <= limit
    assert choice.cost == sum(candidates[i].cost for i in choice.indices)
    assert choice.value == sum(candidates[i].value for i in choice.indices) == best
    assert all(i in choice.indices for i, c in enumerate(candidates) if c.required)


def test_a_small_case_by_hand():
    # limit 10: {A 6 bytes 10 points, B 5/7, C 5/7}: B + C (10 bytes, 14) beats A alone (10) — a greedy by
    # value would take A first and have no room for more.
    words = [Candidate("A", 6, 10), Candidate("B", 5, 7), Candidate("C", 5, 7)]
    choice = best_words(words, 10)
    assert choice.indices == (1, 2) and choice.value == 14 and choice.cost == 10
    # A required: A + nothing else fits (6 + 5 > 10)
    words[0] = Candidate("A", 6, 10, required=True)
    assert best_words(words, 10).indices == (0,)
    with pytest.raises(Infeasible):
        best_words(words, 5)
