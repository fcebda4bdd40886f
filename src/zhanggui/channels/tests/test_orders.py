"""read_orders: the platform guessed from the headers when not given, Taobao's two files in any order, and the
wrong files refused with a sentence that says what is missing."""

from __future__ import annotations

import io

import pytest

from zhanggui.channels.orders import UnknownPlatform, WrongFiles, file_kind, guess_platform, read_orders
from zhanggui.channels.records import JD, PDD, TAOBAO, ZHANGGUI
from zhanggui.channels.tests.conftest import fixture
from zhanggui.core.tabular import MissingColumns

TAOBAO_PAIR = [fixture("taobao_orders.csv"), fixture("taobao_lines.csv")]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("taobao_orders.csv", "taobao_orders"),
        ("taobao_lines.csv", "taobao_lines"),
        ("taobao_bad_orders.csv", "taobao_orders"),
        ("jd_orders.csv", JD),
        ("jd_bad.csv", JD),
        ("zhanggui_orders.csv", ZHANGGUI),
    ],
)
def test_each_kind_of_file_is_known_by_its_headers(name, kind):
    assert file_kind(*fixture(name)) == kind


def test_the_pdd_workbook_is_known_behind_its_title_row(pdd_file):
    assert file_kind(pdd_file, pdd_file.name) == PDD
    assert guess_platform([(pdd_file, pdd_file.name)]) == PDD


@pytest.mark.parametrize("files", [TAOBAO_PAIR, TAOBAO_PAIR[::-1]])
def test_taobao_is_guessed_and_its_two_files_are_told_apart_in_any_order(files):
    assert guess_platform(files) == TAOBAO
    result = read_orders(files)
    assert (result.platform, len(result.orders), result.errors) == (TAOBAO, 5, [])


def test_an_upload_as_a_stream_reads_like_a_path():
    path, name = fixture("jd_orders.csv")
    result = read_orders([(io.BytesIO(path.read_bytes()), name)])
    assert (result.platform, len(result.orders)) == (JD, 5)


@pytest.mark.parametrize(
    ("platform", "files", "count"),
    [
        (JD, [fixture("jd_orders.csv")], 5),
        (ZHANGGUI, [fixture("zhanggui_orders.csv")], 2),
        (TAOBAO, TAOBAO_PAIR[::-1], 5),
    ],
)
def test_a_given_platform_is_read_without_guessing(platform, files, count):
    result = read_orders(files, platform=platform)
    assert (result.platform, len(result.orders)) == (platform, count)


def test_a_file_of_no_known_platform_is_refused_naming_it(tmp_path):
    path = tmp_path / "report.csv"
    path.write_text("日期,访客数\n2026-11-11,100\n", encoding="utf-8")
    with pytest.raises(UnknownPlatform) as err:
        read_orders([(path, "report.csv")])
    assert err.value.message.startswith("report.csv is not an order export we can read")


def test_files_of_two_platforms_are_refused():
    with pytest.raises(WrongFiles) as err:
        read_orders([fixture("jd_orders.csv"), fixture("taobao_orders.csv")])
    assert (
        err.value.message
        == "These files are exports of different platforms (JD, Taobao / Tmall); upload one platform at a time."
    )


def test_taobao_without_its_lines_file_says_which_file_is_missing():
    with pytest.raises(WrongFiles) as err:
        read_orders([fixture("taobao_orders.csv")])
    assert "the order-lines (宝贝报表) file is missing" in err.value.message
    with pytest.raises(WrongFiles) as err:
        read_orders([fixture("taobao_orders.csv"), fixture("taobao_bad_orders.csv")])
    assert "are both Taobao orders (订单报表) files" in err.value.message


def test_two_files_for_a_one_file_platform_and_an_unknown_platform_are_refused():
    with pytest.raises(WrongFiles):
        read_orders([fixture("jd_orders.csv"), fixture("jd_bad.csv")])
    with pytest.raises(UnknownPlatform):
        read_orders([fixture("jd_orders.csv")], platform="amazon")
    with pytest.raises(WrongFiles):
        read_orders([])


def test_the_wrong_platform_given_names_the_missing_columns():
    with pytest.raises(MissingColumns) as err:
        read_orders([fixture("jd_orders.csv")], platform=PDD)
    assert "商品数量(件)" in err.value.message
