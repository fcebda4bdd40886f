from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema


class KeywordOut(Schema):
    keyword: str
    day: date
    search_popularity: int | None
    click_rate: Decimal | None
    conversion: Decimal | None
    competing_listings: int | None
    category: str
    score: Decimal | None
    days: int


class KeywordListOut(Schema):
    shop: str
    keywords: list[KeywordOut]


class RejectedOut(Schema):
    file: str
    line: int
    column: str
    reason: str


class KeywordImportOut(Schema):
    shop: str
    sources: list[str]
    rows: int
    keywords_created: int
    days_created: int
    days_updated: int
    days_unchanged: int
    rejected_rows: int
    rejected: list[RejectedOut]


class TokenOut(Schema):
    text: str
    kind: str
    bytes: int
    points: int
    repeat: bool
    wasted: bool


class CoverageOut(Schema):
    keyword: str
    score: Decimal
    status: str


class AnalysisOut(Schema):
    product_id: int
    title: str
    bytes: int
    limit: int
    wasted_bytes: int
    repeated: list[str]
    banned: list[str]
    points: int
    tokens: list[TokenOut]
    coverage: list[CoverageOut]


class SuggestionOut(Schema):
    key: str
    title: str
    bytes: int
    points: int
    added: list[str]
    dropped: list[str]


class SuggestionsOut(Schema):
    product_id: int
    limit: int
    required: list[str]
    suggestions: list[SuggestionOut]


class TitleIn(Schema):
    title: str
    reason: str = ""


class TitleChangeOut(Schema):
    id: int
    product_id: int
    old_title: str
    new_title: str
    changed_at: datetime
    changed_by: str
    reason: str


class WatchImportOut(Schema):
    what: str
    shop: str
    sources: list[str]
    rows: int
    created: int
    updated: int
    unchanged: int
    added: dict[str, int]
    rejected_rows: int
    rejected: list[RejectedOut]


class ObservationIn(Schema):
    shop: str
    day: date
    keyword: str
    item_id: str
    device: str = "mobile"
    position: int | None = None


class ObservationOut(Schema):
    id: int
    shop: str
    day: date
    keyword: str
    item_id: str
    device: str
    position: int | None
    product_id: int | None
    competitor_item_id: int | None
    source: str


class RankAlertOut(Schema):
    shop_code: str
    day: date
    kind: str
    keyword: str
    item_id: str
    product_id: int
    product: str
    device: str
    previous_day: date
    previous: int | None
    current: int | None


class SnapshotOut(Schema):
    day: date
    price: Decimal | None
    promotion: str
    monthly_sales: int | None
    review_count: int | None
    main_image_hash: str
    trade_index: int | None = None
    traffic_index: int | None = None
    search_popularity: int | None = None
    favourite_popularity: int | None = None
    cart_popularity: int | None = None
    conversion_index: int | None = None


class CompetitorItemOut(Schema):
    id: int
    item_id: str
    title: str
    url: str
    latest: SnapshotOut | None


class CompetitorOut(Schema):
    id: int
    name: str
    platform: str
    url: str
    items: list[CompetitorItemOut]


class ChangeOut(Schema):
    kind: str
    before: str
    after: str
    percent: Decimal | None


class ItemChangesOut(Schema):
    competitor: str
    item_id: str
    title: str
    day: date
    previous_day: date
    price: Decimal | None
    changes: list[ChangeOut]


class DigestOut(Schema):
    day: date | None
    items: list[ItemChangesOut]


class BoardRowOut(Schema):
    rank: int
    previous_rank: int | None
    item_id: str
    title: str
    shop_name: str
    price: Decimal | None
    trade_index: int | None
    traffic_index: int | None
    ranks: list[int | None]


class BoardOut(Schema):
    shop: str
    category: str
    day: date | None
    days: list[date]
    items: list[BoardRowOut]


# ----- reviews and themes (docs/market.md)


class ReviewOut(Schema):
    id: int
    shop: str
    item_id: str
    review_id: str
    product_id: int | None
    sku_id: int | None
    day: date
    rating: int | None
    grade: str
    text: str
    buyer: str
    order_no: str
    first_seen: date
    last_seen: date
    removed_on: date | None


class QuestionOut(Schema):
    id: int
    item_id: str
    product_id: int | None
    day: date
    question: str
    answers: list[str]


class ThemeOut(Schema):
    id: int
    name: str
    top_words: list[str]
    sentences: int
    examples: list[str]
    weeks: list[date]
    by_week: list[int]
    by_sku: dict[str, int]


class ThemeNameIn(Schema):
    name: str = Field("", max_length=32)


class ThemeRunIn(Schema):
    shop: str
    themes: int | None = Field(None, ge=2, le=12)


class ThemeRunOut(Schema):
    sentences: int
    themes: int
    kept_names: int
