"""The price rule and the price changes that wait for a manager (docs/approvals.md).

A SKU's new price applies at once, as it always did, unless it goes down and either
- falls below the SKU's cost, or
- cuts deeper than the approval limit against the price it replaces (`ZHANGGUI_APPROVAL_DISCOUNT_LIMIT`, 7折 by
  default: ¥59 → ¥41 is 6.9折),
the same limit a promotion is held to (promotions.offers.services.approval_limit reads it from here). Then the
SKU keeps its price and a PriceChange waits for a manager other than its author (`catalog.approve_prices`),
who approves it (the price applies) or rejects it with a reason the author reads. A price going up never waits:
it loses less than the one it replaces, even when it is still below cost.

`catalog.services.set_price` calls `check_price` and `ask_for_approval`; the approvals page calls
`approve_price_change` and `reject_price_change`. Every step is audited on the SKU.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.catalog.models import PriceChange, PriceChangeState, Sku
from zhanggui.core import roles
from zhanggui.core.errors import DomainError, ValidationFailed
from zhanggui.core.money import rate_text
from zhanggui.core.services import record_audit

BELOW_COST, TOO_DEEP = "below_cost", "deeper_than_limit"


class InvalidPriceChangeState(DomainError):
    """The price change is no longer waiting: decided already, or replaced by a later price."""

    code = "invalid_price_change_state"
    http_status = 409


class SelfApprovalRefused(DomainError):
    """The author of a price change cannot be the one who approves it (four eyes), as for promotions."""

    code = "self_approval_refused"
    http_status = 403


def approval_limit() -> Fraction:
    """ZHANGGUI_APPROVAL_DISCOUNT_LIMIT as a share of the price: "7" → 0.7 (prices and promotions alike)."""
    return Fraction(Decimal(settings.ZHANGGUI_APPROVAL_DISCOUNT_LIMIT)) / 10


@dataclass(frozen=True)
class Margin:
    """What one unit earns at a price: price − cost, and that as a share of the price (None at price 0)."""

    price: Decimal
    cost: Decimal

    @property
    def amount(self) -> Decimal:
        return self.price - self.cost

    @property
    def percent(self) -> Decimal | None:
        if self.price <= 0:
            return None
        return (self.amount * 100 / self.price).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def below_cost(self) -> bool:
        return self.price < self.cost

    @property
    def amount_text(self) -> str:
        """ "¥33.63", "−¥15.47": as a person reads a margin (a true minus sign)."""
        return f"{'−' if self.amount < 0 else ''}¥{abs(self.amount):,.2f}"

    @property
    def percent_text(self) -> str:
        percent = self.percent
        if percent is None:
            return "—"
        return f"{'−' if percent < 0 else ''}{abs(percent)}%"


@dataclass(frozen=True)
class PriceCheck:
    """A new price against the one it replaces and the cost: the margins, and whether a manager decides."""

    price_before: Decimal
    price: Decimal
    cost: Decimal
    share: Fraction | None  # new / current (None when the current price is 0)
    limit: Fraction

    @property
    def now(self) -> Margin:
        return Margin(self.price_before, self.cost)

    @property
    def after(self) -> Margin:
        return Margin(self.price, self.cost)

    @property
    def goes_down(self) -> bool:
        return self.price < self.price_before

    @property
    def reasons(self) -> list[str]:
        """Why it waits: BELOW_COST, TOO_DEEP; empty when it applies at once."""
        if not self.goes_down:
            return []
        found = [BELOW_COST] if self.after.below_cost else []
        if self.share is not None and self.share < self.limit:
            found.append(TOO_DEEP)
        return found

    @property
    def needs_approval(self) -> bool:
        return bool(self.reasons)

    @property
    def share_zhe(self) -> str | None:
        """The new price as a 折 rate of the current one, rounded down so that a price just under the limit never
        reads as the limit itself (¥41.29 of ¥59 is "6.99", not "7"); None when the current price is 0."""
        return zhe(self.share, ROUND_FLOOR) if self.share is not None else None

    @property
    def limit_zhe(self) -> str:
        return zhe(self.limit)

    @property
    def share_text(self) -> str | None:
        """share_zhe as the page's language says it: "6.5折" / "35% off"."""
        return rate_text(Decimal(self.share_zhe)) if self.share_zhe is not None else None

    @property
    def limit_text(self) -> str:
        return rate_text(Decimal(self.limit_zhe))


def zhe(share: Fraction, rounding: str = ROUND_HALF_UP) -> str:
    """A share of a price as a 折 rate: 0.65 → "6.5"."""
    rate = (Decimal(share.numerator) * 10 / Decimal(share.denominator)).quantize(Decimal("0.01"), rounding)
    return f"{rate.normalize():f}"


def check_price(*, price_before: Decimal, price: Decimal, cost: Decimal) -> PriceCheck:
    share = Fraction(price) / Fraction(price_before) if price_before > 0 else None
    return PriceCheck(price_before=price_before, price=price, cost=cost, share=share, limit=approval_limit())


def change_check(change: PriceChange, sku: Sku | None = None) -> PriceCheck:
    """A waiting change against the SKU as it is now (its price and cost may have moved since it was asked)."""
    sku = sku or change.sku
    return check_price(price_before=sku.price, price=change.price_asked, cost=sku.cost)


# --------------------------------------------------------------------------------------------------------
# Writes (set_price calls the first two inside its transaction, with the SKU's row locked)
# --------------------------------------------------------------------------------------------------------


def replace_pending(*, actor: Any, sku: Sku) -> None:
    """A later price for the SKU replaces the change still waiting for it (the manager would decide on a stale
    request otherwise)."""
    for change in PriceChange.objects.select_for_update().filter(sku=sku, state=PriceChangeState.PENDING):
        change.state = PriceChangeState.SUPERSEDED
        change.save(update_fields=["state"])
        record_audit(
            actor=actor,
            action="sku.price_superseded",
            obj=sku,
            after={"price_asked": change.price_asked, "price_change": change.pk},
        )


def ask_for_approval(*, actor: Any, sku: Sku, check: PriceCheck, note: str = "") -> PriceChange:
    """Keep the SKU's price; store the new one as a change waiting for a manager."""
    replace_pending(actor=actor, sku=sku)
    change = PriceChange(
        sku=sku,
        price_before=check.price_before,
        price_asked=check.price,
        cost=check.cost,
        note=note,
        requested_by=actor,
    )
    change.full_clean()
    change.save()
    # Written as the price it would be, with the cost it is judged on: the trail reads "¥59.00 → ¥9.90, below
    # cost" under its own action, which says it was only asked for.
    record_audit(
        actor=actor,
        action="sku.price_request",
        obj=sku,
        before={"price": check.price_before},
        after={"price": check.price, "cost": check.cost, "price_change": change.pk},
        note=note,
    )
    return change


def _locked(change: PriceChange) -> tuple[PriceChange, Sku]:
    """The SKU's row first, then the change's: set_price locks in that order too."""
    sku_id = PriceChange.objects.values_list("sku_id", flat=True).get(pk=change.pk)
    sku = Sku.objects.select_for_update().get(pk=sku_id)
    change = PriceChange.objects.select_for_update().select_related("requested_by").get(pk=change.pk)
    if change.state != PriceChangeState.PENDING:
        raise InvalidPriceChangeState(
            _("This price change is %(state)s: there is nothing left to decide.")
            % {"state": PriceChangeState(change.state).label},
            state=change.state,
        )
    return change, sku


@transaction.atomic
def approve_price_change(*, actor: Any, change: PriceChange, note: str = "") -> PriceChange:
    """A manager other than the author approves: the asked price applies now."""
    roles.require(actor, roles.APPROVE_PRICES)
    change, sku = _locked(change)
    if change.requested_by_id == getattr(actor, "pk", None):
        raise SelfApprovalRefused(
            _("You asked for this price of %(sku)s: another manager has to approve it.") % {"sku": sku.code},
            sku=sku.code,
        )
    now = timezone.now()
    before = sku.price
    sku.price = change.price_asked
    sku.save(update_fields=["price", "updated_at"])
    change.state, change.decided_by, change.decided_at, change.decision_note = (
        PriceChangeState.APPROVED,
        actor,
        now,
        note,
    )
    change.full_clean()
    change.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    record_audit(
        actor=actor,
        action="sku.price",
        obj=sku,
        before={"price": before},
        after={
            "price": sku.price,
            "price_change": change.pk,
            "asked_by": change.requested_by.username,
            "approved_by": getattr(actor, "username", ""),
        },
        note=note,
    )
    return change


@transaction.atomic
def reject_price_change(*, actor: Any, change: PriceChange, note: str) -> PriceChange:
    """A manager says no, and why (the author reads it on the SKU page and the approvals page); the SKU keeps
    its price. The author may also reject their own request: that withdraws it."""
    roles.require(actor, roles.APPROVE_PRICES)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("Say why you reject it: the person who asked reads it."))
    change, sku = _locked(change)
    change.state, change.decided_by, change.decided_at, change.decision_note = (
        PriceChangeState.REJECTED,
        actor,
        timezone.now(),
        note,
    )
    change.full_clean()
    change.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    record_audit(
        actor=actor,
        action="sku.price_rejected",
        obj=sku,
        after={"price_asked": change.price_asked, "price_change": change.pk},
        note=note,
    )
    return change
