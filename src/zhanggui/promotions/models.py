"""Promotions: the stored promotion (any kind of docs/pricing.md, with a calendar and an approval) and the
flash sale (秒杀): a special price on one SKU, a stock cap, a per-buyer cap, a window.

`FlashSale.sold` and `FlashSaleBuyer.quantity` are counters changed only by promotions.flash, with conditional
UPDATEs in the same transaction as the stock reservation; the CHECK constraints below are the database's own
guard, so no code path (or hand-written SQL) can sell over the cap.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhanggui.catalog.models import Shop, Sku
from zhanggui.core.text import CleanCharField, CleanTextField, CodeField, StorableJSONField


class FlashSaleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    RUNNING = "running", _("Running")
    ENDED = "ended", _("Ended")


class FlashSale(models.Model):
    """One flash sale (秒杀) of one SKU. Its status is not stored: it follows from the window and `is_active`.

    - ended: the window is over (whatever the switch);
    - draft: switched off (never published, or stopped by hand) and not yet over;
    - scheduled / running: switched on, before / inside the window [starts_at, ends_at).
    """

    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="flash_sales", verbose_name=_("shop"))
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="flash_sales", verbose_name=_("SKU"))
    promotion = models.ForeignKey(
        "Promotion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="flash_sales",
        verbose_name=_("promotion"),
        help_text=_("The stored flash_sale promotion that opened this sale"),
    )
    name = CleanCharField(_("name"), max_length=100, blank=True)
    price = models.DecimalField(
        _("flash price"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    stock_cap = models.PositiveIntegerField(_("flash-sale stock"), help_text=_("Units for sale in this flash sale"))
    per_buyer_cap = models.PositiveIntegerField(_("per-buyer cap"), help_text=_("Most units one buyer may take"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    sold = models.PositiveIntegerField(_("sold"), default=0, help_text=_("Units taken (held or shipped)"))
    is_active = models.BooleanField(_("active"), default=False, help_text=_("Off: buyers cannot buy"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="flash_sale_price_not_negative"),
            models.CheckConstraint(condition=Q(stock_cap__gte=1), name="flash_sale_stock_cap_positive"),
            models.CheckConstraint(condition=Q(per_buyer_cap__gte=1), name="flash_sale_per_buyer_cap_positive"),
            models.CheckConstraint(condition=Q(sold__gte=0), name="flash_sale_sold_not_negative"),
            models.CheckConstraint(condition=Q(sold__lte=F("stock_cap")), name="flash_sale_sold_within_cap"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="flash_sale_ends_after_start"),
        ]
        indexes = [models.Index(fields=["sku", "starts_at"])]
        verbose_name = _("flash sale")
        verbose_name_plural = _("flash sales")
        permissions = [("manage_promotions", "Manage promotions and flash sales")]

    def __str__(self) -> str:
        return self.name or f"#{self.pk} {self.sku_id}"

    def status_at(self, at: datetime) -> str:
        if at >= self.ends_at:
            return FlashSaleStatus.ENDED
        if not self.is_active:
            return FlashSaleStatus.DRAFT
        return FlashSaleStatus.SCHEDULED if at < self.starts_at else FlashSaleStatus.RUNNING

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())

    @property
    def left(self) -> int:
        return self.stock_cap - self.sold


class FlashSaleBuyer(models.Model):
    """How many units one buyer holds or has bought in one sale: the row the per-buyer cap is checked on."""

    flash_sale = models.ForeignKey(FlashSale, on_delete=models.PROTECT, related_name="buyers")
    buyer_ref = CodeField(_("buyer"), max_length=64)
    quantity = models.IntegerField(_("quantity"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["flash_sale", "buyer_ref"], name="flash_buyer_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="flash_buyer_quantity_not_negative"),
        ]
        verbose_name = _("flash-sale buyer")
        verbose_name_plural = _("flash-sale buyers")

    def __str__(self) -> str:
        return f"{self.flash_sale_id}/{self.buyer_ref}: {self.quantity}"


class FlashPurchaseStatus(models.TextChoices):
    HELD = "held", _("Held")
    RELEASED = "released", _("Released")
    ISSUED = "issued", _("Issued")


class FlashSalePurchase(models.Model):
    """One purchase in a flash sale; `reference` is the inventory reservation that holds its units."""

    flash_sale = models.ForeignKey(
        FlashSale, on_delete=models.PROTECT, related_name="purchases", verbose_name=_("flash sale")
    )
    buyer_ref = CodeField(_("buyer"), max_length=64, help_text=_("Member id or platform buyer nick"))
    quantity = models.PositiveIntegerField(_("quantity"))
    reference = CodeField(_("reservation reference"), max_length=64, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=FlashPurchaseStatus.choices, default=FlashPurchaseStatus.HELD
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["flash_sale", "buyer_ref"])]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="flash_purchase_quantity_positive")]
        verbose_name = _("flash-sale purchase")
        verbose_name_plural = _("flash-sale purchases")

    def __str__(self) -> str:
        return f"{self.reference}: {self.quantity} × {self.buyer_ref} ({self.status})"


class PromotionState(models.TextChoices):
    """What people decided, stored; the calendar status (PromotionStatus) adds the clock to it."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class PromotionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_APPROVAL = "pending_approval", _("Pending approval")
    REJECTED = "rejected", _("Rejected")
    SCHEDULED = "scheduled", _("Scheduled")
    RUNNING = "running", _("Running")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


# The state changes the services may make; anything else is refused with invalid_promotion_state. A rejected
# promotion is back with its author: edited and submitted again like a draft, or cancelled.
PROMOTION_TRANSITIONS: dict[str, set[str]] = {
    PromotionState.DRAFT: {PromotionState.SUBMITTED, PromotionState.APPROVED, PromotionState.CANCELLED},
    PromotionState.SUBMITTED: {PromotionState.APPROVED, PromotionState.REJECTED, PromotionState.CANCELLED},
    PromotionState.REJECTED: {PromotionState.SUBMITTED, PromotionState.APPROVED, PromotionState.CANCELLED},
    PromotionState.APPROVED: {PromotionState.CANCELLED},
    PromotionState.CANCELLED: set(),
}


class Promotion(models.Model):
    """A promotion stored in the desk: its spec (docs/pricing.md) plus a calendar window and an approval.

    `spec` is the full JSON object the engine reads; `starts_at`/`ends_at` are the truth for the window and the
    services copy them into the spec on every save. Only approved promotions are priced (selectors.running_
    promotions). `status` is derived: draft, pending_approval (submitted), rejected, cancelled; an approved one is
    scheduled before its start, running inside [starts_at, ends_at), ended after. `approved_by` is the manager
    who approved it; one within the approval limit is approved by the desk when submitted (`auto_approved`, no
    `approved_by`). A rejected one goes back to its author with `rejection_note`, to edit and submit again.
    """

    shop = models.ForeignKey(
        Shop,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="promotions",
        verbose_name=_("shop"),
        help_text=_("Empty: every shop"),
    )
    code = CodeField(_("code"), max_length=64, help_text=_("The spec's id: unique in its shop"))
    name = CleanCharField(_("name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=32)
    spec = StorableJSONField(_("spec"), help_text=_("The promotion in the format of docs/pricing.md"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    state = models.CharField(_("state"), max_length=10, choices=PromotionState.choices, default=PromotionState.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    auto_approved = models.BooleanField(
        _("approved automatically"),
        default=False,
        help_text=_("Within the approval limit: approved by the desk when submitted, not by a person"),
    )
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("rejected by"),
    )
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    rejection_note = CleanCharField(_("rejection reason"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["starts_at", "code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "code"], name="promotion_code_unique_in_shop"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(shop__isnull=True), name="promotion_code_unique_all_shops"
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="promotion_ends_after_start"),
        ]
        indexes = [models.Index(fields=["state", "starts_at", "ends_at"])]
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        permissions = [("approve_promotions", "Approve promotions with deep discounts")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()

    def status_at(self, at: datetime) -> str:
        if self.state == PromotionState.CANCELLED:
            return PromotionStatus.CANCELLED
        if self.state == PromotionState.DRAFT:
            return PromotionStatus.DRAFT
        if self.state == PromotionState.SUBMITTED:
            return PromotionStatus.PENDING_APPROVAL
        if self.state == PromotionState.REJECTED:
            return PromotionStatus.REJECTED
        if at < self.starts_at:
            return PromotionStatus.SCHEDULED
        return PromotionStatus.RUNNING if at < self.ends_at else PromotionStatus.ENDED

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())

    def started_at(self, at: datetime) -> bool:
        """Approved and its window has begun: buyers may already have been priced with it."""
        return self.state == PromotionState.APPROVED and self.starts_at <= at


class OfficialCampaign(models.Model):
    """A platform campaign (官方活动: 天天特价, 淘金币, 聚划算 …) a shop plans to enter, with its SKU rules.

    `spec` is the campaign JSON of docs/campaigns.md (id, name, rules), parsed by eligibility.parse_campaign on
    every save; `preset` names the built-in preset it started from, if any. The registration deadline and the
    event window are for the calendar and the desk's reminders.
    """

    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("shop"))
    code = CodeField(_("code"), max_length=64, help_text=_("The spec's id: unique in its shop"))
    name = CleanCharField(_("name"), max_length=100)
    preset = models.CharField(_("preset"), max_length=64, blank=True, help_text=_("The preset it started from"))
    spec = StorableJSONField(_("rules"), help_text=_("The campaign in the format of docs/campaigns.md"))
    apply_by = models.DateTimeField(_("apply by"), null=True, blank=True, help_text=_("Registration deadline"))
    starts_at = models.DateTimeField(_("event starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("event ends at"), null=True, blank=True)
    note = CleanTextField(_("note"), blank=True)
    is_archived = models.BooleanField(_("archived"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["shop", "-starts_at", "code"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "code"], name="campaign_code_unique_in_shop"),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="campaign_ends_after_start",
            ),
        ]
        verbose_name = _("official campaign")
        verbose_name_plural = _("official campaigns")

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()
