"""补发/换货: goods we send again for an after-sales case, through the normal fulfilment flow.

A replacement is new lines of the platform's order (origin `replacement`, unit price and paid 0: the buyer paid
once), shipped in a new part of the order (拆单's machinery: an Order with `split_from`, numbered `3300001-2`, …,
`is_replacement` set), which starts paid and goes review → allocate → wave → pick → pack → ship like any order,
its stock reserved and issued through inventory.services under its own reservation. The platform's order keeps
its status (usually shipped or completed already), its money and its lines.

The platform knows nothing of it, so nothing the platform says moves it: an import never matches, changes or
removes a replacement line (orders.import_store), the platform shipping or completing the order does not ship
the part, and the platform closing the order holds an open replacement part for a person to decide
(services.follow_parts) instead of cancelling it. export-orders and the bulk-ship file leave them out. A person
may cancel a replacement part on its own (services.cancel); it never joins back into its order.

aftersales.replacements calls this; orders never reads the case.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Sku
from zhanggui.core import roles
from zhanggui.inventory.limits import MAX_LINE_QUANTITY
from zhanggui.orders import selectors, services
from zhanggui.orders.errors import OrderRuleBroken
from zhanggui.orders.models import LineOrigin, Order, OrderLine, OrderStatus
from zhanggui.orders.parcels import PART_COPIED_FIELDS, part_number

S = OrderStatus
ZERO = Decimal("0.00")
#: The notes were read when the order was reviewed; copied, they would hold the replacement in the review again.
NOT_COPIED = ("buyer_note", "seller_note", "ship_by")
TITLE_LENGTH = OrderLine._meta.get_field("title").max_length or 255
SPEC_LENGTH = OrderLine._meta.get_field("spec").max_length or 255


def replacement_parts(order: Order) -> list[Order]:
    """The replacement parts of an order (the platform's order), the first sent first."""
    return list(Order.objects.filter(split_from=order, is_replacement=True).order_by("id"))


def _items(order: Order, items: Sequence[tuple[Sku, int]]) -> list[tuple[Sku, int]]:
    if not items:
        raise OrderRuleBroken(_("Name at least one SKU to send."))
    checked = []
    for sku, quantity in items:
        if sku.shop_id != order.shop_id:
            raise OrderRuleBroken(
                _("SKU %(sku)s is not a SKU of the shop of order %(no)s.")
                % {"sku": sku.code, "no": order.platform_order_no}
            )
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 < quantity <= MAX_LINE_QUANTITY:
            raise OrderRuleBroken(
                _("SKU %(sku)s: send 1 to %(max)s units, not %(n)s.")
                % {"sku": sku.code, "max": MAX_LINE_QUANTITY, "n": quantity}
            )
        checked.append((sku, quantity))
    return checked


@transaction.atomic
def add_replacement_lines(
    *, actor: Any, order: Order, items: Sequence[tuple[Sku, int]], reason: str = ""
) -> tuple[Order, list[OrderLine]]:
    """Send `items` (SKU, units) again for the buyer of `order` (a part names its order): new lines of the
    platform's order, priced 0, shipped in a new replacement part that starts paid. Works whatever the order's
    own status (shipped, delivered, completed: the usual case) except unpaid or cancelled. Returns the part and
    its lines, in the order of `items`."""
    roles.require(actor, roles.REVIEW_ORDERS)
    if order.split_from_id is not None:
        order = Order(pk=order.split_from_id)
    order = Order.objects.select_for_update().select_related("shop").get(pk=order.pk)
    if order.status in (S.UNPAID, S.CANCELLED):
        raise OrderRuleBroken(
            _("Order %(no)s is %(status)s: nothing is sent again for it.")
            % {"no": order.platform_order_no, "status": order.get_status_display().lower()}
        )
    items = _items(order, items)
    skus = {sku.pk: sku for sku in Sku.objects.select_related("product").filter(pk__in=[s.pk for s, _n in items])}
    now = timezone.now()
    part = Order.objects.create(
        shop=order.shop,
        platform=order.platform,
        platform_order_no=part_number(order),
        split_from=order,
        is_replacement=True,
        **{name: getattr(order, name) for name in PART_COPIED_FIELDS if name not in NOT_COPIED},
        # Its own promise, from now: the platform's order's deadline passed long ago.
        ship_by=services.promise_deadline(now, selectors.settings_for(order.shop)),
        paid_total=ZERO,  # the buyer paid once, on the platform's order
        shipping_fee=ZERO,
        status=S.PAID,
    )
    position = order.lines.aggregate(last=Max("position"))["last"] or 0
    lines = []
    for n, (sku, quantity) in enumerate(items, 1):
        found = skus[sku.pk]
        line = OrderLine(
            order=order,
            sub_order_id=f"{part.platform_order_no}:R{n}",
            position=position + n,
            sku=found,
            sku_code=found.code,
            title=found.product.title[:TITLE_LENGTH],
            spec=found.spec[:SPEC_LENGTH],
            quantity=quantity,
            unit_price=ZERO,
            discount=ZERO,
            paid=ZERO,
            origin=LineOrigin.REPLACEMENT,
            ships_in=part,
        )
        line.full_clean()
        line.save()
        lines.append(line)
    codes = ", ".join(f"{line.sku_code} × {line.quantity}" for line in lines)
    why = services.clip_reason(reason)
    text = _("replacement (补发/换货): %(lines)s ship as %(part)s") % {"lines": codes, "part": part.platform_order_no}
    if not order.has_parts:
        order.has_parts = True
        order.save(update_fields=["has_parts"])
    services.save_changes(order, [services.note(order, f"{text} · {why}" if why else text, actor=actor)])
    created = services.note(
        part,
        _("replacement for order %(no)s: %(lines)s") % {"no": order.platform_order_no, "lines": codes}
        + (f" · {why}" if why else ""),
        actor=actor,
    )
    created.from_status = ""
    services.save_changes(part, [created])
    return part, lines
