"""Shared by the engine's steps: the search limits, translated messages once a quote, 折 arithmetic."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import get_language, gettext

from zhanggui.promotions.spec import RATE_ONE

EXACT_SHOP = 10  # shop promotions that can give something: up to this many, every combination is tried
EXACT_ITEMS = 4  # item promotions that touch a threshold's units: up to this many, every subset is tried


_TRANSLATED: dict[str | None, dict[str, str]] = {}  # language → message → its translation


def translator() -> Callable[[str], str]:
    """gettext for the active language, each message translated once: every gettext call looks the language
    up again (microseconds), and a quote writes several messages. Named `_` where used, so makemessages
    finds the messages."""
    table = _TRANSLATED.setdefault(get_language(), {})

    def translate(message: str) -> str:
        text = table.get(message)
        if text is None:
            text = table[message] = gettext(message)
        return text

    return translate


def times(amount: int, rate: int) -> int:
    """amount × rate/10,000 (a 折 rate), rounded half-up to the fen: integer arithmetic, exact."""
    return (amount * rate * 2 + RATE_ONE) // (2 * RATE_ONE)
