"""After-sales cases (售后单): what a buyer asked after paying, what we answered, what we paid back, by when.

A case belongs to one order of one shop. Only aftersales.services change its `status`, along
`ALLOWED_TRANSITIONS`, and each change writes a CaseEvent (the case's timeline). Its `deadline` is the moment
the platform acts by itself if nobody answers (an automatic refund or agreement): the platform's own deadline
when the file or the agent gives one, otherwise the DeadlineRule of the shop's channel for the case's situation
(aftersales.deadlines). Money goes back line by line (CaseLine.refund_amount), never more than what was paid.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhanggui.catalog.models import Channel, Shop
from zhanggui.core.models import TimelineEvent
from zhanggui.core.text import CleanCharField, CleanTextField, CodeField
from zhanggui.orders.models import Order, OrderLine

#: The longest clock a rule may set: 90 days.
MAX_RULE_HOURS = 90 * 24


class CaseKind(models.TextChoices):
    REFUND_UNSHIPPED = "refund_unshipped", _("Refund only, not shipped")  # 仅退款（未发货）
    REFUND_SHIPPED = "refund_shipped", _("Refund only, shipped")  # 仅退款（已发货）
    RETURN_REFUND = "return_refund", _("Return and refund")  # 退货退款
    EXCHANGE = "exchange", _("Exchange")  # 换货
    REISSUE = "reissue", _("Reissue (补发)")
    PRICE_DIFFERENCE = "price_difference", _("Price-difference refund (价保)")
    COMPLAINT = "complaint", _("Complaint or dispute (投诉/维权)")
    PARCEL_CLAIM = "parcel_claim", _("Lost or damaged parcel")  # 丢件/破损


class CaseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("after-sales case status", "Open")
    AGREED = "agreed", _("Agreed")
    REJECTED = "rejected", pgettext_lazy("after-sales case status", "Rejected")
    REFUNDED = "refunded", _("Refunded")
    CLOSED = "closed", pgettext_lazy("after-sales case status", "Closed")


class CaseReason(models.TextChoices):
    SIZE = "size", _("Size does not fit")
    QUALITY = "quality", _("Quality problem")
    WRONG_ITEM = "wrong_item", _("Wrong item sent")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    LATE = "late", _("Shipped or delivered late")
    LOST = "lost", _("Parcel lost or damaged")
    CHANGED_MIND = "changed_mind", _("Changed mind (no reason)")
    OTHER = "other", _("Other")


class Responsibility(models.TextChoices):
    US = "us", _("Us (the shop)")
    CARRIER = "carrier", _("Carrier")
    SUPPLIER = "supplier", _("Supplier")
    BUYER = "buyer", _("Buyer")


class DeadlineSource(models.TextChoices):
    PLATFORM = "platform", _("The platform's own deadline")
    RULE = "rule", _("A deadline rule")


class Situation(models.TextChoices):
    """Who must act, in which stage of a case: each has one clock per channel (DeadlineRule)."""

    REFUND_UNSHIPPED = "refund_unshipped", _("Not shipped, refund only: the seller answers")
    REFUND_SHIPPED = "refund_shipped", _("Shipped, refund only: the seller answers")
    RETURN_REFUND = "return_refund", _("Return and refund (or exchange): the seller answers")
    RETURN_TRACKING = "return_tracking", _("Return agreed: the buyer sends the return's tracking number")
    RETURN_RECEIPT = "return_receipt", _("Return sent: the seller confirms the returned parcel")
    OTHER = "other", _("Any other case: the seller answers")


class Outcome(models.TextChoices):
    """What the platform does by itself when a clock runs out."""

    AUTO_REFUND = "auto_refund", _("Automatic refund")
    AUTO_AGREE = "auto_agree", _("Automatic agreement")
    AUTO_CLOSE = "auto_close", _("The case closes")
    NOTHING = "nothing", _("Nothing automatic (our own target)")


class RuleBasis(models.TextChoices):
    PLATFORM = "platform", _("The platform's rule")
    LAW = "law", _("The law")
    ASSUMPTION = "assumption", _("An assumption: check it")


S = CaseStatus
#: Cases someone still has to act on (the queue's default); rejected cases wait for the buyer.
TO_HANDLE = (S.OPEN, S.AGREED)
#: Cases not finished: the queue's "open" filter and the board.
ACTIVE_STATUSES = (S.OPEN, S.AGREED, S.REJECTED)


class AfterSaleCase(models.Model):
    # A case that refunded part of the money may refund more (refunded → refunded); a rejected case opens again
    # when the buyer appeals or the platform steps in (客服介入); closed is the end.
    ALLOWED_TRANSITIONS: dict[str, set[str]] = {
        S.OPEN: {S.AGREED, S.REJECTED, S.REFUNDED, S.CLOSED},
        S.AGREED: {S.REFUNDED, S.CLOSED},
        S.REJECTED: {S.OPEN, S.CLOSED},
        S.REFUNDED: {S.REFUNDED, S.CLOSED},
        S.CLOSED: set(),
    }

    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="aftersale_cases", verbose_name=_("shop"))
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="aftersale_cases", verbose_name=_("order"))
    kind = models.CharField(_("kind"), max_length=20, choices=CaseKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    reason = models.CharField(_("reason"), max_length=20, choices=CaseReason.choices)
    responsibility = models.CharField(_("responsibility"), max_length=12, choices=Responsibility.choices, blank=True)
    # The platform's 退款编号 / 服务单号 / 售后编号; blank for a case opened at the desk.
    platform_refund_no = CodeField(_("platform refund number"), max_length=64, blank=True)
    requested_amount = models.DecimalField(_("amount asked"), max_digits=14, decimal_places=2, default=Decimal("0.00"))
    description = CleanTextField(_("what the buyer says"), blank=True)
    # The platform's own deadline (超时时间) for the stage the case is in, when known: it wins over the rules.
    platform_deadline = models.DateTimeField(_("platform's deadline"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    deadline_source = models.CharField(_("deadline from"), max_length=10, choices=DeadlineSource.choices, blank=True)
    deadline_rule = models.ForeignKey(
        "DeadlineRule",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        verbose_name=_("deadline rule"),
    )
    # When the current stage's clock started (opened, agreed, opened again): a rule counts from here.
    clock_started_at = models.DateTimeField(_("clock started at"), default=timezone.now)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assignee"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    first_answer_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("opened at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "platform_refund_no"],
                condition=~Q(platform_refund_no=""),
                name="aftersale_case_unique_platform_refund_no",
            ),
            models.CheckConstraint(condition=Q(requested_amount__gte=0), name="aftersale_case_requested_not_negative"),
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="aftersale_case_queue")]
        verbose_name = _("after-sales case")
        verbose_name_plural = _("after-sales cases")
        permissions = [
            ("handle_cases", "Open, answer, refund and close after-sales cases"),
            ("manage_rules", "Edit the after-sales deadline rules"),
        ]

    def __str__(self) -> str:
        return self.platform_refund_no or f"AS-{self.pk}"

    @property
    def number(self) -> str:
        """How a person names the case: the platform's refund number, or AS-<id> for a desk case."""
        return str(self)


class CaseLine(models.Model):
    """An order line the case is about: how many units, and how much of it this case refunded (to the fen)."""

    case = models.ForeignKey(AfterSaleCase, on_delete=models.CASCADE, related_name="lines", verbose_name=_("case"))
    order_line = models.ForeignKey(
        OrderLine, on_delete=models.PROTECT, related_name="aftersale_lines", verbose_name=_("order line")
    )
    # 0: money only (a price difference, a refund the platform made without units coming back).
    quantity = models.PositiveIntegerField(_("quantity"), default=0)
    refund_amount = models.DecimalField(_("refunded"), max_digits=14, decimal_places=2, default=Decimal("0.00"))

    class Meta:
        ordering = ["case", "order_line__position", "order_line_id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "order_line"], name="aftersale_line_unique_order_line"),
            models.CheckConstraint(condition=Q(refund_amount__gte=0), name="aftersale_line_refund_not_negative"),
        ]
        verbose_name = _("case line")
        verbose_name_plural = _("case lines")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.order_line_id} × {self.quantity}"


class CaseEvent(TimelineEvent):
    """One entry of a case's timeline: a change of status (or, from == to, an assignment, a refund, a note),
    by whom (no actor: the system) and why, in words."""

    case = models.ForeignKey(AfterSaleCase, on_delete=models.CASCADE, related_name="events", verbose_name=_("case"))
    from_status = models.CharField(_("from"), max_length=12, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=CaseStatus.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status or '·'} → {self.to_status}"


class DeadlineRule(models.Model):
    """One clock of one channel: in this situation, after this many hours, the platform does this by itself.
    Seeded from the platforms' rules (migration 0002) and edited by the manager; `source` says where it is from."""

    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    situation = models.CharField(_("situation"), max_length=20, choices=Situation.choices)
    hours = models.PositiveIntegerField(
        _("hours"), validators=[MinValueValidator(1), MaxValueValidator(MAX_RULE_HOURS)]
    )
    on_expiry = models.CharField(_("when it passes"), max_length=12, choices=Outcome.choices)
    basis = models.CharField(_("basis"), max_length=12, choices=RuleBasis.choices, default=RuleBasis.ASSUMPTION)
    source = CleanCharField(_("source"), max_length=255, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["channel", "id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "situation"], name="deadline_rule_unique_situation"),
            models.CheckConstraint(
                condition=Q(hours__gte=1) & Q(hours__lte=MAX_RULE_HOURS), name="deadline_rule_hours_in_range"
            ),
        ]
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")

    def __str__(self) -> str:
        return f"{self.channel} · {self.situation}: {self.hours} h"
