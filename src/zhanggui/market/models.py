"""The market's own data: the keyword library (关键词 and their days), the shop's dictionary for titles, and the
history of title changes. Everything else (products, traffic) is read from the apps that own it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhanggui.core.text import CleanCharField

#: The platforms a competitor shop may be on (catalog.Channel's, without our own web store).
CHANNEL_CHOICES = [
    ("taobao", _("Taobao")),
    ("tmall", _("Tmall")),
    ("jd", _("JD")),
    ("pdd", _("Pinduoduo")),
]


class Keyword(models.Model):
    """A search term (关键词 / 长尾词) as buyers type it; `text` is normalised (market.keywords.normalize_keyword)
    so "连衣裙 " and "连衣裙" are one keyword."""

    text = models.CharField(_("keyword"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["text"]
        verbose_name = _("keyword")
        verbose_name_plural = _("keywords")

    def __str__(self) -> str:
        return self.text


class KeywordDay(models.Model):
    """A keyword's figures on one day as a shop's platform tool reported them (生意参谋 搜索分析, 京东商智 搜索词).
    A figure the file does not have is None (unknown, not zero)."""

    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+", verbose_name=_("shop"))
    keyword = models.ForeignKey(Keyword, on_delete=models.CASCADE, related_name="days", verbose_name=_("keyword"))
    day = models.DateField(_("day"))
    search_popularity = models.PositiveBigIntegerField(_("search popularity"), null=True, blank=True)
    click_rate = models.DecimalField(_("click rate"), max_digits=12, decimal_places=6, null=True, blank=True)
    conversion = models.DecimalField(_("conversion"), max_digits=12, decimal_places=6, null=True, blank=True)
    competing_listings = models.PositiveBigIntegerField(_("competing listings"), null=True, blank=True)
    category = models.CharField(_("category"), max_length=64, blank=True)
    report = models.CharField(_("report"), max_length=16)
    source_file = models.CharField(_("source file"), max_length=255, blank=True)

    class Meta:
        ordering = ["shop", "-day", "keyword"]
        verbose_name = _("keyword day")
        verbose_name_plural = _("keyword days")
        constraints = [models.UniqueConstraint(fields=["shop", "keyword", "day"], name="market_keywordday_unique")]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.day} {self.keyword_id}"


class ShopWordKind(models.TextChoices):
    KEEP = "keep", _("keep whole")
    BANNED = "banned", _("banned")


class ShopWord(models.Model):
    """A word of the shop's dictionary: one to keep whole when titles are cut into words (a brand, a model
    name), or one its titles must not use (on top of the default 广告法 list and the catalog's banned words)."""

    shop = models.ForeignKey(
        "catalog.Shop", on_delete=models.CASCADE, related_name="+", verbose_name=_("shop"), db_index=False
    )
    word = CleanCharField(_("word"), max_length=32)
    kind = models.CharField(_("kind"), max_length=8, choices=ShopWordKind.choices)

    class Meta:
        ordering = ["shop", "kind", "word"]
        verbose_name = _("shop word")
        verbose_name_plural = _("shop words")
        constraints = [models.UniqueConstraint(fields=["shop", "word", "kind"], name="market_shopword_unique")]

    def __str__(self) -> str:
        return f"{self.word} ({self.kind})"


class TitleChange(models.Model):
    """One change of a product's title made in the title studio: what it was, what it became, who and why, so
    the traffic before and after can judge it."""

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    old_title = models.CharField(_("old title"), max_length=200)
    new_title = models.CharField(_("new title"), max_length=200)
    changed_at = models.DateTimeField(_("changed at"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("changed by"),
    )
    reason = CleanCharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["product", "-changed_at", "-pk"]
        verbose_name = _("title change")
        verbose_name_plural = _("title changes")

    def __str__(self) -> str:
        return f"{self.product_id} {self.changed_at:%Y-%m-%d}"


# --------------------------------------------------------------------------------------------------------
# Rank tracking (排名监控), competitor watch (竞品), the category board (市场排行): docs/market.md
# --------------------------------------------------------------------------------------------------------


class Device(models.TextChoices):
    PC = "pc", _("PC")
    MOBILE = "mobile", _("Mobile")


class MarketSettings(models.Model):
    """The market's settings of one shop (a row only once someone changes a default)."""

    shop = models.OneToOneField(
        "catalog.Shop", on_delete=models.CASCADE, related_name="+", verbose_name=_("shop"), primary_key=True
    )
    rank_drop_alert = models.PositiveSmallIntegerField(
        _("rank drop that alerts"),
        default=10,
        help_text=_("An alert when one of our items drops more than this many places for a keyword."),
    )

    class Meta:
        verbose_name = _("market settings")
        verbose_name_plural = _("market settings")

    def __str__(self) -> str:
        return f"{self.shop_id}"


class CompetitorShop(models.Model):
    """Another shop we watch (竞品店铺), on any platform, named as the platform shows it."""

    name = CleanCharField(_("name"), max_length=64)
    platform = models.CharField(_("platform"), max_length=8, choices=CHANNEL_CHOICES)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    note = CleanCharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("competitor shop")
        verbose_name_plural = _("competitor shops")
        constraints = [models.UniqueConstraint(fields=["platform", "name"], name="market_competitorshop_unique")]

    def __str__(self) -> str:
        return self.name


class CompetitorItem(models.Model):
    """An item of a competitor shop we watch (竞品), by its platform item ID (商品ID)."""

    competitor = models.ForeignKey(
        CompetitorShop, on_delete=models.CASCADE, related_name="items", verbose_name=_("competitor shop")
    )
    item_id = models.CharField(_("item ID"), max_length=32)
    title = CleanCharField(_("title"), max_length=200, blank=True)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["competitor", "item_id"]
        verbose_name = _("competitor item")
        verbose_name_plural = _("competitor items")
        constraints = [models.UniqueConstraint(fields=["competitor", "item_id"], name="market_competitoritem_unique")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.title}"


class ItemSnapshot(models.Model):
    """What a competitor item showed on one day (the plug-in's daily export, the 生意参谋 / 京东商智 竞品 export): one
    a day; a figure the file does not have is None (unknown), an empty promotion is no promotion."""

    item = models.ForeignKey(
        CompetitorItem, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("competitor item")
    )
    day = models.DateField(_("day"))
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, null=True, blank=True)
    promotion = models.CharField(_("promotion"), max_length=200, blank=True)
    monthly_sales = models.PositiveBigIntegerField(_("monthly sales"), null=True, blank=True)
    review_count = models.PositiveBigIntegerField(_("review count"), null=True, blank=True)
    main_image_hash = models.CharField(_("main image hash"), max_length=64, blank=True)
    # The indices of 生意参谋 / 京东商智 竞品 exports: the platform's transformed figures, not counts (None: unknown).
    trade_index = models.PositiveBigIntegerField(_("trade index"), null=True, blank=True)
    traffic_index = models.PositiveBigIntegerField(_("traffic index"), null=True, blank=True)
    search_popularity = models.PositiveBigIntegerField(_("search popularity"), null=True, blank=True)
    favourite_popularity = models.PositiveBigIntegerField(_("favourite popularity"), null=True, blank=True)
    cart_popularity = models.PositiveBigIntegerField(_("add-to-cart popularity"), null=True, blank=True)
    conversion_index = models.PositiveBigIntegerField(_("conversion index"), null=True, blank=True)
    source_file = models.CharField(_("source file"), max_length=255, blank=True)

    class Meta:
        ordering = ["item", "-day"]
        verbose_name = _("item snapshot")
        verbose_name_plural = _("item snapshots")
        constraints = [models.UniqueConstraint(fields=["item", "day"], name="market_itemsnapshot_unique")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.day}"


class RankObservation(models.Model):
    """Where an item stood in a keyword's search results on one day and device (排名监控), as a plug-in exported
    it or someone typed it. `position` is the place counted from 1 over the pages searched; None: not found in
    them. The item is ours (`product`), a competitor's (`competitor_item`), or neither yet (only its ID)."""

    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+", verbose_name=_("shop"))
    keyword = models.ForeignKey(Keyword, on_delete=models.CASCADE, related_name="+", verbose_name=_("keyword"))
    item_id = models.CharField(_("item ID"), max_length=32)
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("product")
    )
    competitor_item = models.ForeignKey(
        CompetitorItem,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("competitor item"),
    )
    device = models.CharField(_("device"), max_length=8, choices=Device.choices)
    day = models.DateField(_("day"))
    position = models.PositiveIntegerField(_("position"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=255, blank=True)

    class Meta:
        ordering = ["shop", "keyword", "item_id", "device", "day"]
        verbose_name = _("rank observation")
        verbose_name_plural = _("rank observations")
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "keyword", "item_id", "device", "day"], name="market_rankobservation_unique"
            )
        ]
        indexes = [models.Index(fields=["shop", "day"], name="market_rank_shop_day")]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.day} {self.keyword_id} {self.item_id} {self.position}"


class BoardRow(models.Model):
    """One line of a category's ranking (生意参谋 市场排行) on one day: the item at that rank and its figures."""

    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+", verbose_name=_("shop"))
    category = CleanCharField(_("category"), max_length=64)
    day = models.DateField(_("day"))
    rank = models.PositiveIntegerField(_("rank"))
    item_id = models.CharField(_("item ID"), max_length=32)
    title = models.CharField(_("title"), max_length=200, blank=True)
    shop_name = models.CharField(_("shop name"), max_length=64, blank=True)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, null=True, blank=True)
    trade_index = models.PositiveBigIntegerField(_("trade index"), null=True, blank=True)
    traffic_index = models.PositiveBigIntegerField(_("traffic index"), null=True, blank=True)
    source_file = models.CharField(_("source file"), max_length=255, blank=True)

    class Meta:
        ordering = ["shop", "category", "-day", "rank"]
        verbose_name = _("category board row")
        verbose_name_plural = _("category board rows")
        constraints = [
            models.UniqueConstraint(fields=["shop", "category", "day", "item_id"], name="market_boardrow_unique")
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.day} #{self.rank} {self.item_id}"


# --------------------------------------------------------------------------------------------------------
# Reviews (评价), 问大家 and complaint themes: docs/market.md
# --------------------------------------------------------------------------------------------------------


class Grade(models.TextChoices):
    GOOD = "good", _("Good")
    NEUTRAL = "neutral", _("Neutral")
    BAD = "bad", _("Bad")


class Review(models.Model):
    """A buyer's review of one of the shop's items as the platform's export showed it. `first_seen` and
    `last_seen` are the first and last snapshot days (imports) that held it; `removed_on` is the snapshot day
    it was missing from after being in the one before (删评), None while it is there."""

    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+", verbose_name=_("shop"))
    item_id = models.CharField(_("item ID"), max_length=32)
    review_id = models.CharField(_("review ID"), max_length=64)
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("product")
    )
    sku = models.ForeignKey(
        "catalog.Sku", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("SKU")
    )
    day = models.DateField(_("day"))
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=8, choices=Grade.choices)
    text = models.TextField(_("text"), blank=True)
    buyer = models.CharField(_("buyer"), max_length=32, blank=True)
    order_no = models.CharField(_("order number"), max_length=64, blank=True)
    sku_text = models.CharField(_("SKU as shown"), max_length=100, blank=True)
    first_seen = models.DateField(_("first seen"))
    last_seen = models.DateField(_("last seen"))
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    imported_at = models.DateTimeField(_("imported at"))
    source_file = models.CharField(_("source file"), max_length=255, blank=True)

    class Meta:
        ordering = ["shop", "-day", "item_id", "review_id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [models.UniqueConstraint(fields=["shop", "item_id", "review_id"], name="market_review_unique")]
        indexes = [models.Index(fields=["shop", "day"], name="market_review_shop_day")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.review_id}"


class ReviewSnapshot(models.Model):
    """That the shop imported the reviews of an item as they stood on a day: the 删评 check compares a snapshot
    with the one before it of the same item."""

    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+", verbose_name=_("shop"))
    item_id = models.CharField(_("item ID"), max_length=32)
    day = models.DateField(_("day"))
    reviews = models.PositiveIntegerField(_("reviews"), default=0)

    class Meta:
        ordering = ["shop", "item_id", "-day"]
        verbose_name = _("review snapshot")
        verbose_name_plural = _("review snapshots")
        constraints = [models.UniqueConstraint(fields=["shop", "item_id", "day"], name="market_reviewsnapshot_unique")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.day}"


class Question(models.Model):
    """A buyer's question on an item (问大家) with the answers other buyers gave, one per line."""

    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+", verbose_name=_("shop"))
    item_id = models.CharField(_("item ID"), max_length=32)
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("product")
    )
    day = models.DateField(_("day"))
    question = models.CharField(_("question"), max_length=500)
    answers = models.TextField(_("answers"), blank=True)
    source_file = models.CharField(_("source file"), max_length=255, blank=True)

    class Meta:
        ordering = ["shop", "-day", "item_id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [models.UniqueConstraint(fields=["shop", "item_id", "question"], name="market_question_unique")]

    def __str__(self) -> str:
        return self.question[:40]


class Theme(models.Model):
    """A complaint theme (尺码偏小, 色差 …) found among a shop's bad reviews, questions and refund reasons; the
    name is typed by staff and kept when the themes are found again (market.themes matches by top words)."""

    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+", verbose_name=_("shop"))
    name = CleanCharField(_("name"), max_length=32, blank=True)
    top_words = models.JSONField(_("top words"), default=list)
    sentences = models.PositiveIntegerField(_("sentences"), default=0)
    run_at = models.DateTimeField(_("found at"))

    class Meta:
        ordering = ["shop", "-sentences", "pk"]
        verbose_name = _("complaint theme")
        verbose_name_plural = _("complaint themes")

    def __str__(self) -> str:
        return self.name or " ".join(self.top_words[:3])


class MentionSource(models.TextChoices):
    REVIEW = "review", _("Bad review")
    QUESTION = "question", _("Question")
    REFUND = "refund", _("Refund reason")


class ThemeMention(models.Model):
    """One sentence of a bad review, a question or a refund reason placed in a theme, with its week and SKU."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="mentions", verbose_name=_("theme"))
    source = models.CharField(_("from"), max_length=8, choices=MentionSource.choices)
    source_id = models.PositiveBigIntegerField(_("source ID"))
    week = models.DateField(_("week"))
    sku_label = models.CharField(_("SKU"), max_length=64, blank=True)
    sentence = models.CharField(_("sentence"), max_length=500)

    class Meta:
        ordering = ["theme", "-week", "pk"]
        verbose_name = _("theme mention")
        verbose_name_plural = _("theme mentions")

    def __str__(self) -> str:
        return self.sentence[:40]
