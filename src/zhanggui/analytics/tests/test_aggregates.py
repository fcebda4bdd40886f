"""The run-counting aggregation (analytics.aggregates) gives exactly what polars's n_unique group-by gives, on
random days: sorted as stored or not, few sources or more than a bit mask holds."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from zhanggui.analytics import aggregates, events
from zhanggui.analytics.events import BEHAVIOURS

DAY = date(2026, 6, 1)


def random_day(seed: int, rows: int = 4000, sources: int = 5) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "user_id": rng.integers(1, 300, rows),  # few visitors: many repeat visits, items and sources
            "item_id": rng.integers(1, 40, rows),
            "behavior_type": rng.choice(BEHAVIOURS, rows, p=[0.7, 0.1, 0.1, 0.1]),
            "source": rng.choice([f"s{i}" for i in range(sources)] + [""], rows),
        }
    )


def both(frame: pl.DataFrame) -> tuple[aggregates.Figures, aggregates.Figures]:
    fast = aggregates.of_days([(DAY, frame)])
    general = aggregates.general(frame.lazy().with_columns(day=pl.lit(DAY)))
    return fast, general


def same(a: pl.DataFrame, b: pl.DataFrame, keys: list[str]) -> bool:
    return a.sort(keys).equals(b.sort(keys).select(a.columns))


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("stored_order", [True, False])
def test_run_counting_equals_the_group_by(seed, stored_order):
    frame = random_day(seed)
    if stored_order:  # as a day file holds it: sorted, the sources a Categorical
        frame = frame.sort("user_id", "item_id").with_columns(pl.col("source").cast(pl.Categorical))
    fast, general = both(frame)
    assert same(fast.days, general.days, ["day"])
    assert same(fast.sources, general.sources, ["day", "source"])
    assert same(fast.items, general.items, ["day", "item_id"])
    assert fast.days.get_column("uv").item() == frame.get_column("user_id").n_unique()


def test_items_with_ids_far_apart_are_counted_alike():
    frame = random_day(6).with_columns(pl.col("item_id") * 10**12)  # beyond the span of the counting arrays
    fast, general = both(frame.sort("user_id", "item_id"))
    assert same(fast.items, general.items, ["day", "item_id"])


def test_the_stored_order_takes_the_run_path(monkeypatch):
    def refuse(frame):
        raise AssertionError("the general path was taken")

    monkeypatch.setattr(aggregates, "general", refuse)
    figures = aggregates.of_days([(DAY, random_day(4).sort("user_id", "item_id"))])
    assert figures.sources.height == 6


def test_more_sources_than_a_mask_holds_take_the_general_path():
    frame = random_day(5, rows=3000, sources=aggregates.MAX_MASK_SOURCES + 5)
    fast, general = both(frame)
    assert fast.sources.height == aggregates.MAX_MASK_SOURCES + 6
    assert same(fast.sources, general.sources, ["day", "source"])


def test_a_day_is_stored_sorted_with_each_distinct_event_once():
    rng = np.random.default_rng(7)
    rows = 3000
    frame = pl.DataFrame(
        {
            "user_id": rng.integers(1, 20, rows),  # few keys: many rows share visitor, item and second
            "item_id": rng.integers(1, 4, rows),
            "category_id": rng.integers(1, 3, rows),
            "behavior_type": rng.choice(BEHAVIOURS, rows),
            "timestamp": rng.integers(0, 5, rows),
            "session_id": rng.choice(["a", None], rows),
            "source": rng.choice(["s1", ""], rows),
        }
    )
    stored = events._sorted_once(frame)
    assert stored.height == frame.unique().height
    assert stored.sort(stored.columns, nulls_last=True).equals(frame.unique().sort(frame.columns, nulls_last=True))
    assert stored.select("user_id", "item_id", "timestamp").equals(
        stored.select("user_id", "item_id", "timestamp").sort(pl.all())
    )
