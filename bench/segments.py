"""Segments over 1M members with 5M orders: members.segments (RFM by quintile, new vs returning, churn risk, high
value) vs the same written as one hand-written SQL query on the same database.

Generates `--members` members and their orders (fixed seed, numpy): each member's number of orders is 1 + a
Poisson draw of a Gamma-distributed rate (mean 5 orders a member, so 1M members have about 5M orders), each order
paid at a random second of the last two years, ¥9.90–¥2,000 (log-normal). The orders are summed up into the
members' stored figures exactly as members.services.refresh stores them (orders, spend, first, previous and last
payment) and written to the members table; both sides read those figures, as the segments page does. Then, each
in a child process of its own (its time and its peak resident memory, VmHWM):

- ours: members.segments.scored(now) and the counts of six segments (everyone, high value, churn risk, returning,
  new, champions R ≥ 4 and F ≥ 4) through SegmentFilters.mask (what the segments page and campaigns use);
- SQL: one query — RANK() windows for the quintile scores (1 + ⌊5 × (rank − 1) ÷ n⌋ is docs/members.md's
  "people with a lower value"), CASE sums for the segments.

Both print the six counts and a checksum of every member's (R, F, M, returning, churn) that must be equal. Last,
`ratio: <sql ÷ ours>` (time; goal ≥ 0.5).

    python bench/segments.py [--members 1000000] [--seed 13]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/segments.py --members 100000

SQLite in a temporary directory unless DATABASE_URL names a reachable PostgreSQL server (then a database named
zhanggui_bench_segments is created there, dropped first).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

ZONE = "Asia/Shanghai"  # UTC+8 all year: the SQL's local date is the UTC time + 8 hours
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=ZoneInfo(ZONE))
YEARS_OF_ORDERS = 2
SEGMENTS = ["everyone", "high_value", "churn_risk", "returning", "new", "champions"]


# ----- the database -----------------------------------------------------------------------------------------------


def postgres_url() -> str:
    """The bench database's URL on the DATABASE_URL server when it is PostgreSQL and answers, else ""."""
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql://")):
        return ""
    try:
        import psycopg

        with psycopg.connect(server, autocommit=True, connect_timeout=3) as conn:
            conn.execute("DROP DATABASE IF EXISTS zhanggui_bench_segments WITH (FORCE)")
            conn.execute("CREATE DATABASE zhanggui_bench_segments")
    except Exception as exc:  # unreachable: fall back to SQLite, say so
        print(f"PostgreSQL not reachable ({exc.__class__.__name__}): SQLite instead")
        return ""
    return urlunsplit(urlsplit(server)._replace(path="/zhanggui_bench_segments"))


def setup_django(work: Path, url: str) -> None:
    os.environ["ZHANGGUI_DATA_DIR"] = str(work)
    os.environ["ZHANGGUI_TIME_ZONE"] = ZONE
    if url:
        os.environ["DATABASE_URL"] = url
    else:
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


# ----- generating -------------------------------------------------------------------------------------------------


def generate(members: int, seed: int) -> tuple[int, list[tuple]]:
    """The members' figures from their generated orders: (orders in all, rows for the members table)."""
    import numpy as np
    from django.db import connection

    rng = np.random.default_rng(seed)
    counts = 1 + rng.poisson(rng.gamma(0.5, 8.0, members))  # mean 1 + 4 = 5 orders a member
    total = int(counts.sum())
    owner = np.repeat(np.arange(members), counts)
    span = YEARS_OF_ORDERS * 365 * 86_400
    end = int(NOW.timestamp())
    paid = end - rng.integers(1, span, total)
    fen = np.clip(np.round(rng.lognormal(np.log(12_000), 0.8, total)), 990, 200_000).astype(np.int64)
    order = np.lexsort((paid, owner))  # by member, then time
    paid, fen = paid[order], fen[order]
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    ends = starts + counts - 1
    spend = np.add.reduceat(fen, starts)
    first, last = paid[starts], paid[ends]
    previous = np.where(counts > 1, paid[np.maximum(ends - 1, 0)], -1)
    ops = connection.ops
    utc = ZoneInfo("UTC")

    def moment(seconds: int):
        return ops.adapt_datetimefield_value(datetime.fromtimestamp(int(seconds), tz=utc)) if seconds >= 0 else None

    created = ops.adapt_datetimefield_value(NOW)
    rows = [
        (
            f"m{i}",
            "",
            "",
            int(counts[i]),
            ops.adapt_decimalfield_value(_yuan(int(spend[i])), 14, 2),
            moment(first[i]),
            moment(previous[i]),
            moment(last[i]),
            0,
            created,
        )
        for i in range(members)
    ]
    return total, rows


def _yuan(fen: int):
    from decimal import Decimal

    return Decimal(fen).scaleb(-2)


def load(work: Path, url: str, members: int, seed: int) -> dict:
    setup_django(work, url)
    from django.core.management import call_command
    from django.db import connection, transaction

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    total, rows = generate(members, seed)
    columns = "name, phone_cipher, phone_hash, orders_count, spend, first_paid_at, previous_paid_at, last_paid_at"
    sql = f"INSERT INTO members_member ({columns}, points, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    with transaction.atomic(), connection.cursor() as cursor:
        for at in range(0, len(rows), 50_000):
            cursor.executemany(sql, rows[at : at + 50_000])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE members_member")
    return {"orders": total, "members": members, "seconds": time.perf_counter() - started, "db": connection.vendor}


# ----- the two sides ----------------------------------------------------------------------------------------------


def step_ours(work: Path, url: str) -> dict:
    setup_django(work, url)
    from zhanggui.members import segments
    from zhanggui.members.segments import SegmentFilters

    filters = {
        "everyone": SegmentFilters(),
        "high_value": SegmentFilters(high_value=True),
        "churn_risk": SegmentFilters(churn_risk=True),
        "returning": SegmentFilters(buyer_type="returning"),
        "new": SegmentFilters(buyer_type="new"),
        "champions": SegmentFilters(r_min=4, f_min=4),
    }
    started = time.perf_counter()
    scores = segments.scored(NOW)
    counts = {name: int(f.mask(scores).sum()) for name, f in filters.items()}
    seconds = time.perf_counter() - started
    weights = scores.r + 7 * scores.f + 49 * scores.m + 343 * scores.returning + 686 * scores.churn_risk
    checksum = int((scores.member_id * weights).sum())
    return {"seconds": seconds, "counts": counts, "checksum": checksum}


SQLITE_DAYS = "julianday(date({col}, '+8 hours'))"  # the local date (UTC+8) as a day number
SQLITE_SPAN = "(julianday({a}) - julianday({b}))"  # days between two moments, with fractions


def rfm_sql(vendor: str) -> str:
    """One query: the people's scores by RANK() (rank − 1 = how many are strictly lower, or strictly more recent
    for R), then the six segments' counts and the checksum. %s: today's local date (as text), then now."""
    if vendor == "postgresql":
        local = "(({col}) AT TIME ZONE 'Asia/Shanghai')::date"
        recency = f"(%s::date - {local.format(col='last_paid_at')})"
        span = "(EXTRACT(EPOCH FROM ({a}) - ({b})) / 86400.0)"
        now = "%s::timestamptz"
    else:
        recency = f"(julianday(%s) - {SQLITE_DAYS.format(col='last_paid_at')})"
        span = SQLITE_SPAN
        now = "%s"
    returning = f"(previous_paid_at IS NOT NULL AND {span.format(a='last_paid_at', b='previous_paid_at')} <= 365)"
    churn = (
        f"(orders_count >= 2 AND {span.format(a=now, b='last_paid_at')} > "
        f"{span.format(a='last_paid_at', b='first_paid_at')} / (orders_count - 1))"
    )
    return f"""
WITH people AS (
    SELECT id, orders_count, spend, {recency} AS days,
           CASE WHEN {returning} THEN 1 ELSE 0 END AS back,
           CASE WHEN {churn} THEN 1 ELSE 0 END AS churn
    FROM members_member
    WHERE merged_into_id IS NULL AND orders_count > 0 AND last_paid_at IS NOT NULL
), scored AS (
    SELECT id, back, churn,
           1 + (5 * (RANK() OVER (ORDER BY days DESC) - 1)) / COUNT(*) OVER () AS r,
           1 + (5 * (RANK() OVER (ORDER BY orders_count) - 1)) / COUNT(*) OVER () AS f,
           1 + (5 * (RANK() OVER (ORDER BY spend) - 1)) / COUNT(*) OVER () AS m
    FROM people
)
SELECT COUNT(*),
       SUM(CASE WHEN m = 5 THEN 1 ELSE 0 END),
       SUM(churn),
       SUM(back),
       SUM(1 - back),
       SUM(CASE WHEN r >= 4 AND f >= 4 THEN 1 ELSE 0 END),
       SUM(id * (r + 7 * f + 49 * m + 343 * back + 686 * churn))
FROM scored
"""


def step_sql(work: Path, url: str) -> dict:
    setup_django(work, url)
    from django.db import connection

    today = NOW.astimezone(ZoneInfo(ZONE)).date().isoformat()
    params = [today, NOW.isoformat()] if connection.vendor == "postgresql" else [today, _utc_text(NOW)]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(rfm_sql(connection.vendor), params)
        values = cursor.fetchone()
    seconds = time.perf_counter() - started
    counts = dict(zip(SEGMENTS, (int(v or 0) for v in values[:6]), strict=True))
    return {"seconds": seconds, "counts": counts, "checksum": int(values[6] or 0)}


def _utc_text(moment: datetime) -> str:
    return (moment.astimezone(ZoneInfo("UTC")).replace(tzinfo=None) + timedelta(0)).isoformat(sep=" ")


STEPS = {"ours": step_ours, "sql": step_sql}


# ----- the run ----------------------------------------------------------------------------------------------------


def run_step(step: str, work: Path, url: str, extra: list[str]) -> dict:
    command = [sys.executable, __file__, "--child", step, "--work", str(work), "--url", url, *extra]
    out = subprocess.run(command, capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"the step {step} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        work = Path(args.work)
        if args.child == "load":
            out = load(work, args.url, args.members, args.seed)
        else:
            out = STEPS[args.child](work, args.url)
        print(json.dumps({**out, "peak_mib": peak_mib()}))
        return
    url = postgres_url()
    with tempfile.TemporaryDirectory(prefix="zg-bench-segments-") as tmp:
        work = Path(tmp)
        loaded = run_step("load", work, url, ["--members", str(args.members), "--seed", str(args.seed)])
        print(
            f"database: {loaded['db']}; members: {loaded['members']:,}, orders: {loaded['orders']:,} "
            f"(generated and loaded in {loaded['seconds']:.1f} s, peak {loaded['peak_mib']:.0f} MiB)"
        )
        ours = run_step("ours", work, url, [])
        sql = run_step("sql", work, url, [])
    for name, side in (("ours (members.segments)", ours), ("hand-written SQL", sql)):
        print(f"{name}: {side['seconds']:.2f} s, peak memory {side['peak_mib']:.0f} MiB")
    print("segments: " + ", ".join(f"{k} {v:,}" for k, v in ours["counts"].items()))
    same = ours["counts"] == sql["counts"] and ours["checksum"] == sql["checksum"]
    print(f"same results: {'yes' if same else 'NO'}")
    if not same:
        print(f"  sql: {sql['counts']}, checksum {sql['checksum']} vs ours {ours['checksum']}")
    print(f"ratio: {sql['seconds'] / ours['seconds']:.2f}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
