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
from collections.abc import Sequence
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


MINUS = "\u2212"  # the minus sign (−), not the hyphen: −¥308.70


def fmt_money(amount: Decimal | int | str, *, signed: bool = False) -> str:
    """An amount as the desk writes it everywhere: ¥1,299.00, a loss as −¥308.70 (a real minus sign before the
    ¥, never ¥-308.70); `signed` also marks a gain, +¥12.00 (zero stays ¥0.00)."""
    value = to_fen(amount)
    sign = MINUS if value < 0 else ("+" if signed and value > 0 else "")
    return f"{sign}¥{abs(value):,.2f}"


def rate_text(rate: Decimal) -> str:
    """A 折 rate (7.5 = the buyer pays 75 %) as the page's language says it: "7.5折" in Chinese, "25% off" in
    English. 折 counts what is paid in tenths, a way of counting an English reader does not share."""
    if _in_chinese():
        return f"{_plain(rate)}折"
    return f"{_plain((10 - rate) * 10)}% off"


def rate_range_text(low: Decimal, high: Decimal) -> str:
    """The rates from `low` to `high`: "1–5折" in Chinese, "50%–90% off" in English (the lower rate cuts deeper)."""
    if _in_chinese():
        return f"{_plain(low)}–{_plain(high)}折"
    return f"{_plain((10 - high) * 10)}%–{_plain((10 - low) * 10)}% off"


def _in_chinese() -> bool:
    from django.utils import translation

    return (translation.get_language() or "").startswith("zh")


def _plain(value: Decimal) -> str:
    """Decimal("25.000") → "25", Decimal("11.50") → "11.5"."""
    return format(value.normalize(), "f")


def largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` fen over `weights` (Σ weights > 0) in proportion by largest remainder: each share is its exact
    proportional share rounded down or up, the shares add up to exactly `total`, ties on the remainder go to
    the earlier position (分摊: the engine's discounts, a platform order's discount over its lines)."""
    weight_sum = sum(weights)
    shares = [total * w // weight_sum for w in weights]
    rest = total - sum(shares)
    if rest:
        remainders = [total * w % weight_sum for w in weights]
        for k in sorted(range(len(weights)), key=remainders.__getitem__, reverse=True)[:rest]:
            shares[k] += 1
    return shares
