"""The title studio's reading of a title (docs/market.md, "Title studio").

A title is cut into words with jieba, the shop's keep-whole words (ShopWord KEEP) first: those are found in
the title, longest first, and jieba cuts only the text between them, so a brand or a model name is never split
and jieba's global dictionary is never changed (two shops' words do not mix). Bytes are counted by the
catalog's rule for the shop's platform (catalog.titles: Taobao/Tmall/PDD 60 with a Chinese character 2, JD 90,
our own store 120 characters).

What a reading shows: each word with its bytes and value; the wasted bytes (white space not needed to keep two
ASCII words apart, punctuation, and every repeat of a word after its first); the repeated words; the banned
words (the 广告法 list below, the catalog's banned words for the platform, the shop's own); and which of the
shop's best keywords the title covers, whole or split into its words.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from zhanggui.catalog.titles import normalize_title, title_length, title_limit
from zhanggui.market.keywords import normalize_keyword
from zhanggui.market.optimiser import Candidate, Choice, Infeasible, best_words

#: Absolute terms the advertising law (广告法 §9) forbids in product copy; the shop and the catalog add theirs.
DEFAULT_BANNED = (
    "最",
    "第一",
    "国家级",
    "世界级",
    "顶级",
    "顶尖",
    "极品",
    "极致",
    "唯一",
    "独家",
    "首个",
    "首选",
    "绝对",
    "万能",
    "史上",
    "全网最低",
    "王牌",
    "领袖品牌",
    "100%",
)

WORD, SPACE, PUNCT = "word", "space", "punct"
_RUNS = re.compile(r"(\s+)|([^\w\s]+)|([\w]+)", re.UNICODE)


@lru_cache(maxsize=1)
def _jieba() -> Any:
    """jieba's default tokenizer, its dictionary loaded once a process (about a second), quietly."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def _is_punct(text: str) -> bool:
    return all(unicodedata.category(ch)[0] in "PS" for ch in text)


def _ascii_word(text: str) -> bool:
    return text.isascii() and text.isalnum()


def cut(text: str, keep: Iterable[str] = ()) -> list[tuple[str, str]]:
    """The title as (kind, text) tokens, in order: words, runs of white space, runs of punctuation. `keep`
    words stay whole (longest first, leftmost); jieba cuts the rest."""
    keep_words = sorted({w for w in keep if w}, key=lambda w: (-len(w), w))
    tokens: list[tuple[str, str]] = []
    for match in _RUNS.finditer(text):
        space, punct, rest = match.groups()
        if space:
            tokens.append((SPACE, space))
        elif punct:
            tokens.append((PUNCT if _is_punct(punct) else WORD, punct))
        else:
            tokens.extend((WORD, word) for word in _cut_words(rest, keep_words))
    return tokens


def _cut_words(text: str, keep_words: Sequence[str]) -> list[str]:
    for word in keep_words:
        at = text.find(word)
        if at >= 0:
            return [*_cut_words(text[:at], keep_words), word, *_cut_words(text[at + len(word) :], keep_words)]
    if not text:
        return []
    return [word for word in _jieba().lcut(text, HMM=True) if word.strip()]


def words_of(text: str, keep: Iterable[str] = ()) -> list[str]:
    """Only the words of a text, in order (repeats kept)."""
    return [token for kind, token in cut(text, keep) if kind == WORD]


def banned_in(title: str, banned: Iterable[str]) -> list[str]:
    """The banned words the title holds, in the order of the list, each once (case-insensitive, NFKC)."""
    plain = normalize_keyword(title)
    return list(dict.fromkeys(word for word in banned if word and normalize_keyword(word) in plain))


@dataclass(frozen=True)
class ScoredKeyword:
    text: str
    score: Decimal
    points: int


def word_points(keywords: Sequence[ScoredKeyword], keep: Iterable[str] = ()) -> dict[str, int]:
    """Each word's value: every keyword's points shared among its distinct words (whole points, the remainder
    to its first words, so a keyword's shares add up to its points exactly); a word's value is the sum of its
    shares. A title holding all of a keyword's words gets all of its points, each word counted once."""
    keep = list(keep)
    values: dict[str, int] = {}
    for keyword in keywords:
        words = list(dict.fromkeys(normalize_keyword(w) for w in words_of(keyword.text, keep)))
        if not words:
            continue
        share, remainder = divmod(keyword.points, len(words))
        for n, word in enumerate(words):
            values[word] = values.get(word, 0) + share + (1 if n < remainder else 0)
    return values


@dataclass
class Token:
    text: str
    kind: str
    bytes: int
    points: int = 0
    repeat: bool = False  # a word already seen earlier in the title
    wasted: bool = False


@dataclass
class Coverage:
    keyword: str
    score: Decimal
    status: str  # "whole", "split" or "missing"


@dataclass
class TitleReading:
    title: str
    channel: str
    bytes: int
    limit: int
    tokens: list[Token]
    wasted_bytes: int
    repeated: list[str]
    banned: list[str]
    coverage: list[Coverage]
    points: int  # the value of the title's distinct words

    @property
    def over_limit(self) -> bool:
        return self.bytes > self.limit

    @property
    def covered(self) -> int:
        return sum(1 for c in self.coverage if c.status != "missing")


def read_title(
    title: str,
    *,
    channel: str,
    keywords: Sequence[ScoredKeyword] = (),
    keep: Iterable[str] = (),
    banned: Iterable[str] = (),
) -> TitleReading:
    """The studio's reading of one title (the module's docstring)."""
    keep = list(keep)
    title = normalize_title(title)
    values = word_points(keywords, keep)
    tokens: list[Token] = []
    seen: set[str] = set()
    parts = cut(title, keep)
    for n, (kind, text) in enumerate(parts):
        token = Token(text=text, kind=kind, bytes=title_length(text, channel))
        if kind == WORD:
            key = normalize_keyword(text)
            token.points = values.get(key, 0)
            token.repeat = token.wasted = key in seen
            seen.add(key)
        elif kind == SPACE:
            before = parts[n - 1][1] if n else ""
            after = parts[n + 1][1] if n + 1 < len(parts) else ""
            needed = text == " " and _ascii_word(before[-1:]) and _ascii_word(after[:1])
            token.wasted = not needed
        else:
            token.wasted = True
        tokens.append(token)
    plain_words = {normalize_keyword(t.text) for t in tokens if t.kind == WORD}
    squeezed = normalize_keyword(title).replace(" ", "")
    coverage = []
    for keyword in keywords:
        words = {normalize_keyword(w) for w in words_of(keyword.text, keep)}
        if normalize_keyword(keyword.text).replace(" ", "") in squeezed:
            status = "whole"
        elif words and words <= plain_words:
            status = "split"
        else:
            status = "missing"
        coverage.append(Coverage(keyword.text, keyword.score, status))
    return TitleReading(
        title=title,
        channel=channel,
        bytes=title_length(title, channel),
        limit=title_limit(channel),
        tokens=tokens,
        wasted_bytes=sum(t.bytes for t in tokens if t.wasted),
        repeated=list(dict.fromkeys(t.text for t in tokens if t.repeat)),
        banned=banned_in(title, banned),
        coverage=coverage,
        points=sum(values.get(word, 0) for word in plain_words),
    )


# --------------------------------------------------------------------------------------------------------
# Suggestions
# --------------------------------------------------------------------------------------------------------


@dataclass
class Suggestion:
    key: str  # "best" or "keep"
    title: str
    bytes: int
    points: int
    added: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def word_cost(word: str, channel: str) -> int:
    """A word's bytes, plus one reserved for the space that may have to keep an ASCII word apart from another."""
    return title_length(word, channel) + (1 if _ascii_word(word[:1]) or _ascii_word(word[-1:]) else 0)


def join_words(words: Sequence[str]) -> str:
    """Words into a title: side by side, a space only between two ASCII letters or digits ("iPhone 15")."""
    out = ""
    for word in words:
        if out and _ascii_word(out[-1]) and _ascii_word(word[:1]):
            out += " "
        out += word
    return out


def candidates_for(
    reading: TitleReading, *, keywords: Sequence[ScoredKeyword], keep: Iterable[str], banned: Sequence[str]
) -> list[Candidate]:
    """The words a suggestion may use: the title's own distinct words in their order, then the words of the
    shop's best keywords it lacks, best keyword first. Banned words and punctuation are never candidates."""
    keep = list(keep)
    values = word_points(keywords, keep)
    seen: set[str] = set()
    candidates = []
    new_words = [w for k in keywords for w in words_of(k.text, keep)]
    for text in [t.text for t in reading.tokens if t.kind == WORD] + new_words:
        key = normalize_keyword(text)
        if key in seen or _is_punct(text) or banned_in(text, banned):
            continue
        seen.add(key)
        candidates.append(Candidate(text=text, cost=word_cost(text, reading.channel), value=values.get(key, 0)))
    return candidates


def suggest(
    reading: TitleReading,
    *,
    keywords: Sequence[ScoredKeyword],
    keep: Iterable[str] = (),
    banned: Sequence[str] = (),
    required: Iterable[str] = (),
) -> list[Suggestion]:
    """Titles within the byte limit of the largest value (optimiser.best_words): "best" holds the `required`
    words (raises Infeasible when they alone are too long); "keep" holds every word of the current title and
    adds what fits (left out when the current title is already too long). Words the optimum leaves free room for
    are filled back from the current title, in order, without changing the value."""
    keep = list(keep)
    candidates = candidates_for(reading, keywords=keywords, keep=keep, banned=banned)
    own = list(dict.fromkeys(normalize_keyword(t.text) for t in reading.tokens if t.kind == WORD))
    wanted = {normalize_keyword(w) for w in required}
    extra = [w for w in required if normalize_keyword(w) not in {normalize_keyword(c.text) for c in candidates}]
    candidates += [Candidate(w, word_cost(w, reading.channel), 0) for w in extra if w.strip()]
    suggestions = []
    best = _with_required(candidates, wanted)
    suggestions.append(_suggestion("best", candidates, best_words(best, reading.limit), reading, own))
    try:
        kept = best_words(_with_required(candidates, set(own) | wanted), reading.limit)
    except Infeasible:
        pass
    else:
        also = _suggestion("keep", candidates, kept, reading, own)
        if also.title != suggestions[0].title:
            suggestions.append(also)
    return suggestions


def _with_required(candidates: list[Candidate], required: set[str]) -> list[Candidate]:
    return [
        Candidate(c.text, c.cost, c.value, required=normalize_keyword(c.text) in required or c.required)
        for c in candidates
    ]


def _suggestion(
    key: str, candidates: list[Candidate], choice: Choice, reading: TitleReading, own: list[str]
) -> Suggestion:
    chosen = set(choice.indices)
    spare = reading.limit - choice.cost
    for i, c in enumerate(candidates):  # fill free room with the title's own words (value 0 to the optimum)
        if i not in chosen and normalize_keyword(c.text) in own and c.cost <= spare:
            chosen.add(i)
            spare -= c.cost
    words = [candidates[i].text for i in sorted(chosen)]
    title = join_words(words)
    return Suggestion(
        key=key,
        title=title,
        bytes=title_length(title, reading.channel),
        points=sum(candidates[i].value for i in chosen),
        added=[w for w in words if normalize_keyword(w) not in own],
        dropped=[w for w in own if w not in {normalize_keyword(x) for x in words}],
    )
