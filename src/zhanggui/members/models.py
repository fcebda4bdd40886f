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
from zhanggui.core.text import CleanCharField, CleanTextField, StorableJSONField


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
    CHECKIN = "checkin", _("daily check-in")


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


# --------------------------------------------------------------------------------------------------------
# Campaigns (docs/members.md "Campaigns"): a coupon or a message to a saved segment, with a random control group
# --------------------------------------------------------------------------------------------------------


class CampaignKind(models.TextChoices):
    COUPON = "coupon", _("coupon")
    MESSAGE = "message", _("message")


class CampaignState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")


class Campaign(models.Model):
    """A coupon or a message to the people of a saved segment. When it is sent, the segment's members are drawn
    into treatment and control by `seed` (members/campaigns.py): the control group never receives anything and
    is what the campaign's orders, GMV and margin are measured against."""

    name = CleanCharField(_("name"), max_length=100)
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("segment"))
    kind = models.CharField(_("kind"), max_length=8, choices=CampaignKind.choices, default=CampaignKind.COUPON)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.PLATFORM)
    promotion = models.ForeignKey(
        "promotions.Promotion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("coupon"),
    )
    template = CleanTextField(_("text"), max_length=500, blank=True)
    control_share = models.DecimalField(_("control share"), max_digits=4, decimal_places=3, default=Decimal("0.100"))
    seed = models.BigIntegerField(_("seed"))
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours to"), null=True, blank=True)
    cap_days = models.PositiveSmallIntegerField(_("frequency cap (days)"), default=7)
    state = models.CharField(_("state"), max_length=8, choices=CampaignState.choices, default=CampaignState.DRAFT)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(control_share__gte=0) & Q(control_share__lt=1), name="campaign_control_share_range"
            ),
        ]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name


class CampaignGroup(models.TextChoices):
    TREATMENT = "treatment", _("treatment")
    CONTROL = "control", _("control")


class DeliveryStatus(models.TextChoices):
    SENT = "sent", _("handed to the sender")
    DEFERRED = "deferred", _("deferred (quiet hours)")
    SKIPPED = "skipped", _("skipped")
    HELD_BACK = "held_back", _("held back (control)")


class SkipReason(models.TextChoices):
    OPTED_OUT = "opted_out", _("opted out")
    CAPPED = "capped", _("frequency cap")


class CampaignMember(models.Model):
    """One person of a sent campaign: their group, and what happened to them (received, deferred by quiet hours,
    skipped for an opt-out or the frequency cap, or held back as control). Kept for the report: skipped people
    stay in the treatment group (intention to treat)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members", verbose_name=_("campaign"))
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    group = models.CharField(_("group"), max_length=10, choices=CampaignGroup.choices)
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices)
    skip_reason = models.CharField(_("reason"), max_length=10, choices=SkipReason.choices, blank=True)
    text = CleanTextField(_("text"), blank=True)
    sent_at = models.DateTimeField(_("stored or sent at"), null=True, blank=True)
    outcome = models.CharField(_("sender outcome"), max_length=12, blank=True)

    class Meta:
        ordering = ["campaign", "member_id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "member"], name="campaign_member_once")]
        indexes = [models.Index(fields=["member", "sent_at"], name="campaign_member_received")]
        verbose_name = _("campaign member")
        verbose_name_plural = _("campaign members")

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.member_id} {self.group}"


class CampaignTestSend(models.Model):
    """A test send to one named member: stored like a real one, never counted in the campaign or its cap."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="test_sends", verbose_name=_("campaign")
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    text = CleanTextField(_("text"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("test send")
        verbose_name_plural = _("test sends")

    def __str__(self) -> str:
        return f"{self.campaign_id}: test to {self.member_id}"


class CouponGrant(models.Model):
    """A coupon (a stored promotion of the coupon layer) given to one member — by a campaign or the points shop.
    Promotions has no per-buyer grant, so the members app keeps it; the key makes a retry grant once."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="coupons", verbose_name=_("member"))
    promotion = models.ForeignKey(
        "promotions.Promotion", on_delete=models.PROTECT, related_name="+", verbose_name=_("coupon")
    )
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("campaign")
    )
    source = CleanCharField(_("source"), max_length=100, blank=True)
    key = models.CharField(_("idempotency key"), max_length=120, unique=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("coupon grant")
        verbose_name_plural = _("coupon grants")

    def __str__(self) -> str:
        return f"{self.member_id}: {self.promotion_id}"


# --------------------------------------------------------------------------------------------------------
# Points shop (积分商城)
# --------------------------------------------------------------------------------------------------------


class ShopItemKind(models.TextChoices):
    COUPON = "coupon", _("coupon")
    GIFT = "gift", _("gift")


class PointsShopItem(models.Model):
    """An item of the points shop: a coupon (a stored promotion) or a gift, for `points`, while stock lasts, at
    most `per_member_limit` per person (empty: no limit)."""

    name = CleanCharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=8, choices=ShopItemKind.choices, default=ShopItemKind.GIFT)
    promotion = models.ForeignKey(
        "promotions.Promotion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("coupon"),
    )
    points = models.PositiveIntegerField(pgettext_lazy("member", "points"))
    stock = models.PositiveIntegerField(_("stock"), default=0)
    per_member_limit = models.PositiveIntegerField(_("limit per member"), null=True, blank=True)
    active = models.BooleanField(_("on sale"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["points", "name"]
        constraints = [models.CheckConstraint(condition=Q(points__gt=0), name="points_shop_item_costs_points")]
        verbose_name = _("points shop item")
        verbose_name_plural = _("points shop items")

    def __str__(self) -> str:
        return self.name


class PointsRedemption(models.Model):
    """An item taken for points by a person (booked on the member asked for); the key makes a retry take once."""

    item = models.ForeignKey(PointsShopItem, on_delete=models.PROTECT, related_name="redemptions")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    points = models.PositiveIntegerField(pgettext_lazy("member", "points"))
    key = models.CharField(_("idempotency key"), max_length=120, unique=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")

    def __str__(self) -> str:
        return f"{self.member_id}: {self.item_id} for {self.points}"


class CheckIn(models.Model):
    """A daily check-in: once per person and local day (the unique constraint), +points booked in the ledger."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    day = models.DateField(_("day"))
    points = models.PositiveIntegerField(pgettext_lazy("member", "points"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-day", "-id"]
        constraints = [models.UniqueConstraint(fields=["member", "day"], name="checkin_once_a_day")]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")

    def __str__(self) -> str:
        return f"{self.member_id}: {self.day}"


# --------------------------------------------------------------------------------------------------------
# Repurchase model (BG/NBD + Gamma-Gamma, members/clv.py and members/forecast.py; docs/members.md)
# --------------------------------------------------------------------------------------------------------


class RepurchaseFit(models.Model):
    """One nightly fit over every person: the parameters (time unit: days) or why there were none (too few
    repeat buyers, or the fit did not converge). The latest row is the one the forecasts come from."""

    at = models.DateTimeField(_("fitted at"), default=timezone.now)
    people = models.PositiveIntegerField(_("people"), default=0)
    repeat_buyers = models.PositiveIntegerField(_("repeat buyers"), default=0)
    fitted = models.BooleanField(_("fitted"), default=False)
    note = CleanCharField(_("note"), max_length=200, blank=True)
    params = StorableJSONField(_("parameters"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("repurchase fit")
        verbose_name_plural = _("repurchase fits")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} ({self.repeat_buyers}/{self.people})"


class EarlierPurchase(models.Model):
    """A purchase from before the desk's orders (brought in from an earlier CRM or a platform's buyer history):
    the repurchase model reads it with the orders; the figures, points and tiers do not (no order to book)."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="earlier_purchases", verbose_name=_("member")
    )
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    source = CleanCharField(_("source"), max_length=50, blank=True)

    class Meta:
        ordering = ["paid_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="earlier_purchase_amount_not_negative")]
        verbose_name = _("earlier purchase")
        verbose_name_plural = _("earlier purchases")

    def __str__(self) -> str:
        return f"{self.member_id} {self.paid_on} {self.amount}"


class MemberForecast(models.Model):
    """A person's estimate from the latest fit: P(alive), expected orders in the next 90 days and their expected
    value (orders × expected spend per order, to the fen), and the 12-month value discounted monthly."""

    member = models.OneToOneField(
        Member, primary_key=True, on_delete=models.CASCADE, related_name="forecast", verbose_name=_("member")
    )
    fit = models.ForeignKey(RepurchaseFit, on_delete=models.CASCADE, related_name="+", verbose_name=_("fit"))
    p_alive = models.DecimalField(_("probability still a buyer"), max_digits=5, decimal_places=4)
    expected_orders_90 = models.DecimalField(_("expected orders in 90 days"), max_digits=8, decimal_places=2)
    expected_value_90 = models.DecimalField(_("expected value in 90 days"), max_digits=14, decimal_places=2)
    value_12m = models.DecimalField(_("12-month value"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("member forecast")
        verbose_name_plural = _("member forecasts")

    def __str__(self) -> str:
        return f"{self.member_id}: {self.p_alive}"
