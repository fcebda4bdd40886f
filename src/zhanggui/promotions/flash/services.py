"""Writes of flash sales (秒杀): create, switch on and off, buy, release, issue.

A purchase takes three things in ONE transaction, always in this order, so two purchases cannot deadlock:
1. the sale's cap        `UPDATE … SET sold = sold + q WHERE id = … AND <running> AND sold + q <= stock_cap`
2. the buyer's allowance `INSERT … ON CONFLICT DO NOTHING` the counter row, then
                         `UPDATE … SET quantity = quantity + q WHERE … AND quantity + q <= per_buyer_cap`
3. the SKU's stock       `inventory.services.reserve` (its own conditional UPDATE of the balance row)
then it writes the purchase row. A refusal at any step raises and rolls back all three. Each step is one
statement issued directly through Django's connection (docs/adr/0001): the sale row is the hottest row of a
flash sale and stays locked until commit, so nothing is computed on the client while it is held. Release locks
its own purchase row (which no purchase in flight holds), then the same rows in the same order: sale, buyer,
stock. Giving the stock back first would let a release and a purchase each wait for the other's row.

Invariants (checked by `flash.selectors.flash_sale_drift`): sold = Σ quantity of held and issued purchases;
each FlashSaleBuyer.quantity = Σ of that buyer's held and issued purchases ≤ per_buyer_cap; sold ≤ stock_cap
(also a database CHECK, like per-buyer quantity ≥ 0).

Who acts: buying moves stock, so `buy_flash_sale` needs `inventory.book_stock`, like `reserve`. A buyer is not
a desk user: the buyer-facing path (the web store, the API's buy endpoint) acts as the `system` user
(core.services.system_user()), and the reservation and its ledger rows carry that name. Release (an unpaid
order cancelled) and issue (the parcel shipped) are desk work and take the person who does them.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, NoReturn

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Sku
from zhanggui.core import roles
from zhanggui.core.errors import ValidationFailed
from zhanggui.core.money import to_fen
from zhanggui.core.services import record_audit
from zhanggui.inventory import limits as inventory_limits
from zhanggui.inventory import services as inventory_services
from zhanggui.promotions.common import local_time, locked
from zhanggui.promotions.flash.errors import (
    BuyerLimitReached,
    FlashPurchaseNotHeld,
    FlashSaleClosed,
    FlashSaleSoldOut,
    InvalidFlashSale,
)
from zhanggui.promotions.models import (
    FlashPurchaseStatus,
    FlashSale,
    FlashSaleBuyer,
    FlashSalePurchase,
    FlashSaleStatus,
    Promotion,
    PromotionState,
)

SALE = FlashSale._meta.db_table
BUYER = FlashSaleBuyer._meta.db_table
PURCHASE = FlashSalePurchase._meta.db_table

_TAKE_CAP_SQL = (
    f"UPDATE {SALE} SET sold = sold + %s "
    f"WHERE id = %s AND is_active AND starts_at <= %s AND ends_at > %s AND sold + %s <= stock_cap "
    f"RETURNING sold, per_buyer_cap"
)
_ENSURE_BUYER_SQL = (
    f"INSERT INTO {BUYER} (flash_sale_id, buyer_ref, quantity) VALUES (%s, %s, 0) "
    f"ON CONFLICT (flash_sale_id, buyer_ref) DO NOTHING"
)
_TAKE_ALLOWANCE_SQL = (
    f"UPDATE {BUYER} SET quantity = quantity + %s "
    f"WHERE flash_sale_id = %s AND buyer_ref = %s AND quantity + %s <= %s RETURNING quantity"
)
_INSERT_PURCHASE_SQL = (
    f"INSERT INTO {PURCHASE} (flash_sale_id, buyer_ref, quantity, reference, status, created_at) "
    f"VALUES (%s, %s, %s, %s, %s, %s) RETURNING id"
)
_CLOSE_PURCHASE_SQL = (
    f"UPDATE {PURCHASE} SET status = %s, closed_at = %s WHERE id = %s AND status = %s "
    f"RETURNING flash_sale_id, buyer_ref, quantity, reference"
)
_GIVE_BACK_CAP_SQL = f"UPDATE {SALE} SET sold = sold - %s WHERE id = %s"
_GIVE_BACK_ALLOWANCE_SQL = f"UPDATE {BUYER} SET quantity = quantity - %s WHERE flash_sale_id = %s AND buyer_ref = %s"

BUYER_REF_MAX = FlashSalePurchase._meta.get_field("buyer_ref").max_length or 64
# A buy is one line of a reservation, and a sale's caps count such units: the inventory's line limit bounds
# all three, so no number a buyer sends reaches the statements below as an overflow.
MAX_UNITS = inventory_limits.MAX_LINE_QUANTITY


def _units(value: Any) -> int | None:
    """A whole number of units from 1 to MAX_UNITS, or None (True is not one unit)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_UNITS:
        return None
    return value


def _db_datetime(value: datetime) -> Any:
    """A datetime as our raw SQL must pass it: SQLite stores naive UTC text, PostgreSQL takes it as is."""
    return connection.ops.adapt_datetimefield_value(value)


# --------------------------------------------------------------------------------------------------------
# Setting up a sale
# --------------------------------------------------------------------------------------------------------


def _check_window(starts_at: datetime, ends_at: datetime, now: datetime, *, may_be_over: bool = False) -> None:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise InvalidFlashSale(_("Give the start and the end of the flash sale with their time zone."))
    if ends_at <= starts_at:
        raise InvalidFlashSale(_("A flash sale must end after it starts."))
    if ends_at <= now and not may_be_over:
        raise InvalidFlashSale(
            _("This flash sale would already be over (it ends %(ends_at)s).") % {"ends_at": local_time(ends_at)}
        )


@transaction.atomic
def create_flash_sale(
    *,
    actor: Any,
    sku: Sku,
    price: Decimal | str,
    stock_cap: int,
    per_buyer_cap: int,
    starts_at: datetime,
    ends_at: datetime,
    name: str = "",
    is_active: bool = True,
    promotion: Promotion | None = None,
) -> FlashSale:
    """A flash sale of one SKU, switched on unless is_active=False (then it is a draft until switched on).

    The flash price must be below the SKU's own price: a "flash sale" at or above it is a mistake, not a deal.
    `promotion` is the stored flash_sale promotion opening it on approval (offers.services.approve_promotion):
    its window was checked when it was saved, and approving one that is already over still records its sales.
    """
    roles.require(actor, roles.MANAGE_PROMOTIONS)
    price = to_fen(price)
    if price < 0:
        raise InvalidFlashSale(_("The flash price cannot be negative."))
    if price >= sku.price:
        raise InvalidFlashSale(
            _("%(sku)s: the flash price %(price)s must be below the SKU's price %(sku_price)s.")
            % {"sku": sku.code, "price": price, "sku_price": sku.price}
        )
    for cap in (stock_cap, per_buyer_cap):
        if isinstance(cap, bool) or not isinstance(cap, int) or cap > MAX_UNITS:
            raise InvalidFlashSale(
                _("A flash sale's stock and per-buyer cap are whole numbers up to %(max)s, not %(value)s.")
                % {"max": MAX_UNITS, "value": repr(cap)}
            )
    if stock_cap < 1:
        raise InvalidFlashSale(_("Put at least one unit on sale (the flash-sale stock)."))
    if per_buyer_cap < 1:
        raise InvalidFlashSale(_("The per-buyer cap must be at least 1."))
    _check_window(starts_at, ends_at, timezone.now(), may_be_over=promotion is not None)
    sale = FlashSale(
        shop_id=sku.shop_id,
        sku=sku,
        promotion=promotion,
        name=name.strip(),
        price=price,
        stock_cap=stock_cap,
        per_buyer_cap=per_buyer_cap,
        starts_at=starts_at,
        ends_at=ends_at,
        is_active=is_active,
        created_by=actor,
    )
    sale.full_clean()
    sale.save()
    record_audit(
        actor=actor,
        action="flash_sale.create",
        obj=sale,
        after={
            "sku": sku.code,
            "price": price,
            "stock_cap": stock_cap,
            "per_buyer_cap": per_buyer_cap,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "is_active": is_active,
            **({"promotion": promotion.code} if promotion is not None else {}),
        },
    )
    return sale


@transaction.atomic
def set_flash_sale_active(*, actor: Any, flash_sale: FlashSale, is_active: bool) -> FlashSale:
    """Publish a draft, or stop a sale at once (buyers are refused while it is off; held units stay held).

    The sale of a cancelled promotion stays off: cancelling the promotion is what switched it off.
    """
    roles.require(actor, roles.MANAGE_PROMOTIONS)
    sale = locked(flash_sale, related=("promotion",))
    if is_active and sale.promotion is not None and sale.promotion.state == PromotionState.CANCELLED:
        raise InvalidFlashSale(
            _("This flash sale belongs to the cancelled promotion %(code)s: it cannot be switched on again.")
            % {"code": sale.promotion.code}
        )
    if sale.is_active != is_active:
        sale.is_active = is_active
        sale.save(update_fields=["is_active"])
        record_audit(
            actor=actor,
            action="flash_sale.activate" if is_active else "flash_sale.deactivate",
            obj=sale,
            before={"is_active": not is_active},
            after={"is_active": is_active},
        )
    return sale


# --------------------------------------------------------------------------------------------------------
# Buying, releasing, issuing
# --------------------------------------------------------------------------------------------------------


def _refuse_cap(*, sale_id: int, quantity: int, at: datetime) -> NoReturn:
    """Say why the cap UPDATE matched no row: the sale is not running, or too few units are left."""
    sale = FlashSale.objects.get(pk=sale_id)
    status = sale.status_at(at)
    if status != FlashSaleStatus.RUNNING:
        messages: dict[str, str] = {
            FlashSaleStatus.DRAFT: _("This flash sale is not on."),
            FlashSaleStatus.SCHEDULED: _("This flash sale starts at %(starts_at)s.")
            % {"starts_at": local_time(sale.starts_at)},
            FlashSaleStatus.ENDED: _("This flash sale ended at %(ends_at)s.") % {"ends_at": local_time(sale.ends_at)},
        }
        raise FlashSaleClosed(messages[status], status=status)
    raise FlashSaleSoldOut(
        _("Sold out: %(wanted)s wanted, %(left)s left in this flash sale.") % {"wanted": quantity, "left": sale.left},
        wanted=quantity,
        left=sale.left,
    )


@transaction.atomic
def buy_flash_sale(
    *, actor: Any, flash_sale: FlashSale, buyer_ref: str, quantity: int, at: datetime | None = None
) -> FlashSalePurchase:
    """Take `quantity` units for a buyer: the sale's cap, the buyer's allowance and the SKU's stock, or nothing.

    Refusals: FlashSaleClosed (not running at `at`, default now), FlashSaleSoldOut, BuyerLimitReached,
    InsufficientStock (from inventory). The buyer-facing path passes the `system` user as actor.
    """
    roles.require(actor, roles.BOOK_STOCK)
    buyer_ref = buyer_ref.strip()
    if not buyer_ref or len(buyer_ref) > BUYER_REF_MAX:
        raise ValidationFailed(_("Name the buyer (member id or platform nick, at most 64 characters)."))
    if _units(quantity) is None:
        raise ValidationFailed(
            _("Buy a whole number of units from 1 to %(max)s, not %(value)s.")
            % {"max": MAX_UNITS, "value": repr(quantity)}
        )
    at = at or timezone.now()
    shop = flash_sale.shop  # read before any row is locked
    reference = f"FS{flash_sale.pk}-{uuid.uuid4().hex[:20]}"
    when = _db_datetime(at)
    with connection.cursor() as cursor:
        cursor.execute(_TAKE_CAP_SQL, [quantity, flash_sale.pk, when, when, quantity])
        row = cursor.fetchone()
        if row is None:
            _refuse_cap(sale_id=flash_sale.pk, quantity=quantity, at=at)
        sold, per_buyer_cap = row
        cursor.execute(_ENSURE_BUYER_SQL, [flash_sale.pk, buyer_ref])
        cursor.execute(_TAKE_ALLOWANCE_SQL, [quantity, flash_sale.pk, buyer_ref, quantity, per_buyer_cap])
        if cursor.fetchone() is None:
            bought = FlashSaleBuyer.objects.get(flash_sale_id=flash_sale.pk, buyer_ref=buyer_ref).quantity
            raise BuyerLimitReached(
                _("Limit %(cap)s per buyer: %(buyer)s already has %(bought)s and wants %(wanted)s more.")
                % {"cap": per_buyer_cap, "buyer": buyer_ref, "bought": bought, "wanted": quantity},
                wanted=quantity,
                bought=bought,
                cap=per_buyer_cap,
            )
        inventory_services.reserve(actor=actor, reference=reference, lines={flash_sale.sku_id: quantity}, shop=shop)
        cursor.execute(
            _INSERT_PURCHASE_SQL,
            [flash_sale.pk, buyer_ref, quantity, reference, FlashPurchaseStatus.HELD.value, _db_datetime(at)],
        )
        (purchase_id,) = cursor.fetchone()
    flash_sale.sold = sold
    purchase = FlashSalePurchase(
        pk=purchase_id,
        flash_sale=flash_sale,
        buyer_ref=buyer_ref,
        quantity=quantity,
        reference=reference,
        status=FlashPurchaseStatus.HELD,
        created_at=at,
    )
    purchase._state.adding, purchase._state.db = False, connection.alias
    return purchase


def _close_purchase(cursor: Any, *, purchase: FlashSalePurchase, status: str, now: datetime) -> tuple:
    """Mark a held purchase released or issued; the row lock makes a second close find nothing."""
    cursor.execute(_CLOSE_PURCHASE_SQL, [status, _db_datetime(now), purchase.pk, FlashPurchaseStatus.HELD.value])
    row = cursor.fetchone()
    if row is None:
        current = FlashSalePurchase.objects.get(pk=purchase.pk)
        raise FlashPurchaseNotHeld(
            _("Purchase %(reference)s is already %(status)s.")
            % {"reference": current.reference, "status": current.get_status_display()}
        )
    purchase.status, purchase.closed_at = status, now
    return row


@transaction.atomic
def release_flash_purchase(*, actor: Any, purchase: FlashSalePurchase) -> FlashSalePurchase:
    """An unpaid or cancelled purchase: give back the sale's cap, the buyer's allowance and the stock."""
    roles.require(actor, roles.BOOK_STOCK)
    now = timezone.now()
    with connection.cursor() as cursor:
        sale_id, buyer_ref, quantity, reference = _close_purchase(
            cursor, purchase=purchase, status=FlashPurchaseStatus.RELEASED.value, now=now
        )
        cursor.execute(_GIVE_BACK_CAP_SQL, [quantity, sale_id])
        cursor.execute(_GIVE_BACK_ALLOWANCE_SQL, [quantity, sale_id, buyer_ref])
    inventory_services.release(actor=actor, reference=reference)
    return purchase


@transaction.atomic
def issue_flash_purchase(*, actor: Any, purchase: FlashSalePurchase, document: str = "") -> FlashSalePurchase:
    """The purchase shipped: its units leave the warehouse (a sale-issue move); cap and allowance stay used."""
    roles.require(actor, roles.BOOK_STOCK)
    with connection.cursor() as cursor:
        _sale_id, _buyer_ref, _quantity, reference = _close_purchase(
            cursor, purchase=purchase, status=FlashPurchaseStatus.ISSUED.value, now=timezone.now()
        )
    inventory_services.issue_reserved(actor=actor, reference=reference, document=document or reference)
    return purchase
