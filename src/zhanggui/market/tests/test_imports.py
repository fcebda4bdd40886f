"""Importing search-term exports: columns by name, GBK and title rows, bad rows refused with their line and
nothing stored, the same file twice changes nothing, a day imported again is updated."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import translation

from zhanggui.catalog.models import Channel
from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.core.errors import PermissionDeniedError
from zhanggui.core.models import AuditEntry
from zhanggui.market.imports import KeywordRow, import_from_source, import_keywords
from zhanggui.market.models import Keyword, KeywordDay

pytestmark = pytest.mark.django_db

SYCM = (
    "统计日期,搜索词,搜索人气,点击率,支付转化率,在线商品数,类目\n"
    '2026-11-01,连衣裙,"10,000",5.00%,2.00%,200,女装\n'
    "2026-11-01,碎花连衣裙,2000,8%,4%,20,女装\n"
)


def upload(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return [(path, name)]


@pytest.fixture
def shop():
    return ShopFactory(code="tm01", channel=Channel.TMALL)


def test_a_sycm_export_fills_the_library(tmp_path, shop, manager):
    report = import_keywords(actor=manager, shop=shop, files=upload(tmp_path, "words.csv", SYCM))
    assert report.ok and report.rows == 2 and report.keywords_created == 2 and report.days_created == 2
    row = KeywordDay.objects.get(shop=shop, keyword__text="连衣裙")
    assert (row.day, row.search_popularity, row.click_rate, row.conversion, row.competing_listings, row.category) == (
        date(2026, 11, 1),
        10_000,
        Decimal("0.05"),
        Decimal("0.02"),
        200,
        "女装",
    )
    assert AuditEntry.objects.filter(action="market.import_keywords").count() == 1


def test_the_same_file_twice_changes_nothing_and_a_restated_day_is_updated(tmp_path, shop, manager):
    import_keywords(actor=manager, shop=shop, files=upload(tmp_path, "words.csv", SYCM))
    again = import_keywords(actor=manager, shop=shop, files=upload(tmp_path, "words.csv", SYCM))
    assert (again.days_created, again.days_updated, again.days_unchanged) == (0, 0, 2)
    assert AuditEntry.objects.filter(action="market.import_keywords").count() == 1
    restated = upload(tmp_path, "restated.csv", SYCM.replace("2000,8%", "2500,8%"))
    report = import_keywords(actor=manager, shop=shop, files=restated)
    assert (report.days_created, report.days_updated, report.days_unchanged) == (0, 1, 1)
    assert KeywordDay.objects.get(keyword__text="碎花连衣裙").search_popularity == 2500
    assert KeywordDay.objects.count() == 2


def test_a_gbk_file_with_the_day_in_its_title_row(tmp_path, shop, manager):
    text = (
        "统计日期：2026-11-02~2026-11-02\n"  # the day in a title row above the header
        "搜索词,搜索人气,点击率,支付转化率,在线商品数\n"
        "雪纺连衣裙,1.2万,3.5%,1.5%,900\n"
    )
    report = import_keywords(actor=manager, shop=shop, files=upload(tmp_path, "gbk.csv", text, "gbk"))
    assert report.ok
    row = KeywordDay.objects.get()
    assert (row.keyword.text, row.day, row.search_popularity, row.category) == (
        "雪纺连衣裙",
        date(2026, 11, 2),
        12_000,
        "",
    )


def test_bad_rows_are_refused_with_their_line_and_nothing_is_stored(tmp_path, shop, manager):
    text = SYCM + "2026-11-01,,100,1%,1%,10,女装\n2026-11-31,长裙,abc,1%,1%,10,女装\n2026-11-01,连衣裙,9,1%,1%,1,女装\n"
    with translation.override("en"):
        report = import_keywords(actor=manager, shop=shop, files=upload(tmp_path, "bad.csv", text))
    assert not report.ok
    assert [(e.line, e.column) for e in report.rejected] == [
        (4, "搜索词"),  # no keyword
        (5, "统计日期"),  # 31 November
        (5, "搜索人气"),  # not a number
        (6, "搜索词"),  # 连衣裙 again on the same day with other figures (line 2)
    ]
    assert report.rejected_rows == 3
    assert "line 2 of bad.csv" in report.rejected[-1].reason
    assert not KeywordDay.objects.exists() and not Keyword.objects.exists()


def test_a_taobao_report_cannot_go_into_a_jd_shop(tmp_path, manager):
    jd = ShopFactory(code="jd01", channel=Channel.JD)
    report = import_keywords(actor=manager, shop=jd, files=upload(tmp_path, "words.csv", SYCM))
    assert not report.ok and "jd01" in report.rejected[0].reason
    jd_text = "日期,搜索词,搜索指数,点击率,成交转化率,商品数\n2026-11-01,连衣裙,500,2%,1%,50\n"
    assert import_keywords(actor=manager, shop=jd, files=upload(tmp_path, "jd.csv", jd_text)).ok


def test_a_role_without_the_import_right_is_refused(tmp_path, shop, users):
    with pytest.raises(PermissionDeniedError):
        import_keywords(actor=users["copywriter"], shop=shop, files=upload(tmp_path, "words.csv", SYCM))
    assert not KeywordDay.objects.exists()


def test_a_collector_plugs_in_as_a_keyword_source(shop, manager):
    class Collector:
        label = "our-crawler"

        def fetch(self, shop, day):
            return [KeywordRow(keyword="连衣裙", day=day, search_popularity=5, report="crawler")]

    report = import_from_source(actor=manager, shop=shop, source=Collector(), day=date(2026, 11, 3))
    assert report.ok and KeywordDay.objects.get().report == "crawler"


def test_the_command(tmp_path, shop, manager):
    path = tmp_path / "words.csv"
    path.write_text(SYCM, encoding="utf-8-sig")
    out = io.StringIO()
    call_command("import_keywords", str(path), "--shop", "tm01", "--json", stdout=out)
    assert '"days_created": 2' in out.getvalue()
