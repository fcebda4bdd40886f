"""Shared by the engine's steps: the search limits, translated messages once a quote, 折 arithmetic."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import get_language, gettext

from zhanggui.promotions.spec import RATE_ONE, Kind, Promotion

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


# Where the order of promotions changes an answer — two stackable item promotions on one price (9折 then −¥10
# is not −¥10 then 9折), non-stackable shop promotions taking units one after the other — the engine orders
# them by what they are, never by their ids, so renaming a promotion never changes what a buyer pays:
# rates before amounts on an item price (the buyer's better order), and shop promotions that take some of
# their units (multibuy, 任选N件X元, bundles) before those that take every unit they cover; then by content;
# the id only between promotions identical in all else (whose order changes nothing).
_KIND_ORDER: dict[str, int] = {
    Kind.DISCOUNT: 0,
    Kind.MEMBER_DISCOUNT: 0,
    Kind.MEMBER_PRICE: 1,
    Kind.PRICE_CUT: 2,
    Kind.MULTIBUY: 0,
    Kind.ANY_N_FOR: 0,
    Kind.BUNDLE: 0,
}


def _stable(value: object) -> object:
    """A value's content in a form that sorts the same in every process (sets and dicts in sorted order)."""
    if isinstance(value, frozenset | set):
        return ("set", tuple(sorted(map(repr, value))))
    if isinstance(value, dict) or hasattr(value, "items"):
        return ("map", tuple(sorted((repr(k), repr(_stable(v))) for k, v in value.items())))
    if isinstance(value, list | tuple):
        return ("seq", tuple(repr(_stable(v)) for v in value))
    return ("value", repr(value))


def order_key(p: Promotion) -> tuple:
    """The engine's order of promotions where order matters (see above)."""
    scope = p.scope
    return (
        _KIND_ORDER.get(p.kind, 3),
        p.kind,
        repr(_stable(p.params)),
        repr(tuple(_stable(getattr(scope, name)) for name in scope.__dataclass_fields__)),
        p.stackable,
        p.exclusive,
        p.id,
    )
