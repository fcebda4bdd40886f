"""A CSV is read a block at a time: the rows come out as from the whole file, whatever falls on a block's edge."""

from __future__ import annotations

import io

import pytest
from django.utils import translation

from zhanggui.core import tabular
from zhanggui.core.tabular import Column, UnreadableFile, read_table

COLUMNS = (Column("code", ("商家编码", "code"), required=True), Column("note", ("备注", "note")))


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def tiny_blocks(monkeypatch):
    """Blocks of a few bytes, so every edge case falls on a block's edge somewhere."""
    monkeypatch.setattr(tabular, "_BLOCK", 7)


def rows_of(table):
    return [(row.line, row.values) for row in table]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_block_edges_inside_characters_and_line_ends_change_nothing(tiny_blocks, encoding, newline):
    text = newline.join(["商家编码,备注", "A-红-M,货架三层", '"B,1","多行' + newline + '备注"', "C,", ""])
    table = read_table(file=io.BytesIO(text.encode(encoding)), filename="c.csv", columns=COLUMNS)
    assert rows_of(table) == [
        (2, {"code": "A-红-M", "note": "货架三层"}),
        (3, {"code": "B,1", "note": "多行" + newline + "备注"}),
        (4, {"code": "C", "note": ""}),
    ]


def test_a_gbk_file_whose_first_blocks_are_ascii_is_read_as_gbk(tiny_blocks):
    text = "code,note\nA1,first\nA2,second\nA3,货架三层\n"
    table = read_table(file=io.BytesIO(text.encode("gbk")), filename="c.csv", columns=COLUMNS)
    assert rows_of(table)[-1] == (4, {"code": "A3", "note": "货架三层"})
    assert table.encoding == "gb18030"


def test_bytes_that_stop_being_the_chosen_encoding_refuse_the_file(tiny_blocks):
    data = "code,note\nA1,货架\n".encode() + "A2,三层\n".encode("gbk")
    with pytest.raises(UnreadableFile, match="not a text table in UTF-8 or GBK"):
        list(read_table(file=io.BytesIO(data), filename="c.csv", columns=COLUMNS))


def test_a_file_opened_by_path_is_closed_when_its_rows_end(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("code,note\nA1,x\n", encoding="utf-8")
    table = read_table(file=path, columns=COLUMNS)
    stream = table._rows.gi_frame.f_locals["stream"] if table._rows.gi_frame else None
    assert rows_of(table) == [(2, {"code": "A1", "note": "x"})]
    assert stream is None or stream.closed
