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

from zhanggui.catalog.models import Channel, Shop, Sku
from zhanggui.core.models import TimelineEvent
from zhanggui.core.text import CleanCharField, CleanTextField, CodeField
from zhanggui.inventory.models import StockMove, Warehouse
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
    # The buyer's return parcel (退货物流): given by the buyer after we agreed; the warehouse scans it on arrival.
    return_carrier = CleanCharField(_("return carrier"), max_length=64, blank=True)
    return_tracking_no = CodeField(_("return tracking number"), max_length=64, blank=True, db_index=True)
    return_sent_at = models.DateTimeField(_("return sent at"), null=True, blank=True)
    # What we paid for the return's postage (退货运费 we bear, when we are responsible); part of the case's cost.
    return_freight = models.DecimalField(
        _("return freight we paid"), max_digits=14, decimal_places=2, default=Decimal("0.00")
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
            models.CheckConstraint(condition=Q(return_freight__gte=0), name="aftersale_case_freight_not_negative"),
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
    # An exchange (换货) sends another SKU (another size or colour); empty: the same SKU (a reissue, 补发).
    replacement_sku = models.ForeignKey(
        Sku, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("replacement SKU")
    )
    # The order line that ships the replacement through the normal fulfilment flow (exchange, reissue).
    replacement_line = models.OneToOneField(
        OrderLine,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaces",
        verbose_name=_("replacement line"),
    )

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
    # The deadline this step came after (answered late): kept, because the next stage's deadline replaces it.
    missed_deadline = models.DateTimeField(_("missed deadline"), null=True, blank=True)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status or '·'} → {self.to_status}"


class Refund(models.Model):
    """Money given back on one order line by one refund step, and when: the dated record the reports and net
    sales read. CaseLine.refund_amount is the running total of a case's refunds of the line (the cap's check)."""

    case = models.ForeignKey(AfterSaleCase, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("case"))
    case_line = models.ForeignKey(
        CaseLine, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("case line")
    )
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+", verbose_name=_("order line"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    at = models.DateTimeField(_("refunded at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.order_line_id} {self.amount}"


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


# ---------------------------------------------------------------------------------------------------------------
# Returns receiving (退货入库): the warehouse's side of a return or an exchange.


class ReturnGrade(models.TextChoices):
    RESELLABLE = "resellable", _("Resellable")  # 良品: back to available stock
    DEFECTIVE = "defective", _("Defective")  # 次品: to a warehouse whose stock is never sold


class ReturnReceipt(models.Model):
    """One returned parcel scanned in by the warehouse: which case it belongs to, who opened it, when."""

    case = models.ForeignKey(AfterSaleCase, on_delete=models.PROTECT, related_name="receipts", verbose_name=_("case"))
    tracking_no = CodeField(_("tracking number"), max_length=64, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("received by")
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    note = CleanCharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("return receipt")
        verbose_name_plural = _("return receipts")

    def __str__(self) -> str:
        return f"RR-{self.pk}"


class ReturnLine(models.Model):
    """Units of one case line that came back, graded, and the stock move that booked them (MoveReason.RETURN)."""

    receipt = models.ForeignKey(
        ReturnReceipt, on_delete=models.CASCADE, related_name="lines", verbose_name=_("receipt")
    )
    case_line = models.ForeignKey(
        CaseLine, on_delete=models.PROTECT, related_name="returned", verbose_name=_("case line")
    )
    grade = models.CharField(_("grade"), max_length=12, choices=ReturnGrade.choices)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    move = models.OneToOneField(
        StockMove, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("stock move")
    )

    class Meta:
        ordering = ["receipt", "id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="return_line_quantity_positive")]
        verbose_name = _("returned item")
        verbose_name_plural = _("returned items")

    def __str__(self) -> str:
        return f"{self.receipt_id}: {self.case_line_id} × {self.quantity} ({self.grade})"


# ---------------------------------------------------------------------------------------------------------------
# Set answers (快捷回复) and compensation by rule (补偿).


class SetAnswer(models.Model):
    """A set answer for 客服 to copy: per reason (empty: any), with variables such as {buyer} and {order_no}."""

    reason = models.CharField(_("reason"), max_length=20, choices=CaseReason.choices, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CaseKind.choices, blank=True)
    title = CleanCharField(_("title"), max_length=80)
    text = CleanTextField(_("text"))
    position = models.PositiveSmallIntegerField(_("position"), default=10)
    is_active = models.BooleanField(_("active"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["reason", "position", "id"]
        verbose_name = _("set answer")
        verbose_name_plural = _("set answers")

    def __str__(self) -> str:
        return self.title


class OfferKind(models.TextChoices):
    COUPON = "coupon", _("Coupon")  # 店铺优惠券
    PARTIAL_REFUND = "partial_refund", _("Partial refund")  # 部分退款
    CASH_BACK = "cash_back", _("Cash back")  # 返现 (红包/支付宝)
    REISSUE = "reissue", _("Reissue")  # 补发


class CompensationRule(models.Model):
    """Situation → offer: for this reason (and responsibility), offer this, up to this amount."""

    reason = models.CharField(_("reason"), max_length=20, choices=CaseReason.choices)
    responsibility = models.CharField(_("responsibility"), max_length=12, choices=Responsibility.choices, blank=True)
    offer = models.CharField(_("offer"), max_length=16, choices=OfferKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=Decimal("0.00"))
    description = CleanCharField(_("when"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["reason", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="compensation_rule_amount_not_negative")]
        verbose_name = _("compensation rule")
        verbose_name_plural = _("compensation rules")

    def __str__(self) -> str:
        return f"{self.reason} → {self.offer} {self.amount}"


class CompensationLimit(models.Model):
    """The most one person of a role may offer on one case by themselves; above it the manager approves."""

    role = models.CharField(_("role"), max_length=20, unique=True)  # a core.roles role name
    limit = models.DecimalField(_("limit per case"), max_digits=14, decimal_places=2)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["role"]
        constraints = [models.CheckConstraint(condition=Q(limit__gte=0), name="compensation_limit_not_negative")]
        verbose_name = _("compensation limit")
        verbose_name_plural = _("compensation limits")

    def __str__(self) -> str:
        return f"{self.role}: {self.limit}"


class CompensationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", pgettext_lazy("compensation status", "Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class Compensation(models.Model):
    """An offer made on a case: within the offerer's limit it is approved at once, above it the manager decides
    (never the one who offered)."""

    case = models.ForeignKey(
        AfterSaleCase, on_delete=models.PROTECT, related_name="compensations", verbose_name=_("case")
    )
    rule = models.ForeignKey(
        CompensationRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("rule")
    )
    offer = models.CharField(_("offer"), max_length=16, choices=OfferKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    status = models.CharField(_("status"), max_length=12, choices=CompensationStatus.choices)
    note = CleanCharField(_("note"), max_length=255, blank=True)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("offered by")
    )
    offered_at = models.DateTimeField(_("offered at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = CleanCharField(_("decision note"), max_length=255, blank=True)

    class Meta:
        ordering = ["-offered_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="compensation_amount_not_negative")]
        indexes = [models.Index(fields=["status", "offered_at"], name="compensation_queue")]
        verbose_name = _("compensation")
        verbose_name_plural = _("compensations")
        permissions = [("approve_compensation", "Approve compensation above a role's limit")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.offer} {self.amount} ({self.status})"


# ---------------------------------------------------------------------------------------------------------------
# Claims against the carrier (快递理赔) for a lost or damaged parcel.


class ClaimStatus(models.TextChoices):
    FILED = "filed", _("Filed")
    PAID = "paid", _("Paid by the carrier")
    PARTLY_PAID = "partly_paid", _("Partly paid")
    REFUSED = "refused", _("Refused by the carrier")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CarrierClaim(models.Model):
    """What we claim from a carrier for a parcel it lost or damaged, with its own deadline (理赔时效)."""

    case = models.ForeignKey(
        AfterSaleCase, null=True, blank=True, on_delete=models.PROTECT, related_name="claims", verbose_name=_("case")
    )
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="carrier_claims", verbose_name=_("order"))
    carrier = CleanCharField(_("carrier"), max_length=64)
    tracking_no = CodeField(_("tracking number"), max_length=64)
    value_claimed = models.DecimalField(_("value claimed"), max_digits=14, decimal_places=2)
    evidence = CleanTextField(_("evidence"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.FILED)
    amount_recovered = models.DecimalField(
        _("amount recovered"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("filed by")
    )
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    class Meta:
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(value_claimed__gte=0), name="carrier_claim_value_not_negative"),
            models.CheckConstraint(condition=Q(amount_recovered__gte=0), name="carrier_claim_recovered_not_negative"),
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="carrier_claim_queue")]
        verbose_name = _("carrier claim")
        verbose_name_plural = _("carrier claims")

    def __str__(self) -> str:
        return f"CL-{self.pk}"
