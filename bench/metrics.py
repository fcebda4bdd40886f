"""Daily behaviour metrics over 20M events: Zhanggui's import and aggregation vs hand-written DuckDB SQL, polars and
pandas over the same stored Parquet.

Generates `--events` behaviour events (fixed seed, numpy: `--days` days of the shop's time zone, `--items` items,
`--users` visitors, five traffic sources, pv/fav/cart/buy about 89/3/6/2 %) as one Parquet file in the public
Taobao schema, plus one more day in a second file. Then, each step in a child process of its own (its time, and
its peak resident memory, VmHWM, the whole process's):

- import: `zhanggui import-events`' path (analytics.services.import_events) for the 30 days: read, check every
  row, store one Parquet file per day, compute and store the daily rows;
- ours: analytics.services.recompute_days over the 30 stored days: read the day files, compute every daily
  figure (a shop's day, by source and by item, exact distinct counts) and replace them (the day and source rows
  in the database, SQLite here; each day's item file);
- DuckDB (two-step GROUP BY: per visitor, then per day and source), polars (group_by with n_unique) and pandas
  (groupby with nunique, through pyarrow): daily PV, UV, paying buyers and conversion by source from the same
  stored files (hive-partitioned by day);
- add a day: import the 31st day (one day's file): checked, stored, that day alone recomputed.

Every result is the same table (day, source, pv, uv, buyers, conversion in units of 0.0001 rounded half up) and
they must be equal. Last, `ratio_best: <fastest rival ÷ ours>` and `ratio_pandas: <pandas ÷ ours>`, where ours is
the aggregation of the stored days (the step the rivals do); the import's time is printed above them.

    python bench/metrics.py [--events 20000000] [--days 30] [--seed 11]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

SHOP = "bench"
ZONE = "Asia/Shanghai"
FIRST_DAY = date(2026, 11, 1)
SOURCES = ["search", "recommend", "ad", "direct", "live"]
SOURCE_SHARES = [0.40, 0.30, 0.15, 0.10, 0.05]
BEHAVIOURS = ["pv", "fav", "cart", "buy"]
BEHAVIOUR_SHARES = [0.89, 0.03, 0.06, 0.02]
RESULT = ["day", "source", "pv", "uv", "buyers", "conversion_1e4"]


# ----- generating ----------------------------------------------------------------------------------------------


def generate(path: Path, *, events: int, first_day: date, days: int, seed: int, items: int, users: int) -> None:
    """`events` events spread evenly over `days` days of the shop's zone, as a Parquet file (vectorised)."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    start = int(datetime.combine(first_day, datetime.min.time(), tzinfo=ZoneInfo(ZONE)).timestamp())
    item = rng.integers(1, items + 1, events, dtype=np.int64)
    pick = np.searchsorted  # a share table → codes: one uniform draw a row
    frame = pl.DataFrame(
        {
            "user_id": rng.integers(1, users + 1, events, dtype=np.int64),
            "item_id": 5_000_000 + item,
            "category_id": 1 + item % 97,
            "behavior_type": pl.Series(BEHAVIOURS, dtype=pl.Enum(BEHAVIOURS)).gather(
                pick(np.cumsum(BEHAVIOUR_SHARES)[:-1], rng.random(events), side="right")
            ),
            "timestamp": start + rng.integers(0, days * 86_400, events, dtype=np.int64),
            "source": pl.Series(SOURCES, dtype=pl.Enum(SOURCES)).gather(
                pick(np.cumsum(SOURCE_SHARES)[:-1], rng.random(events), side="right")
            ),
        }
    )
    frame.write_parquet(path, compression="zstd", row_group_size=1_000_000)


# ----- the steps (each in a child process) ------------------------------------------------------------------------


def setup_django(work: Path) -> None:
    os.environ["ZHANGGUI_DATA_DIR"] = str(work)
    os.environ["ZHANGGUI_EVENTS_DIR"] = str(work / "events")
    os.environ["ZHANGGUI_TIME_ZONE"] = ZONE
    os.environ.pop("DATABASE_URL", None)  # SQLite in the work directory
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhanggui.settings")
    import django

    django.setup()


def peak_mib() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def glob_of(work: Path) -> str:
    return str(work / "events" / SHOP / "day=*" / "*.parquet")


def step_import(work: Path, name: str) -> dict:
    setup_django(work)
    from zhanggui.analytics import services
    from zhanggui.catalog.models import Shop
    from zhanggui.core.services import system_user

    shop, actor = Shop.objects.get(code=SHOP), system_user()
    path = work / "input" / name
    started = time.perf_counter()
    report = services.import_events(actor=actor, shop=shop, files=[(path, path.name)])
    seconds = time.perf_counter() - started
    if not report.ok:
        sys.exit(f"the import refused rows: {report.rejected[:5]}")
    return {"seconds": seconds, "rows": report.rows, "recomputed": len(report.days_recomputed)}


def step_ours(work: Path) -> dict:
    setup_django(work)
    import polars as pl

    from zhanggui.analytics import selectors, services
    from zhanggui.catalog.models import Shop

    shop = Shop.objects.get(code=SHOP)
    started = time.perf_counter()
    days = services.recompute_days(shop=shop)
    seconds = time.perf_counter() - started
    rows = [
        (d.day.isoformat(), s.source, s.pv, s.uv, s.buyers, int(s.conversion * 10_000))
        for d in selectors.daily(shop=shop, start=days[0], end=days[-1])
        for s in d.sources
    ]
    pl.DataFrame(rows, schema=RESULT, orient="row").write_parquet(work / "result-ours.parquet")
    return {"seconds": seconds}


def _half_up(buyers: str, uv: str) -> str:
    """Conversion in units of 0.0001, rounded half up, in integers (as Decimal's ROUND_HALF_UP does)."""
    return f"({buyers} * 20000 + {uv}) // (2 * {uv})"


def step_duckdb(work: Path) -> dict:
    import duckdb

    sql = f"""
        WITH visitors AS (
            SELECT day, source, user_id,
                   count(*) FILTER (WHERE behavior_type = 'pv') AS pv,
                   bool_or(behavior_type = 'buy') AS bought
            FROM read_parquet('{glob_of(work)}', hive_partitioning = true)
            GROUP BY day, source, user_id
        ), by_source AS (
            SELECT day, source, sum(pv)::BIGINT AS pv, count(*) AS uv, count(*) FILTER (WHERE bought) AS buyers
            FROM visitors GROUP BY day, source
        )
        SELECT strftime(day::DATE, '%Y-%m-%d') AS day, source, pv, uv, buyers,
               {_half_up("buyers", "uv")} AS conversion_1e4
        FROM by_source
    """
    started = time.perf_counter()
    result = duckdb.sql(sql).pl()
    seconds = time.perf_counter() - started
    result.write_parquet(work / "result-duckdb.parquet")
    return {"seconds": seconds}


def step_polars(work: Path) -> dict:
    import polars as pl

    started = time.perf_counter()
    b, u = pl.col("behavior_type"), pl.col("user_id")
    result = (
        pl.scan_parquet(glob_of(work), hive_partitioning=True, hive_schema={"day": pl.Date})
        .group_by("day", "source")
        .agg(pv=(b == "pv").sum(), uv=u.n_unique(), buyers=u.filter(b == "buy").n_unique())
        .with_columns(conversion_1e4=(pl.col("buyers") * 20_000 + pl.col("uv")) // (2 * pl.col("uv")))
        .collect()
    )
    seconds = time.perf_counter() - started
    result.with_columns(pl.col("day").dt.strftime("%Y-%m-%d")).select(RESULT).write_parquet(
        work / "result-polars.parquet"
    )
    return {"seconds": seconds}


def step_pandas(work: Path) -> dict:
    import pandas as pd

    started = time.perf_counter()
    frame = pd.read_parquet(
        work / "events" / SHOP, columns=["day", "source", "user_id", "behavior_type"], engine="pyarrow"
    )
    keys = ["day", "source"]
    groups = frame.groupby(keys, observed=True)
    result = pd.DataFrame(
        {
            "pv": groups["behavior_type"].agg(lambda column: int((column == "pv").sum())),
            "uv": groups["user_id"].nunique(),
        }
    )
    result["buyers"] = frame[frame["behavior_type"] == "buy"].groupby(keys, observed=True)["user_id"].nunique()
    result = result.fillna({"buyers": 0}).astype({"buyers": "int64"}).reset_index()
    result["conversion_1e4"] = (result["buyers"] * 20_000 + result["uv"]) // (2 * result["uv"])
    seconds = time.perf_counter() - started
    result["day"] = result["day"].astype(str)
    result["source"] = result["source"].astype(str)
    result[RESULT].to_parquet(work / "result-pandas.parquet")
    return {"seconds": seconds}


STEPS = {"import": step_import, "ours": step_ours, "duckdb": step_duckdb, "polars": step_polars, "pandas": step_pandas}


def child(args: argparse.Namespace) -> None:
    work = Path(args.work)
    out = STEPS[args.step](work, args.file) if args.step == "import" else STEPS[args.step](work)
    print(json.dumps({**out, "peak_mib": peak_mib()}))


def run_step(work: Path, step: str, file: str = "") -> dict:
    command = [sys.executable, __file__, "--child", step, "--work", str(work)]
    if file:
        command += ["--file", file]
    out = subprocess.run(command, capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"the step {step} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ----- the run ---------------------------------------------------------------------------------------------------


def same_results(work: Path, engines: list[str]) -> bool:
    import polars as pl

    def load(engine: str) -> pl.DataFrame:
        frame = pl.read_parquet(work / f"result-{engine}.parquet").select(RESULT)
        return frame.cast({name: pl.Int64 for name in RESULT[2:]}).sort("day", "source")

    ours = load("ours")
    same = True
    for engine in engines:
        theirs = load(engine)
        if not ours.equals(theirs):
            print(f"  {engine} differs from ours: {ours.height} rows vs {theirs.height}")
            same = False
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--items", type=int, default=4_000)
    parser.add_argument("--users", type=int, default=400_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep", help="work in this directory and keep it (default: a temporary one, removed)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.step = args.child
        return child(args)

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="zhanggui-metrics-"))
    try:
        (work / "input").mkdir(parents=True, exist_ok=True)
        setup_django(work)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from zhanggui.catalog.models import Channel, Shop

        Shop.objects.get_or_create(code=SHOP, defaults={"name": SHOP, "channel": Channel.TAOBAO})
        from django.db import connection

        connection.close()

        started = time.perf_counter()
        shared = {"items": args.items, "users": args.users}
        generate(work / "input" / "events.parquet", events=args.events, first_day=FIRST_DAY, days=args.days,
                 seed=args.seed, **shared)  # fmt: skip
        one_day, next_day = args.events // args.days, FIRST_DAY + timedelta(days=args.days)
        generate(work / "input" / "one-more-day.parquet", events=one_day, first_day=next_day, days=1,
                 seed=args.seed + 1, **shared)  # fmt: skip
        size = (work / "input" / "events.parquet").stat().st_size / 2**20
        print(
            f"events: {args.events:,} over {args.days} days (+{one_day:,} for one more day), {args.items:,} items, "
            f"{args.users:,} visitors, {len(SOURCES)} sources, seed {args.seed}; generated in "
            f"{time.perf_counter() - started:.1f} s ({size:.0f} MiB of Parquet)"
        )
        sys.stdout.flush()

        def show(label: str, figures: dict, extra: str = "") -> None:
            print(f"{label:<34}{figures['seconds']:>8.2f} s   peak {figures['peak_mib']:>7,.0f} MiB{extra}")
            sys.stdout.flush()

        imported = run_step(work, "import", "events.parquet")
        show(
            "import (read, check, store, aggregate)",
            imported,
            f"   {imported['rows'] / imported['seconds']:,.0f} rows/s",
        )
        timings = {}
        for step in ("ours", "duckdb", "polars", "pandas"):
            timings[step] = run_step(work, step)
            label = {"ours": "ours: aggregate the stored days", "duckdb": "DuckDB SQL (two GROUP BYs)",
                     "polars": "polars (group_by, n_unique)", "pandas": "pandas (groupby, nunique)"}[step]  # fmt: skip
            show(label, timings[step])
        added = run_step(work, "import", "one-more-day.parquet")
        show("add one day (import, 1 day recomputed)", added,
             f"   1/{imported['seconds'] / added['seconds']:.0f} of the {args.days}-day import")  # fmt: skip
        if added["recomputed"] != 1:
            sys.exit(f"adding a day recomputed {added['recomputed']} days")

        # The 31st day is in the stored files now: compare the 30 days the rivals read (ours read them before it).
        rivals = ["duckdb", "polars", "pandas"]
        equal = same_results(work, rivals)
        print(f"results equal (day, source, PV, UV, paying buyers, conversion): {'yes' if equal else 'NO'}")
        if not equal:
            sys.exit(1)
        ours = timings["ours"]["seconds"]
        best = min(timings[rival]["seconds"] for rival in rivals)
        print(f"ratio_best: {best / ours:.2f}")
        print(f"ratio_pandas: {timings['pandas']['seconds'] / ours:.2f}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
