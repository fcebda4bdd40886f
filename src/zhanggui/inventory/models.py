from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhanggui.catalog.models import Category, Sku
from zhanggui.core.text import CleanCharField, CodeField, SlugCodeField


class Warehouse(models.Model):
    code = SlugCodeField(_("code"), max_length=32, unique=True)
    name = CleanCharField(_("name"), max_length=100)
    priority = models.PositiveSmallIntegerField(_("priority"), default=10, help_text=_("Lower goes first"))
    is_active = models.BooleanField(_("active"), default=True)
    # A defective/quarantine warehouse (次品仓) holds stock that is counted but never reserved or sold.
    sellable = models.BooleanField(_("sellable"), default=True, help_text=_("Its stock can be sold"))

    class Meta:
        ordering = ["priority", "code"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")

    def __str__(self) -> str:
        return self.name


class StockBalance(models.Model):
    """On hand and reserved per (SKU, warehouse): a cache of the ledger, changed only by inventory.services.

    The database itself refuses reserved > on hand, so no code path can oversell.
    """

    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="balances")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="balances")
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sku", "warehouse"], name="balance_unique_sku_warehouse"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="balance_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="balance_reserved_not_negative"),
            models.CheckConstraint(condition=Q(reserved__lte=F("on_hand")), name="balance_reserved_within_on_hand"),
        ]
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")

    def __str__(self) -> str:
        return f"{self.sku_id}@{self.warehouse_id}: {self.on_hand}/{self.reserved}"

    @property
    def available(self) -> int:
        """On hand − reserved; none in a warehouse whose stock is never sold (次品仓, Warehouse.sellable)."""
        return self.on_hand - self.reserved if self.warehouse.sellable else 0


class BinLocation(models.Model):
    """Where a SKU is shelved in a warehouse (库位/货位), e.g. A-01-03: the pick list walks them in order.

    One place per (warehouse, SKU); codes are stored upper-case and checked by inventory.locations, which is
    the only writer. A SKU without a row has no place yet (picked last, under "No location").
    """

    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.CASCADE, related_name="locations", verbose_name=_("warehouse")
    )
    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="locations", verbose_name=_("SKU"))
    code = CodeField(_("location"), max_length=32)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["warehouse", "sku"], name="location_one_per_sku_warehouse")]
        indexes = [models.Index(fields=["warehouse", "code"])]
        verbose_name = _("bin location")
        verbose_name_plural = _("bin locations")

    def __str__(self) -> str:
        return f"{self.sku.code} @ {self.warehouse.code}: {self.code}"


class MoveReason(models.TextChoices):
    PURCHASE_RECEIPT = "purchase_receipt", _("Purchase receipt")
    SALE_ISSUE = "sale_issue", _("Sale issue")
    RETURN = "return", _("Customer return")
    SUPPLIER_RETURN = "supplier_return", _("Return to supplier")
    ADJUSTMENT = "adjustment", _("Adjustment")
    STOCKTAKE = "stocktake", _("Stocktake")
    TRANSFER = "transfer", _("Transfer")


class StockMove(models.Model):
    """One signed change of on-hand stock (库存流水). The ledger: never updated, never deleted."""

    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="moves", verbose_name=_("SKU"))
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="moves", verbose_name=_("warehouse")
    )
    quantity = models.IntegerField(_("quantity"))
    reason = models.CharField(_("reason"), max_length=20, choices=MoveReason.choices)
    document = CodeField(_("source document"), max_length=64, blank=True, db_index=True)
    on_hand_after = models.IntegerField(_("on hand after"))
    unit_cost = models.DecimalField(_("unit cost"), max_digits=14, decimal_places=2, null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    note = CleanCharField(_("note"), max_length=255, blank=True)
    # A default, not auto_now_add: the moves booked in one call carry the one time the service gives them, so
    # the lines of one delivery (入库单) stay together.
    created_at = models.DateTimeField(_("at"), default=timezone.now, editable=False, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["sku", "warehouse", "created_at"])]
        constraints = [models.CheckConstraint(condition=~Q(quantity=0), name="move_quantity_not_zero")]
        verbose_name = _("stock move")
        verbose_name_plural = _("stock ledger")
        permissions = [("book_stock", "Book stock moves (receive, adjust, stocktake, transfer, reserve)")]

    def __str__(self) -> str:
        return f"{self.quantity:+d} {self.sku_id}@{self.warehouse_id} {self.reason}"

    @property
    def on_hand_before(self) -> int:
        return self.on_hand_after - self.quantity


class ReservationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RELEASED = "released", _("Released")
    ISSUED = "issued", _("Issued")


class Reservation(models.Model):
    """Units held for a request (an order, a cart) in one warehouse; one row per line of the request."""

    reference = CodeField(_("reference"), max_length=64, db_index=True)
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="reservations")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="reservations")
    quantity = models.PositiveIntegerField(_("quantity"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReservationStatus.choices, default=ReservationStatus.ACTIVE
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="reservation_quantity_positive")]
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")

    def __str__(self) -> str:
        return f"{self.reference}: {self.quantity} × {self.sku_id}@{self.warehouse_id} ({self.status})"


class Supplier(models.Model):
    code = SlugCodeField(_("code"), max_length=32, unique=True)
    name = CleanCharField(_("name"), max_length=100)
    contact = CleanCharField(_("contact"), max_length=100, blank=True)
    phone = CleanCharField(_("phone"), max_length=40, blank=True)
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (days)"), default=7)

    class Meta:
        ordering = ["code"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        permissions = [("manage_purchasing", "Manage suppliers and purchase orders")]

    def __str__(self) -> str:
        return self.name


class PurchaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ORDERED = "ordered", _("Ordered")
    PARTIAL = "partial", _("Partially received")
    RECEIVED = "received", _("Received")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class PurchaseOrder(models.Model):
    ALLOWED_TRANSITIONS: dict[str, set[str]] = {
        PurchaseStatus.DRAFT: {PurchaseStatus.ORDERED, PurchaseStatus.CANCELLED},
        PurchaseStatus.ORDERED: {
            PurchaseStatus.PARTIAL,
            PurchaseStatus.RECEIVED,
            PurchaseStatus.CANCELLED,
            PurchaseStatus.CLOSED,
        },
        PurchaseStatus.PARTIAL: {PurchaseStatus.PARTIAL, PurchaseStatus.RECEIVED, PurchaseStatus.CLOSED},
        PurchaseStatus.RECEIVED: {PurchaseStatus.PARTIAL, PurchaseStatus.CLOSED},
        PurchaseStatus.CLOSED: set(),
        PurchaseStatus.CANCELLED: set(),
    }

    number = CodeField(_("number"), max_length=32, unique=True)
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="purchase_orders", verbose_name=_("supplier")
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="purchase_orders", verbose_name=_("warehouse")
    )
    status = models.CharField(_("status"), max_length=10, choices=PurchaseStatus.choices, default=PurchaseStatus.DRAFT)
    expected_on = models.DateField(_("expected on"), null=True, blank=True)
    note = CleanCharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")

    def __str__(self) -> str:
        return self.number


class PurchaseOrderLine(models.Model):
    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="purchase_lines")
    quantity = models.PositiveIntegerField(_("ordered"))
    unit_cost = models.DecimalField(_("unit cost"), max_digits=14, decimal_places=2, default=Decimal("0"))
    received_quantity = models.PositiveIntegerField(_("received"), default=0)
    returned_quantity = models.PositiveIntegerField(_("returned"), default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(received_quantity__lte=F("quantity")), name="pol_not_over_received"),
            models.CheckConstraint(
                condition=Q(returned_quantity__lte=F("received_quantity")), name="pol_not_over_returned"
            ),
            models.UniqueConstraint(fields=["purchase_order", "sku"], name="pol_one_line_per_sku"),
        ]
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")

    def __str__(self) -> str:
        return f"{self.purchase_order_id}/{self.sku_id}"

    @property
    def open_quantity(self) -> int:
        return self.quantity - self.received_quantity


class StocktakeStatus(models.TextChoices):
    OPEN = "open", _("Counting")
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")


class Stocktake(models.Model):
    number = CodeField(_("number"), max_length=32, unique=True)
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="stocktakes", verbose_name=_("warehouse")
    )
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("category"),
    )
    status = models.CharField(_("status"), max_length=10, choices=StocktakeStatus.choices, default=StocktakeStatus.OPEN)
    blind = models.BooleanField(
        _("blind count"),
        default=False,
        help_text=_("The counters do not see the quantities on the books until the sheet is booked."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    booked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stocktake")
        verbose_name_plural = _("stocktakes")

    def __str__(self) -> str:
        return self.number


class StocktakeLine(models.Model):
    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+")
    expected = models.IntegerField(_("on hand when the sheet was made"))
    counted = models.IntegerField(_("counted"), null=True, blank=True)
    booked_difference = models.IntegerField(_("booked difference"), null=True, blank=True)
    unit_cost = models.DecimalField(_("unit cost"), max_digits=14, decimal_places=2, default=Decimal("0"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stocktake", "sku"], name="stocktake_one_line_per_sku"),
            models.CheckConstraint(
                condition=Q(counted__gte=0) | Q(counted__isnull=True), name="stocktake_counted_not_negative"
            ),
        ]
        ordering = ["sku__code"]
        verbose_name = _("stocktake line")
        verbose_name_plural = _("stocktake lines")

    def __str__(self) -> str:
        return f"{self.stocktake_id}/{self.sku_id}"
