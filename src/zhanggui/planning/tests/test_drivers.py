"""The driver tree on worked examples (docs/planning.md, "Driver tree")."""

from __future__ import annotations

from decimal import Decimal

from zhanggui.planning import drivers

D = Decimal


def test_solves_uv_rounding_up_to_a_whole_visitor():
    # 100,000 ÷ (0.025 × 150) = 26,666.67 → 26,667 visitors (26,666 would fall 1.25 short)
    tree = drivers.solve(D("100000"), uv=None, conversion=D("0.025"), aov=D("150"))
    assert tree.uv == 26667


def test_solves_conversion_and_aov_half_up():
    # 100,000 ÷ (30,000 × 150) = 0.022222… → 0.0222
    assert drivers.solve(D("100000"), uv=30000, conversion=None, aov=D("150")).conversion == D("0.0222")
    # 100,000 ÷ (30,000 × 0.03) = 111.1111… → 111.11
    assert drivers.solve(D("100000"), uv=30000, conversion=D("0.03"), aov=None).aov == D("111.11")
    # 1,000 ÷ (1,000 × 0.08) = 12.5 exactly; 1.00 ÷ (3 × 0.04) = 8.3333… → 8.33
    assert drivers.solve(D("1000"), uv=1000, conversion=D("0.08"), aov=None).aov == D("12.50")


def test_leaves_the_tree_alone_unless_exactly_one_is_missing():
    assert drivers.solve(D("100"), uv=None, conversion=None, aov=D("10")) == drivers.Tree(D("100"), None, None, D("10"))
    full = drivers.solve(D("100"), uv=10, conversion=D("0.5"), aov=D("10"))
    assert (full.uv, full.conversion, full.aov) == (10, D("0.5"), D("10"))


def test_what_a_target_needs_against_the_last_90_days():
    # 90 days: 9,000 UV (100 a day: 3,000 in a 30-day month), conversion 2 %, AOV 100.00.
    # A 30-day month's target of 8,300.00 needs 8,300 ÷ (0.02 × 100) = 4,150 UV: +38.33 % on 3,000.
    needs = {n.driver: n for n in drivers.implied(D("8300"), days=30, uv_90=9000, conversion=D("0.02"), aov=D("100"))}
    assert needs["uv"].needed == D(4150)
    assert needs["uv"].current == D(3000)
    assert needs["uv"].change == D("0.3833")
    assert needs["uv"].change_percent == D("38.3")
    # conversion: 8,300 ÷ (3,000 × 100) = 0.027666… → 0.0277; change 0.027666…/0.02 − 1 = 0.3833
    assert needs["conversion"].needed == D("0.0277")
    assert needs["conversion"].change == D("0.3833")
    # AOV: 8,300 ÷ (3,000 × 0.02) = 138.333… → 138.33
    assert needs["aov"].needed == D("138.33")
    # A lower target reads as a fall: 1,500.00 needs 750 UV, −75 %
    low = drivers.implied(D("1500"), days=30, uv_90=9000, conversion=D("0.02"), aov=D("100"))[0]
    assert low.change == D("-0.75") and low.fall_percent == D("75.0")
    assert drivers.implied(D("1500"), days=30, uv_90=None, conversion=D("0.02"), aov=D("100")) == []


def test_a_months_target_split_by_traffic_source():
    """90 days: 搜索 9,000 UV, 180 buyers, ¥18,000 (2 %, ¥100); 推荐 4,500 UV, 45 buyers, ¥6,000 (1 %,
    ¥133.33). A ¥12,000 month of 30 days: 搜索 ¥9,000 (¾ of the GMV) needs 4,500 UV against 3,000 now (+50 %);
    推荐 ¥3,000 needs 3,000 ÷ (0.01 × 133.33) = 2,250.06 → 2,251 UV against 1,500 (+50.1 %)."""
    from zhanggui.planning.drivers import by_source

    found = by_source(
        Decimal("12000.00"),
        days=30,
        sources=[("搜索", 9000, 180, Decimal("18000.00")), ("推荐", 4500, 45, Decimal("6000.00"))],
    )
    search, feed = found
    assert (search.share, search.target, search.uv_now, search.uv_needed) == (
        Decimal("0.7500"),
        Decimal("9000.00"),
        3000,
        4500,
    )
    assert (search.conversion, search.aov, search.change_percent) == (
        Decimal("0.0200"),
        Decimal("100.00"),
        Decimal("50.0"),
    )
    assert (feed.target, feed.aov, feed.uv_now, feed.uv_needed, feed.change_percent) == (
        Decimal("3000.00"),
        Decimal("133.33"),
        1500,
        2251,
        Decimal("50.1"),
    )
    assert by_source(Decimal("100.00"), days=30, sources=[("搜索", 10, 0, Decimal("0"))]) == []
