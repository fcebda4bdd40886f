"""Money: always `Decimal`, always to the fen, with the rounding rule named at each call.

Rules (docs/money.md):
- Amounts are stored as `DecimalField(max_digits=14, decimal_places=2)`: yuan with two decimals (fen).
- `to_fen` rounds half-up (ROUND_HALF_UP), the rule platforms use for item prices.
- Floats are refused: `Decimal(0.1)` carries binary noise, so a float reaching money code is a bug.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
# DecimalField(max_digits=14, decimal_places=2) holds at most 999,999,999,999.99.
LIMIT = Decimal("1000000000000")


class MoneyError(ValueError):
    """A value that cannot be read as an amount of money."""


def to_fen(value: Decimal | int | str) -> Decimal:
    """Quantize to the fen, half-up. Accepts Decimal, int or a decimal string; refuses float."""
    if isinstance(value, float):
        raise MoneyError("money must not be a float; pass a Decimal or a string")
    if isinstance(value, bool):
        raise MoneyError("money must not be a bool")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise MoneyError(f"not an amount: {value!r}") from exc
    if not amount.is_finite() or abs(amount) >= LIMIT:
        raise MoneyError(f"not an amount we can keep: {value!r}")
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def parse_money(text: str) -> Decimal:
    """Read an amount as people write it in shop exports: '¥1,299.00', '1299元', ' 12.5 '.

    Exact: the text is parsed as a decimal, never through float. Must already be at most two decimals
    (an import must not silently change a price), otherwise MoneyError.
    """
    cleaned = str(text).strip().replace(",", "").replace("，", "")
    for token in ("¥", "￥", "元", "RMB", "CNY"):
        cleaned = cleaned.replace(token, "")
    cleaned = cleaned.strip()
    if not cleaned:
        raise MoneyError("empty amount")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as exc:
        raise MoneyError(f"not an amount: {text!r}") from exc
    if not amount.is_finite() or abs(amount) >= LIMIT:
        raise MoneyError(f"not an amount we can keep: {text!r}")
    if amount != amount.quantize(FEN):
        raise MoneyError(f"more than two decimals: {text!r}")
    return amount.quantize(FEN)


def fmt_money(amount: Decimal) -> str:
    return f"¥{to_fen(amount):,.2f}"
