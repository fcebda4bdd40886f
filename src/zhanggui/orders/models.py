"""Orders as the platforms sold them and as we fulfil them.

An order keeps two statuses: `platform_status`, what the platform's last export said (the records' vocabulary,
channels.records), and `status`, where it is in our fulfilment (paid → reviewed → allocated → picking → packed →
shipped → delivered → completed, plus on hold and cancelled). Only orders.services change `status`, along
`ALLOWED_TRANSITIONS`, and each change writes an OrderEvent (the order's timeline).
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

from zhanggui.catalog.models import Shop, Sku
from zhanggui.channels import records
from zhanggui.core.models import TimelineEvent
from zhanggui.core.text import CleanCharField, CleanTextField, CodeField

#: The promise never goes beyond this, whatever a shop sets (发货时效: 24 h as a rule, 48 h never broken).
MAX_PROMISE_HOURS = 48


class Platform(models.TextChoices):
    TAOBAO = records.TAOBAO, _("Taobao / Tmall")
    JD = records.JD, _("JD")
    PDD = records.PDD, _("Pinduoduo")
    ZHANGGUI = records.ZHANGGUI, _("Zhanggui file")


class PlatformStatus(models.TextChoices):
    UNPAID = records.UNPAID, _("Waiting for payment")
    PAID = records.PAID, _("Paid, waiting to be shipped")
    SHIPPED = records.SHIPPED, _("Shipped")
    COMPLETED = records.COMPLETED, _("Completed")
    CLOSED = records.CLOSED, _("Closed")


class OrderStatus(models.TextChoices):
    UNPAID = "unpaid", _("Waiting for payment")
    PAID = "paid", pgettext_lazy("order status", "Paid")
    REVIEWED = "reviewed", _("Reviewed")
    ALLOCATED = "allocated", _("Allocated")
    PICKING = "picking", _("Picking")
    PACKED = "packed", _("Packed")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Completed")
    ON_HOLD = "on_hold", _("On hold")
    CANCELLED = "cancelled", _("Cancelled")


class HoldKind(models.TextChoices):
    MANUAL = "manual", _("Held by a person")
    UNKNOWN_SKU = "unknown_sku", _("SKU code not in the catalog")
    OUT_OF_STOCK = "out_of_stock", _("Out of stock")
    LINES_CHANGED = "lines_changed", _("Lines changed on the platform")
    REVIEW = "review", _("Held by the automatic review")
    PRESALE = "presale", _("Presale: waits for its ship time")
    PLATFORM_CLOSED = "platform_closed", _("Its order was closed on the platform")


class LineOrigin(models.TextChoices):
    """Where an order line comes from: the platform's export, or our own replacement (补发/换货) of an
    after-sales case, which the platform's order does not have (orders.replacements)."""

    PLATFORM = "platform", _("The platform's order")
    REPLACEMENT = "replacement", _("Replacement (补发/换货)")


S = OrderStatus
#: Orders waiting for the team, in the order they move (the queue); unpaid and finished orders are not in it.
QUEUE_STATUSES = (S.PAID, S.REVIEWED, S.ALLOCATED, S.PICKING, S.PACKED)
#: Statuses in which the units have left: the sale is in the ledger.
SHIPPED_STATUSES = (S.SHIPPED, S.DELIVERED, S.COMPLETED)
FINAL_STATUSES = (S.COMPLETED, S.CANCELLED)


class Order(models.Model):
    # A platform may ship (or close) an order from its own back office at any time before we do, so every open
    # status may go to shipped and to cancelled; on hold goes back to the status it was held from (release_to).
    ALLOWED_TRANSITIONS: dict[str, set[str]] = {
        S.UNPAID: {S.PAID, S.CANCELLED},
        S.PAID: {S.REVIEWED, S.ALLOCATED, S.ON_HOLD, S.SHIPPED, S.CANCELLED},
        S.REVIEWED: {S.ALLOCATED, S.ON_HOLD, S.SHIPPED, S.CANCELLED},
        S.ALLOCATED: {S.REVIEWED, S.PICKING, S.ON_HOLD, S.SHIPPED, S.CANCELLED},  # reviewed: merged, allocate again
        S.PICKING: {S.PACKED, S.ON_HOLD, S.SHIPPED, S.CANCELLED},
        S.PACKED: {S.SHIPPED, S.ON_HOLD, S.CANCELLED},
        S.SHIPPED: {S.DELIVERED, S.COMPLETED},
        S.DELIVERED: {S.COMPLETED},
        S.COMPLETED: set(),
        S.ON_HOLD: {S.PAID, S.REVIEWED, S.ALLOCATED, S.PICKING, S.PACKED, S.SHIPPED, S.CANCELLED},
        S.CANCELLED: set(),
    }

    # No index of its own: the unique (shop, platform, number) and the queue's index both start with the shop.
    shop = models.ForeignKey(
        Shop, on_delete=models.PROTECT, related_name="orders", verbose_name=_("shop"), db_index=False
    )
    platform = models.CharField(_("platform"), max_length=12, choices=Platform.choices)
    platform_order_no = CodeField(_("order number"), max_length=64)
    buyer_nick = CleanCharField(_("buyer"), max_length=100, blank=True)
    receiver_name = CleanCharField(_("receiver"), max_length=100, blank=True)
    # Stored whole (the warehouse prints it on the label, 客服 calls it); pages show masked_phone to the others.
    receiver_phone = CleanCharField(_("receiver's phone"), max_length=40, blank=True)
    province = CleanCharField(_("province"), max_length=50, blank=True)
    city = CleanCharField(_("city"), max_length=50, blank=True)
    district = CleanCharField(_("district"), max_length=50, blank=True)
    address = CleanCharField(_("address"), max_length=255, blank=True)
    created_at_platform = models.DateTimeField(_("ordered at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    ship_by = models.DateTimeField(_("ship by"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    shipping_fee = models.DecimalField(_("shipping fee"), max_digits=14, decimal_places=2, default=Decimal("0.00"))
    paid_total = models.DecimalField(_("paid"), max_digits=14, decimal_places=2, default=Decimal("0.00"))
    buyer_note = CleanTextField(_("buyer's note"), blank=True)
    seller_note = CleanTextField(_("seller's note"), blank=True)
    platform_status = models.CharField(_("platform status"), max_length=12, choices=PlatformStatus.choices)
    platform_status_text = CleanCharField(_("platform status (as written)"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.PAID)
    hold_kind = models.CharField(_("why held"), max_length=16, choices=HoldKind.choices, blank=True)
    hold_reason = CleanCharField(_("hold reason"), max_length=255, blank=True)
    # Where a release from hold goes: the status the order was held from (shipped: the platform shipped it while
    # its sale could not be booked, so releasing books it).
    release_to = models.CharField(_("released to"), max_length=12, choices=OrderStatus.choices, blank=True)
    # A presale order (预售) is held until this moment, then reviewed like any paid order (orders.review); kept
    # after the release, so a presale order released early by a person is not held for it again.
    hold_until = models.DateTimeField(_("held until"), null=True, blank=True)
    # 合单: this order ships in the parcel of another order of the same buyer and address; the main order's
    # steps (allocate, pick, pack, ship, hold) carry it along, each order keeping its own lines and reservation.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_orders",
        verbose_name=_("ships with"),
        db_index=False,  # almost always empty: a partial index (Meta)
    )
    # Set on an order others were merged into (kept after: "may head a parcel"), so the steps of every other
    # order skip looking for merged orders.
    heads_parcel = models.BooleanField(_("main order of a parcel"), default=False)
    # 拆单: a part ships some lines of `split_from` later, on its own (its own status, reservation, wave and
    # tracking number); the lines stay on the platform's order, each naming the part that ships it (ships_in).
    split_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parts",
        verbose_name=_("part of"),
        db_index=False,  # almost always empty: a partial index (Meta)
    )
    has_parts = models.BooleanField(_("split"), default=False)
    # A part that ships replacement lines (补发/换货, orders.replacements): our own parcel, which no platform file
    # knows; imports, the platform's closing or shipping of its order, export-orders and the bulk-ship file leave it.
    is_replacement = models.BooleanField(_("replacement parcel"), default=False)
    # True while the order holds an active reservation (reference reservation_reference) in the inventory.
    stock_reserved = models.BooleanField(_("stock reserved"), default=False)
    carrier = CleanCharField(_("carrier"), max_length=64, blank=True)
    tracking_no = CodeField(_("tracking number"), max_length=64, blank=True)
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "platform", "platform_order_no"], name="order_unique_platform_no"),
            models.CheckConstraint(condition=Q(paid_total__gte=0), name="order_paid_total_not_negative"),
            models.CheckConstraint(condition=Q(shipping_fee__gte=0), name="order_shipping_fee_not_negative"),
        ]
        indexes = [
            models.Index(fields=["shop", "status", "ship_by"], name="order_queue"),
            # Partial: only the few merged orders and parts are in them, so an import writes nothing there.
            models.Index(fields=["merged_into"], name="order_merged_into", condition=Q(merged_into__isnull=False)),
            models.Index(fields=["split_from"], name="order_split_from", condition=Q(split_from__isnull=False)),
        ]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        permissions = [
            ("review_orders", "Review, hold and cancel orders"),
            ("fulfil_orders", "Allocate, pick, pack and ship orders"),
            ("import_orders", "Import orders from platform exports"),
        ]

    def __str__(self) -> str:
        return self.platform_order_no

    @property
    def reservation_reference(self) -> str:
        """The inventory reservation of this order's units (one per order, all lines)."""
        return f"order:{self.pk}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.receiver_phone)


def mask_phone(phone: str) -> str:
    """138****5678: the first three and the last four digits; shorter numbers keep only their last two."""
    phone = phone.strip()
    if not phone:
        return ""
    if len(phone) >= 8:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    if len(phone) > 2:
        return "*" * (len(phone) - 2) + phone[-2:]
    return "*" * len(phone)


class OrderLine(models.Model):
    """One sub-order (子订单): a SKU, as the platform priced it. The SKU is found by its 商家编码 in the shop."""

    # No index of its own: the unique (order, sub-order) starts with the order.
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order"), db_index=False
    )
    sub_order_id = CodeField(_("sub-order"), max_length=160)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    sku = models.ForeignKey(
        Sku, null=True, blank=True, on_delete=models.PROTECT, related_name="order_lines", verbose_name=_("SKU")
    )
    sku_code = CodeField(_("SKU code (商家编码)"), max_length=64, blank=True)
    title = CleanCharField(_("title"), max_length=255, blank=True)
    spec = CleanCharField(_("spec"), max_length=255, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    discount = models.DecimalField(_("discount"), max_digits=14, decimal_places=2, default=Decimal("0.00"))
    paid = models.DecimalField(_("paid"), max_digits=14, decimal_places=2)
    refund_status = CleanCharField(_("refund status"), max_length=64, blank=True)
    # A replacement line (补发/换货) is ours, not the platform's: priced 0, shipped in a replacement part, never
    # matched, changed or removed by an import.
    origin = models.CharField(_("origin"), max_length=12, choices=LineOrigin.choices, default=LineOrigin.PLATFORM)
    # 拆单: the part of the order that ships this line (None: the order itself).
    ships_in = models.ForeignKey(
        Order,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_lines",
        verbose_name=_("ships in"),
        db_index=False,  # almost always empty: a partial index (Meta)
    )

    class Meta:
        ordering = ["order", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "sub_order_id"], name="order_line_unique_sub_order"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive"),
        ]
        indexes = [models.Index(fields=["ships_in"], name="order_line_ships_in", condition=Q(ships_in__isnull=False))]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")

    def __str__(self) -> str:
        return f"{self.sub_order_id} × {self.quantity}"


class OrderEvent(TimelineEvent):
    """One entry of an order's timeline: a change of status (or, from == to, what an import changed), by whom
    (no actor: the system) and why, in words."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events", verbose_name=_("order"))
    from_status = models.CharField(_("from"), max_length=12, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=OrderStatus.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("order event")
        verbose_name_plural = _("order events")

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status or '·'} → {self.to_status}"


class OrderSettings(models.Model):
    """A shop's order rules: the shipping promise, and the automatic review's wait and amount limit."""

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="order_settings", verbose_name=_("shop"))
    promise_hours = models.PositiveSmallIntegerField(
        _("shipping promise (hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PROMISE_HOURS)],
        help_text=_("Ship within this many hours of payment; never more than 48."),
    )
    review_wait_minutes = models.PositiveIntegerField(
        _("review wait (minutes)"),
        default=30,
        help_text=_("An order waits this long after payment before it is reviewed (buyers change addresses)."),
    )
    amount_limit = models.DecimalField(
        _("review amount limit"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("2000.00"),
        help_text=_("Orders paying more than this are reviewed by a person."),
    )
    # The automatic review's rules, each on or off for the shop (orders.review); an order that trips one is held
    # with the rule's reason, one that trips none passes by itself after the wait.
    check_address = models.BooleanField(
        _("hold incomplete addresses"), default=True, help_text=_("Receiver, phone, province, city and address.")
    )
    check_notes = models.BooleanField(
        _("hold orders with a note"), default=True, help_text=_("A buyer's or seller's note is read by a person.")
    )
    check_amount = models.BooleanField(
        _("hold orders above the amount limit"), default=True, help_text=_("The review amount limit above.")
    )
    check_duplicates = models.BooleanField(
        _("hold a buyer's second open order"),
        default=True,
        help_text=_("The same buyer has another open order: merging them is suggested."),
    )
    check_stock = models.BooleanField(
        _("hold orders out of stock"),
        default=True,
        help_text=_("A line without enough stock: 客服 contacts the buyer."),
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(promise_hours__gte=1) & Q(promise_hours__lte=MAX_PROMISE_HOURS),
                name="order_settings_promise_within_48h",
            ),
            models.CheckConstraint(condition=Q(amount_limit__gte=0), name="order_settings_amount_limit_not_negative"),
        ]
        verbose_name = _("order settings")
        verbose_name_plural = _("order settings")

    def __str__(self) -> str:
        return f"{self.shop_id}: {self.promise_hours} h"


# --------------------------------------------------------------------------------------------------------
# Waves, packing (orders.waves, orders.packing)
# --------------------------------------------------------------------------------------------------------


class WaveStatus(models.TextChoices):
    OPEN = "open", _("Not started")
    PICKING = "picking", _("Picking")
    DONE = "done", _("Done")


class Wave(models.Model):
    """波次: the allocated orders of one warehouse, picked together before a cut-off. Open until its pick list
    is started, picking while any of its orders is still to pack or ship, done when none is."""

    ALLOWED_TRANSITIONS: dict[str, set[str]] = {
        WaveStatus.OPEN: {WaveStatus.PICKING, WaveStatus.DONE},
        WaveStatus.PICKING: {WaveStatus.DONE},
        WaveStatus.DONE: set(),
    }

    number = CodeField(_("wave number"), max_length=64, unique=True)
    warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, related_name="waves", verbose_name=_("warehouse")
    )
    cut_off = models.DateTimeField(_("cut-off"))
    status = models.CharField(_("status"), max_length=10, choices=WaveStatus.choices, default=WaveStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("wave")
        verbose_name_plural = _("waves")

    def __str__(self) -> str:
        return self.number


class WaveOrder(models.Model):
    """An order taken into a wave. An order joins a new wave only when it is allocated again (it came back
    from a hold), so its latest link is its wave."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="wave_orders", verbose_name=_("wave"))
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="wave_links", verbose_name=_("order"))
    added_at = models.DateTimeField(_("added at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["wave", "id"]
        constraints = [models.UniqueConstraint(fields=["wave", "order"], name="wave_order_unique")]
        verbose_name = _("order in a wave")
        verbose_name_plural = _("orders in waves")

    def __str__(self) -> str:
        return f"{self.wave_id}: {self.order_id}"


class WaveCutoff(models.Model):
    """A warehouse's daily cut-off (截单时间); a warehouse without any has the defaults, 11:00 and 15:00."""

    warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.CASCADE, related_name="wave_cutoffs", verbose_name=_("warehouse")
    )
    time = models.TimeField(_("cut-off time"))

    class Meta:
        ordering = ["warehouse", "time"]
        constraints = [models.UniqueConstraint(fields=["warehouse", "time"], name="wave_cutoff_unique")]
        verbose_name = _("wave cut-off")
        verbose_name_plural = _("wave cut-offs")

    def __str__(self) -> str:
        return f"{self.warehouse_id} {self.time:%H:%M}"


class PackScan(models.Model):
    """One unit scanned into the parcel on the packing screen; an order is packed when each line's units are
    all scanned. Kept as rows (who, when) so two scanners on one order count once each."""

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="pack_scans", verbose_name=_("line"))
    code = CodeField(_("scanned code"), max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("pack scan")
        verbose_name_plural = _("pack scans")

    def __str__(self) -> str:
        return f"{self.line_id}: {self.code}"
