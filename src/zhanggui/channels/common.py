"""What every order reader shares: reading one row's cells while collecting every problem, the status words,
splitting an address written as one string, and spreading an order's discount over its lines to the fen.

The rules are written for people in docs/orders-import.md; each platform module only says which column is which.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime, tzinfo
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.channels.records import CLOSED, UNPAID, ParsedLine, ParsedOrder, RowError
from zhanggui.core.money import FEN, ZERO, MoneyError, fmt_money, largest_remainder, parse_money
from zhanggui.core.tabular import CellError, Row, Table, parse_moment, whole_number
from zhanggui.core.text import bad_code_character, clean_line, clean_text, describe

# An order number Excel turned into a float before the file reached us ("2.85E+18"): its digits are gone.
_SCIENTIFIC_RE = re.compile(r"[0-9](?:\.[0-9]+)?E\+?[0-9]+", re.IGNORECASE | re.ASCII)
MAX_MONEY = Decimal("1000000000000")  # DecimalField(max_digits=14, decimal_places=2)


# --------------------------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------------------------


class StatusWords:
    """A platform's status words and the status each means; a cell matches whatever its spaces and commas."""

    def __init__(self, words: Mapping[str, str]) -> None:
        self.words = dict(words)
        self._folded = {fold_word(word): status for word, status in words.items()}
        self._read: dict[str, str | None] = {}  # cells as written, folded once: a file repeats a few words

    def get(self, text: str) -> str | None:
        try:
            return self._read[text]
        except KeyError:
            status = self._read[text] = self._folded.get(fold_word(text))
            if len(self._read) > 1000:
                self._read.clear()
            return status


def fold_word(text: str) -> str:
    """NFKC (the full-width comma of 买家已付款，等待卖家发货 becomes ','), and no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


class Cells:
    """One row's cells read as values; every problem becomes a RowError and reading goes on (`ok` says if any)."""

    def __init__(self, table: Table, row: Row, errors: list[RowError]) -> None:
        self.table, self.row, self.errors = table, row, errors
        self.values = row.values
        self.ok = True

    @property
    def line(self) -> int:
        return self.row.line

    def fail(self, key: str, reason: str) -> None:
        self.ok = False
        column = self.table.header(key) if key else ""
        self.errors.append(RowError(file=self.table.filename, line=self.row.line, column=column, reason=reason))

    def raw(self, key: str) -> str:
        return self.values.get(key, "")

    def text(self, key: str) -> str:
        """Single-line free text (a name, a title, an address), cleaned as core.text cleans it (printable text,
        most of a file, holds nothing clean_line would change)."""
        text = self.values.get(key, "")
        return text if text.isprintable() else clean_line(text)

    def note(self, key: str) -> str:
        """Multi-line free text (a buyer's message, a seller's memo)."""
        text = self.values.get(key, "")
        return text if text.isprintable() else clean_text(text)

    def code(self, key: str, *, required: bool = False) -> str:
        """An identifier matched on (order number, 商家编码, tracking number): refused, never cleaned."""
        text = self.values.get(key, "")
        if not text:
            if required:
                self.fail(key, _("Required; fill it on every row (no merged cells)."))
            return ""
        # Printable text holds no control, format or separator character: only U+FFFD is left to look for.
        found = None if text.isprintable() and "\ufffd" not in text else bad_code_character(text)
        if found is not None:
            position, char = found
            self.fail(
                key,
                _("Invisible or control character %(char)s at position %(position)s; type the code again without it.")
                % {"char": describe(char), "position": position + 1},
            )
            return ""
        return text

    def order_no(self, key: str) -> str:
        text = self.code(key, required=True)
        if text and _SCIENTIFIC_RE.fullmatch(text):
            self.fail(
                key,
                _(
                    "%(value)s is an order number that Excel turned into a number and cut short; export the file "
                    "again and open it without saving it in Excel."
                )
                % {"value": text},
            )
            return ""
        return text

    def money(self, key: str, *, required: bool = False) -> Decimal:
        text = self.values.get(key, "")
        if _PLAIN_FEN.fullmatch(text):  # most cells: what parse_money gives back unchanged
            return Decimal(text)
        if not text:
            if required:
                self.fail(key, _("Required; fill it on every row (no merged cells)."))
            return ZERO
        try:
            amount = parse_money(text)
        except MoneyError:
            self.fail(key, _("%(value)s is not an amount in yuan with at most two decimals.") % {"value": text})
            return ZERO
        if amount < 0:
            self.fail(key, _("%(value)s: must not be negative.") % {"value": text})
            return ZERO
        if amount >= MAX_MONEY:
            self.fail(key, _("%(value)s is too large.") % {"value": text})
            return ZERO
        return amount

    def quantity(self, key: str) -> int:
        text = self.values.get(key, "")
        if not text:
            self.fail(key, _("Required; fill it on every row (no merged cells)."))
            return 0
        if text.isascii() and text.isdigit() and len(text) < 10:  # plain digits: what whole_number reads
            number = int(text)
        else:
            try:
                number = whole_number(text)
            except CellError as exc:
                self.fail(key, exc.message)
                return 0
        if number < 1:
            self.fail(key, _("%(value)s: a line holds at least 1 unit.") % {"value": text})
            return 0
        return number

    def moment(self, key: str) -> datetime | None:
        text = self.values.get(key, "")
        if not text:
            return None
        try:
            return _moment(text, timezone.get_default_timezone())
        except CellError as exc:
            self.fail(key, exc.message)
            return None

    def status(self, key: str, words: StatusWords, *, required: bool = True) -> tuple[str, str]:
        """(our status, the platform's words) from a status cell."""
        text = self.text(key)
        if not text:
            if required:
                self.fail(key, _("Required; fill it on every row (no merged cells)."))
            return "", ""
        status = words.get(text)
        if status is None:
            self.fail(
                key,
                _("Unknown order status %(value)s; the statuses read are: %(known)s.")
                % {"value": text, "known": " / ".join(words.words)},
            )
            return "", text
        return status, text


@functools.lru_cache(maxsize=4096)
def _moment(text: str, zone: tzinfo) -> datetime:
    """parse_moment of a cell, remembered: orders paid in the same second share their moments."""
    return parse_moment(text, tz=zone)


#: An amount as exports mostly write it, which parse_money would give back as it is: digits, two decimals.
_PLAIN_FEN = re.compile(r"[0-9]{1,12}\.[0-9]{2}", re.ASCII)


@dataclass
class Seen:
    """Rows already read, by identity: an exact repeat is dropped, a different row with the same identity refused.

    Exports repeat rows (JD writes a row again when it splits an order); a same identity with other values is a
    contradiction no one can settle for the seller. Each identity keeps its line and a hash of its row's values,
    not the row, so a big file streams through: two different rows of one identity with the same 64-bit hash
    would pass as a repeat, which no real file meets.
    """

    rows: dict[object, int] = field(default_factory=dict)  # identity → line << 64 | hash of the values

    def __contains__(self, identity: object) -> bool:
        return identity in self.rows

    def check(self, identity: object, cells: Cells, *, key: str, what: str | Callable[[], str]) -> bool:
        """True when the row is new; False when it repeats an earlier one (the row is then skipped). `what` names
        the identity in the refusal (a callable is only asked when there is one)."""
        row = cells.row
        fingerprint = hash(tuple(row.values.values())) & _HASH_MASK
        earlier = self.rows.get(identity)
        if earlier is None:
            self.rows[identity] = row.line << 64 | fingerprint
            return True
        if earlier & _HASH_MASK != fingerprint:
            cells.fail(
                key,
                _("%(what)s is also on line %(line)s, with other values; keep one of the two rows.")
                % {"what": what() if callable(what) else what, "line": earlier >> 64},
            )
        return False


_HASH_MASK = (1 << 64) - 1


def order_fields_agree(cells: Cells, first: Row, keys: Iterable[str]) -> None:
    """Order columns repeated on each line of an order must say the same (an empty repeat is fine)."""
    for key in keys:
        mine, theirs = cells.raw(key), first.get(key)
        if mine and theirs and mine != theirs:
            cells.fail(
                key,
                _("%(value)s differs from line %(line)s of the same order (%(other)s).")
                % {"value": mine, "line": first.line, "other": theirs},
            )


@dataclass
class OrderFields:
    """An order's own values (ParsedOrder without its identity and lines), filled from its row(s)."""

    status: str = ""
    status_text: str = ""
    buyer_nick: str = ""
    receiver_name: str = ""
    receiver_phone: str = ""
    province: str = ""
    city: str = ""
    district: str = ""
    address: str = ""
    created_at: datetime | None = None
    paid_at: datetime | None = None
    ship_by: datetime | None = None
    shipped_at: datetime | None = None
    shipping_fee: Decimal = ZERO
    paid_total: Decimal = ZERO
    buyer_note: str = ""
    seller_note: str = ""
    carrier: str = ""
    tracking_no: str = ""

    def order(self, *, platform: str, order_no: str, lines: Sequence[ParsedLine], file: str, line: int) -> ParsedOrder:
        return ParsedOrder(
            platform=platform, order_no=order_no, lines=tuple(lines), file=file, line=line, **self.__dict__
        )


def merged(rows: Sequence[OrderFields]) -> OrderFields:
    """One order's fields from the rows of its lines: each value from the first row that fills it."""
    values = {
        f.name: next((v for r in rows if (v := getattr(r, f.name))), getattr(rows[0], f.name)) for f in fields(rows[0])
    }
    return OrderFields(**values)


def notes(*texts: str) -> str:
    """Several note cells as one note: the filled ones, each once, one a line."""
    return "\n".join(dict.fromkeys(text for text in texts if text))


# --------------------------------------------------------------------------------------------------------
# Addresses
# --------------------------------------------------------------------------------------------------------

#: Province-level names as platforms write them, without their suffix (省, 市, 自治区 ...).
PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西",
    "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古",
    "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
)  # fmt: skip
MUNICIPALITIES = ("北京", "天津", "上海", "重庆")
_PROVINCE_RE = re.compile(
    "^(?:" + "|".join(PROVINCES) + r")(?:省|市|特别行政区|壮族自治区|回族自治区|维吾尔自治区|自治区)?"
)
_CITY_RE = re.compile(r"^[^区县路街号镇乡村\s]{1,12}?(?:自治州|地区|盟|市)")
# A district, county or county-level city: not across a road, house number, town or village.
_DISTRICT_RE = re.compile(r"^[^路街号镇乡村\s]{1,14}?(?:区|县|市|旗)")
# A postcode some exports add at the end: "(310012)", "，310012".
_POSTCODE_RE = re.compile(r"(?:\s+|\s*[(（,，]\s*)[0-9]{6}\s*[)）]?$")


@dataclass(frozen=True)
class Address:
    province: str
    city: str
    district: str
    detail: str


def split_address(text: str) -> Address:
    """Province, city, district and the rest of an address written as one string, best effort.

    Spaces decide when there are any (Taobao: "浙江省 杭州市 西湖区 文三路 90号"); otherwise the suffixes
    省/自治区/市/州/区/县 do (JD: "浙江杭州市西湖区文三路90号"). A part that cannot be found stays empty and the
    rest keeps everything not taken, so nothing of the address is ever lost.
    """
    text = _POSTCODE_RE.sub("", (text if text.isprintable() else clean_line(text)).strip())
    tokens = text.split()
    if not tokens:
        return Address("", "", "", "")
    if len(tokens) > 1 and _PROVINCE_RE.fullmatch(tokens[0]):
        return _split_spaced(tokens)
    return _split_joined(text)


def _split_spaced(tokens: list[str]) -> Address:
    province, city, district = tokens.pop(0), "", ""
    if tokens and _CITY_RE.fullmatch(tokens[0]):
        city = tokens.pop(0)
    if tokens and _DISTRICT_RE.fullmatch(tokens[0]):
        district = tokens.pop(0)
    return Address(province, city, district, " ".join(tokens))


def _split_joined(text: str) -> Address:
    rest = text
    match = _PROVINCE_RE.match(rest)
    if not match:
        return Address("", "", "", text)
    province, rest = match.group(), rest[match.end() :]
    short = next(name for name in PROVINCES if province.startswith(name))
    city = ""
    if short in MUNICIPALITIES:
        # 北京朝阳区… / 北京市朝阳区… / 北京北京市朝阳区…: the city of a municipality is the municipality itself.
        rest = rest.removeprefix(short + "市")
        city = short + "市"
    else:
        match = _CITY_RE.match(rest)
        if match:
            city, rest = match.group(), rest[match.end() :]
    district = ""
    match = _DISTRICT_RE.match(rest)
    if match:
        district, rest = match.group(), rest[match.end() :]
    return Address(province, city, district, rest.strip())


# --------------------------------------------------------------------------------------------------------
# Money over lines
# --------------------------------------------------------------------------------------------------------


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` (fen, ≥ 0) over `weights` (fen, ≥ 0) in proportion, by largest remainder
    (core.money.largest_remainder: the shares add up to exactly `total`, each within a fen of its proportional
    share, ties to the earlier line). With all weights zero, the first line takes everything."""
    if not weights:
        return []
    if sum(weights) == 0:
        return [total, *([0] * (len(weights) - 1))]
    return largest_remainder(total, weights)


@dataclass
class LineDraft:
    """A line before the order's money is known: what its own row says."""

    line: int
    sub_order_id: str
    sku_code: str
    title: str
    spec: str
    quantity: int
    unit_price: Decimal
    refund_status: str = ""

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


def fen(amount: Decimal) -> int:
    return int((amount / FEN).to_integral_value())


def priced_lines(
    drafts: Sequence[LineDraft], *, paid_total: Decimal, shipping_fee: Decimal, status: str
) -> list[ParsedLine] | str:
    """The lines with their share of the order's discount, or the reason (in words) the amounts do not fit.

    What the buyer paid for the goods is paid_total − shipping_fee. The order's discount is the lines' list
    amount (unit price × quantity) less that; allocate() spreads it over the lines in proportion to their list
    amounts, so the lines' paid add up exactly to paid_total − shipping_fee. An order the buyer never paid
    (unpaid or closed, and paid less than the shipping fee) gets lines paid 0: everything was taken off.
    """
    goods_total = sum((draft.amount for draft in drafts), ZERO)
    goods_paid = paid_total - shipping_fee
    if goods_paid < 0:
        if status not in (UNPAID, CLOSED):
            return _("The buyer paid %(paid)s in all, less than the shipping fee %(shipping)s.") % {
                "paid": fmt_money(paid_total),
                "shipping": fmt_money(shipping_fee),
            }
        goods_paid = ZERO
    discount = goods_total - goods_paid
    if discount < 0:
        return _(
            "The buyer paid %(paid)s for the goods (without shipping), more than their prices add up to "
            "(%(total)s); is a line missing?"
        ) % {"paid": fmt_money(goods_paid), "total": fmt_money(goods_total)}
    shares = allocate(fen(discount), [fen(draft.amount) for draft in drafts])
    return [
        ParsedLine(
            sub_order_id=draft.sub_order_id,
            sku_code=draft.sku_code,
            title=draft.title,
            spec=draft.spec,
            quantity=draft.quantity,
            unit_price=draft.unit_price,
            discount=share * FEN,
            paid=draft.amount - share * FEN,
            refund_status=draft.refund_status,
            line=draft.line,
        )
        for draft, share in zip(drafts, shares, strict=True)
    ]
