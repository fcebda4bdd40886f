"""Money: always `Decimal`, always to the fen, with the rounding rule named at each call.

Rules (docs/money.md):
- Amounts are written in plain digits: '1e3' or '1_000' is refused everywhere (to_fen, parse_money).
- Amounts are stored as `DecimalField(max_digits=14, decimal_places=2)`: yuan with two decimals (fen).
- `to_fen` rounds half-up (ROUND_HALF_UP), the rule platforms use for item prices.
- Floats are refused: `Decimal(0.1)` carries binary noise, so a float reaching money code is a bug.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
# DecimalField(max_digits=14, decimal_places=2) holds at most 999,999,999,999.99.
LIMIT = Decimal("1000000000000")
# What an amount may look like once currency marks and thousands separators are gone: ASCII digits, one
# optional point, an optional sign. No exponent ("1e3"), no underscores ("1_000"), no other scripts' digits.
_PLAIN_AMOUNT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)


class MoneyError(ValueError):
    """A value that cannot be read as an amount of money."""


def to_fen(value: Decimal | int | str) -> Decimal:
    """Quantize to the fen, half-up. Accepts Decimal, int or a decimal string; refuses float."""
    if isinstance(value, float):
        raise MoneyError("money must not be a float; pass a Decimal or a string")
    if isinstance(value, bool):
        raise MoneyError("money must not be a bool")
    amount = Decimal(value) if isinstance(value, Decimal | int) else plain_decimal(str(value), value)
    if not amount.is_finite() or abs(amount) >= LIMIT:
        raise MoneyError(f"not an amount we can keep: {value!r}")
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def plain_decimal(text: str, given: object) -> Decimal:
    """A decimal written out in plain digits; an exponent, underscores or anything else is refused."""
    text = text.strip()
    if not _PLAIN_AMOUNT.fullmatch(text):
        raise MoneyError(f"not an amount: {given!r}")
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern only lets decimals through
        raise MoneyError(f"not an amount: {given!r}") from exc


def parse_money(text: str) -> Decimal:
    """Read an amount as people write it in shop exports: '¥1,299.00', '1299元', ' 12.5 ', '１２９９．００'.

    Full-width characters (what a Chinese input method types: '１２．５', '￥', '，') are read as their ASCII
    forms (Unicode NFKC); an exponent ('1e3'), underscores ('1_000') or digits of other scripts are refused.

    Exact: the text is parsed as a decimal, never through float. Must already be at most two decimals
    (an import must not silently change a price), otherwise MoneyError.
    """
    cleaned = unicodedata.normalize("NFKC", str(text)).strip().replace(",", "")
    for token in ("¥", "元", "RMB", "CNY"):
        cleaned = cleaned.replace(token, "")
    cleaned = cleaned.strip()
    if not cleaned:
        raise MoneyError("empty amount")
    amount = plain_decimal(cleaned, text)
    if not amount.is_finite() or abs(amount) >= LIMIT:
        raise MoneyError(f"not an amount we can keep: {text!r}")
    if amount != amount.quantize(FEN):
        raise MoneyError(f"more than two decimals: {text!r}")
    return amount.quantize(FEN)


def fmt_money(amount: Decimal) -> str:
    return f"¥{to_fen(amount):,.2f}"
