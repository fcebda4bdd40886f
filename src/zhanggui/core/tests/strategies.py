"""Hypothesis strategies for the rows our importers read, and the one-cell mutations that must get a row refused.

Shared by every importer's property tests: the catalog sheet (catalog/imports.py, docs/catalog-import.md), the
stocktake count sheet (inventory/imports.py) and the promotion JSON import (promotions/services.py); later the
order and refund imports reuse them. Nothing here imports an app: the column names are the documented headers,
and a test passes in what the database holds (existing SKU codes, ...).

A sheet is a list of dicts (header → cell text); `to_csv` / `to_xlsx` turn it into a file. A `Mutation` is one
bad cell with its verdict: REFUSE (the row must be refused, naming its line and column) or CLEAN (the row may be
refused, or imported with the cell read as `expected`: full-width digits, stray control characters in free
text, which docs/text.md says are cleaned).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from zhanggui.core.tests.rows import OUR_APPS

REFUSE = "refuse"
CLEAN = "clean"

Sheet = list[dict[str, str]]

# ----- cells that are valid ---------------------------------------------------------------------------------

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-"
# Title characters with no banned word among them (no 最/第一/国家级 ...), and short enough for every channel.
_TITLE_ALPHABET = "纯棉短袖圆领恤男女款夏季白黑红蓝冰丝防晒外套连衣裙TShirt"
_SPEC_VALUES = ("颜色:白;尺码:M", "颜色:黑;尺码:L", "颜色:红", "尺码:XL", "")


def codes(*, min_size: int = 1, max_size: int = 12) -> st.SearchStrategy[str]:
    """A SKU, product or promotion code as people type them: ASCII letters, digits, dashes."""
    return st.text(alphabet=_CODE_ALPHABET, min_size=min_size, max_size=max_size).filter(
        lambda code: code.strip("-") == code
    )


def titles() -> st.SearchStrategy[str]:
    return st.text(alphabet=_TITLE_ALPHABET, min_size=2, max_size=20)


def specs() -> st.SearchStrategy[str]:
    return st.sampled_from(_SPEC_VALUES)


@st.composite
def money_cells(draw: st.DrawFn, *, max_yuan: int = 99_999) -> tuple[str, Decimal]:
    """An amount and one of the ways a shop export writes it: '59.9', '59.90', '¥1,299.00', '1299元'."""
    fen = draw(st.integers(min_value=0, max_value=max_yuan * 100))
    amount = Decimal(fen).scaleb(-2)
    style = draw(st.sampled_from(["plain", "two", "yen", "yuan", "int"]))
    if style == "int" and fen % 100 == 0:
        text = str(fen // 100)
    elif style == "yen":
        text = f"¥{amount:,.2f}"
    elif style == "yuan":
        text = f"{amount:.2f}元"
    elif style == "plain":
        text = format(amount.normalize(), "f") if fen else "0"
    else:
        text = f"{amount:.2f}"
    return text, amount


@st.composite
def whole_cells(draw: st.DrawFn, *, max_value: int = 1_000_000) -> tuple[str, int]:
    """A count or a weight: '12', '1,200', Excel's '12.0'."""
    number = draw(st.integers(min_value=0, max_value=max_value))
    style = draw(st.sampled_from(["plain", "comma", "float"]))
    text = {"plain": str(number), "comma": f"{number:,}", "float": f"{number}.0"}[style]
    return text, number


# ----- one bad cell -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutation:
    """One bad cell: its text, why it is bad, and what the importer must do with it."""

    name: str
    text: str
    verdict: str = REFUSE
    expected: Any = None  # for CLEAN: the value the cell may be read as

    def __repr__(self) -> str:  # shown in Hypothesis's falsifying example
        return f"Mutation({self.name!r}, {self.text!r}, {self.verdict})"


BAD_MONEY: tuple[Mutation, ...] = (
    Mutation("exponent", "1e3"),
    Mutation("exponent_upper", "1E2"),
    Mutation("negative", "-1"),
    Mutation("three_decimals", "12.345"),
    Mutation("not_a_number", "abc"),
    Mutation("huge", "9" * 20),
    Mutation("nan", "NaN"),
    Mutation("infinity", "Infinity"),
    Mutation("underscore", "1_000"),
    Mutation("other_script_digits", "١٢٣"),
    Mutation("full_width", "１２３．５", CLEAN, Decimal("123.50")),  # docs/money.md: full-width reads as ASCII
)
BAD_WHOLE: tuple[Mutation, ...] = (
    Mutation("fraction", "12.5"),
    Mutation("negative", "-1"),
    Mutation("not_a_number", "abc"),
    Mutation("exponent", "1e3"),
    Mutation("underscore", "1_000"),
    Mutation("other_script_digits", "١٢"),
    Mutation("over_int32", "2147483648"),
    Mutation("huge", "9" * 25),
    Mutation("two_to_63", str(2**63)),
    Mutation("nan", "NaN"),
    Mutation("full_width", "１２", CLEAN, 12),
)
BAD_CODE: tuple[Mutation, ...] = (
    Mutation("nul", "AB\x00C"),
    Mutation("c0_control", "AB\x01C"),
    Mutation("escape", "AB\x1bC"),
    Mutation("tab", "AB\tC"),
    Mutation("bidi_override", "AB\u202eC"),
    Mutation("zero_width_space", "AB\u200bC"),
    Mutation("replacement_char", "AB\ufffdC"),
    Mutation("over_long", "X" * 65),
)
#: Free text (titles, specs, names): control and format characters are cleaned away or the row refused.
BAD_TEXT: tuple[Mutation, ...] = (
    Mutation("c0_control", "纯棉\x01短袖", CLEAN, "纯棉短袖"),
    Mutation("bidi_override", "纯棉\u202e短袖", CLEAN, "纯棉短袖"),
    Mutation("zero_width_space", "纯棉\u200b短袖", CLEAN, "纯棉短袖"),
)


def over_long(limit: int) -> Mutation:
    return Mutation("over_long", "长" * (limit + 1))


# ----- files ------------------------------------------------------------------------------------------------


def to_csv(rows: Sheet, headers: Sequence[str], *, encoding: str = "utf-8") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return out.getvalue().encode(encoding)


def to_xlsx(rows: Sheet, headers: Sequence[str]) -> bytes:
    """Every cell as text, as WPS writes a sheet typed by hand with the cells formatted as text."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_can_hold(text: str) -> bool:
    """openpyxl refuses C0 controls in a cell (the XML cannot hold them), so such a mutation is CSV-only."""
    return not any(ord(c) < 32 and c not in "\t\n\r" for c in text)


#: The first line of data: the header is line 1, as a spreadsheet shows it.
FIRST_LINE = 2


# ----- the catalog sheet (docs/catalog-import.md) -----------------------------------------------------------

CATALOG_HEADERS = (
    "货号",
    "商品标题",
    "类目",
    "商品角色",
    "商家编码",
    "条码",
    "规格",
    "价格",
    "成本",
    "重量(g)",
    "警戒库存",
)
ROLE_WORDS = ("引流款", "利润款", "活动款", "形象款")

#: Which mutations fit which catalog column.
CATALOG_MUTATIONS: dict[str, tuple[Mutation, ...]] = {
    "货号": (*BAD_CODE, Mutation("empty", "")),
    "商家编码": BAD_CODE,
    "条码": BAD_CODE,
    "商品标题": (*BAD_TEXT, over_long(200)),
    "规格": (*BAD_TEXT, over_long(200)),
    "类目": (*(m for m in BAD_CODE if m.name != "over_long"), Mutation("over_long", "类" * 101)),
    "商品角色": (Mutation("unknown_role", "爆款"),),
    "价格": (*BAD_MONEY, Mutation("empty_for_new_sku", "")),
    "成本": BAD_MONEY,
    "重量(g)": BAD_WHOLE,
    "警戒库存": BAD_WHOLE,
}


@dataclass(frozen=True)
class CatalogSku:
    product_code: str
    title: str
    category: str
    role: str
    code: str
    barcode: str
    spec: str
    price: Decimal
    cost: Decimal
    weight_g: int
    safety_stock: int


@st.composite
def catalog_sheets(draw: st.DrawFn, *, max_products: int = 3, max_skus: int = 3) -> tuple[Sheet, list[CatalogSku]]:
    """A valid catalog sheet for new products: rows as cells, and what each SKU row means."""
    product_codes = draw(st.lists(codes(max_size=8), min_size=1, max_size=max_products, unique=True))
    sku_codes = draw(
        st.lists(
            codes(max_size=10),
            min_size=len(product_codes) * max_skus,
            max_size=len(product_codes) * max_skus,
            unique=True,
        )
    )
    rows: Sheet = []
    meaning: list[CatalogSku] = []
    for p_index, product_code in enumerate(product_codes):
        title, category, role = (
            draw(titles()),
            draw(st.sampled_from(["T恤", "外套", "连衣裙"])),
            draw(st.sampled_from(ROLE_WORDS)),
        )
        for s_index in range(draw(st.integers(min_value=1, max_value=max_skus))):
            price_text, price = draw(money_cells())
            cost_text, cost = draw(money_cells(max_yuan=500))
            weight_text, weight = draw(whole_cells(max_value=100_000))
            stock_text, stock = draw(whole_cells(max_value=10_000))
            barcode = draw(st.text(alphabet="0123456789", min_size=0, max_size=13))
            spec = draw(specs())
            sku = CatalogSku(
                product_code=product_code,
                title=title,
                category=category,
                role=role,
                code=sku_codes[p_index * max_skus + s_index],
                barcode=barcode,
                spec=spec,
                price=price,
                cost=cost,
                weight_g=weight,
                safety_stock=stock,
            )
            meaning.append(sku)
            # Product columns repeat on the first row only, as merged cells export (later rows leave them empty).
            first = s_index == 0
            rows.append(
                {
                    "货号": product_code,
                    "商品标题": title if first else "",
                    "类目": category if first else "",
                    "商品角色": role if first else "",
                    "商家编码": sku.code,
                    "条码": barcode,
                    "规格": spec,
                    "价格": price_text,
                    "成本": cost_text,
                    "重量(g)": weight_text,
                    "警戒库存": stock_text,
                }
            )
    return rows, meaning


@dataclass(frozen=True)
class CellMutation:
    """A mutation applied at one row (0-based index into the sheet's rows) and one column."""

    row: int
    column: str
    mutation: Mutation

    @property
    def line(self) -> int:
        return FIRST_LINE + self.row


@st.composite
def cell_mutations(
    draw: st.DrawFn, rows: Sheet, mutations: dict[str, tuple[Mutation, ...]], *, first_row_only: Sequence[str] = ()
) -> CellMutation:
    """One mutation at a random row and column. Columns in `first_row_only` (product columns, given once per
    product) are mutated on a row that holds a value."""
    column = draw(st.sampled_from(sorted(mutations)))
    candidates = [i for i, row in enumerate(rows) if row.get(column) or column not in first_row_only]
    row = draw(st.sampled_from(candidates))
    return CellMutation(row, column, draw(st.sampled_from(mutations[column])))


def apply(rows: Sheet, change: CellMutation) -> Sheet:
    changed = [dict(row) for row in rows]
    changed[change.row][change.column] = change.mutation.text
    return changed


def duplicate_row(rows: Sheet, index: int) -> tuple[Sheet, int]:
    """The sheet with row `index` written again at the end (a duplicate code); returns the new row's line."""
    return [*(dict(row) for row in rows), dict(rows[index])], FIRST_LINE + len(rows)


# ----- the stocktake count sheet ----------------------------------------------------------------------------

COUNT_HEADERS = ("商家编码", "实盘数量")
COUNT_MUTATIONS: dict[str, tuple[Mutation, ...]] = {
    "商家编码": (*BAD_CODE, Mutation("unknown_sku", "NO-SUCH-SKU")),
    # Over the largest count the stock can hold (inventory/limits.py MAX_COUNT) but a valid int32.
    "实盘数量": (*BAD_WHOLE, Mutation("over_max_count", "200000000")),
}


@st.composite
def count_sheets(draw: st.DrawFn, sku_codes: Sequence[str]) -> tuple[Sheet, dict[str, int]]:
    """A valid count sheet over some of `sku_codes` (each once): rows, and the count for each code."""
    chosen = draw(st.lists(st.sampled_from(list(sku_codes)), min_size=1, max_size=len(sku_codes), unique=True))
    rows: Sheet = []
    meaning: dict[str, int] = {}
    for code in chosen:
        text, number = draw(whole_cells(max_value=1_000_000))
        rows.append({"商家编码": code, "实盘数量": text})
        meaning[code] = number
    return rows, meaning


# ----- promotion specs (docs/pricing.md), as the JSON import reads them ------------------------------------

_KIND_PARAMS = {
    "spend_save": lambda d: {"tiers": [[d["threshold"], d["off"]]]},
    "discount": lambda d: {"rate": d["rate"]},
    "price_cut": lambda d: {"amount": d["off"]},
}


@st.composite
def promotion_specs(draw: st.DrawFn, *, max_items: int = 4) -> list[dict[str, Any]]:
    """Valid promotion specs with distinct ids, starting in the future (so they import as drafts)."""
    ids = draw(st.lists(codes(max_size=10), min_size=1, max_size=max_items, unique_by=str.casefold))
    china = timezone(timedelta(hours=8))
    start = datetime(2031, 1, 1, tzinfo=china) + timedelta(days=draw(st.integers(min_value=0, max_value=300)))
    items = []
    for pid in ids:
        kind = draw(st.sampled_from(sorted(_KIND_PARAMS)))
        threshold = draw(st.integers(min_value=100, max_value=1000))
        values = {
            "threshold": str(threshold),
            "off": f"{draw(st.integers(min_value=1, max_value=threshold // 10 * 100)) / 100:.2f}",
            "rate": draw(st.sampled_from(["9.5", "9", "8.8", "8"])),
        }
        days = draw(st.integers(min_value=1, max_value=30))
        items.append(
            {
                "id": pid,
                "kind": kind,
                "name": draw(titles()),
                **_KIND_PARAMS[kind](values),
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(days=days)).isoformat(),
            }
        )
    return items


#: One bad field of a spec: (kinds it applies to, field, JSON value, verdict). REFUSE: the item must be refused;
#: CLEAN: refused or imported, but never a crash (a year-1 start is odd but not wrong).
PROMOTION_MUTATIONS: tuple[tuple[str, str, Any, str], ...] = (
    ("*", "id", "AB\x00C", REFUSE),
    ("*", "id", "AB\u202eC", REFUSE),
    ("*", "id", "X" * 65, REFUSE),
    ("*", "id", "", REFUSE),
    ("*", "kind", "mystery", REFUSE),
    ("*", "kind", None, REFUSE),
    ("*", "starts_at", "0001-01-01T00:00:00+08:00", CLEAN),
    ("*", "starts_at", "not a date", REFUSE),
    ("*", "ends_at", "2020-01-01T00:00:00+08:00", REFUSE),
    ("*", "name", "长" * 101, REFUSE),
    ("*", "name", ["a list"], REFUSE),
    ("price_cut", "amount", "1e3", REFUSE),
    ("price_cut", "amount", "-1", REFUSE),
    ("price_cut", "amount", 1.5, REFUSE),
    ("price_cut", "amount", "9" * 20, REFUSE),
    ("price_cut", "amount", "12.345", REFUSE),
    ("discount", "rate", "11", REFUSE),
    ("discount", "rate", "-1", REFUSE),
    ("discount", "rate", 8.5, REFUSE),
    ("discount", "rate", "1e0", REFUSE),
    ("spend_save", "tiers", [["1e3", "10"]], REFUSE),
    ("spend_save", "tiers", [["300", "-30"]], REFUSE),
    ("spend_save", "tiers", [["300", 30.5]], REFUSE),
    ("spend_save", "tiers", [], REFUSE),
    ("spend_save", "tiers", "300-30", REFUSE),
)


# ----- what a refusal must leave as it was ------------------------------------------------------------------


def row_counts(apps_labels: Sequence[str] = OUR_APPS) -> dict[str, int]:
    """The number of rows of each model of our apps (the audit trail included): unchanged after a refusal."""
    from django.apps import apps

    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in apps_labels and not model._meta.proxy
    }


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run one Hypothesis example in a savepoint that is rolled back, so examples do not see each other."""
    from django.db import transaction

    with transaction.atomic():
        yield
        transaction.set_rollback(True)
