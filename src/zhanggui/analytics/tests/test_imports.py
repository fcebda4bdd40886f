"""Importing behaviour events: the daily figures of a hand-worked dataset, idempotence, one day recomputed at a
time, refused files (line, column, reason; nothing written), the file shapes (no header, BOM, Parquet)."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
from django.conf import settings

from zhanggui.analytics import events, selectors, services
from zhanggui.analytics.models import EventDay, EventDaySource
from zhanggui.analytics.tests.conftest import DAY1, DAY2, DAY3, EVENTS, at, csv_text
from zhanggui.core.errors import PermissionDeniedError

pytestmark = pytest.mark.django_db

FIGURES = ("pv", "favs", "carts", "buys", "uv", "buyers")


def run(shop, actor, *paths):
    return services.import_events(actor=actor, shop=shop, files=[(path, path.name) for path in paths])


def day_rows(shop):
    return [
        (row.day, *(getattr(row, f) for f in FIGURES), row.conversion) for row in EventDay.objects.filter(shop=shop)
    ]


def source_rows(shop):
    return [
        (row.day, row.source, *(getattr(row, f) for f in FIGURES), row.conversion)
        for row in EventDaySource.objects.filter(shop=shop)
    ]


def stored_files(shop):
    """The shop's event files and item figures (temporary files included, the import's lock file left out)."""
    root = settings.ZHANGGUI_EVENTS_DIR
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file() and path.name != ".lock")


# Worked by hand from conftest.EVENTS:                pv favs carts buys uv buyers  conversion (buyers ÷ uv, 4 places)
EXPECTED_DAYS = [
    (DAY1, 6, 1, 1, 2, 3, 2, Decimal("0.6667")),  # users 1, 2, 3; buyers 1 and 3
    (DAY2, 2, 0, 0, 1, 2, 1, Decimal("0.5000")),  # users 4 and 5; buyer 4
]
EXPECTED_SOURCES = [
    (DAY1, "ad", 3, 1, 0, 1, 3, 1, Decimal("0.3333")),  # users 2, 3 and 1; buyer 3 (user 1 bought from search)
    (DAY1, "search", 3, 0, 1, 1, 2, 1, Decimal("0.5000")),  # users 1 and 2; buyer 1
    (DAY2, "", 1, 0, 0, 1, 1, 1, Decimal("1.0000")),  # no source named: user 4
    (DAY2, "search", 1, 0, 0, 0, 1, 0, Decimal("0.0000")),  # user 5 did not buy
]


def test_daily_figures_of_a_hand_worked_dataset(shop, system, write):
    report = run(shop, system, write("events.csv", csv_text(EVENTS)))

    assert report.ok
    assert (report.rows, report.events_added, report.days, report.days_recomputed) == (
        13,
        13,
        [DAY1, DAY2],
        [DAY1, DAY2],
    )
    assert day_rows(shop) == EXPECTED_DAYS
    assert source_rows(shop) == EXPECTED_SOURCES
    items = selectors.item_days(shop=shop, start=DAY1, end=DAY2).select("day", "item_id", "pv", "uv", "buyers")
    assert items.rows() == [(DAY1, 10, 3, 2, 1), (DAY1, 11, 3, 3, 1), (DAY2, 10, 2, 2, 1)]
    assert stored_files(shop) == [
        "tb01.items/day=2026-06-01/items.parquet",
        "tb01.items/day=2026-06-02/items.parquet",
        "tb01/day=2026-06-01/events.parquet",
        "tb01/day=2026-06-02/events.parquet",
    ]
    stored = pl.read_parquet(settings.ZHANGGUI_EVENTS_DIR / "tb01" / "day=2026-06-02" / "events.parquet")
    assert stored.sort("timestamp").get_column("user_id").to_list() == [4, 4, 5]
    assert stored.get_column("session_id").null_count() == 3  # an empty session_id is stored as none


def test_the_same_file_twice_changes_nothing(shop, system, write):
    path = write("events.csv", csv_text(EVENTS))
    run(shop, system, path)
    root = settings.ZHANGGUI_EVENTS_DIR / "tb01"
    before = {p: p.stat().st_mtime_ns for p in root.rglob("*.parquet")}
    rows_before = list(EventDaySource.objects.values_list("pk", "day", "source", "pv", "uv"))

    again = run(shop, system, path)

    assert again.ok and (again.rows, again.events_added, again.days_recomputed) == (13, 0, [])
    assert {p: p.stat().st_mtime_ns for p in root.rglob("*.parquet")} == before
    assert list(EventDaySource.objects.values_list("pk", "day", "source", "pv", "uv")) == rows_before


def test_a_repeated_row_within_a_file_is_one_event(shop, system, write):
    report = run(shop, system, write("events.csv", csv_text([EVENTS[0], EVENTS[0], EVENTS[1]])))
    assert (report.rows, report.events_added) == (3, 2)
    assert day_rows(shop) == [(DAY1, 2, 0, 0, 0, 1, 0, Decimal("0.0000"))]


def test_a_later_file_recomputes_only_the_days_it_changes(shop, system, write):
    run(shop, system, write("first.csv", csv_text(EVENTS)))
    day1 = {row.pk: row for row in [*EventDay.objects.filter(day=DAY1), *EventDaySource.objects.filter(day=DAY1)]}
    day1_items = events.items_path("tb01", DAY1).stat().st_mtime_ns
    later = [
        EVENTS[0],  # already stored: day 1 does not change
        (6, 12, 101, "buy", at(DAY2, 20), "", "search"),  # a new buyer on day 2
        (7, 12, 101, "pv", at(DAY3, 9), "", "live"),
    ]

    report = run(shop, system, write("later.csv", csv_text(later)))

    assert (report.days, report.days_recomputed, report.events_added) == ([DAY1, DAY2, DAY3], [DAY2, DAY3], 2)
    untouched = {row.pk: row for row in [*EventDay.objects.filter(day=DAY1), *EventDaySource.objects.filter(day=DAY1)]}
    assert untouched.keys() == day1.keys()  # the same rows, not deleted and made again
    assert [(r.pv, r.uv, r.buyers) for r in untouched.values()] == [(r.pv, r.uv, r.buyers) for r in day1.values()]
    assert events.items_path("tb01", DAY1).stat().st_mtime_ns == day1_items  # its item file not rewritten
    assert day_rows(shop)[1:] == [
        (DAY2, 2, 0, 0, 2, 3, 2, Decimal("0.6667")),  # users 4, 5, 6; buyers 4 and 6
        (DAY3, 1, 0, 0, 0, 1, 0, Decimal("0.0000")),
    ]
    assert source_rows(shop)[2:] == [
        (DAY2, "", 1, 0, 0, 1, 1, 1, Decimal("1.0000")),
        (DAY2, "search", 1, 0, 0, 1, 2, 1, Decimal("0.5000")),
        (DAY3, "live", 1, 0, 0, 0, 1, 0, Decimal("0.0000")),
    ]


BAD = [
    (1, 10, 100, "pv", at(DAY1, 9), "", "search"),  # line 1: good
    (1, 10, 100, "click", at(DAY1, 9), "", "search"),  # line 2
    ("", 10, 100, "pv", at(DAY1, 9), "", "search"),  # line 3
    (1, 10, "x", "pv", "later", "", "search"),  # line 4: two refusals
    (1, 10, 100, "buy", 99, "", "search"),  # line 5
    (1, "", 100, "pv", at(DAY1, 9), "", "s" * 33),  # line 6: two refusals
]


@pytest.mark.parametrize("header", [False, True])
def test_a_bad_file_names_each_refused_row_and_writes_nothing(shop, system, write, header):
    run(shop, system, write("good.csv", csv_text(EVENTS[:2])))
    before = (stored_files(shop), day_rows(shop), source_rows(shop))

    report = run(shop, system, write("more.csv", csv_text(EVENTS[2:])), write("bad.csv", csv_text(BAD, header=header)))

    first = 2 if header else 1  # the file line of the first event
    assert not report.ok and report.rejected_rows == 5
    assert [(e.file, e.line - first + 1, e.column, e.reason) for e in report.rejected] == [
        ("bad.csv", 2, "behavior_type", "unknown behavior_type click (pv, fav, cart or buy)"),
        ("bad.csv", 3, "user_id", "empty"),
        ("bad.csv", 4, "category_id", "x is not a whole number"),
        ("bad.csv", 4, "timestamp", "later is not a timestamp (Unix seconds)"),
        ("bad.csv", 5, "timestamp", "99 is out of range (a moment from 2000 to 2099, in Unix seconds)"),
        ("bad.csv", 6, "item_id", "empty"),
        ("bad.csv", 6, "source", "longer than 32 characters"),
    ]
    assert (report.days_recomputed, report.events_added) == ([], 0)
    assert (stored_files(shop), day_rows(shop), source_rows(shop)) == before  # more.csv was good: not stored either


def test_only_the_first_refusals_are_listed_but_all_are_counted(shop, system, write, monkeypatch):
    monkeypatch.setattr(events, "REJECTED_LISTED", 3)
    rows = [(1, 10, 100, "view", at(DAY1, 9), "", "")] * 5
    report = run(shop, system, write("bad.csv", csv_text(rows)))
    assert report.rejected_rows == 5
    assert [e.line for e in report.rejected] == [1, 2, 3]
    assert report.summary()[0] == "5 rows rejected; nothing was stored. The first 3 are listed."


def test_columns_the_schema_does_not_have_refuse_the_file(shop, system, write):
    text = "user_id,item_id,category_id,behaviour_type,timestamp\n1,10,100,pv,1780000000\n"
    report = run(shop, system, write("typo.csv", text))
    assert [(e.line, e.column) for e in report.rejected] == [(0, "behavior_type, behaviour_type")]
    assert "The columns must be user_id, item_id, category_id, behavior_type, timestamp" in report.rejected[0].reason
    assert not EventDay.objects.exists()


def test_a_file_without_a_header_needs_five_to_seven_columns(shop, system, write):
    report = run(shop, system, write("short.csv", "1,10,100,pv\n"))
    assert "A file without a header row must have the columns" in report.rejected[0].reason
    assert report.rejected_rows == 1 and not EventDay.objects.exists()


def test_csv_with_a_header_a_bom_and_the_columns_in_another_order(shop, system, write):
    rows = ["source,timestamp,behavior_type,category_id,item_id,user_id,session_id"]
    rows += [f"{e[6]},{e[4]},{e[3].upper()},{e[2]},{e[1]},{e[0]},{e[5]}" for e in EVENTS]
    report = run(shop, system, write("bom.csv", "\ufeff" + "\r\n".join(rows) + "\r\n"))
    assert report.ok and report.rows == 13
    assert day_rows(shop) == EXPECTED_DAYS
    assert source_rows(shop) == EXPECTED_SOURCES


def test_the_public_datasets_five_columns_without_a_header(shop, system, write):
    report = run(shop, system, write("UserBehavior.csv", csv_text(EVENTS, columns=5)))
    assert report.ok
    assert day_rows(shop) == EXPECTED_DAYS
    assert [(r.day, r.source, r.uv) for r in EventDaySource.objects.all()] == [(DAY1, "", 3), (DAY2, "", 2)]


def test_parquet_input(shop, system, write, tmp_path):
    names = ["user_id", "item_id", "category_id", "behavior_type", "timestamp", "session_id", "source"]
    frame = pl.DataFrame([dict(zip(names, row, strict=True)) for row in EVENTS])
    path = tmp_path / "events.parquet"
    frame.write_parquet(path)
    report = run(shop, system, path)
    assert report.ok and report.rows == 13
    assert day_rows(shop) == EXPECTED_DAYS
    assert source_rows(shop) == EXPECTED_SOURCES


def test_a_parquet_file_names_refused_rows_by_row_number(shop, system, tmp_path):
    frame = pl.DataFrame({"user_id": [1, None], "item_id": [10, 10], "category_id": [1, 1],
                          "behavior_type": ["pv", "pv"], "timestamp": [at(DAY1, 9), -5]})  # fmt: skip
    path = tmp_path / "bad.parquet"
    frame.write_parquet(path)
    report = run(shop, system, path)
    assert [(e.line, e.column, e.reason) for e in report.rejected] == [
        (2, "user_id", "empty"),
        (2, "timestamp", "-5 is out of range (a moment from 2000 to 2099, in Unix seconds)"),
    ]


def test_a_failure_while_storing_leaves_the_previous_state(shop, system, write, monkeypatch):
    run(shop, system, write("first.csv", csv_text(EVENTS[:3])))
    before = (stored_files(shop), day_rows(shop), source_rows(shop))
    original = pl.read_parquet(settings.ZHANGGUI_EVENTS_DIR / "tb01" / "day=2026-06-01" / "events.parquet")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_store", broken)
    with pytest.raises(RuntimeError):
        run(shop, system, write("rest.csv", csv_text(EVENTS)))

    assert (stored_files(shop), day_rows(shop), source_rows(shop)) == before  # no temporary file left either
    after = pl.read_parquet(settings.ZHANGGUI_EVENTS_DIR / "tb01" / "day=2026-06-01" / "events.parquet")
    assert after.sort("timestamp").equals(original.sort("timestamp"))


def test_recompute_days_gives_the_same_rows_from_the_stored_files(shop, system, write):
    run(shop, system, write("events.csv", csv_text(EVENTS)))
    EventDaySource.objects.all().delete()
    assert services.recompute_days(shop=shop) == [DAY1, DAY2]
    assert source_rows(shop) == EXPECTED_SOURCES


def test_a_role_that_does_not_import_is_refused_before_reading(shop, users, write):
    with pytest.raises(PermissionDeniedError):
        run(shop, users["service"], write("events.csv", csv_text(EVENTS)))
    assert stored_files(shop) == [] and not EventDay.objects.exists()


def test_days_follow_the_shops_time_zone(shop, system, write, settings):
    settings.TIME_ZONE = "UTC"
    run(shop, system, write("events.csv", csv_text(EVENTS)))
    # User 4's events (Shanghai's 2 June, 00:00 and 00:05) are the 1st in UTC; user 5's (08:00) is UTC's midnight.
    assert [row[:2] for row in day_rows(shop)] == [(DAY1, 7), (DAY2, 1)]


def test_a_zone_with_summer_time_converts_each_moment(shop, system, write, settings):
    settings.TIME_ZONE = "Europe/Berlin"  # 2026-03-29 02:00 → 03:00: the offset changes inside the file
    # 00:59:59 UTC is 01:59:59 CET (the 29th); 22:30 UTC is 00:30 CEST of the 30th but 23:30 CET: one offset would
    # put it on the 29th.
    spring = [(1, 10, 100, "pv", 1774746000 - 1, "", ""), (2, 10, 100, "pv", 1774746000 + 3600 * 21 + 1800, "", "")]
    run(shop, system, write("events.csv", csv_text(spring)))
    assert [row[0].isoformat() for row in day_rows(shop)] == ["2026-03-29", "2026-03-30"]
