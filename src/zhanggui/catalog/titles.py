"""Title rules as the platforms apply them.

Length is counted the way each platform counts it. Taobao, Tmall and Pinduoduo count "bytes" as GBK does:
an ASCII character is 1, any other character (Chinese, full-width punctuation) is 2, and the limit is 60
(30 Chinese characters). JD counts the same way with a limit of 90 (45 Chinese characters). Our own web
store counts characters, up to 120. The figures live in TITLE_RULES and docs/catalog.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from zhanggui.core.text import clean_line

WIDE = "wide"  # ASCII 1, anything else 2
CHARS = "chars"

TITLE_RULES: dict[str, tuple[int, str]] = {
    "taobao": (60, WIDE),
    "tmall": (60, WIDE),
    "pdd": (60, WIDE),
    "jd": (90, WIDE),
    "web": (120, CHARS),
}


@dataclass(frozen=True)
class TitleProblem:
    code: str
    message: str


def title_length(title: str, channel: str) -> int:
    _limit, unit = TITLE_RULES.get(channel, TITLE_RULES["taobao"])
    if unit == CHARS:
        return len(title)
    return sum(1 if ord(ch) < 128 else 2 for ch in title)


def title_limit(channel: str) -> int:
    return TITLE_RULES.get(channel, TITLE_RULES["taobao"])[0]


def normalize_title(title: str) -> str:
    """Collapse runs of white space (ASCII and full-width) so near-identical titles compare equal.

    Invisible characters go first (core.text.clean_line): a zero-width space must not hide a banned word.
    """
    return re.sub(r"[\s\u3000]+", " ", clean_line(title)).strip()


def check_title(title: str, channel: str, banned_words: list[str]) -> list[TitleProblem]:
    """The blocking problems of a title: empty, too long for the channel, banned words."""
    problems: list[TitleProblem] = []
    title = normalize_title(title)
    if not title:
        return [TitleProblem("title_empty", _("The title is empty."))]
    length, limit = title_length(title, channel), title_limit(channel)
    if length > limit:
        problems.append(
            TitleProblem(
                "title_too_long",
                _(
                    "The title is %(length)s long, the limit on this channel is %(limit)s "
                    "(a Chinese character counts 2)."
                )
                % {"length": length, "limit": limit},
            )
        )
    found = [w for w in banned_words if w and w in title]
    if found:
        problems.append(
            TitleProblem(
                "title_banned_word",
                _("The title contains banned words: %(words)s") % {"words": "、".join(found)},
            )
        )
    return problems
