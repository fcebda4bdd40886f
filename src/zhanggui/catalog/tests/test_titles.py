import pytest

from zhanggui.catalog.titles import check_title, normalize_title, title_length


def test_taobao_counts_a_chinese_character_as_two():
    assert title_length("纯棉T恤", "taobao") == 2 + 2 + 1 + 2
    assert title_length("ABC 123", "tmall") == 7


def test_full_width_punctuation_counts_two():
    assert title_length("【包邮】", "taobao") == 8


def test_web_store_counts_characters():
    assert title_length("纯棉T恤", "web") == 4


@pytest.mark.parametrize(("title", "ok"), [("中" * 30, True), ("中" * 30 + "a", False), ("中" * 29 + "ab", True)])
def test_sixty_byte_limit_on_taobao(title, ok):
    codes = [p.code for p in check_title(title, "taobao", [])]
    assert (codes == []) is ok
    if not ok:
        assert codes == ["title_too_long"]


def test_jd_allows_45_chinese_characters():
    assert check_title("中" * 45, "jd", []) == []
    assert [p.code for p in check_title("中" * 46, "jd", [])] == ["title_too_long"]


def test_banned_words_are_named():
    problems = check_title("全网最好的国家级毛巾", "tmall", ["最", "国家级", "第一"])
    assert [p.code for p in problems] == ["title_banned_word"]
    assert "最" in problems[0].message and "国家级" in problems[0].message and "第一" not in problems[0].message


def test_empty_and_whitespace():
    assert [p.code for p in check_title(" \u3000 ", "tmall", [])] == ["title_empty"]
    assert normalize_title(" 纯棉\u3000\u3000短袖  T恤 ") == "纯棉 短袖 T恤"
