"""The eligibility check's table: one row per SKU picked from the catalog, the facts the desk knows filled in
(sales and the price over the windows the campaign's rules look at, available stock), and what the person
types per row: the activity price, the quantity (活动库存), free shipping, the review count, and a fact of
their own where the desk's is not the one to use.

Both check pages (a preset or a spec; a stored campaign) build their rows here: `new_rows` for SKUs just
picked, `read_rows` for the rows a form sent back, each with what was typed and its errors, so a refused
check shows the table as it was. The names of a row's inputs are made from the SKU's id (`price-<id>`, …):
a SKU is in the table once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Shop, Sku
from zhanggui.promotions.campaigns.eligibility import (
    Campaign,
    EligibilityResult,
    Offer,
    SkuFacts,
    _amount,
    _whole,
)
from zhanggui.promotions.campaigns.errors import CampaignSpecError
from zhanggui.promotions.campaigns.facts import DEFAULT_WINDOWS, sku_facts
from zhanggui.promotions.campaigns.services import MAX_SKUS, SkuOffer

SKU_FIELD = "sku"  # one hidden input per row: the SKU's id, in the table's order


def windows_of(campaign: Campaign | None) -> list[int]:
    """The day windows to show facts for: those the campaign's rules look at, else 30 days."""
    return sorted((campaign.windows() if campaign else frozenset()) or DEFAULT_WINDOWS)


@dataclass
class Row:
    sku: Sku
    facts: SkuFacts
    windows: Sequence[int]
    price: str = ""
    quantity: str = ""
    free_shipping: bool = False
    reviews: str = ""
    sales: dict[int, str] = field(default_factory=dict)  # the person's figure per window, as typed
    average: dict[int, str] = field(default_factory=dict)
    available: str = ""
    errors: list[str] = field(default_factory=list)
    offer: SkuOffer | None = None  # when everything typed reads
    result: EligibilityResult | None = None  # once checked

    @property
    def overridden(self) -> bool:
        return any(self.sales.values()) or any(self.average.values()) or bool(self.available)

    def known(self) -> list[dict[str, Any]]:
        """The desk's facts per window, for the read-only cells (with the name of the input that overrides)."""
        return [
            {
                "days": days,
                "sales": self.facts.sales.get(days),
                "average": self.facts.average_price.get(days),
                "lowest": self.facts.lowest_price.get(days),
                "sales_input": f"sales-{self.sku.pk}-{days}",
                "sales_value": self.sales.get(days, ""),
                "average_input": f"average-{self.sku.pk}-{days}",
                "average_value": self.average.get(days, ""),
            }
            for days in self.windows
        ]


def new_rows(skus: Iterable[Sku], *, windows: Sequence[int], at: datetime | None = None) -> list[Row]:
    """Rows for SKUs just picked: the desk's facts filled in, nothing typed yet."""
    skus = list(skus)
    facts = sku_facts(skus, at=at or timezone.now(), windows=windows)
    return [Row(sku=s, facts=facts[s.pk], windows=windows) for s in skus]


def picked_ids(data: Mapping[str, Any]) -> list[int]:
    """The ids of the SKUs in a sent table, in order, each once."""
    getlist = getattr(data, "getlist", None)
    values = getlist(SKU_FIELD) if getlist else []
    return list(dict.fromkeys(int(v) for v in values if str(v).isdigit()))


def read_rows(
    data: Any, *, shop: Shop | None, windows: Sequence[int], at: datetime | None = None
) -> tuple[list[Row], list[str]]:
    """The rows a form sent back with what was typed, each checked; and the problems of the table as a whole
    (too many SKUs, a SKU gone or of another shop). One query for the SKUs, three for their facts."""
    ids = picked_ids(data)
    problems: list[str] = []
    if len(ids) > MAX_SKUS:
        problems.append(_("At most %(max)s SKUs in one check.") % {"max": MAX_SKUS})
        ids = ids[:MAX_SKUS]
    found = Sku.objects.select_related("shop", "product__category").in_bulk(ids)
    skus = []
    for sku_id in ids:
        sku = found.get(sku_id)
        if sku is None or (shop is not None and sku.shop_id != shop.pk):
            problems.append(_("A SKU of the table is not in this shop's catalog any more: pick it again."))
            continue
        skus.append(sku)
    rows = new_rows(skus, windows=windows, at=at)
    for row in rows:
        _read(row, data)
    return rows, problems


def _text(data: Any, name: str) -> str:
    return str(data.get(name, "") or "").strip()


def _read(row: Row, data: Any) -> None:
    """Fill the row with what was typed for it and check it: an error per input that does not read."""
    pk = row.sku.pk
    row.price, row.quantity = _text(data, f"price-{pk}"), _text(data, f"quantity-{pk}")
    row.free_shipping = _text(data, f"free-{pk}") in ("1", "on", "yes", "true")
    row.reviews, row.available = _text(data, f"reviews-{pk}"), _text(data, f"available-{pk}")
    row.sales = {d: _text(data, f"sales-{pk}-{d}") for d in row.windows}
    row.average = {d: _text(data, f"average-{pk}-{d}") for d in row.windows}

    def read(value: str, label: str, parse: Any) -> Any:
        try:
            return parse(value, label)
        except CampaignSpecError as exc:
            row.errors.append(exc.message)
            return None

    def whole(minimum: int) -> Any:
        def parse(value: str, label: str) -> int:
            if not value.isdigit():
                raise CampaignSpecError(
                    _("%(field)s: not a whole number: %(value)s") % {"field": label, "value": repr(value)}
                )
            return _whole(int(value), label, minimum=minimum)

        return parse

    price = quantity = None
    if not row.price:
        row.errors.append(_("Activity price: type the price you offer."))
    else:
        price = read(row.price, _("Activity price"), _amount)
    if not row.quantity:
        row.errors.append(_("Quantity: type how many units you offer."))
    else:
        quantity = read(row.quantity, _("Quantity"), whole(1))
    reviews = read(row.reviews, _("Reviews"), whole(0)) if row.reviews else None
    available = read(row.available, _("Available stock"), whole(0)) if row.available else None
    sales: dict[int, int] = {}
    average: dict[int, Decimal] = {}
    for days in row.windows:
        if row.sales[days]:
            units = read(row.sales[days], _("Sales in %(days)s days") % {"days": days}, whole(0))
            if units is not None:
                sales[days] = units
        if row.average[days]:
            amount = read(row.average[days], _("Average price over %(days)s days") % {"days": days}, _amount)
            if amount is not None:
                average[days] = amount
    if row.errors or price is None or quantity is None:
        return
    row.offer = SkuOffer(
        sku=row.sku,
        offer=Offer(price=price, quantity=quantity, free_shipping=row.free_shipping),
        reviews=reviews,
        sales=sales or None,
        average_price=average or None,
        available=available,
    )
