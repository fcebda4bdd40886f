"""Keyword text and the potential score (docs/market.md, "Potential score").

raw potential = search popularity × click rate × conversion ÷ competing listings
score = 100 × raw ÷ the largest raw among the keywords compared, rounded half up to one decimal.

A keyword missing any of the four figures has no score (None): a guessed figure would rank it among measured
ones. Competing listings of 0 count as 1 (a keyword nobody sells yet is not worth infinitely much).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

SCORE_PLACES = Decimal("0.1")
K = TypeVar("K", bound=Hashable)
_SPACES = re.compile(r"\s+")


def normalize_keyword(text: str) -> str:
    """The keyword as stored: NFKC (full-width letters and digits become plain), lower case, runs of white space
    one space, trimmed. "Ｔ恤  男" and "t恤 男" are one keyword."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip().lower()


def raw_potential(
    *,
    search_popularity: int | None,
    click_rate: Decimal | None,
    conversion: Decimal | None,
    competing_listings: int | None,
) -> Decimal | None:
    """popularity × click rate × conversion ÷ max(competing listings, 1), exact (Decimal); None when a figure
    is unknown."""
    if search_popularity is None or click_rate is None or conversion is None or competing_listings is None:
        return None
    return Decimal(search_popularity) * click_rate * conversion / Decimal(max(competing_listings, 1))


def potential_scores(raws: Mapping[K, Decimal | None]) -> dict[K, Decimal | None]:
    """Each raw potential as a score of 0–100 against the largest of them, one decimal, half up. With no
    positive raw at all every known score is 0.0."""
    best = max((raw for raw in raws.values() if raw is not None), default=None)
    scores: dict[K, Decimal | None] = {}
    for key, raw in raws.items():
        if raw is None:
            scores[key] = None
        elif not best:
            scores[key] = Decimal("0.0")
        else:
            scores[key] = (Decimal(100) * raw / best).quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)
    return scores


def points(score: Decimal | None) -> int:
    """The score as whole points for the optimiser (score × 10: 15.6 → 156), so its sums are exact integers."""
    return int(score * 10) if score is not None else 0
