"""Complaint themes (docs/market.md): the sentences of a shop's bad reviews, 问大家 questions and refund reasons
grouped into themes a person can name (尺码偏小, 色差, 起球, 发货慢 …) and counted per SKU and week.

The method: each text is split into sentences (at 。！？；, and ， so "尺码偏小，颜色也不对" gives two); each sentence
is cut into words by jieba with the shop's keep-whole words (market.titles), stop words and punctuation dropped,
and read as word unigrams plus character bigrams (so 偏小 and 小了 still share 小); TF-IDF (sublinear, L2) over
those; KMeans (scikit-learn, `RANDOM_STATE` fixed, `N_INIT` starts) into k themes, k given or chosen by the best
silhouette among 2 … `MAX_THEMES`. A theme is labelled with its `TOP_WORDS` heaviest words (the centroid's) and
shows its sentences nearest the centroid as examples (whole words only in the label; bigrams only group).

Names survive a re-run: each new cluster is matched to the saved theme whose top words overlap it most (Jaccard
of the top-word sets, at least `MATCH_FLOOR`), each saved theme to one cluster at most, best overlaps first; a
matched theme keeps its row and name, an unmatched cluster becomes a new unnamed theme, and a saved theme no
cluster matches is kept (with no sentences) when it has a name and dropped when it has none.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Shop
from zhanggui.core import roles
from zhanggui.core.services import record_audit
from zhanggui.market.models import Grade, MentionSource, Question, Review, ShopWord, ShopWordKind, Theme, ThemeMention
from zhanggui.market.reviews import week_of
from zhanggui.market.titles import words_of

#: Who names themes and runs them again: those who fix what they say (美工, 文案) and the 店长/运营.
EDIT_THEMES = roles.EDIT_CATALOG
RANDOM_STATE = 0
N_INIT = 10
MAX_THEMES = 8
TOP_WORDS = 6
EXAMPLES = 3
MATCH_FLOOR = 0.3
#: The weeks of texts a run reads, up to today's.
THEME_WEEKS = 12
_SENTENCE_RE = re.compile(r"[。！？!?；;，,、\n~～…]+")
STOP_WORDS = frozenset(
    [
        "的",
        "了",
        "是",
        "我",
        "也",
        "就",
        "都",
        "很",
        "还",
        "有",
        "和",
        "在",
        "这",
        "那",
        "个",
        "吧",
        "啊",
        "呢",
        "吗",
        "哦",
        "呀",
        "嘛",
        "给",
        "买",
        "后",
        "又",
        "太",
        "非常",
        "一个",
        "一下",
        "感觉",
        "觉得",
        "东西",
        "宝贝",
        "商品",
        "衣服",
        "这个",
        "那个",
        "就是",
        "还是",
        "但是",
        "不过",
        "而且",
        "然后",
        "真的",
        "有点",
        "比较",
        "特别",
        "一点",
        "什么",
        "怎么",
        "没有",
        "不",
        "没",
        "会",
        "要",
        "说",
        "跟",
        "被",
        "让",
    ]
)


@dataclass(frozen=True)
class Sentence:
    text: str
    source: str
    source_id: int
    day: date
    sku_label: str


def sentences_of(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_RE.split(text or "") if len(s.strip()) >= 2]


def features(sentence: str, keep: Sequence[str] = ()) -> list[str]:
    """The terms TF-IDF reads: jieba's words (stop words and punctuation out) and each word's character bigrams."""
    words = [w for w in words_of(sentence, keep) if w not in STOP_WORDS and any(ch.isalnum() for ch in w)]
    grams = [w[i : i + 2] for w in words if len(w) > 2 for i in range(len(w) - 1)]
    joined = "".join(words)
    pairs = [joined[i : i + 2] for i in range(len(joined) - 1)]
    return words + grams + pairs


@dataclass
class Cluster:
    labels: list[int]
    top_words: list[list[str]]
    examples: list[list[int]]  # indexes of the sentences nearest each centroid


def cluster(texts: Sequence[str], *, k: int | None = None, keep: Sequence[str] = ()) -> Cluster:
    """Group sentences into k themes (k None: the best silhouette in 2 … MAX_THEMES). Deterministic.

    One thread: a few hundred sentences take milliseconds, and a web worker or a task should not start a pool of
    OpenMP/BLAS threads per request (each new thread that calls them gets a pool of its own)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return _cluster(texts, k=k, keep=keep)


def _cluster(texts: Sequence[str], *, k: int | None, keep: Sequence[str]) -> Cluster:
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import silhouette_score

    n = len(texts)
    if n == 0:
        return Cluster([], [], [])
    terms = [features(t, keep) or [t] for t in texts]
    whole = {w for t in texts for w in words_of(t, keep)}
    vectorizer = TfidfVectorizer(analyzer=lambda doc: doc, sublinear_tf=True)
    matrix = vectorizer.fit_transform(terms)
    vocabulary = vectorizer.get_feature_names_out()
    if n < 3:
        labels = [0] * n
        centers = np.asarray(matrix.mean(axis=0))
    else:
        if k is None:
            best: tuple[float, int] | None = None
            for guess in range(2, min(MAX_THEMES, n - 1) + 1):
                found = KMeans(n_clusters=guess, random_state=RANDOM_STATE, n_init=N_INIT).fit(matrix)
                if len(set(found.labels_)) < 2:
                    continue
                score = silhouette_score(matrix, found.labels_, metric="cosine")
                if best is None or score > best[0] + 1e-9:
                    best = (score, guess)
            k = best[1] if best else 2
        model = KMeans(n_clusters=min(k, n), random_state=RANDOM_STATE, n_init=N_INIT).fit(matrix)
        labels, centers = [int(x) for x in model.labels_], model.cluster_centers_
    # Renumber by size (largest first), so theme 0 is the most common.
    sizes = Counter(labels)
    order = sorted(sizes, key=lambda c: (-sizes[c], c))
    renumber = {old: new for new, old in enumerate(order)}
    dense = matrix.toarray()
    top, examples = [], []
    for old in order:
        center = centers[old]
        # The label is made of whole words (jieba's), the character bigrams only help the grouping.
        words = [vocabulary[i] for i in np.argsort(-center) if center[i] > 0 and vocabulary[i] in whole]
        top.append(words[:TOP_WORDS])
        members = [i for i, label in enumerate(labels) if label == old]
        members.sort(key=lambda i: (-float(dense[i] @ center), i))
        examples.append(members[:EXAMPLES])
    return Cluster([renumber[label] for label in labels], top, examples)


def match_themes(saved: dict[int, list[str]], found: list[list[str]]) -> dict[int, int]:
    """New cluster index → saved theme pk, by top-word overlap (module docstring)."""
    pairs = []
    for index, words in enumerate(found):
        for pk, old in saved.items():
            union = set(words) | set(old)
            overlap = len(set(words) & set(old)) / len(union) if union else 0.0
            if overlap >= MATCH_FLOOR:
                pairs.append((-overlap, index, pk))
    matched: dict[int, int] = {}
    for _o, index, pk in sorted(pairs):
        if index not in matched and pk not in matched.values():
            matched[index] = pk
    return matched


def gather(*, shop: Shop, since: date) -> list[Sentence]:
    """The sentences of the shop's bad reviews, questions and refund reasons (the buyer's words of after-sales
    cases) since `since`."""
    from zhanggui.aftersales.models import AfterSaleCase, CaseLine

    found: list[Sentence] = []
    for r in (
        Review.objects.filter(shop=shop, grade=Grade.BAD, day__gte=since)
        .select_related("sku", "product")
        .order_by("pk")
    ):
        label = r.sku.code if r.sku else r.product.code if r.product else r.item_id
        found += [Sentence(s, MentionSource.REVIEW, r.pk, r.day, label) for s in sentences_of(r.text)]
    for q in Question.objects.filter(shop=shop, day__gte=since).select_related("product").order_by("pk"):
        label = q.product.code if q.product else q.item_id
        found += [Sentence(s, MentionSource.QUESTION, q.pk, q.day, label) for s in sentences_of(q.question)]
    cases = AfterSaleCase.objects.filter(shop=shop, created_at__date__gte=since).exclude(description="").order_by("pk")
    skus: dict[int, str] = {}
    for case_id, code in CaseLine.objects.filter(case__in=cases).values_list("case_id", "order_line__sku__code"):
        skus.setdefault(case_id, code or "")
    for c in cases:
        day = timezone.localdate(c.created_at)
        found += [Sentence(s, MentionSource.REFUND, c.pk, day, skus.get(c.pk, "")) for s in sentences_of(c.description)]
    return found


@dataclass
class RunReport:
    sentences: int
    themes: int
    kept_names: int


def run(*, actor: Any, shop: Shop, k: int | None = None, now: datetime | None = None) -> RunReport:
    """Find the shop's themes again over the last THEME_WEEKS weeks, keeping the names (module docstring)."""
    roles.require(actor, EDIT_THEMES)
    now = now or timezone.now()
    since = week_of(timezone.localdate(now)) - timedelta(weeks=THEME_WEEKS - 1)
    found = gather(shop=shop, since=since)
    keep = list(ShopWord.objects.filter(shop=shop, kind=ShopWordKind.KEEP).values_list("word", flat=True))
    result = cluster([s.text for s in found], k=k, keep=keep)
    with transaction.atomic():
        saved = {t.pk: t for t in Theme.objects.select_for_update().filter(shop=shop)}
        matched = match_themes({pk: t.top_words for pk, t in saved.items()}, result.top_words)
        ThemeMention.objects.filter(theme__shop=shop).delete()
        themes: list[Theme] = []
        for index, words in enumerate(result.top_words):
            theme = saved.pop(matched[index]) if index in matched else Theme(shop=shop)
            theme.top_words, theme.run_at = words, now
            theme.sentences = result.labels.count(index)
            theme.save()
            themes.append(theme)
        for theme in saved.values():
            if theme.name:
                theme.sentences, theme.run_at = 0, now
                theme.save(update_fields=["sentences", "run_at"])
            else:
                theme.delete()
        mentions = []
        for index, theme in enumerate(themes):
            first = result.examples[index]
            rest = [i for i, label in enumerate(result.labels) if label == index and i not in first]
            for i in [*first, *rest]:
                s = found[i]
                mentions.append(
                    ThemeMention(
                        theme=theme,
                        source=s.source,
                        source_id=s.source_id,
                        week=week_of(s.day),
                        sku_label=s.sku_label[:64],
                        sentence=s.text[:500],
                    )
                )
        ThemeMention.objects.bulk_create(mentions)
        report = RunReport(len(found), len(themes), sum(1 for i in matched if themes[i].name))
        record_audit(actor=actor, action="market.run_themes", obj=shop, after=report.__dict__)
    return report


def rename(*, actor: Any, theme: Theme, name: str) -> Theme:
    """A person names a theme (empty: unnamed again); the name stays through re-runs."""
    roles.require(actor, EDIT_THEMES)
    before = theme.name
    theme.name = " ".join(name.split())[:32]
    if theme.name != before:
        theme.save(update_fields=["name"])
        record_audit(
            actor=actor, action="market.rename_theme", obj=theme, before={"name": before}, after={"name": theme.name}
        )
    return theme


@dataclass
class ThemeView:
    theme: Theme
    examples: list[ThemeMention]
    by_week: list[int]
    by_sku: list[tuple[str, int]]


def overview(*, shop: Shop, until: date, weeks: int = 8) -> tuple[list[date], list[ThemeView]]:
    """Each theme with its examples (nearest the centre first), its count per week and per SKU. Two queries."""
    last = week_of(until)
    week_list = [last - timedelta(weeks=weeks - 1 - n) for n in range(weeks)]
    themes = list(Theme.objects.filter(shop=shop))
    mentions: dict[int, list[ThemeMention]] = {}
    for m in ThemeMention.objects.filter(theme__shop=shop).order_by("theme_id", "pk"):
        mentions.setdefault(m.theme_id, []).append(m)
    views = []
    for theme in themes:
        mine = mentions.get(theme.pk, [])
        weeks_count = Counter(m.week for m in mine)
        skus = Counter(m.sku_label or _("unknown") for m in mine)
        views.append(
            ThemeView(
                theme,
                mine[:EXAMPLES],
                [weeks_count.get(w, 0) for w in week_list],
                sorted(skus.items(), key=lambda kv: (-kv[1], kv[0]))[:6],
            )
        )
    return week_list, views
