"""The market's import commands: a review export with --day, a refused file exits 1, the other files."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from zhanggui.catalog.models import Channel
from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.market.models import BoardRow, ItemSnapshot, RankObservation, Review

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(users):
    return ShopFactory(code="tm01", channel=Channel.TMALL)


def test_import_reviews_with_a_day_and_a_refused_file(tmp_path, shop):
    good = tmp_path / "v.csv"
    good.write_text("评价时间,商品ID,评价ID,评价内容,评分\n2026-11-01,1001,V1,很好,5\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_reviews", str(good), "--shop", "tm01", "--day", "2026-11-02", "--json", stdout=out)
    assert json.loads(out.getvalue())["created"] == 1 and Review.objects.get().last_seen.isoformat() == "2026-11-02"
    bad = tmp_path / "bad.csv"
    bad.write_text("评价时间,商品ID,评价ID,评价内容,评分\n2026-11-01,1001,V2,差,9\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        call_command("import_reviews", str(bad), "--shop", "tm01", stdout=io.StringIO(), stderr=io.StringIO())
    assert exited.value.code == 1 and Review.objects.count() == 1


def test_the_other_market_imports(tmp_path, shop):
    ranks, snaps, board = tmp_path / "r.csv", tmp_path / "s.csv", tmp_path / "b.csv"
    ranks.write_text("日期,关键词,商品ID,排名\n2026-11-01,连衣裙,1001,3\n", encoding="utf-8")
    snaps.write_text("日期,店铺,商品ID,价格\n2026-11-01,对手店,6001,99.00\n", encoding="utf-8")
    board.write_text("日期,排名,商品ID\n2026-11-01,1,9001\n", encoding="utf-8")
    call_command("import_ranks", str(ranks), "--shop", "tm01", "--device", "pc", stdout=io.StringIO())
    call_command("import_snapshots", str(snaps), "--platform", "jd", stdout=io.StringIO())
    call_command("import_board", str(board), "--shop", "tm01", "--category", "床品", stdout=io.StringIO())
    assert RankObservation.objects.get().device == "pc" and ItemSnapshot.objects.get().item.competitor.platform == "jd"
    assert BoardRow.objects.get().category == "床品"
