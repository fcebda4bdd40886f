"""The potential score's worked example of docs/market.md, computed by hand."""

from __future__ import annotations

from decimal import Decimal

from zhanggui.market.keywords import normalize_keyword, points, potential_scores, raw_potential


def test_worked_example_of_the_docs():
    # 连衣裙: 10,000 × 5 % × 2 % ÷ 200 = 0.05; 碎花连衣裙: 2,000 × 8 % × 4 % ÷ 20 = 0.32 (the best).
    dress = raw_potential(
        search_popularity=10_000, click_rate=Decimal("0.05"), conversion=Decimal("0.02"), competing_listings=200
    )
    floral = raw_potential(
        search_popularity=2_000, click_rate=Decimal("0.08"), conversion=Decimal("0.04"), competing_listings=20
    )
    assert dress == Decimal("0.05")
    assert floral == Decimal("0.32")
    scores = potential_scores({"连衣裙": dress, "碎花连衣裙": floral})
    # 100 × 0.05 ÷ 0.32 = 15.625 → 15.6 (one decimal, half up)
    assert scores == {"连衣裙": Decimal("15.6"), "碎花连衣裙": Decimal("100.0")}
    assert points(scores["连衣裙"]) == 156


def test_a_missing_figure_gives_no_score_and_zero_listings_count_as_one():
    assert (
        raw_potential(search_popularity=100, click_rate=None, conversion=Decimal("0.1"), competing_listings=5) is None
    )
    assert raw_potential(
        search_popularity=100, click_rate=Decimal("0.5"), conversion=Decimal("0.1"), competing_listings=0
    ) == Decimal("5.0")
    assert potential_scores({"a": None, "b": Decimal("0")}) == {"a": None, "b": Decimal("0.0")}
    assert points(None) == 0


def test_keywords_are_normalised():
    assert normalize_keyword("  Ｔ恤  男 ") == "t恤 男"
