"""Members (会员): one person known by their platform identities and phone, their tier and points ledgers, their
consent per channel, and saved segments (docs/members.md).

A merge is reversible by construction: the absorbed member keeps every row it had (identities, ledger moves,
consents) and only points at the survivor (`merged_into`); the person's figures are read over the survivor and
the members merged into it, and an unmerge clears the pointer. Phone numbers are stored encrypted (Fernet) with
a keyed hash (HMAC-SHA256) for matching (members/crypto.py, docs/adr/0004-member-phone-encryption.md).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhanggui.catalog.models import Shop
from zhanggui.core.text import CleanCharField, StorableJSONField


class TierBasis(models.TextChoices):
    SPEND = "spend", _("spend (net of refunds)")
    ORDERS = "orders", _("number of orders")


class MemberTier(models.Model):
    """A tier by rule: spend or orders over the last `window_days` (empty: lifetime) reaching `threshold`. The
    code is what the pricing engine's member_price names (`"prices": {"gold": "80.00"}`)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = CleanCharField(_("name"), max_length=50)
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("Higher is better; a member gets the highest met."))
    basis = models.CharField(_("basis"), max_length=8, choices=TierBasis.choices, default=TierBasis.SPEND)
    threshold = models.DecimalField(_("threshold"), max_digits=14, decimal_places=2)
    window_days = models.PositiveIntegerField(_("window (days)"), null=True, blank=True)

    class Meta:
        ordering = ["-rank", "code"]
        constraints = [
            models.UniqueConstraint(fields=["rank"], name="member_tier_rank_unique"),
            models.CheckConstraint(condition=Q(threshold__gte=0), name="member_tier_threshold_not_negative"),
        ]
        verbose_name = _("member tier")
        verbose_name_plural = _("member tiers")

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    """A buyer we know. The figures (orders, spend, dates) are the person's — this member and the members merged
    into it — refreshed by members.services.refresh; `points` is this row's own ledger sum (PointsMove)."""

    name = CleanCharField(_("name"), max_length=100, blank=True)
    phone_cipher = models.TextField(_("phone (encrypted)"), blank=True, editable=False)
    phone_hash = models.CharField(_("phone hash"), max_length=64, blank=True, db_index=True, editable=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="absorbed", verbose_name=_("merged into")
    )
    tier = models.ForeignKey(
        MemberTier, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("tier")
    )
    orders_count = models.PositiveIntegerField(_("orders"), default=0)
    spend = models.DecimalField(_("spend"), max_digits=14, decimal_places=2, default=Decimal("0.00"))
    first_paid_at = models.DateTimeField(_("first order"), null=True, blank=True)
    previous_paid_at = models.DateTimeField(_("order before the last"), null=True, blank=True)
    last_paid_at = models.DateTimeField(_("last order"), null=True, blank=True)
    points = models.IntegerField(pgettext_lazy("member", "points"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-last_paid_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=0), name="member_points_not_negative"),
            models.CheckConstraint(condition=~Q(merged_into=models.F("id")), name="member_not_merged_into_itself"),
        ]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        permissions = [
            ("manage_members", "Merge members, record consent and opt-outs"),
            ("manage_loyalty", "Tiers, points adjustments and segments"),
        ]

    def __str__(self) -> str:
        return self.name or f"#{self.pk}"


class MemberIdentity(models.Model):
    """A platform buyer (the nick a platform's export names) seen in a shop: the same nick on one platform is one
    person across that platform's shops."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="identities", verbose_name=_("member"))
    platform = models.CharField(_("platform"), max_length=12)
    buyer_nick = CleanCharField(_("buyer"), max_length=100)
    shop = models.ForeignKey(
        Shop, on_delete=models.PROTECT, related_name="+", verbose_name=_("first seen in shop"), db_index=False
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["platform", "buyer_nick"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "buyer_nick"], name="member_identity_unique_nick"),
        ]
        verbose_name = _("member identity")
        verbose_name_plural = _("member identities")

    def __str__(self) -> str:
        return f"{self.platform}:{self.buyer_nick}"


class MemberMerge(models.Model):
    """One merge, kept after an unmerge (undone_at) so the trail says who recognised whom and who undid it."""

    survivor = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("kept"))
    absorbed = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("merged"))
    reason = CleanCharField(_("reason"), max_length=200, blank=True)
    at = models.DateTimeField(_("merged at"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("member merge")
        verbose_name_plural = _("member merges")

    def __str__(self) -> str:
        return f"{self.absorbed_id} → {self.survivor_id}"


class Channel(models.TextChoices):
    """The channels a member may be written through. Platform messages are the messaging app's outbox (its
    opt-outs are kept in step); SMS is the old-customer SMS of the campaigns to come."""

    PLATFORM = "platform", _("platform messages")
    SMS = "sms", _("SMS")


class ConsentEvent(models.Model):
    """A consent or an opt-out for one channel, as the member gave it: the latest per channel is the state."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="consents", verbose_name=_("member"))
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    granted = models.BooleanField(_("consents"))
    note = CleanCharField(_("note"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.member_id}: {self.channel} {'+' if self.granted else '-'}"


class PointsReason(models.TextChoices):
    EARN = "earn", _("earned on an order")
    REFUND = "refund", _("taken back for a refund")
    SPEND = "spend", _("spent")
    EXPIRE = "expire", _("expired")
    ADJUST = "adjust", _("adjusted by hand")


class PointsMove(models.Model):
    """One change of a member's points, as a StockMove is one change of stock: the member's `points` is always
    the sum of its moves. A positive move is a lot with its expiry; negative moves use lots oldest-expiring first
    (members/points.py). The idempotency key makes a repeated sync or a retried request book nothing twice."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="points_moves", verbose_name=_("member"))
    points = models.IntegerField(pgettext_lazy("member", "points"))
    reason = models.CharField(_("reason"), max_length=8, choices=PointsReason.choices)
    reference = CleanCharField(_("reference"), max_length=100, blank=True)
    key = models.CharField(_("idempotency key"), max_length=120, unique=True)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    note = CleanCharField(_("note"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(points=0), name="points_move_not_zero")]
        verbose_name = _("points move")
        verbose_name_plural = _("points moves")

    def __str__(self) -> str:
        return f"{self.member_id}: {self.points:+d} {self.reason}"


class TierChange(models.Model):
    """One change of a member's tier (the tier ledger): the member's `tier` is always the last change's."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="tier_changes", verbose_name=_("member"))
    from_tier = models.ForeignKey(MemberTier, null=True, on_delete=models.PROTECT, related_name="+")
    to_tier = models.ForeignKey(MemberTier, null=True, on_delete=models.PROTECT, related_name="+")
    reason = CleanCharField(_("reason"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")

    def __str__(self) -> str:
        return f"{self.member_id}: {self.from_tier_id} → {self.to_tier_id}"


class Segment(models.Model):
    """A saved segment: the form's filters (members/segments.py SegmentFilters), counted live when shown."""

    name = CleanCharField(_("name"), max_length=100, unique=True)
    filters = StorableJSONField(_("filters"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["name"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self) -> str:
        return self.name
