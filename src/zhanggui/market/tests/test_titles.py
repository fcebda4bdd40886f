"""Reading a title: words with the shop's dictionary, the platform's bytes, waste, repeats, banned words,
coverage; suggestions within the limit."""

from __future__ import annotations

from decimal import Decimal

from zhanggui.market.titles import ScoredKeyword, cut, join_words, read_title, suggest, word_points, words_of

KEYWORDS = [
    ScoredKeyword("碎花连衣裙", Decimal("100.0"), 1000),
    ScoredKeyword("连衣裙", Decimal("15.6"), 156),
]


def test_the_shops_keep_words_stay_whole():
    assert "韩都衣舍" not in words_of("韩都衣舍连衣裙")  # jieba alone splits the brand
    assert words_of("韩都衣舍连衣裙", keep=["韩都衣舍"]) == ["韩都衣舍", "连衣裙"]
    assert cut("夏 季!", keep=[]) == [("word", "夏"), ("space", " "), ("word", "季"), ("punct", "!")]


def test_bytes_by_the_catalogs_rule():
    # Taobao: a Chinese character 2 bytes, ASCII 1; JD has 90; our own store counts characters.
    taobao = read_title("2026新款连衣裙", channel="taobao")
    assert (taobao.bytes, taobao.limit) == (4 + 2 * 5, 60)
    assert read_title("2026新款连衣裙", channel="jd").limit == 90
    assert read_title("2026新款连衣裙", channel="web").bytes == 9


def test_waste_repeats_banned_words_and_coverage():
    reading = read_title(
        "连衣裙 碎花 最美 连衣裙 iPhone 15!!", channel="taobao", keywords=KEYWORDS, banned=["最", "第一"]
    )
    # spaces: five between words, only the one between "iPhone" and "15" is needed → 4 wasted; "!!" 2 bytes;
    # the second 连衣裙 6 bytes
    assert reading.wasted_bytes == 4 + 2 + 6
    assert reading.repeated == ["连衣裙"]
    assert reading.banned == ["最"]
    assert [(c.keyword, c.status) for c in reading.coverage] == [("碎花连衣裙", "split"), ("连衣裙", "whole")]
    # 碎花连衣裙's 1000 points shared by 碎花 and 连衣裙 (500 each), plus 连衣裙's own 156
    assert word_points(KEYWORDS) == {"碎花": 500, "连衣裙": 656}
    assert reading.points == 1156


def test_suggestions_stay_within_the_limit_and_leave_banned_words_out():
    title = "最新款夏季女装裙子碎花半身裙高腰显瘦百搭中长款a字裙仙女超仙森系"
    reading = read_title(title, channel="taobao", keywords=KEYWORDS, banned=["最"])
    suggestions = suggest(reading, keywords=KEYWORDS, banned=["最"])
    best = suggestions[0]
    assert best.bytes <= 60
    assert "最" not in best.title
    assert "连衣裙" in best.added  # the best keyword's missing word is added
    assert best.points >= reading.points


def test_ascii_words_keep_a_space():
    assert join_words(["iPhone", "15", "手机壳"]) == "iPhone 15手机壳"
