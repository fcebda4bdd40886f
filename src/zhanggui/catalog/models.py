from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhanggui.core.text import CleanCharField, CleanTextField, CodeField, SlugCodeField

# The largest count (weight in grams, safety stock) a PositiveIntegerField holds on every database (PostgreSQL's
# integer): the forms and the API refuse more, instead of the database failing.
MAX_COUNT = 2**31 - 1


class Channel(models.TextChoices):
    TAOBAO = "taobao", _("Taobao")
    TMALL = "tmall", _("Tmall")
    JD = "jd", _("JD")
    PDD = "pdd", _("Pinduoduo")
    WEB = "web", _("Web store")


class WarehouseChoice(models.TextChoices):
    """How a shop picks the warehouse that serves a reservation."""

    PRIORITY = "priority", _("By warehouse priority")
    MOST_STOCK = "most_stock", _("Warehouse with most stock")


class ProductRole(models.TextChoices):
    TRAFFIC = "traffic", _("Traffic (引流款)")
    PROFIT = "profit", _("Profit (利润款)")
    CAMPAIGN = "campaign", _("Campaign (活动款)")
    IMAGE = "image", _("Image (形象款)")


class ListingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    LISTED = "listed", _("On sale")
    DELISTED = "delisted", _("Off sale")


class DelistReason(models.TextChoices):
    NONE = "", _("—")
    MANUAL = "manual", _("Taken off by a person")
    OUT_OF_STOCK = "out_of_stock", _("Out of stock (automatic)")
    VIOLATION = "violation", _("Rule violation")
    SEASON = "season", _("End of season")


class Stacking(models.TextChoices):
    """How promotions of different layers combine when the desk prices a cart (docs/pricing.md "Stacking")."""

    PLATFORM = "platform", _("As the platforms price (activities apply by themselves, coupons after them)")
    BEST_FOR_BUYER = "best_for_buyer", _("Best for the buyer (across layers)")


class Shop(models.Model):
    code = SlugCodeField(_("code"), max_length=32, unique=True)
    name = CleanCharField(_("name"), max_length=100)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    warehouse_choice = models.CharField(
        _("warehouse choice"),
        max_length=16,
        choices=WarehouseChoice.choices,
        default=WarehouseChoice.PRIORITY,
    )
    is_active = models.BooleanField(_("active"), default=True)
    stacking = models.CharField(
        _("stacking policy"),
        max_length=16,
        choices=Stacking.choices,
        blank=True,
        default="",
        help_text=_(
            "Empty: as the platform prices for Taobao, Tmall, JD and Pinduoduo shops; best for the buyer "
            "for the web store."
        ),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        permissions = [("manage_shops", "Manage shops and banned words")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_channel_display()})"

    @property
    def pricing_policy(self) -> str:
        """The stacking policy its carts are priced with: its own, else the platform's rule (the web store's:
        best for the buyer)."""
        if self.stacking:
            return self.stacking
        return Stacking.BEST_FOR_BUYER if self.channel == Channel.WEB else Stacking.PLATFORM


class Category(models.Model):
    name = CodeField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """One listing a buyer sees (宝贝): title, category, role, listing status."""

    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="products", verbose_name=_("shop"))
    code = CodeField(_("product code (货号)"), max_length=64)
    title = CleanCharField(_("title"), max_length=200)
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
        verbose_name=_("category"),
    )
    role = models.CharField(_("role"), max_length=16, choices=ProductRole.choices, default=ProductRole.PROFIT)
    listing_status = models.CharField(
        _("listing status"), max_length=16, choices=ListingStatus.choices, default=ListingStatus.DRAFT
    )
    delist_reason = models.CharField(
        _("delist reason"), max_length=16, choices=DelistReason.choices, default="", blank=True
    )
    description = CleanTextField(_("description"), blank=True)
    main_image_url = models.URLField(_("main image URL"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["shop", "code"]
        constraints = [models.UniqueConstraint(fields=["shop", "code"], name="product_code_unique_in_shop")]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        permissions = [
            ("change_listing", "List and delist products and SKUs"),
            ("edit_catalog", "Edit products and SKUs (not prices)"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Sku(models.Model):
    """One sellable variant. `code` is the 商家编码, unique within the shop."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="skus", verbose_name=_("product"))
    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="skus", verbose_name=_("shop"))
    code = CodeField(_("SKU code (商家编码)"), max_length=64)
    barcode = CodeField(_("barcode"), max_length=64, blank=True)
    spec = CleanCharField(_("spec"), max_length=200, blank=True, help_text=_("e.g. 颜色:红;尺码:M"))
    price = models.DecimalField(
        _("price"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    cost = models.DecimalField(
        _("cost"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    weight_g = models.PositiveIntegerField(_("weight (g)"), default=0)
    safety_stock = models.PositiveIntegerField(_("safety stock"), default=0)
    listing_status = models.CharField(
        _("listing status"), max_length=16, choices=ListingStatus.choices, default=ListingStatus.DRAFT
    )
    delist_reason = models.CharField(
        _("delist reason"), max_length=16, choices=DelistReason.choices, default="", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["shop", "code"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "code"], name="sku_code_unique_in_shop"),
            models.CheckConstraint(condition=Q(price__gte=0), name="sku_price_not_negative"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="sku_cost_not_negative"),
        ]
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")
        permissions = [
            ("change_price", "Change SKU prices (below cost or too deep: after approval)"),
            ("change_cost", "Change SKU costs"),
            ("edit_sku_logistics", "Change SKU barcodes, weights and safety stock"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.spec}".strip()


class PriceChangeState(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Replaced by a later price")


class PriceChange(models.Model):
    """A new price that waits for a manager: below the SKU's cost, or deeper than the approval limit against
    the price it replaces (catalog.price_changes). The SKU keeps `price_before` until a manager other than
    the author approves; a later price for the SKU replaces a request still waiting."""

    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="price_changes", verbose_name=_("SKU"))
    price_before = models.DecimalField(_("price before"), max_digits=14, decimal_places=2)
    price_asked = models.DecimalField(_("price asked"), max_digits=14, decimal_places=2)
    cost = models.DecimalField(_("cost when asked"), max_digits=14, decimal_places=2)
    note = CleanCharField(_("reason"), max_length=255, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=PriceChangeState.choices, default=PriceChangeState.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked by")
    )
    requested_at = models.DateTimeField(_("asked at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = CleanCharField(_("decision reason"), max_length=255, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(price_asked__gte=0), name="price_change_price_not_negative"),
            models.UniqueConstraint(
                fields=["sku"], condition=Q(state="pending"), name="price_change_one_pending_per_sku"
            ),
        ]
        indexes = [models.Index(fields=["state", "requested_at"])]
        verbose_name = _("price change")
        verbose_name_plural = _("price changes")
        permissions = [("approve_prices", "Approve price changes below cost or deeper than the approval limit")]

    def __str__(self) -> str:
        return f"{self.sku_id}: {self.price_before} → {self.price_asked} ({self.state})"

    @property
    def below_cost(self) -> bool:
        return self.price_asked < self.cost


class BannedWord(models.Model):
    """A word titles must not contain (广告法 absolute terms, platform rules); configurable per channel."""

    word = CodeField(_("word"), max_length=50)
    channel = models.CharField(
        _("channel"),
        max_length=16,
        choices=Channel.choices,
        blank=True,
        help_text=_("Empty: applies to every channel"),
    )
    reason = CleanCharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["word"]
        constraints = [models.UniqueConstraint(fields=["word", "channel"], name="banned_word_unique")]
        verbose_name = _("banned word")
        verbose_name_plural = _("banned words")

    def __str__(self) -> str:
        return self.word


class ImageKind(models.TextChoices):
    MAIN = "main", _("Main image")
    GALLERY = "gallery", _("Gallery image")


def product_image_path(instance: ProductImage, filename: str) -> str:
    """Each product's images in a folder of their own; the name is chosen by catalog.images (never the
    uploader's), its extension from the real content."""
    return f"catalog/products/{instance.product_id}/{filename}"


class ProductImage(models.Model):
    """An uploaded picture of a product: its main image (one at most) or one of its ordered gallery images;
    `sku` says which SKU (a colour) the picture shows. The files live in STORAGES["default"]: the original as
    uploaded and two thumbnails next to it (catalog.images)."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="images", verbose_name=_("product"))
    sku = models.ForeignKey(
        Sku, null=True, blank=True, on_delete=models.SET_NULL, related_name="images", verbose_name=_("SKU")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=ImageKind.choices, default=ImageKind.GALLERY)
    position = models.PositiveIntegerField(_("position"), default=0)
    file = models.ImageField(_("file"), upload_to=product_image_path, max_length=255)
    thumb_small = models.CharField(_("small thumbnail"), max_length=255, blank=True)
    thumb_large = models.CharField(_("large thumbnail"), max_length=255, blank=True)
    original_name = CleanCharField(_("file name"), max_length=200, blank=True)
    format = models.CharField(_("format"), max_length=8)
    width = models.PositiveIntegerField(_("width (px)"))
    height = models.PositiveIntegerField(_("height (px)"))
    bytes = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["product", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product"], condition=Q(kind="main"), name="product_image_one_main"),
        ]
        verbose_name = _("product image")
        verbose_name_plural = _("product images")

    def __str__(self) -> str:
        return self.original_name or self.file.name

    @property
    def url(self) -> str:
        return self.file.url

    @property
    def thumb_small_url(self) -> str:
        return self.file.storage.url(self.thumb_small) if self.thumb_small else self.file.url

    @property
    def thumb_large_url(self) -> str:
        return self.file.storage.url(self.thumb_large) if self.thumb_large else self.file.url
