"""Reading platform and Excel tables: encodings, header search, aliases, cell disguises, file-level errors."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from openpyxl import Workbook

from zhanggui.core.tabular import (
    CellError,
    Column,
    DuplicateColumns,
    MissingColumns,
    RowError,
    UnreadableFile,
    clean_cell,
    normalize_header,
    parse_moment,
    read_table,
    whole_number,
)

COLUMNS = (
    Column("sku_code", ("商家编码", "SKU编码", "sku_code"), required=True),
    Column("counted", ("实盘数量", "counted"), required=True),
    Column("note", ("备注", "note")),
)


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, whatever translations exist."""
    with translation.override("en"):
        yield


def write_csv(path, text: str, encoding: str = "utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path, rows, *, title_rows=(), extra_sheet_first=False):
    workbook = Workbook()
    sheet = workbook.active
    if extra_sheet_first:
        sheet.title = "说明"
        sheet.append(["填写说明: 商家编码必填"])
        sheet = workbook.create_sheet("盘点")
        workbook.active = 1
    for row in title_rows:
        sheet.append(row)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def rows_of(table):
    return [(row.line, row.values) for row in table]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_encoding_reads_the_same_rows(tmp_path, encoding):
    path = write_csv(tmp_path / "counts.csv", "商家编码,实盘数量,备注\nA-红-M,12,货架三层\nB-白-L,0,\n", encoding)
    table = read_table(file=path, columns=COLUMNS)
    assert rows_of(table) == [
        (2, {"sku_code": "A-红-M", "counted": "12", "note": "货架三层"}),
        (3, {"sku_code": "B-白-L", "counted": "0", "note": ""}),
    ]
    assert (table.kind, table.filename, table.header_line) == ("csv", "counts.csv", 1)
    assert table.encoding == {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig"}.get(encoding, "gb18030")


def test_title_rows_blank_rows_and_summary_rows_keep_the_line_numbers_the_user_sees(tmp_path):
    text = "盘点表 2024-06-30,,\n仓库: 杭州仓,,\n\n商家编码 ,实盘数量,备注\nA1,3,\n,,\nA2,4,\n合计,7,\n总计：,7,\n"
    table = read_table(file=write_csv(tmp_path / "c.csv", text), columns=COLUMNS)
    assert table.header_line == 4
    assert [(line, values["sku_code"]) for line, values in rows_of(table)] == [(5, "A1"), (7, "A2")]


def test_columns_are_found_by_name_and_alias_in_any_order_with_odd_spacing(tmp_path):
    # trailing space, full-width space, English alias in capitals, an unknown column in between
    text = "备注,其他列,\u3000实盘数量 ,SKU_Code\nx,ignored,5,C9\n"
    table = read_table(file=write_csv(tmp_path / "c.csv", text), columns=COLUMNS)
    assert rows_of(table) == [(2, {"note": "x", "counted": "5", "sku_code": "C9"})]
    assert table.headers == {"note": "备注", "counted": "实盘数量", "sku_code": "SKU_Code"}


def test_header_names_are_folded_the_way_people_write_them():
    assert normalize_header("重量（g） ") == normalize_header("重量(g)") == "重量(g)"
    assert normalize_header("*商家编码") == "商家编码"
    assert normalize_header("\ufeffSKU Code") == "skucode"


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        ('="6901234567890"', "6901234567890"),
        ("'13800138000", "13800138000"),
        ("-", ""),
        ("--", ""),
        ("  12 \u3000", "12"),
        (12.0, "12"),
        (19.9, "19.9"),
        (1e16, "10000000000000000"),
        (7, "7"),
        (None, ""),
        ("a\x0bb", "a\x0bb"),  # kept: the field refuses it in a code and cleans it from text (core.text)
    ],
)
def test_cells_lose_their_disguises(cell, text):
    assert clean_cell(cell) == text


def test_missing_required_columns_are_named_with_their_accepted_names(tmp_path):
    path = write_csv(tmp_path / "c.csv", "商家编码,数量\nA1,3\n")
    with pytest.raises(MissingColumns) as err:
        read_table(file=path, columns=COLUMNS)
    assert err.value.details == {"missing": ["counted"]}
    assert "实盘数量 / counted" in err.value.message
    assert "商家编码" not in err.value.message.split("Missing:")[1]


def test_a_file_without_any_known_header_names_every_required_column(tmp_path):
    path = write_csv(tmp_path / "c.csv", "a,b\n1,2\n")
    with pytest.raises(MissingColumns) as err:
        read_table(file=path, columns=COLUMNS)
    assert err.value.details == {"missing": ["sku_code", "counted"]}


def test_two_columns_meaning_the_same_thing_are_refused(tmp_path):
    path = write_csv(tmp_path / "c.csv", "商家编码,实盘数量,SKU编码\nA1,3,A2\n")
    with pytest.raises(DuplicateColumns) as err:
        read_table(file=path, columns=COLUMNS)
    assert "商家编码" in err.value.message and "SKU编码" in err.value.message


def test_duplicate_columns_we_do_not_read_are_ignored(tmp_path):
    path = write_csv(tmp_path / "c.csv", "商家编码,实盘数量,其他,其他\nA1,3,x,y\n")
    assert rows_of(read_table(file=path, columns=COLUMNS)) == [(2, {"sku_code": "A1", "counted": "3"})]


def test_xlsx_rows_keep_sheet_row_numbers_and_numbers_read_as_typed(tmp_path):
    path = tmp_path / "counts.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"] = "2024年6月盘点"
    sheet.append(["商家编码", "实盘数量"])
    sheet.append(["A1", 12])
    sheet["A5"], sheet["B5"] = "A2", 3.0  # rows 4 is missing from the file entirely
    sheet.append(["6901234567890", 0])
    workbook.save(path)
    table = read_table(file=path, columns=COLUMNS)
    assert (table.kind, table.header_line) == ("xlsx", 2)
    assert rows_of(table) == [
        (3, {"sku_code": "A1", "counted": "12"}),
        (5, {"sku_code": "A2", "counted": "3"}),
        (6, {"sku_code": "6901234567890", "counted": "0"}),
    ]


def test_xlsx_header_is_found_on_another_sheet_than_the_instructions(tmp_path):
    path = write_xlsx(tmp_path / "c.xlsx", [["商家编码", "实盘数量"], ["A1", 1]], extra_sheet_first=True)
    table = read_table(file=path, columns=COLUMNS)
    assert table.sheet == "盘点"
    assert rows_of(table) == [(2, {"sku_code": "A1", "counted": "1"})]


def test_a_file_object_is_read_like_a_path(tmp_path):
    upload = io.BytesIO("商家编码,实盘数量\nA1,2\n".encode("gbk"))
    table = read_table(file=upload, filename="upload.csv", columns=COLUMNS)
    assert rows_of(table) == [(2, {"sku_code": "A1", "counted": "2"})]


def test_an_xlsx_that_is_not_a_zip_is_refused_clearly(tmp_path):
    path = write_csv(tmp_path / "counts.xlsx", "商家编码,实盘数量\nA1,2\n")
    with pytest.raises(UnreadableFile) as err:
        read_table(file=path, columns=COLUMNS)
    assert (
        err.value.message == "counts.xlsx is not a valid .xlsx file (it is not a zip archive). Save it as .xlsx or CSV."
    )


def test_an_old_xls_renamed_to_xlsx_is_named_as_such(tmp_path):
    path = tmp_path / "counts.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(UnreadableFile) as err:
        read_table(file=path, columns=COLUMNS)
    assert "97-2003 (.xls)" in err.value.message


def test_an_html_page_saved_as_xls_is_named_as_such(tmp_path):
    path = tmp_path / "ExportOrderList.xls"
    path.write_text("<html><table><tr><td>商家编码</td></tr></table></html>", encoding="utf-8")
    with pytest.raises(UnreadableFile) as err:
        read_table(file=path, columns=COLUMNS)
    assert "web page" in err.value.message


def test_a_broken_zip_and_binary_garbage_are_unreadable(tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    with pytest.raises(UnreadableFile):
        read_table(file=broken, columns=COLUMNS)
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(UnreadableFile):
        read_table(file=garbage, columns=COLUMNS)


def test_empty_and_missing_files_are_unreadable(tmp_path):
    empty = write_csv(tmp_path / "empty.csv", "  \n")
    with pytest.raises(UnreadableFile, match="empty"):
        read_table(file=empty, columns=COLUMNS)
    with pytest.raises(UnreadableFile, match="Cannot open"):
        read_table(file=tmp_path / "nope.csv", columns=COLUMNS)


@pytest.mark.parametrize(
    ("text", "number"),
    [("12", 12), ("1,200", 1200), ("12.0", 12), ("0", 0), (" 7 ", 7), ("１２", 12), ("1，200", 1200)],
)
def test_whole_numbers(text, number):
    assert whole_number(text) == number


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("12.5", "not_whole_number"),
        ("abc", "not_whole_number"),
        ("-1", "negative"),
        ("3000000000", "too_large"),
        ("1e3", "not_whole_number"),  # issue 8: an exponent is not how anyone counts stock
        ("1e12", "not_whole_number"),
        ("1_000", "not_whole_number"),
        ("NaN", "not_whole_number"),
        ("٣", "not_whole_number"),
        ("1\x002", "not_whole_number"),
    ],
)
def test_not_whole_numbers(text, code):
    with pytest.raises(CellError) as err:
        whole_number(text)
    assert err.value.code == code


def test_row_error_reads_as_a_sentence():
    assert (
        str(RowError(line=7, column="价格", message="abc is not an amount.")) == "line 7, 价格: abc is not an amount."
    )
    assert str(RowError(line=3, column="", message="Broken.")) == "line 3: Broken."


def test_excel_unicode_text_is_tab_separated_utf16(tmp_path):
    path = tmp_path / "counts.txt"
    path.write_bytes("商家编码\t实盘数量\t备注\nA1\t3\t颜色:红;尺码:M\n".encode("utf-16"))
    table = read_table(file=path, columns=COLUMNS)
    assert table.encoding == "utf-16"
    assert rows_of(table) == [(2, {"sku_code": "A1", "counted": "3", "note": "颜色:红;尺码:M"})]


SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("value", "moment"),
    [
        ("2026-11-11 00:03:12", datetime(2026, 11, 11, 0, 3, 12, tzinfo=SHANGHAI)),
        ("2026/11/11 0:03", datetime(2026, 11, 11, 0, 3, tzinfo=SHANGHAI)),
        ("2026-11-11", datetime(2026, 11, 11, tzinfo=SHANGHAI)),
        ("2026/1/5", datetime(2026, 1, 5, tzinfo=SHANGHAI)),
        ("2026年11月11日 08:30", datetime(2026, 11, 11, 8, 30, tzinfo=SHANGHAI)),
        ("２０２６-１１-１１　００：０３", datetime(2026, 11, 11, 0, 3, tzinfo=SHANGHAI)),  # full-width, as typed
        ("2026-11-11T00:03:12", datetime(2026, 11, 11, 0, 3, 12, tzinfo=SHANGHAI)),
        # An Excel date-time cell, as clean_cell writes it, and as openpyxl gives it (naive: shop wall-clock time).
        ("2026-11-11 00:03:12.500000", datetime(2026, 11, 11, 0, 3, 12, 500000, tzinfo=SHANGHAI)),
        (datetime(2026, 11, 11, 0, 3, 12), datetime(2026, 11, 11, 0, 3, 12, tzinfo=SHANGHAI)),  # noqa: DTZ001
        (date(2026, 11, 11), datetime(2026, 11, 11, tzinfo=SHANGHAI)),
        (datetime(2026, 11, 10, 16, 3, tzinfo=UTC), datetime(2026, 11, 11, 0, 3, tzinfo=SHANGHAI)),
    ],
)
def test_moments_in_the_forms_platforms_and_excel_write_are_aware_in_the_shop_time_zone(value, moment):
    parsed = parse_moment(value)
    assert parsed == moment
    assert parsed.utcoffset() == timedelta(hours=8)


def test_an_excel_date_time_cell_reads_through_a_table(tmp_path):
    path = tmp_path / "orders.xlsx"
    workbook = Workbook()
    workbook.active.append(["商家编码", "实盘数量", "备注"])
    workbook.active.append(["A1", 1, datetime(2026, 11, 11, 0, 3, 12)])  # noqa: DTZ001 - Excel keeps no zone
    workbook.save(path)
    [row] = read_table(file=path, columns=COLUMNS)
    assert parse_moment(row.get("note")) == datetime(2026, 11, 11, 0, 3, 12, tzinfo=SHANGHAI)


@pytest.mark.parametrize("value", ["2026-02-30", "2026-11-11 25:00", "11/11/2026", "46337.5", "明天", "", "2026-11"])
def test_not_moments_are_refused_with_the_forms_to_use(value):
    with pytest.raises(CellError) as err:
        parse_moment(value)
    assert err.value.code == "not_a_moment"
    assert err.value.message == (f"{value} is not a date and time; write it as 2026-11-11 00:03:12 or 2026/11/11 0:03.")
