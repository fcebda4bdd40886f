"""The daily figures of behaviour events: a shop's day, by source and by item, with exact distinct counts.

Why this is fast: every stored day file is sorted by (user_id, item_id) when it is written (events.merge_day),
so a visitor's events, and a visitor's events on one item, are runs of adjacent rows. A distinct count is then
the number of runs, found by comparing each row with the one before: no hash table of visitors is built. For a
visitor's sources, the rows' source bits are OR-ed over each visitor's run (numpy's reduceat), which gives at
once the visitors of each source and, with only the buy rows' bits, its paying buyers; the day's UV is the
number of runs. Events per source and behaviour are one bincount; the items are one small group-by (a shop has
thousands of items, not millions of visitors). All linear in the day's rows.

A day with more sources than a 64-bit mask holds takes the general path: polars's group-by with n_unique (the
same figures, as the tests check on random data). A frame not sorted as stored (an outside file) is sorted first.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from zhanggui.analytics import events

FIGURES = ("pv", "favs", "carts", "buys", "uv", "buyers")
#: Sources a day may have for the bit-mask path (one bit each in an int64, the sign bit left alone).
MAX_MASK_SOURCES = 62
PV, FAV, CART, BUY = range(4)  # the codes of events.BEHAVIOURS
#: Days counted side by side when many are recomputed (the machine's cores, at most 4).
WORKERS = min(4, os.cpu_count() or 1)
#: Items are counted in arrays indexed by item_id − the day's lowest id while that span is at most this many
#: times the day's rows (the platforms' ids are dense enough); beyond it, a group-by.
ITEM_SPAN = 4


@dataclass
class Figures:
    days: pl.DataFrame  # day + FIGURES
    sources: pl.DataFrame  # day, source + FIGURES
    items: pl.DataFrame  # day, item_id + FIGURES


DAY_SCHEMA = pl.Schema({"day": pl.Date, **dict.fromkeys(FIGURES, pl.Int64)})
SOURCE_SCHEMA = pl.Schema({"day": pl.Date, "source": pl.String, **dict.fromkeys(FIGURES, pl.Int64)})
ITEM_SCHEMA = pl.Schema({"day": pl.Date, "item_id": pl.Int64, **dict.fromkeys(FIGURES, pl.Int64)})
COLUMNS = ["user_id", "item_id", "behavior_type", "source"]


def of_days(frames: Iterable[tuple[date, pl.DataFrame]]) -> Figures:
    """The figures of each (day, its events) given; each frame is one whole day."""
    return _together([of_day(day, frame) for day, frame in frames])


def of_stored_days(shop_code: str, days: Iterable[date]) -> Figures:
    """The figures of the shop's stored days (a day without a file has none). Days are independent: WORKERS
    threads read and count them side by side (polars and numpy's loops run without the GIL)."""
    paths = [(day, path) for day in sorted(set(days)) if (path := events.day_path(shop_code, day)).exists()]

    def one(item: tuple[date, Path]) -> Figures:
        return of_day(item[0], pl.read_parquet(item[1], columns=COLUMNS))

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return _together(list(pool.map(one, paths)))


def _together(parts: list[Figures]) -> Figures:
    return Figures(
        pl.concat([part.days for part in parts]) if parts else pl.DataFrame(schema=DAY_SCHEMA),
        pl.concat([part.sources for part in parts]) if parts else pl.DataFrame(schema=SOURCE_SCHEMA),
        pl.concat([part.items for part in parts]) if parts else pl.DataFrame(schema=ITEM_SCHEMA),
    )


def of_day(day: date, frame: pl.DataFrame) -> Figures:
    distinct = frame.get_column("source").unique()  # on a stored day's Categorical: over its codes
    if not frame.height or len(distinct) > MAX_MASK_SOURCES:
        return general(frame.lazy().with_columns(day=pl.lit(day)))
    return _by_runs(day, frame, distinct)


def _source_codes(column: pl.Series, distinct: pl.Series) -> tuple[list[str], list[int], np.ndarray]:
    """The day's sources in order, each one's code, and each row's code (a bit number, below MAX_MASK_SOURCES)."""
    by_name = dict(zip(distinct.cast(pl.String).to_list(), range(len(distinct)), strict=True))
    names = sorted(by_name)
    if column.dtype == pl.Categorical:  # the file's dictionary codes each row already
        physical = distinct.to_physical().to_list()
        if max(physical) < MAX_MASK_SOURCES:
            return names, [physical[by_name[name]] for name in names], column.to_physical().to_numpy()
        table = np.zeros(max(physical) + 1, dtype=np.int64)
        table[physical] = [names.index(name) for name in by_name]
        return names, list(range(len(names))), table[column.to_physical().to_numpy()]
    return names, list(range(len(names))), column.cast(pl.Enum(names)).to_physical().to_numpy()


def _by_runs(day: date, frame: pl.DataFrame, distinct: pl.Series) -> Figures:
    user = frame.get_column("user_id").to_numpy()
    item = frame.get_column("item_id").to_numpy()
    if not _sorted(user, item):
        order = np.lexsort((item, user))
        user, item, frame = user[order], item[order], frame[order]
    behaviour = frame.get_column("behavior_type").cast(events.BEHAVIOUR).to_physical().to_numpy().astype(np.int64)
    source_names, codes, source = _source_codes(frame.get_column("source"), distinct)
    source = source.astype(np.int64)
    count = len(source_names)

    new_user = _run_starts(user)
    starts = np.flatnonzero(new_user)
    bought_rows = behaviour == BUY
    buy_rows = np.flatnonzero(bought_rows)
    bits = np.left_shift(np.int64(1), source)
    seen = np.bitwise_or.reduceat(bits, starts)  # each visitor's sources, as bits
    buyer_starts = _run_starts(user[buy_rows])
    bought = np.bitwise_or.reduceat(bits[buy_rows], np.flatnonzero(buyer_starts))  # each buyer's buying sources
    width = max(codes) + 1
    by_behaviour = np.bincount(source * 4 + behaviour, minlength=width * 4).reshape(width, 4)[codes]
    masks = [np.int64(1) << np.int64(code) for code in codes]
    uv = [int(np.count_nonzero(seen & mask)) for mask in masks]
    buyers = [int(np.count_nonzero(bought & mask)) for mask in masks]

    sources = pl.DataFrame(
        {
            "day": [day] * count,
            "source": source_names,
            "pv": by_behaviour[:, PV],
            "favs": by_behaviour[:, FAV],
            "carts": by_behaviour[:, CART],
            "buys": by_behaviour[:, BUY],
            "uv": uv,
            "buyers": buyers,
        },
        schema=SOURCE_SCHEMA,
    )
    totals = by_behaviour.sum(axis=0)
    days = pl.DataFrame(
        {
            "day": [day],
            "pv": [int(totals[PV])],
            "favs": [int(totals[FAV])],
            "carts": [int(totals[CART])],
            "buys": [int(totals[BUY])],
            "uv": [len(starts)],
            "buyers": [len(bought)],
        },
        schema=DAY_SCHEMA,
    )

    # A visitor's events on an item are a run too; among the buy rows alone (still in order), so are their buys.
    new_pair = new_user | _run_starts(item)
    first_buy = np.zeros(len(user), dtype=bool)
    first_buy[buy_rows[buyer_starts | _run_starts(item[buy_rows])]] = True
    items = _items(day, item, behaviour, new_pair, first_buy)
    return Figures(days, sources, items)


def _items(day: date, item: np.ndarray, behaviour: np.ndarray, first_pair: np.ndarray, first_buy: np.ndarray):
    """Each item's events by behaviour, visitors (the runs of a visitor on it) and buyers (runs among buys)."""
    low, high = int(item.min()), int(item.max())
    if high - low < ITEM_SPAN * len(item) + 1024:
        index = item - low
        span = high - low + 1
        counts = np.bincount(index * 4 + behaviour, minlength=span * 4).reshape(span, 4)
        uv = np.bincount(index[first_pair], minlength=span)
        buyers = np.bincount(index[first_buy], minlength=span)
        present = np.flatnonzero(uv)
        return pl.DataFrame(
            {
                "day": [day] * len(present),
                "item_id": present + low,
                "pv": counts[present, PV],
                "favs": counts[present, FAV],
                "carts": counts[present, CART],
                "buys": counts[present, BUY],
                "uv": uv[present],
                "buyers": buyers[present],
            },
            schema=ITEM_SCHEMA,
        )
    return (
        pl.DataFrame({"item_id": item, "behaviour": behaviour, "first_pair": first_pair, "first_buy": first_buy})
        .group_by("item_id")
        .agg(
            pv=(pl.col("behaviour") == PV).sum(),
            favs=(pl.col("behaviour") == FAV).sum(),
            carts=(pl.col("behaviour") == CART).sum(),
            buys=(pl.col("behaviour") == BUY).sum(),
            uv=pl.col("first_pair").sum(),
            buyers=pl.col("first_buy").sum(),
        )
        .select(pl.lit(day).alias("day"), "item_id", *FIGURES)
        .cast(ITEM_SCHEMA)
    )


def _run_starts(values: np.ndarray) -> np.ndarray:
    """True where a run of equal values begins (the first row always)."""
    starts = np.ones(len(values), dtype=bool)
    if len(values) > 1:
        np.not_equal(values[1:], values[:-1], out=starts[1:])
    return starts


def _sorted(user: np.ndarray, item: np.ndarray) -> bool:
    """Sorted by (user_id, item_id), as a stored day is."""
    if len(user) < 2:
        return True
    later, same = user[1:] > user[:-1], user[1:] == user[:-1]
    return bool(np.all(later | (same & (item[1:] >= item[:-1]))))


def _figures() -> list[pl.Expr]:
    behaviour, user = pl.col("behavior_type"), pl.col("user_id")
    return [
        (behaviour == "pv").sum().alias("pv"),
        (behaviour == "fav").sum().alias("favs"),
        (behaviour == "cart").sum().alias("carts"),
        (behaviour == "buy").sum().alias("buys"),
        user.n_unique().alias("uv"),
        user.filter(behaviour == "buy").n_unique().alias("buyers"),
    ]


def general(frame: pl.LazyFrame) -> Figures:
    """The same figures by polars's group-by with n_unique, for any frame with a `day` (the three levels in one
    collect, the frame read once)."""
    lean = frame.select("day", pl.col("source").cast(pl.String), "item_id", "user_id", "behavior_type")
    days, sources, items = pl.collect_all(
        [
            lean.group_by("day").agg(_figures()),
            lean.group_by("day", "source").agg(_figures()),
            lean.group_by("day", "item_id").agg(_figures()),
        ]
    )
    return Figures(days.cast(DAY_SCHEMA), sources.cast(SOURCE_SCHEMA), items.cast(ITEM_SCHEMA))
