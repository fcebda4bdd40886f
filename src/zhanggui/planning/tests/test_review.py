"""The monthly review's figures on a worked example (review_fixtures), the sentence that says why GMV moved,
closing (the figures kept as they were) and reopening, and who may write, close and reopen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from zhanggui.analytics.tests.metrics_fixtures import order
from zhanggui.core.errors import PermissionDeniedError
from zhanggui.core.models import AuditEntry
from zhanggui.planning import review
from zhanggui.planning.models import MonthlyReview
from zhanggui.planning.tests.review_fixtures import MONTH, YEAR, build_month

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def month(shop):
    return build_month(shop)


def test_the_figures_against_target_last_month_and_last_year(shop, month):
    found = review.build(shop=shop, year=YEAR, month=MONTH)
    gmv = review.figure(found, "gmv")
    assert (gmv["now"], gmv["target"], gmv["reached"]) == ("390.00", "500.00", "0.7800")
    assert (gmv["previous"], gmv["vs_previous"]) == ("200.00", "0.9500")
    assert (gmv["last_year"], gmv["vs_last_year"]) == ("300.00", "0.3000")
    assert review.figure(found, "orders")["now"] == 3
    assert review.figure(found, "uv")["now"] == 1200
    assert review.figure(found, "conversion")["now"] == "0.0025"
    assert review.figure(found, "aov")["now"] == "130.00"
    assert review.figure(found, "aov")["previous"] == "100.00"
    assert review.figure(found, "refunds")["now"] == "90.00"
    assert found["decomposition"] == {"change": "190.00", "uv": "40.00", "conversion": "60.00", "aov": "90.00",
                                      "main": "aov"}  # fmt: skip


def test_skus_ads_aftersales_and_checklist(shop, month):
    found = review.build(shop=shop, year=YEAR, month=MONTH)
    assert [(s["code"], s["revenue"], s["profit"]) for s in found["top_skus"]] == [
        ("A", "300.00", "220.00"),
        ("B", "90.00", "-30.00"),
    ]
    assert [s["code"] for s in found["bottom_skus"]] == ["B", "A"]  # the lowest profit first
    assert found["ads"] == [{"channel": "ztc", "spend": "50.00", "gmv": "200.00", "roi": "4.00"}]
    after = found["aftersales"]
    assert (after["sub_orders"], after["refunds"], after["refund_rate"], after["refunded"]) == (3, 1, "33.33", "90.00")
    assert after["reasons"] == [{"reason": "quality", "refunds": 1, "refunded": "90.00", "rate": "33.33"}]
    assert found["checklist"] == {"done": 3, "due": 4, "problems": 1, "days": 2, "rate": "0.7500"}


def test_the_sentence_in_both_languages(shop, month):
    found = review.build(shop=shop, year=YEAR, month=MONTH)
    with translation.override("en"):
        assert review.sentences(found) == [
            "GMV +¥190.00 against last month: UV +¥40.00, conversion +¥60.00, AOV +¥90.00.",
            "AOV moved it most: ¥100.00 → ¥130.00 (+30.0%).",
        ]
    with translation.override("zh-hans"):
        assert review.sentences(found) == [
            "支付金额较上月 +¥190.00：访客数 +¥40.00，转化率 +¥60.00，客单价 +¥90.00。",
            "影响最大的是客单价：¥100.00 → ¥130.00（+30.0%）。",
        ]


def test_a_loss_reads_with_a_minus_sign(shop):
    from zhanggui.analytics.models import ShopDayTraffic

    ShopDayTraffic.objects.create(shop=shop, day=date(2026, 4, 1), report="sycm", visitors=100)
    ShopDayTraffic.objects.create(shop=shop, day=date(2026, 5, 1), report="sycm", visitors=50)
    from zhanggui.catalog.tests.factories import ProductFactory, SkuFactory

    sku = SkuFactory(product=ProductFactory(shop=shop))
    order(shop, date(2026, 4, 2), (9, 0), "amy", "100.00", [(sku, 1, "100.00")])
    found = review.build(shop=shop, year=YEAR, month=MONTH)
    # (50 − 100) × 100 ÷ 100 = −50; conversion (0 − 50 × 1 ÷ 100) × 100 ÷ 1 = −50; AOV 0 − 0 = 0
    assert found["decomposition"] == {"change": "-100.00", "uv": "-50.00", "conversion": "-50.00", "aov": "0.00",
                                      "main": "uv"}  # fmt: skip
    assert review.sentences(found)[0] == ("GMV −¥100.00 against last month: UV −¥50.00, conversion −¥50.00, AOV ¥0.00.")


def test_no_traffic_last_month_says_it_cannot_split(shop):
    found = review.build(shop=shop, year=YEAR, month=MONTH)
    assert found["decomposition"] is None
    assert "cannot be split" in review.sentences(found)[0]
    assert found["checklist"] is None


def test_closing_keeps_the_figures_and_later_data_does_not_change_them(shop, month, manager):
    closed = review.close(actor=manager, shop=shop, year=YEAR, month=MONTH)
    assert closed.closed_at is not None and closed.closed_by == manager
    order(shop, date(2026, 5, 28), (10, 0), "dan", "1000.00", [(month["a"], 1, "1000.00")])
    again = MonthlyReview.objects.get(pk=closed.pk)
    assert review.figure(review.figures_of(again), "gmv")["now"] == "390.00"
    assert review.figure(review.build(shop=shop, year=YEAR, month=MONTH), "gmv")["now"] == "1390.00"
    assert AuditEntry.objects.filter(action="planning.review.close").count() == 1
    with pytest.raises(review.ReviewError):
        review.close(actor=manager, shop=shop, year=YEAR, month=MONTH)
    with pytest.raises(review.ReviewError):
        review.save_texts(actor=manager, shop=shop, year=YEAR, month=MONTH, texts={"problems": "x"})
    reopened = review.reopen(actor=manager, shop=shop, year=YEAR, month=MONTH)
    assert reopened.closed_at is None and reopened.figures == {}
    assert review.figure(review.figures_of(reopened), "gmv")["now"] == "1390.00"
    assert AuditEntry.objects.filter(action="planning.review.reopen").count() == 1


def test_texts_are_saved_and_audited(shop, operator):
    review.save_texts(actor=operator, shop=shop, year=YEAR, month=MONTH, texts={"went_well": "直通车 ROI 4"})
    saved = review.save_texts(actor=operator, shop=shop, year=YEAR, month=MONTH, texts={"problems": "退款偏高"})
    assert (saved.went_well, saved.problems, saved.updated_by) == ("直通车 ROI 4", "退款偏高", operator)
    entries = AuditEntry.objects.filter(action="planning.review").order_by("pk")
    assert [e.after for e in entries] == [{"went_well": "直通车 ROI 4"}, {"problems": "退款偏高"}]


def test_who_may_write_close_and_reopen(shop, users):
    for role in ("service", "warehouse", "designer", "copywriter"):
        with pytest.raises(PermissionDeniedError):
            review.save_texts(actor=users[role], shop=shop, year=YEAR, month=MONTH, texts={"went_well": "x"})
    with pytest.raises(PermissionDeniedError):
        review.close(actor=users["operator"], shop=shop, year=YEAR, month=MONTH)
    assert not MonthlyReview.objects.exists() and not AuditEntry.objects.filter(action__startswith="planning").exists()
    review.close(actor=users["manager"], shop=shop, year=YEAR, month=MONTH)
    with pytest.raises(PermissionDeniedError):
        review.reopen(actor=users["operator"], shop=shop, year=YEAR, month=MONTH)
    assert MonthlyReview.objects.get().closed_at is not None
