"""Reviews: the import (bad rows with their line, idempotence), 删评 on snapshot pairs, the review rate worked by
hand, and bad reviews becoming 客服 tasks in the desk (through market's hook)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from zhanggui.catalog.models import Channel
from zhanggui.catalog.tests.factories import ProductFactory, ShopFactory, SkuFactory
from zhanggui.core.models import AuditEntry
from zhanggui.desk.models import Task, TaskSource
from zhanggui.market import reviews
from zhanggui.market.models import Grade, Question, Review, ReviewSnapshot
from zhanggui.market.tests.test_watch_imports import upload

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 10, 9, 0, tzinfo=SH)
HEAD = "评价时间,商品ID,评价ID,评价内容,评分,买家昵称,订单号,商家编码\n"
FIRST = HEAD + (
    "2026-11-01 10:00:00,1001,R1,很好看,5,tb_lily,O1,\n"
    "2026-11-02,1001,R2,尺码偏小，色差也大,1,张三丰,O2,1001-M\n"
    "2026-11-03,1001,R3,还行,3,小王,,\n"
    "2026-11-03,2002,R9,发货太慢,2,abc,,\n"
)


@pytest.fixture
def shop():
    return ShopFactory(code="tm01", channel=Channel.TMALL)


def test_parsing_ratings_grades_and_nicks():
    assert [reviews.parse_rating(t) for t in ("5", "4星", "3分", "★★☆☆☆", "", "-")] == [5, 4, 3, 2, None, None]
    assert [reviews.grade_of(r, "") for r in (1, 2, 3, 4, 5)] == ["bad", "bad", "neutral", "good", "good"]
    assert reviews.grade_of(5, reviews.parse_grade("差评")) == "bad"  # the grade the file gives wins
    assert [reviews.mask_buyer(n) for n in ("张三丰", "tb_lily", "ab", "")] == ["张***丰", "t***y", "a*", ""]
    with pytest.raises(ValueError):
        reviews.parse_rating("6")


def test_a_review_export_is_stored_matched_and_masked(tmp_path, shop, manager):
    dress = ProductFactory(shop=shop, code="1001")
    sku = SkuFactory(shop=shop, product=dress, code="1001-M")
    report = reviews.import_reviews(
        actor=manager, shop=shop, files=upload(tmp_path, "r.csv", FIRST, "gbk"), snapshot_day=date(2026, 11, 3), now=NOW
    )
    assert report.ok and (report.rows, report.created) == (4, 4)
    r2 = Review.objects.get(review_id="R2")
    assert (r2.grade, r2.rating, r2.buyer, r2.sku_id, r2.product_id) == ("bad", 1, "张***丰", sku.pk, dress.pk)
    assert Review.objects.get(review_id="R1").day == date(2026, 11, 1)  # the time is dropped
    assert Review.objects.get(review_id="R9").product_id is None  # no product 2002
    assert ReviewSnapshot.objects.filter(shop=shop, day=date(2026, 11, 3)).count() == 2
    assert AuditEntry.objects.filter(action="market.import_reviews").count() == 1


def test_the_same_file_twice_writes_nothing(tmp_path, shop, manager):
    files = upload(tmp_path, "r.csv", FIRST)
    reviews.import_reviews(actor=manager, shop=shop, files=files, snapshot_day=date(2026, 11, 3), now=NOW)
    again = reviews.import_reviews(actor=manager, shop=shop, files=files, snapshot_day=date(2026, 11, 3), now=NOW)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert AuditEntry.objects.filter(action="market.import_reviews").count() == 1


def test_bad_rows_refuse_the_file_with_their_lines(tmp_path, shop, manager):
    text = HEAD + (
        "2026-11-01,1001,R1,好,5,a,,\n"
        "2026-11-01,1001,R2,差,9,b,,\n"  # line 3: no such rating
        "2026-11-31,1001,R3,差,1,c,,\n"  # line 4: no such day
        "2026-11-01,1001,R4,无评分,,d,,\n"  # line 5: neither rating nor grade
        "2026-11-01,1001,R1,改了,4,a,,\n"  # line 6: R1 again with other figures
    )
    with translation.override("en"):
        report = reviews.import_reviews(
            actor=manager, shop=shop, files=upload(tmp_path, "bad.csv", text), snapshot_day=date(2026, 11, 3)
        )
    assert not report.ok and report.rejected_rows == 4
    assert [e.line for e in report.rejected] == [3, 4, 5, 6]
    assert "not a rating" in report.rejected[0].reason
    assert Review.objects.count() == 0 and ReviewSnapshot.objects.count() == 0


def test_a_review_missing_from_the_next_snapshot_is_flagged_removed(tmp_path, shop, manager):
    d3, d5, d7 = date(2026, 11, 3), date(2026, 11, 5), date(2026, 11, 7)
    reviews.import_reviews(actor=manager, shop=shop, files=upload(tmp_path, "a.csv", FIRST), snapshot_day=d3, now=NOW)
    # Two days later R2 (the bad one) is gone from item 1001, a new R4 is in; item 2002 is not in the file.
    second = HEAD + (
        "2026-11-01,1001,R1,很好看,5,tb_lily,O1,\n2026-11-03,1001,R3,还行,3,小王,,\n2026-11-04,1001,R4,不错,4,x,,\n"
    )
    report = reviews.import_reviews(
        actor=manager, shop=shop, files=upload(tmp_path, "b.csv", second), snapshot_day=d5, now=NOW
    )
    assert report.added["removed"] == 1
    flagged = {r.review_id: r.removed_on for r in Review.objects.all()}
    assert flagged == {"R1": None, "R2": d5, "R3": None, "R4": None, "R9": None}  # 2002 had no new snapshot
    assert [r.review_id for r in reviews.removed_reviews(shop=shop)] == ["R2"]
    # An older snapshot imported late flags nothing; a review that comes back is no longer removed.
    reviews.import_reviews(
        actor=manager, shop=shop, files=upload(tmp_path, "c.csv", HEAD + "2026-11-01,1001,R1,很好看,5,tb_lily,O1,\n"),
        snapshot_day=date(2026, 11, 4), now=NOW,
    )  # fmt: skip
    assert Review.objects.get(review_id="R3").removed_on is None
    reviews.import_reviews(actor=manager, shop=shop, files=upload(tmp_path, "d.csv", FIRST), snapshot_day=d7, now=NOW)
    assert Review.objects.get(review_id="R2").removed_on is None
    assert Review.objects.get(review_id="R4").removed_on == d7  # in the 5th's snapshot, not in the 7th's


def test_questions_are_imported_with_their_answers(tmp_path, shop, manager):
    text = "提问时间,商品ID,问题,回答\n2026-11-02,1001,会起球吗？,不会|穿了一个月没起球\n"
    first = reviews.import_questions(actor=manager, shop=shop, files=upload(tmp_path, "q.csv", text))
    again = reviews.import_questions(actor=manager, shop=shop, files=upload(tmp_path, "q.csv", text))
    assert (first.created, again.unchanged) == (1, 1)
    assert Question.objects.get().answers == "不会\n穿了一个月没起球"


def test_the_review_rate_per_item_and_week(shop):
    from zhanggui.orders.models import OrderStatus
    from zhanggui.orders.tests.factories import OrderFactory, OrderLineFactory

    dress = ProductFactory(shop=shop, code="1001")
    m, lg = SkuFactory(shop=shop, product=dress, code="M"), SkuFactory(shop=shop, product=dress, code="L")
    monday = date(2026, 11, 2)
    paid = datetime(2026, 11, 3, 12, 0, tzinfo=SH)
    # Week of 11-02: 4 orders with the dress (one with two of its SKUs counts once), one cancelled (left out).
    for n in range(4):
        order = OrderFactory(shop=shop, paid_at=paid)
        OrderLineFactory(order=order, sku=m)
        if n == 0:
            OrderLineFactory(order=order, sku=lg)
    OrderLineFactory(order=OrderFactory(shop=shop, paid_at=paid, status=OrderStatus.CANCELLED), sku=m)
    # Paid at 23:30 on Sunday 11-08 in Shanghai (15:30 UTC): still that week.
    OrderLineFactory(order=OrderFactory(shop=shop, paid_at=datetime(2026, 11, 8, 23, 30, tzinfo=SH)), sku=m)
    for n, day in enumerate((monday, monday + timedelta(days=2), monday + timedelta(days=7))):
        Review.objects.create(
            shop=shop, item_id="1001", review_id=f"R{n}", product=dress, day=day, grade=Grade.GOOD,
            first_seen=day, last_seen=day, imported_at=NOW,
        )  # fmt: skip
    series = reviews.review_rate(shop=shop, until=date(2026, 11, 12), weeks=2)
    weeks = series[0].weeks
    assert [(w.week, w.reviews, w.orders) for w in weeks] == [(monday, 2, 5), (date(2026, 11, 9), 1, 0)]
    assert weeks[0].rate == Decimal("0.4000") and weeks[1].rate is None  # 2 ÷ 5; no orders: no rate


def test_bad_reviews_become_service_tasks_due_24_hours_after_the_import(tmp_path, shop, manager):
    reviews.import_reviews(
        actor=manager, shop=shop, files=upload(tmp_path, "r.csv", FIRST), snapshot_day=date(2026, 11, 3), now=NOW
    )
    tasks = Task.objects.filter(source=TaskSource.ALERT, alert_key__startswith="review:")
    assert sorted(t.alert_key for t in tasks) == sorted(f"review:{r.pk}" for r in Review.objects.filter(grade="bad"))
    task = tasks.get(alert_key=f"review:{Review.objects.get(review_id='R2').pk}")
    assert task.role == "service" and task.due_at == NOW + timedelta(hours=reviews.BAD_REVIEW_TASK_HOURS)
    assert "尺码偏小" in task.title and "/market/reviews/" in task.alert_url
    # The same file again, or another import, makes no second task.
    reviews.import_reviews(
        actor=manager, shop=shop, files=upload(tmp_path, "r2.csv", FIRST + "2026-11-03,1001,R5,好,5,z,,\n"),
        snapshot_day=date(2026, 11, 3), now=NOW,
    )  # fmt: skip
    assert tasks.count() == 2
