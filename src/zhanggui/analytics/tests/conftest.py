"""A Taobao shop and a small behaviour-event dataset whose daily figures are worked out by hand in the tests.

Days are the shop's (Asia/Shanghai, UTC+8): 2026-06-02 00:00:00 there is still 2026-06-01 in UTC, so a day taken
in UTC would put the first event of the second day on the first.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from zhanggui.catalog.models import Channel
from zhanggui.catalog.tests.factories import ShopFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY1, DAY2, DAY3 = date(2026, 6, 1), date(2026, 6, 2), date(2026, 6, 3)


def at(day: date, hour: int, minute: int = 0, second: int = 0) -> int:
    """Unix seconds of a moment of a Shanghai day."""
    return int(datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI).timestamp())


# user_id, item_id, category_id, behavior_type, timestamp, session_id, source
EVENTS = [
    (1, 10, 100, "pv", at(DAY1, 9), "s1", "search"),
    (1, 10, 100, "pv", at(DAY1, 9, 1), "s1", "search"),
    (1, 10, 100, "cart", at(DAY1, 9, 2), "s1", "search"),
    (1, 10, 100, "buy", at(DAY1, 9, 3), "s1", "search"),
    (2, 10, 100, "pv", at(DAY1, 10), "", "search"),
    (2, 11, 100, "pv", at(DAY1, 11), "", "ad"),
    (3, 11, 100, "pv", at(DAY1, 12), "s3", "ad"),
    (3, 11, 100, "fav", at(DAY1, 12, 1), "s3", "ad"),
    (3, 11, 100, "buy", at(DAY1, 12, 2), "s3", "ad"),
    (1, 11, 100, "pv", at(DAY1, 23, 59, 59), "s9", "ad"),  # user 1 came through two sources
    (4, 10, 100, "pv", at(DAY2, 0), "", ""),  # 2026-06-01 16:00 UTC: the shop's second day
    (4, 10, 100, "buy", at(DAY2, 0, 5), "", ""),
    (5, 10, 100, "pv", at(DAY2, 8), "", "search"),
]


def csv_text(rows, *, header: bool = False, columns: int = 7) -> str:
    names = ["user_id", "item_id", "category_id", "behavior_type", "timestamp", "session_id", "source"]
    lines = [",".join(names[:columns])] if header else []
    lines += [",".join(str(value) for value in row[:columns]) for row in rows]
    return "\n".join(lines) + "\n"


@pytest.fixture
def shop(db):
    return ShopFactory(code="tb01", name="淘宝店", channel=Channel.TAOBAO)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def write(tmp_path):
    """write("name.csv", text or bytes): a file in the test's directory, its path."""

    def make(name: str, content: str | bytes):
        path = tmp_path / "in" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    return make
