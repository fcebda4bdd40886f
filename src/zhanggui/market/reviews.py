"""Reviews (评价), 问大家 and the review rate (docs/market.md).

An import of a review export is a **snapshot** of the reviews of each item it holds, on the snapshot day chosen
on the upload (today by default): a review in the item's previous snapshot and missing from this one is flagged
removed (删评) on this day. The rules of market's other imports hold: every row read and checked first, any refused
row refuses the whole file (each refusal with its line), the same file twice writes nothing and no audit entry.

Bad reviews become 客服 tasks in the desk, which sits above the market: the desk registers a hook here
(`register_review_hook`, from its AppConfig.ready) that is called after every import that wrote, and reads
`bad_reviews_needing_task`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Shop, Sku
from zhanggui.channels.records import RowError
from zhanggui.core import roles
from zhanggui.core.tabular import FileSource
from zhanggui.market.imports import _plain
from zhanggui.market.models import Grade, Question, Review, ReviewSnapshot
from zhanggui.market.review_files import QUESTIONS, REVIEWS, read_review_file
from zhanggui.market.watch_imports import IMPORT_WATCH, WatchImportReport, _audit, _deduplicate, _match_items

#: A bad review's 客服 task is due this many hours after the import that brought it in.
BAD_REVIEW_TASK_HOURS = 24
#: Bad reviews older than this when imported get no task (an old export brought in late is history, not work).
BAD_REVIEW_TASK_DAYS = 14
#: The review rate (reviews ÷ orders) is kept to 4 places of a fraction, rounded half up.
RATE_PLACES = Decimal("0.0001")
#: Weeks the review-rate trend shows.
RATE_WEEKS = 8

_GRADES = {
    "好评": Grade.GOOD,
    "好": Grade.GOOD,
    "good": Grade.GOOD,
    "positive": Grade.GOOD,
    "中评": Grade.NEUTRAL,
    "中": Grade.NEUTRAL,
    "neutral": Grade.NEUTRAL,
    "差评": Grade.BAD,
    "差": Grade.BAD,
    "bad": Grade.BAD,
    "negative": Grade.BAD,
}
_STARS_RE = re.compile(r"([1-5])(?:\.0)?\s*(?:星|分|stars?)?", re.ASCII | re.IGNORECASE)


def parse_rating(text: str) -> int | None:
    """评分 as written: 1–5, "4星", "5分", "★★★★☆"; empty: none. ValueError otherwise."""
    plain = unicodedata.normalize("NFKC", text or "").strip()
    if not plain or plain in ("-", "--"):
        return None
    if set(plain) <= {"★", "☆"}:
        stars = plain.count("★")
        if 1 <= stars <= 5:
            return stars
    match = _STARS_RE.fullmatch(plain)
    if match is None:
        raise ValueError(_("%(value)s is not a rating from 1 to 5.") % {"value": text})
    return int(match.group(1))


def parse_grade(text: str) -> str:
    """好评 / 中评 / 差评 (or good / neutral / bad); empty: ""; ValueError otherwise."""
    plain = unicodedata.normalize("NFKC", text or "").strip().lower()
    if not plain:
        return ""
    if plain not in _GRADES:
        raise ValueError(_("%(value)s is none of 好评, 中评, 差评.") % {"value": text})
    return _GRADES[plain]


def grade_of(rating: int | None, grade: str) -> str:
    """The grade the file gives, else from the rating: 1–2 bad, 3 neutral, 4–5 good."""
    if grade:
        return grade
    if rating is None:
        return ""
    return Grade.BAD if rating <= 2 else Grade.NEUTRAL if rating == 3 else Grade.GOOD


def mask_buyer(nick: str) -> str:
    """A buyer's nick masked as the platforms show it: first and last character kept (张***丰); two or fewer: the
    first and *. We keep no more of a buyer than the platform shows anyone."""
    nick = "".join((nick or "").split())
    if not nick:
        return ""
    if len(nick) <= 2:
        return nick[0] + "*"
    return nick[0] + "***" + nick[-1]


def review_key(day: date, buyer: str, text: str) -> str:
    """The ID of a review whose export has no 评价ID column: the first 16 hex of SHA-256 of day, nick and text."""
    raw = f"{day.isoformat()}|{buyer}|{' '.join(text.split())}"
    return "h" + hashlib.sha256(raw.encode()).hexdigest()[:16]


# --------------------------------------------------------------------------------------------------------
# The hook the desk fills in (bad reviews → 客服 tasks)
# --------------------------------------------------------------------------------------------------------

ReviewHook = Callable[[Any, datetime], Any]
REVIEW_HOOKS: list[ReviewHook] = []


def register_review_hook(hook: ReviewHook) -> ReviewHook:
    """A higher app (the desk) asks to be called after an import that wrote reviews, with (actor, now).
    Registering twice is harmless (AppConfig.ready may run more than once in tests)."""
    if hook not in REVIEW_HOOKS:
        REVIEW_HOOKS.append(hook)
    return hook


def _after_import(actor: Any, now: datetime) -> None:
    for hook in REVIEW_HOOKS:
        hook(actor, now)


@dataclass(frozen=True)
class BadReview:
    """A bad review that needs a 客服 task: the desk names the task by `key` so it makes one a review."""

    review: Review
    due_at: datetime

    @property
    def key(self) -> str:
        return f"review:{self.review.pk}"


def bad_reviews_needing_task(*, now: datetime, shop: Shop | None = None) -> list[BadReview]:
    """Bad reviews still up (not removed) and written in the last BAD_REVIEW_TASK_DAYS days, each due
    BAD_REVIEW_TASK_HOURS after its import; the desk leaves out those it has a task for (by `key`)."""
    since = timezone.localdate(now) - timedelta(days=BAD_REVIEW_TASK_DAYS)
    found = Review.objects.filter(grade=Grade.BAD, removed_on__isnull=True, day__gte=since).select_related(
        "shop", "product"
    )
    if shop is not None:
        found = found.filter(shop=shop)
    return [
        BadReview(r, r.imported_at + timedelta(hours=BAD_REVIEW_TASK_HOURS))
        for r in found.order_by("imported_at", "pk")
    ]


# --------------------------------------------------------------------------------------------------------
# Importing reviews
# --------------------------------------------------------------------------------------------------------

REVIEW_FIGURES = ("rating", "grade", "text", "buyer", "order_no", "sku_text", "product_id", "sku_id")


def import_reviews(
    *,
    actor: Any,
    shop: Shop,
    files: Sequence[tuple[FileSource, str]],
    snapshot_day: date | None = None,
    now: datetime | None = None,
) -> WatchImportReport:
    """Import review exports as the snapshot of their items on `snapshot_day` (today by default)."""
    roles.require(actor, IMPORT_WATCH)
    now = now or timezone.now()
    snapshot_day = snapshot_day or timezone.localdate(now)
    report = WatchImportReport(what="reviews", shop_code=shop.code, sources=[name for _f, name in files])
    errors: list[RowError] = []
    read = []
    extra: dict[tuple[str, str], dict[str, str]] = {}
    for file, name in files:
        result = read_review_file(file=file, filename=name, kind="reviews")
        errors.extend(result.errors)
        for row in result.rows:
            values = row.values
            try:
                rating = parse_rating(values.get("rating") or "")
                grade = parse_grade(values.get("grade") or "")
            except ValueError as exc:
                column = "rating" if values.get("rating") and "rating" in result.headers else "grade"
                errors.append(RowError(row.file, row.line, result.header(column), str(exc)))
                continue
            grade = grade_of(rating, grade)
            if not grade:
                errors.append(
                    RowError(
                        row.file,
                        row.line,
                        result.header("rating"),
                        _("Required: the rating (评分) or the grade (好评, 中评, 差评)."),
                    )
                )
                continue
            if row.day > snapshot_day:
                errors.append(
                    RowError(
                        row.file,
                        row.line,
                        result.header("day"),
                        _("Written on %(day)s, after the snapshot day %(snapshot)s.")
                        % {"day": row.day.isoformat(), "snapshot": snapshot_day.isoformat()},
                    )
                )
                continue
            text = " ".join((values.get("text") or "").split())
            buyer = mask_buyer(values.get("buyer") or "")
            review_id = values.get("review_id") or review_key(row.day, buyer, text)
            key = (values["item_id"], review_id)
            extra[key] = {"sku_code": values.get("sku_code") or ""}
            figures = {
                "day": row.day,
                "rating": rating,
                "grade": grade,
                "text": text,
                "buyer": buyer,
                "order_no": values.get("order_no") or "",
                "sku_text": (values.get("sku_text") or "")[:100],
            }
            read.append((key, figures, row))
    chosen = _deduplicate(
        read,
        errors,
        REVIEWS.field("review_id").names[0],
        lambda key: _("The review %(review)s of item %(item)s") % {"review": key[1], "item": key[0]},
    )
    if errors:
        return report.refuse(errors)
    report.rows = len(chosen)
    source = ", ".join(report.sources)[:255]
    with transaction.atomic():
        Shop.objects.select_for_update().filter(pk=shop.pk).first()
        item_ids = {key[0] for key in chosen}
        sku_codes = {extra[key]["sku_code"] for key in chosen} - {""}
        products, _competitors = _match_items(shop, item_ids, set(), snapshot_day)
        products.pop("__codes__", None)
        skus = {s.code: s for s in Sku.objects.filter(shop=shop, code__in=sku_codes)}
        stored = {(r.item_id, r.review_id): r for r in Review.objects.filter(shop=shop, item_id__in=item_ids)}
        new, changed = [], []
        for key, (figures, _row) in chosen.items():
            sku = skus.get(extra[key]["sku_code"])
            values = {
                **figures,
                "sku_id": sku.pk if sku else None,
                "product_id": sku.product_id if sku else products.get(key[0]),
            }
            current = stored.get(key)
            if current is None:
                new.append(
                    Review(
                        shop=shop,
                        item_id=key[0],
                        review_id=key[1],
                        first_seen=snapshot_day,
                        last_seen=snapshot_day,
                        imported_at=now,
                        source_file=source,
                        **values,
                    )
                )
                continue
            seen = {
                "first_seen": min(current.first_seen, snapshot_day),
                "last_seen": max(current.last_seen, snapshot_day),
                # Back in a snapshot as new as the one it was missing from: no longer removed.
                "removed_on": current.removed_on
                if current.removed_on is None or current.removed_on > snapshot_day
                else None,
            }
            wanted = {**values, **seen}
            if any(_plain(getattr(current, name)) != _plain(value) for name, value in wanted.items()):
                for name, value in wanted.items():
                    setattr(current, name, value)
                changed.append(current)
            else:
                report.unchanged += 1
        Review.objects.bulk_create(new)
        if changed:
            Review.objects.bulk_update(changed, [*figures_fields(), "first_seen", "last_seen", "removed_on"])
        report.created, report.updated = len(new), len(changed)
        removed = _snapshots(shop, snapshot_day, {key[0] for key in chosen}, chosen)
        report.added = {"removed": removed}
        report.updated += removed
        _audit(actor, "market.import_reviews", shop, report)
    if report.created or report.updated:
        _after_import(actor, now)
    return report


def figures_fields() -> list[str]:
    return ["day", *REVIEW_FIGURES]


def _snapshots(shop: Shop, day: date, item_ids: set[str], chosen: dict[tuple[Any, ...], Any]) -> int:
    """Record the snapshot of each item and flag the reviews of its previous snapshot missing from it (删评).
    Only a snapshot newer than every earlier one of the item flags: an old export imported late holds fewer
    reviews because it is older, not because they were removed."""
    removed = 0
    present: dict[str, set[str]] = {}
    for item_id, review_id in chosen:
        present.setdefault(item_id, set()).add(review_id)
    for item_id in sorted(item_ids):
        snapshots = ReviewSnapshot.objects.filter(shop=shop, item_id=item_id)
        later = snapshots.filter(day__gt=day).exists()
        previous = snapshots.filter(day__lt=day).order_by("-day").values_list("day", flat=True).first()
        snap, made = ReviewSnapshot.objects.get_or_create(
            shop=shop, item_id=item_id, day=day, defaults={"reviews": len(present[item_id])}
        )
        if not made and snap.reviews != len(present[item_id]):
            snap.reviews = len(present[item_id])
            snap.save(update_fields=["reviews"])
        if later or previous is None:
            continue
        removed += (
            Review.objects.filter(
                shop=shop, item_id=item_id, removed_on__isnull=True, last_seen__gte=previous, last_seen__lt=day
            )
            .exclude(review_id__in=present[item_id])
            .update(removed_on=day)
        )
    return removed


# --------------------------------------------------------------------------------------------------------
# Importing 问大家
# --------------------------------------------------------------------------------------------------------


def _answers(text: str) -> str:
    parts = re.split(r"\s*(?:\n|\||｜|；)\s*", text or "")
    return "\n".join(" ".join(p.split()) for p in parts if p.strip())


def import_questions(*, actor: Any, shop: Shop, files: Sequence[tuple[FileSource, str]]) -> WatchImportReport:
    """Import 问大家 exports: a question is new, or its answers are restated (updated), or the same."""
    roles.require(actor, IMPORT_WATCH)
    report = WatchImportReport(what="questions", shop_code=shop.code, sources=[name for _f, name in files])
    errors: list[RowError] = []
    read = []
    for file, name in files:
        result = read_review_file(file=file, filename=name, kind="questions")
        errors.extend(result.errors)
        for row in result.rows:
            question = " ".join((row.values.get("question") or "").split())
            if not question:
                errors.append(
                    RowError(row.file, row.line, result.header("question"), _("Required: the row has no question."))
                )
                continue
            figures = {"day": row.day, "answers": _answers(row.values.get("answers") or "")}
            read.append(((row.values["item_id"], question), figures, row))
    chosen = _deduplicate(
        read,
        errors,
        QUESTIONS.field("question").names[0],
        lambda key: _("The question %(question)s of item %(item)s") % {"question": key[1][:30], "item": key[0]},
    )
    if errors:
        return report.refuse(errors)
    report.rows = len(chosen)
    source = ", ".join(report.sources)[:255]
    with transaction.atomic():
        item_ids = {key[0] for key in chosen}
        products, _c = _match_items(shop, item_ids, set(), max(f["day"] for f, _r in chosen.values()))
        stored = {(q.item_id, q.question): q for q in Question.objects.filter(shop=shop, item_id__in=item_ids)}
        new, changed = [], []
        for key, (figures, _row) in chosen.items():
            current = stored.get(key)
            if current is None:
                new.append(
                    Question(
                        shop=shop,
                        item_id=key[0],
                        question=key[1],
                        product_id=products.get(key[0]),
                        source_file=source,
                        **figures,
                    )
                )
            elif current.answers != figures["answers"] or current.day != figures["day"]:
                current.answers, current.day = figures["answers"], figures["day"]
                changed.append(current)
            else:
                report.unchanged += 1
        Question.objects.bulk_create(new)
        Question.objects.bulk_update(changed, ["answers", "day"]) if changed else None
        report.created, report.updated = len(new), len(changed)
        _audit(actor, "market.import_questions", shop, report)
    return report


# --------------------------------------------------------------------------------------------------------
# Reading: lists, 删评, the review rate
# --------------------------------------------------------------------------------------------------------


def reviews(
    *, shop: Shop, item: str = "", grade: str = "", removed: bool | None = None, rating: int | None = None
) -> QuerySet[Review]:
    found = Review.objects.filter(shop=shop).select_related("product", "sku")
    if item:
        found = found.filter(Q(item_id=item) | Q(product__code=item))
    if grade:
        found = found.filter(grade=grade)
    if rating:
        found = found.filter(rating=rating)
    if removed is not None:
        found = found.filter(removed_on__isnull=not removed)
    return found.order_by("-day", "item_id", "review_id")


def removed_reviews(*, shop: Shop) -> QuerySet[Review]:
    """删评: the reviews missing from a snapshot after being in the one before, latest first."""
    return (
        Review.objects.filter(shop=shop, removed_on__isnull=False)
        .select_related("product")
        .order_by("-removed_on", "item_id")
    )


def week_of(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.weekday())


@dataclass
class RateWeek:
    week: date
    reviews: int
    orders: int

    @property
    def rate(self) -> Decimal | None:
        """Reviews ÷ orders, 4 places half up; None without orders (a week with no order has no rate)."""
        if not self.orders:
            return None
        return (Decimal(self.reviews) / Decimal(self.orders)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


@dataclass
class RateSeries:
    product_id: int
    label: str
    weeks: list[RateWeek]


def review_rate(*, shop: Shop, until: date, weeks: int = RATE_WEEKS) -> list[RateSeries]:
    """Reviews ÷ orders per item (our product) per week, the `weeks` weeks up to `until`'s. Reviews count on their
    day; orders are the orders paid that week (cancelled left out) with a line of one of the product's SKUs, each
    order once however many lines. Reviews not matched to a product have no rate."""
    from zhanggui.catalog.models import Product
    from zhanggui.orders.models import OrderLine, OrderStatus

    last = week_of(until)
    first = last - timedelta(weeks=weeks - 1)
    end = last + timedelta(days=6)
    counts: dict[tuple[int, date], list[int]] = {}
    for product_id, day, n in (
        Review.objects.filter(shop=shop, product__isnull=False, day__range=(first, end))
        .values_list("product_id", "day")
        .annotate(n=Count("pk"))
    ):
        counts.setdefault((product_id, week_of(day)), [0, 0])[0] += n
    paid = (
        OrderLine.objects.filter(order__shop=shop, order__paid_at__isnull=False, sku__isnull=False)
        .exclude(order__status=OrderStatus.CANCELLED)
        .annotate(paid_day=TruncDate("order__paid_at", tzinfo=timezone.get_current_timezone()))
        .filter(paid_day__range=(first, end))
        .values_list("sku__product_id", "paid_day", "order_id")
        .order_by()
        .distinct()
    )
    for product_id, day, _order in set(paid):
        counts.setdefault((product_id, week_of(day)), [0, 0])[1] += 1
    products = {p.pk: p for p in Product.objects.filter(pk__in={k[0] for k in counts})}
    series = []
    for product_id in sorted({k[0] for k in counts}, key=lambda pk: products[pk].code):
        product = products[product_id]
        series.append(
            RateSeries(
                product_id,
                f"{product.code} {product.title}"[:40],
                [
                    RateWeek(w, *counts.get((product_id, w), [0, 0]))
                    for w in (first + timedelta(weeks=n) for n in range(weeks))
                ],
            )
        )
    return series
