"""The promotion calendar as a timeline: one bar per promotion across the days of the month it runs, clipped at
the month's edges, grouped by shop, coloured by status, events first and outlined; the month links, the shop
filter and a bad ?month= value."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.core.tests.pages import login
from zhanggui.promotions.models import Promotion
from zhanggui.promotions.offers import services

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
URL = "/promotions/calendar/"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def at(day: str, hour: int = 0) -> str:
    """A Beijing moment as the spec writes it: at("2026-11-11") is 2026-11-11T00:00:00+08:00."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI).isoformat()


def mj(code: str, starts: str, ends: str, **change) -> dict:
    """满300减30 (shop level, within the approval limit) from `starts` to `ends` (exclusive)."""
    return {"id": code, "kind": "spend_save", "name": f"满减{code}", "tiers": [["300", "30"]], "starts_at": starts,
            "ends_at": ends, **change}  # fmt: skip


def create(user, raw, shop=None, *, submit: bool = False) -> Promotion:
    promotion = services.create_promotion(actor=user, shop=shop, raw_spec=raw)
    return services.submit_promotion(actor=user, promotion=promotion) if submit else promotion


class Bars(HTMLParser):
    """The timeline's bars as the page draws them: data-code → (classes, inline style, text)."""

    def __init__(self, html: str):
        super().__init__()
        self.bars: dict[str, dict] = {}
        self.heads: list[tuple[str, str]] = []  # (data-day, classes) of the day header
        self._open: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "a" and "timeline-bar" in classes:
            self._open = attrs["data-code"]
            self.bars[self._open] = {"classes": set(classes) - {"timeline-bar"}, "style": attrs["style"], "text": ""}
        if "timeline-head" in classes:
            self.heads.append((attrs["data-day"], " ".join(classes)))

    def handle_endtag(self, tag):
        if tag == "a":
            self._open = None

    def handle_data(self, data):
        if self._open:
            self.bars[self._open]["text"] = " ".join((self.bars[self._open]["text"] + " " + data).split())


def page(client, **query) -> tuple[object, Bars]:
    response = client.get(URL, query)
    assert response.status_code == 200
    return response, Bars(response.content.decode())


# --------------------------------------------------------------------------------------------------------
# Bars and their columns
# --------------------------------------------------------------------------------------------------------


def test_a_promotion_is_one_bar_over_its_days_and_clipped_at_the_months_edges(client, users):
    operator = users["operator"]
    create(operator, mj("d3-10", at("2026-11-03"), at("2026-11-11")))  # runs the 3rd to the 10th
    create(operator, mj("season", at("2026-10-20"), at("2026-12-05")))  # all of November and more
    login(client, users["copywriter"])

    response, html = page(client, month="2026-11")

    # day d is grid column d + 1; the end line is exclusive
    assert html.bars["d3-10"]["style"] == "grid-column:4/12;grid-row:4"
    assert html.bars["season"]["style"] == "grid-column:2/32;grid-row:3"
    assert "continues-before" not in html.bars["d3-10"]["classes"]
    assert "continues-after" not in html.bars["d3-10"]["classes"]
    assert {"continues-before", "continues-after"} <= html.bars["season"]["classes"]
    assert html.bars["d3-10"]["text"] == "11-03 – 11-10 Draft"
    assert html.bars["season"]["text"] == "‹ 10-20 – 12-04 Draft ›"
    [group] = response.context["groups"]
    assert [(b.promotion.code, b.shown_first, b.shown_last, b.first, b.last) for b in group.bars] == [
        ("season", date(2026, 11, 1), date(2026, 11, 30), date(2026, 10, 20), date(2026, 12, 4)),
        ("d3-10", date(2026, 11, 3), date(2026, 11, 10), date(2026, 11, 3), date(2026, 11, 10)),
    ]
    # the header: one column per day, numbered, with its weekday (2026-11-01 is a Sunday)
    assert [day for day, _ in html.heads] == [f"2026-11-{d:02d}" for d in range(1, 31)]
    assert [(d.column, d.weekday) for d in response.context["days"][:2]] == [(2, "Su"), (3, "Mo")]
    assert 'style="--days:30"' in response.content.decode()


def test_a_promotion_across_two_months_shows_in_both_with_the_right_columns(client, users):
    create(users["operator"], mj("turn", at("2026-11-25", 10), at("2026-12-03")))
    login(client, users["copywriter"])

    _, november = page(client, month="2026-11")
    _, december = page(client, month="2026-12")
    _, january = page(client, month="2027-01")

    assert november.bars["turn"]["style"] == "grid-column:26/32;grid-row:3"
    assert november.bars["turn"]["classes"] == {"pr-draft", "layer-shop", "continues-after"}
    assert december.bars["turn"]["style"] == "grid-column:2/4;grid-row:3"  # the 1st and the 2nd
    assert december.bars["turn"]["classes"] == {"pr-draft", "layer-shop", "continues-before"}
    # six days are too short for a window with hours: its dates go beside the bar, where the row has room
    assert november.bars["turn"]["text"] == "›"
    assert (
        '<span class="timeline-aside before" style="grid-column:2/26;grid-row:3">11-25 10:00 – 12-03 00:00 · Draft'
        in client.get(URL, {"month": "2026-11"}).content.decode()
    )
    assert january.bars == {}


def test_a_window_ending_at_midnight_does_not_reach_into_the_next_day_or_month(client, users):
    create(users["operator"], mj("oct", at("2026-10-01"), at("2026-11-01")))  # ends as November begins
    create(users["operator"], mj("nov1", at("2026-10-31", 23), at("2026-11-01", 1)))  # one hour on the 1st
    login(client, users["copywriter"])

    _, november = page(client, month="2026-11")
    _, october = page(client, month="2026-10")

    assert list(november.bars) == ["nov1"]
    assert november.bars["nov1"]["style"] == "grid-column:2/3;grid-row:3"
    assert october.bars["oct"]["style"] == "grid-column:2/33;grid-row:4"
    assert "continues-after" not in october.bars["oct"]["classes"]
    assert october.bars["nov1"]["style"] == "grid-column:32/33;grid-row:3"  # an event: listed first


def test_bars_are_coloured_by_status_and_level_and_cancelled_ones_show_only_when_asked(client, users):
    operator, manager = users["operator"], users["manager"]
    now = timezone.now().replace(microsecond=0)
    hours = {code: (now + timedelta(hours=a), now + timedelta(hours=b)) for code, a, b in
             [("draft", -1, 1), ("running", -1, 1), ("pending", -1, 1), ("late", 1, 2), ("ended", -2, -1),
              ("gone", -1, 1)]}  # fmt: skip

    def raw(code: str, **change) -> dict:
        starts, ends = hours[code]
        spec = mj(code, starts.isoformat(), ends.isoformat(), **change)
        return spec if spec["kind"] == "spend_save" else {k: v for k, v in spec.items() if k != "tiers"}

    deep = {"kind": "discount", "rate": "6"}  # 6折: deeper than the limit, so it waits for a manager
    create(operator, raw("draft"))
    create(operator, raw("running"), submit=True)
    create(operator, raw("pending", **deep), submit=True)
    services.approve_promotion(actor=manager, promotion=create(operator, raw("late", **deep), submit=True))
    create(operator, raw("ended"), submit=True)
    services.cancel_promotion(actor=operator, promotion=create(operator, raw("gone")))
    login(client, users["copywriter"])

    def bar(code: str, **query) -> dict:
        _, html = page(client, month=f"{timezone.localtime(hours[code][0]):%Y-%m}", **query)
        return html.bars.get(code, {"classes": set()})

    status = {code: {c for c in bar(code)["classes"] if c.startswith("pr-")} for code in hours}
    assert status == {
        "draft": {"pr-draft"},
        "running": {"pr-running"},
        "pending": {"pr-pending_approval"},
        "late": {"pr-scheduled"},
        "ended": {"pr-ended"},
        "gone": set(),  # cancelled: left out
    }
    assert "pr-cancelled" in bar("gone", cancelled="1")["classes"]
    assert "layer-item" in bar("pending")["classes"] and "layer-shop" in bar("draft")["classes"]
    # the month links keep the "show cancelled" choice
    content = client.get(URL, {"month": "2026-11", "cancelled": "1"}).content.decode()
    assert 'href="?month=2026-10&amp;cancelled=1"' in content and 'name="cancelled" value="1" checked' in content


def test_events_are_listed_first_in_their_shop_and_outlined(client, users):
    operator = users["operator"]
    create(operator, mj("season", at("2026-11-01"), at("2026-12-01")))
    create(operator, mj("d11", at("2026-11-11"), at("2026-11-12"), name="双11满减"))
    create(operator, mj("flash", at("2026-11-20", 20), at("2026-11-20", 22)))
    login(client, users["copywriter"])

    response, html = page(client, month="2026-11")

    assert [b.promotion.code for b in response.context["groups"][0].bars] == ["d11", "flash", "season"]
    assert {code for code, bar in html.bars.items() if "event" in bar["classes"]} == {"d11", "flash"}
    assert [p.code for p in response.context["events"]] == ["d11", "flash"]
    # a short bar has its dates beside it, a long one on it
    assert html.bars["d11"]["text"] == "" and html.bars["season"]["text"] == "11-01 – 11-30 Draft"
    content = response.content.decode()
    assert 'class="timeline-aside" style="grid-column:13/-1;grid-row:3">11-11 · Draft</span>' in content
    assert 'class="timeline-aside" style="grid-column:22/-1;grid-row:4">11-20 20:00–22:00 · Draft</span>' in content
    assert '<div class="timeline-label event" style="grid-row:3">' in content and "双11满减" in content


def test_a_short_bar_at_the_end_of_the_month_has_its_dates_before_it(client, users):
    create(users["operator"], mj("d30", at("2026-11-30", 9), at("2026-11-30", 12)))
    login(client, users["copywriter"])

    response = client.get(URL, {"month": "2026-11"})

    assert 'class="timeline-aside before" style="grid-column:2/31;grid-row:3">11-30 09:00–12:00 · Draft</span>' in (
        response.content.decode()
    )


# --------------------------------------------------------------------------------------------------------
# Shops
# --------------------------------------------------------------------------------------------------------


def test_promotions_are_grouped_by_shop_with_the_every_shop_ones_first(client, users):
    operator = users["operator"]
    beta, alpha = ShopFactory(code="beta", name="Beta"), ShopFactory(code="alpha", name="Alpha")
    create(operator, mj("b1", at("2026-11-02"), at("2026-11-04")), beta)
    create(operator, mj("all1", at("2026-11-05"), at("2026-11-09")))
    create(operator, mj("a1", at("2026-11-06"), at("2026-11-20")), alpha)
    create(operator, mj("a2", at("2026-11-01"), at("2026-11-21")), alpha)
    login(client, users["copywriter"])

    response, html = page(client, month="2026-11")

    shape = [
        (g.shop.code if g.shop else None, g.row, [(b.promotion.code, b.row) for b in g.bars])
        for g in response.context["groups"]
    ]
    assert shape == [(None, 2, [("all1", 3)]), ("alpha", 4, [("a2", 5), ("a1", 6)]), ("beta", 7, [("b1", 8)])]
    assert html.bars["a1"]["style"] == "grid-column:7/21;grid-row:6"
    content = response.content.decode()
    assert '<div class="timeline-group" style="grid-row:2" data-shop=""><span>All shops' in content
    assert f'<div class="timeline-group" style="grid-row:4" data-shop="{alpha.pk}"><span>Alpha' in content
    # the day columns reach from the header to the last row
    assert 'style="grid-column:2;grid-row:1/9"' in content


def test_the_shop_filter_shows_that_shop_and_the_every_shop_promotions(client, users):
    operator = users["operator"]
    tmall, jd = ShopFactory(code="tm", name="Tmall"), ShopFactory(code="jd", name="JD")
    create(operator, mj("tm1", at("2026-11-02"), at("2026-11-04")), tmall)
    create(operator, mj("jd1", at("2026-11-02"), at("2026-11-04")), jd)
    create(operator, mj("all1", at("2026-11-05"), at("2026-11-09")))
    login(client, users["copywriter"])

    response, html = page(client, month="2026-11", shop=str(jd.pk))

    assert [g.shop for g in response.context["groups"]] == [None, jd]
    assert set(html.bars) == {"jd1", "all1"}
    content = response.content.decode()
    assert f'href="?month=2026-12&amp;shop={jd.pk}"' in content
    assert f'<option value="{jd.pk}" selected>JD</option>' in content
    for bad in ("nope", "²", "١", "-1", "99999999999999999999999", "0"):  # ignored, as on the list page
        _, ignored = page(client, month="2026-11", shop=bad)
        assert set(ignored.bars) == {"tm1", "jd1", "all1"}, bad


# --------------------------------------------------------------------------------------------------------
# Many promotions
# --------------------------------------------------------------------------------------------------------


def test_thirty_promotions_get_thirty_rows_and_the_queries_do_not_grow(client, users):
    operator = users["operator"]
    shops = [ShopFactory(code=f"s{i}", name=f"Shop {i}") for i in range(3)]
    create(operator, mj("first", at("2026-11-01"), at("2026-11-03")), shops[0])
    login(client, users["copywriter"])
    with CaptureQueriesContext(connection) as few:
        page(client, month="2026-11")
    for i in range(1, 30):
        raw = mj(f"p{i:02d}", at(f"2026-11-{1 + i % 28:02d}"), at("2026-12-02"))
        create(operator, raw, shops[i % 3] if i % 4 else None)  # every fourth one is for every shop

    with CaptureQueriesContext(connection) as many:
        response, html = page(client, month="2026-11")

    assert len(many) == len(few)
    assert len(html.bars) == 30
    rows = [b.row for g in response.context["groups"] for b in g.bars]
    assert len(rows) == len(set(rows)) == 30
    assert [g.row for g in response.context["groups"]] == [2, 10, 19, 27]  # 7 every-shop; 8 (with "first"), 7, 8
    assert all("continues-after" in html.bars[f"p{i:02d}"]["classes"] for i in range(1, 30))


# --------------------------------------------------------------------------------------------------------
# Months
# --------------------------------------------------------------------------------------------------------


def test_the_month_links_go_back_and_forth_across_the_year(client, users):
    login(client, users["copywriter"])

    december = client.get(URL, {"month": "2026-12"}).content.decode()
    january = client.get(URL, {"month": "2027-1"}).content.decode()

    assert 'id="month-previous" href="?month=2026-11"' in december
    assert 'id="month-next" href="?month=2027-01"' in december
    assert 'id="month-previous" href="?month=2026-12"' in january
    assert "Promotion calendar · 2027-01" in january
    assert len(Bars(january).heads) == 31


@pytest.mark.parametrize(
    "value", ["nonsense", "2026-13", "2026-00", "2026-11-05", "", "-", "0001-01", "1969-12", "9999-12", "²⁰²⁶-11",
              "99999999999999999999-01"]
)  # fmt: skip
def test_a_bad_month_shows_this_month(client, users, value):
    login(client, users["copywriter"])

    response = client.get(URL, {"month": value})

    assert response.status_code == 200
    assert response.context["month"] == timezone.localdate().replace(day=1)


def test_the_earliest_and_latest_months_a_promotion_may_have_render(client, users):
    login(client, users["copywriter"])

    assert client.get(URL, {"month": "1970-01"}).context["month"] == date(1970, 1, 1)
    assert client.get(URL, {"month": "9998-12"}).context["month"] == date(9998, 12, 1)


def test_todays_column_is_marked_in_this_month_only(client, users):
    login(client, users["copywriter"])
    today = timezone.localdate()

    _, this_month = page(client)
    _, next_year = page(client, month=f"{today.year + 1}-{today.month:02d}")

    assert [day for day, classes in this_month.heads if "today" in classes] == [today.isoformat()]
    assert [day for day, classes in next_year.heads if "today" in classes] == []


def test_an_empty_month_says_so(client, users):
    login(client, users["copywriter"])

    response, html = page(client, month="2026-11")

    assert html.bars == {} and response.context["groups"] == []
    assert "No promotions run this month." in response.content.decode()


def test_the_calendar_asks_for_a_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
