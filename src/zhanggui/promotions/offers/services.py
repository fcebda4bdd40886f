"""Writes of stored promotions: create, update, submit, approve, cancel — each one audited (import: imports.py).

Rules (docs/pricing.md, "Stored promotions"):
- The spec is checked with `spec.parse_promotion` on every save, so the desk never stores a promotion the
  engine would refuse. The model's `starts_at`/`ends_at` are the truth; they are written back into the spec.
- Create, edit, submit and cancel need `promotions.manage_promotions`; approving and rejecting need
  `promotions.approve_promotions` (manager). A promotion deeper than `ZHANGGUI_APPROVAL_DISCOUNT_LIMIT`
  (`needs_approval`) waits for a manager other than its creator; any other one is approved by the desk on
  submission (`auto_approved`, no `approved_by`: nobody approved it, it was within the limit). A rejected one
  goes back to its author with the manager's reason, to edit and submit again (docs/approvals.md).
- Only drafts, rejected and submitted promotions change. An approved promotion that has started keeps its prices and
  rules (buyers were already priced with them): PromotionStarted. Not started yet: cancel it and make a new one.
- A stored `flash_sale` promotion is its flash sales (秒杀, promotions.flash.services): it belongs to a shop, names that
  shop's SKUs in `scope.skus` and carries `stock_cap` (units on sale per SKU) and `per_buyer_cap`. Approving it
  opens one FlashSale per SKU, linked to it, in the same transaction; cancelling it switches them off (never
  deletes them: purchases may exist). Once approved, only its `stock_cap` may still change (until it ends), and
  never below what a SKU has sold; the price, SKUs, caps per buyer and window are fixed like any approved one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.catalog import price_changes
from zhanggui.catalog.models import Shop, Sku
from zhanggui.core import roles
from zhanggui.core.errors import ValidationFailed
from zhanggui.core.services import record_audit
from zhanggui.promotions import spec
from zhanggui.promotions.common import check_code_free, keep_code, local_time, locked
from zhanggui.promotions.flash import services as flash
from zhanggui.promotions.flash.errors import InvalidFlashSale
from zhanggui.promotions.models import PROMOTION_TRANSITIONS, FlashSale, Promotion, PromotionState
from zhanggui.promotions.offers.errors import (
    InvalidPromotionState,
    PromotionCodeTaken,
    PromotionStarted,
    SelfApprovalRefused,
)
from zhanggui.promotions.offers.selectors import reached_skus
from zhanggui.promotions.offers.selectors import skus_in as _skus_in
from zhanggui.promotions.spec import Kind

RATE_ONE = spec.RATE_ONE


# --------------------------------------------------------------------------------------------------------
# The spec as stored
# --------------------------------------------------------------------------------------------------------


def normalize_promotion_spec(raw: Any, *, code: str | None = None) -> tuple[dict[str, Any], spec.Promotion]:
    """Check a promotion's JSON (docs/pricing.md) and return it as stored (times in the desk's zone) with its
    parsed form. (A campaign's spec is another format: campaigns.services.normalize_campaign_spec.)

    A stored promotion needs a window; its `id` is its code and cannot change once it has one.
    """
    if not isinstance(raw, Mapping):
        raise spec.SpecError(_("promotion: a JSON object"))
    data = dict(raw)
    keep_code(
        data,
        code,
        lambda given: spec.SpecError(
            _("promotion %(code)s.id: the code of a stored promotion does not change (got %(given)s)")
            % {"code": code, "given": given}
        ),
    )
    if not str(data.get("id") or "").strip():
        raise spec.SpecError(_("promotion: needs an 'id'"))
    where = f"promotion {str(data['id']).strip()}"
    bounds = {}
    for key in ("starts_at", "ends_at"):
        value = spec.moment(data.get(key), f"{where}.{key}")
        if value is None:
            raise spec.SpecError(
                _("%(where)s.%(key)s: a stored promotion needs a start and an end") % {"where": where, "key": key}
            )
        bounds[key] = value
    if bounds["ends_at"] <= bounds["starts_at"]:
        raise spec.SpecError(_("%(where)s.ends_at: must be after starts_at") % {"where": where})
    for key, value in bounds.items():
        data[key] = timezone.localtime(value).isoformat()
    data["id"] = str(data.get("id") or "").strip()
    parsed = spec.parse_promotion(data)
    if parsed.kind == Kind.FLASH_SALE:
        data["stock_cap"] = _flash_stock_cap(data, parsed, where)
    return data, parsed


def _flash_stock_cap(data: Mapping[str, Any], parsed: spec.Promotion, where: str) -> int:
    """A stored flash sale names its SKUs and nothing else, and says how many units of each are on sale."""
    scope = parsed.scope
    if not scope.skus:
        raise spec.SpecError(
            _("%(where)s.scope.skus: a flash sale names its SKUs (codes of its shop's SKUs)") % {"where": where}
        )
    if scope != spec.Scope(skus=scope.skus):
        raise spec.SpecError(
            _("%(where)s.scope: a flash sale covers only the SKUs listed in scope.skus") % {"where": where}
        )
    if data.get("stock_cap") in (None, ""):
        raise spec.SpecError(
            _("%(where)s.stock_cap: a stored flash sale needs its stock cap, the units on sale for each SKU")
            % {"where": where}
        )
    return spec.count(data["stock_cap"], f"{where}.stock_cap", 1)


def _window(parsed: spec.Promotion) -> tuple[datetime, datetime]:
    """The window normalize_promotion_spec has already required, typed as present."""
    if parsed.starts_at is None or parsed.ends_at is None:  # pragma: no cover - normalize_promotion_spec refuses these
        raise spec.SpecError(_("promotion %(id)s: needs starts_at and ends_at") % {"id": parsed.id})
    return parsed.starts_at, parsed.ends_at


# --------------------------------------------------------------------------------------------------------
# How deep a promotion cuts, and when a manager must approve it
# --------------------------------------------------------------------------------------------------------


# Kinds whose depth depends on the list price of each SKU they reach (an amount off, a set price).
PRICE_DEPENDENT = frozenset({Kind.PRICE_CUT, Kind.SPECIAL_PRICE, Kind.FLASH_SALE, Kind.GROUP_BUY})


def _fen(price: Decimal) -> int:
    return int(Decimal(price) * 100)


def _sku_prices(promotion: spec.Promotion, shop: Shop | None) -> dict[str, list[int]]:
    """The list prices (fen) of the SKUs a promotion reaches (and a bundle's items), by code."""
    prices: dict[str, list[int]] = {}
    for code, price in reached_skus(promotion.scope, shop).values_list("code", "price"):
        prices.setdefault(code, []).append(_fen(price))
    if promotion.kind == Kind.BUNDLE:
        items = {sku for sku, _quantity in promotion.params["items"]}
        for code, price in _skus_in(shop).filter(code__in=items).values_list("code", "price"):
            prices.setdefault(code, []).append(_fen(price))
    return prices


def _paid_share(paid: int, price: int) -> Fraction:
    return Fraction(max(paid, 0), price) if price > 0 else Fraction(1)


def depends_on_prices(promotion: spec.Promotion) -> bool:
    """True when how deep it cuts depends on each SKU's list price (an amount off or a set price)."""
    p = promotion.params
    return (
        promotion.kind in PRICE_DEPENDENT
        or (promotion.kind == Kind.MEMBER_PRICE and bool(p["prices"]))
        or promotion.kind in (Kind.BUNDLE, Kind.QUANTITY_SAVE, Kind.ANY_N_FOR)
    )


def unknown_depth(promotion: spec.Promotion, *, sku_prices: Mapping[str, list[int]]) -> bool:
    """True when a price-dependent promotion can reach a SKU whose price the desk cannot see now.

    A scope by product, category, role or "all" also reaches SKUs added (or re-priced) later; a SKU code or a
    bundle item with no SKU in the shop may be created later at any price. Either way no depth can be
    promised, so a manager decides.
    """
    if not depends_on_prices(promotion):
        return False
    if promotion.kind == Kind.BUNDLE:
        return not all(sku_prices.get(sku) for sku, _quantity in promotion.params["items"])
    scope = promotion.scope
    if not scope.skus or scope.products or scope.categories or scope.roles:
        return True
    return any(not sku_prices.get(code) for code in scope.skus - scope.exclude_skus)


def discount_depth(promotion: spec.Promotion, *, sku_prices: Mapping[str, list[int]]) -> Fraction | None:
    """The smallest share of the price a buyer pays under the promotion (1 = nothing off; 0.65 = 6.5折).

    `sku_prices` are the list prices of the SKUs it reaches (`_sku_prices`). None when it cannot be told
    from them: a gift, or an amount or price with no reached SKU to compare it with (see unknown_depth).
    Multi-unit offers count over the whole group (第二件半价 = 7.5折, 买二送一 = 6.67折); a threshold counts at
    the threshold (满100减90 = 1折), where it cuts deepest.
    """
    p, kind = promotion.params, promotion.kind
    shares: list[Fraction] = []
    reached = [price for code in sorted(sku_prices) for price in sku_prices[code]]
    if kind in (Kind.DISCOUNT, Kind.MEMBER_DISCOUNT):
        shares.append(Fraction(p["rate"], RATE_ONE))
    elif kind == Kind.MEMBER_PRICE:
        shares += [Fraction(r, RATE_ONE) for r in p["rates"].values()]
        shares += [_paid_share(price, listed) for price in p["prices"].values() for listed in reached]
    elif kind == Kind.PRICE_CUT:
        shares += [_paid_share(listed - p["amount"], listed) for listed in reached]
    elif kind in (Kind.SPECIAL_PRICE, Kind.FLASH_SALE, Kind.GROUP_BUY):
        shares += [_paid_share(p["price"], listed) for listed in reached]
    elif kind == Kind.SPEND_SAVE:
        shares += [
            _paid_share(threshold - off, threshold) if threshold else Fraction(0) for threshold, off in p["tiers"]
        ]
        if p["repeat"]:
            every, off, _cap = p["repeat"]
            shares.append(_paid_share(every - off, every))
    elif kind in (Kind.SPEND_DISCOUNT, Kind.QUANTITY_DISCOUNT):
        shares += [Fraction(r, RATE_ONE) for _threshold, r in p["tiers"]]
    elif kind == Kind.ANY_N_FOR:  # 任选N件X元: deepest on N units of the cheapest SKU reached
        shares += [_paid_share(p["price"], p["n"] * listed) for listed in reached]
    elif kind == Kind.QUANTITY_SAVE:  # 满N件减X: deepest on N of the cheapest SKU reached
        shares += [_paid_share(n * listed - off, n * listed) for n, off in p["tiers"] for listed in reached]
    elif kind == Kind.MULTIBUY:
        if "nth" in p:
            shares.append((p["nth"] - 1 + Fraction(p["rate"], RATE_ONE)) / p["nth"])
        else:
            shares.append(Fraction(p["buy"], p["buy"] + p["free"]))
    elif kind == Kind.BUNDLE:
        if all(sku_prices.get(sku) for sku, _q in p["items"]):
            listed = sum(min(sku_prices[sku]) * quantity for sku, quantity in p["items"])
            shares.append(_paid_share(p["price"], listed))
    elif kind == Kind.COUPON:
        # 无门槛 (no minimum spend): how deep it cuts depends on the cart, so a manager decides.
        if p["rate"] is not None:  # 折扣券: its rate; a maximum makes it shallower once the minimum spend is met
            share = Fraction(p["rate"], RATE_ONE)
            if p["max_amount"] is not None and p["min_spend"]:
                share = max(share, _paid_share(p["min_spend"] - p["max_amount"], p["min_spend"]))
            shares.append(share)
        else:
            shares.append(_paid_share(p["min_spend"] - p["amount"], p["min_spend"]) if p["min_spend"] else Fraction(0))
    return min(shares) if shares else None


def approval_limit() -> Fraction:
    """ZHANGGUI_APPROVAL_DISCOUNT_LIMIT as a share of the price: "7" → 0.7; a SKU's new price is held to the
    same limit (catalog.price_changes, where it is read)."""
    return price_changes.approval_limit()


@dataclass(frozen=True)
class Approval:
    """Whether a promotion waits for a manager, and why: its depth over the SKUs it reaches today, and whether
    it can reach SKUs whose price is not known (then it always waits)."""

    needed: bool
    depth: Fraction | None
    unknown_depth: bool


def approval_check(promotion: spec.Promotion | Mapping[str, Any], *, shop: Shop | None = None) -> Approval:
    parsed = promotion if isinstance(promotion, spec.Promotion) else spec.parse_promotion(promotion)
    # A rate or a threshold cuts the same whatever the SKUs cost: only price-dependent kinds read the catalog.
    prices = _sku_prices(parsed, shop) if depends_on_prices(parsed) else {}
    depth = discount_depth(parsed, sku_prices=prices)
    unknown = unknown_depth(parsed, sku_prices=prices)
    return Approval(
        needed=unknown or (depth is not None and depth < approval_limit()), depth=depth, unknown_depth=unknown
    )


def needs_approval(promotion: spec.Promotion | Mapping[str, Any], *, shop: Shop | None = None) -> bool:
    """True when the promotion can cut deeper than the approval limit (7折 by default: 6.9折 needs a manager)
    on any SKU it reaches, or when that cannot be known (see unknown_depth)."""
    return approval_check(promotion, shop=shop).needed


# --------------------------------------------------------------------------------------------------------
# Flash sales: a stored flash_sale promotion opens one FlashSale per SKU
# --------------------------------------------------------------------------------------------------------


def _flash_skus(parsed: spec.Promotion, shop: Shop | None) -> list[Sku]:
    """The SKUs of a flash_sale promotion in its shop, by code; each must exist and cost more than the flash price."""
    where = f"promotion {parsed.id}"
    if shop is None:
        raise spec.SpecError(
            _("%(where)s.shop: a flash sale belongs to one shop: choose the shop whose SKUs scope.skus names")
            % {"where": where}
        )
    codes = sorted(parsed.scope.skus)
    skus = {sku.code: sku for sku in Sku.objects.filter(shop=shop, code__in=codes)}
    missing = [code for code in codes if code not in skus]
    if missing:
        raise spec.SpecError(
            _("%(where)s.scope.skus: the shop %(shop)s has no SKU %(codes)s")
            % {"where": where, "shop": shop.code, "codes": ", ".join(missing)}
        )
    price = parsed.params["price"]
    for code in codes:
        if price >= int(skus[code].price * 100):
            raise spec.SpecError(
                _("%(where)s.price: the flash price %(price)s must be below the price of %(sku)s (%(sku_price)s)")
                % {"where": where, "price": spec.yuan(price), "sku": code, "sku_price": skus[code].price}
            )
    return [skus[code] for code in codes]


def _open_flash_sales(*, actor: Any, promotion: Promotion) -> None:
    """On approval: one switched-on FlashSale per SKU with the promotion's price, caps and window."""
    parsed = spec.parse_promotion(promotion.spec)
    stock_cap = _flash_stock_cap(promotion.spec, parsed, f"promotion {promotion.code}")
    for sku in _flash_skus(parsed, promotion.shop):
        flash.create_flash_sale(
            actor=actor,
            sku=sku,
            price=spec.yuan(parsed.params["price"]),
            stock_cap=stock_cap,
            per_buyer_cap=parsed.params["per_buyer_cap"],
            starts_at=promotion.starts_at,
            ends_at=promotion.ends_at,
            name=promotion.name or promotion.code,
            promotion=promotion,
        )


def _resize_flash_sales(*, actor: Any, promotion: Promotion, stock_cap: int) -> None:
    """A new stock cap for each of the promotion's flash sales, never below what a sale has sold.

    One conditional UPDATE a sale: a purchase in flight holds the row, and the cap is compared with `sold` as
    committed, not as read earlier. The promotion's row is locked first; purchases never lock it.
    """
    for sale in promotion.flash_sales.select_related("sku").order_by("pk"):
        if sale.stock_cap == stock_cap:
            continue
        if not FlashSale.objects.filter(pk=sale.pk, sold__lte=stock_cap).update(stock_cap=stock_cap):
            sold = FlashSale.objects.values_list("sold", flat=True).get(pk=sale.pk)
            raise InvalidFlashSale(
                _(
                    "promotion %(code)s.stock_cap: %(sold)s units of %(sku)s are already sold in this flash sale; "
                    "the stock cap cannot go below that (asked for %(cap)s)."
                )
                % {"code": promotion.code, "sold": sold, "sku": sale.sku.code, "cap": stock_cap}
            )
        record_audit(
            actor=actor,
            action="flash_sale.update",
            obj=sale,
            before={"stock_cap": sale.stock_cap},
            after={"stock_cap": stock_cap},
        )


def _close_flash_sales(*, actor: Any, promotion: Promotion) -> None:
    """On cancellation: switch the promotion's flash sales off; the rows stay (purchases may point to them)."""
    for sale in promotion.flash_sales.filter(is_active=True).order_by("pk"):
        flash.set_flash_sale_active(actor=actor, flash_sale=sale, is_active=False)


# --------------------------------------------------------------------------------------------------------
# Writes
# --------------------------------------------------------------------------------------------------------


# The states whose spec may still change (an approved flash sale's stock_cap aside).
EDITABLE_STATES = (PromotionState.DRAFT, PromotionState.REJECTED, PromotionState.SUBMITTED)


def _move(promotion: Promotion, to: str) -> None:
    if to not in PROMOTION_TRANSITIONS[promotion.state]:
        raise InvalidPromotionState(
            _("Promotion %(code)s is %(state)s and cannot become %(to)s.")
            % {
                "code": promotion.code,
                "state": PromotionState(promotion.state).label,
                "to": PromotionState(to).label,
            },
            state=promotion.state,
        )


@transaction.atomic
def create_promotion(*, actor: Any, shop: Shop | None, raw_spec: Any) -> Promotion:
    """A draft promotion from its spec (docs/pricing.md); submit it to schedule it."""
    roles.require(actor, roles.MANAGE_PROMOTIONS)
    data, parsed = normalize_promotion_spec(raw_spec)
    if parsed.kind == Kind.FLASH_SALE:
        _flash_skus(parsed, shop)
    check_code_free(
        Promotion,
        code=parsed.id,
        shop=shop,
        with_every_shop=True,  # a quote sees the shop's promotions and the all-shops ones together
        taken=lambda: PromotionCodeTaken(
            _("A promotion with the code %(code)s already exists for this shop or for every shop.")
            % {"code": parsed.id},
            code=parsed.id,
        ),
    )
    starts_at, ends_at = _window(parsed)
    promotion = Promotion(
        shop=shop,
        code=parsed.id,
        name=parsed.name,
        kind=parsed.kind,
        spec=data,
        starts_at=starts_at,
        ends_at=ends_at,
        state=PromotionState.DRAFT,
        created_by=actor,
    )
    promotion.full_clean()
    promotion.save()
    record_audit(
        actor=actor,
        action="promotion.create",
        obj=promotion,
        after={"state": promotion.state, "spec": data},
    )
    return promotion


@transaction.atomic
def update_promotion(*, actor: Any, promotion: Promotion, raw_spec: Any) -> Promotion:
    """Replace a draft's or a submitted promotion's spec; no change, no write (an import may repeat itself).

    An approved flash sale may still change its `stock_cap` (more units, or fewer but not below what is sold)
    until it ends; its flash sales follow in the same transaction.
    """
    roles.require(actor, roles.MANAGE_PROMOTIONS)
    promotion = locked(promotion)
    data, parsed = normalize_promotion_spec(raw_spec, code=promotion.code)
    if data == promotion.spec:
        return promotion
    now = timezone.now()
    changed = {k for k in set(data) | set(promotion.spec) if promotion.spec.get(k) != data.get(k)}
    resize = (
        promotion.state == PromotionState.APPROVED and promotion.kind == Kind.FLASH_SALE and changed == {"stock_cap"}
    )
    if resize and promotion.ends_at <= now:
        raise InvalidPromotionState(
            _("Promotion %(code)s ended on %(end)s; there is nothing left to change.")
            % {"code": promotion.code, "end": local_time(promotion.ends_at)},
            state=promotion.state,
        )
    if not resize and promotion.started_at(now):
        message = _(
            "Promotion %(code)s has been running since %(start)s: its prices and rules cannot change. "
            "Cancel it and create a new one."
        )
        if promotion.kind == Kind.FLASH_SALE:
            message = _(
                "Promotion %(code)s has been running since %(start)s: only its stock_cap can still change. "
                "For anything else, cancel it and create a new one."
            )
        raise PromotionStarted(
            message % {"code": promotion.code, "start": local_time(promotion.starts_at)}, code=promotion.code
        )
    if not resize and promotion.state not in EDITABLE_STATES:
        message = _(
            "Promotion %(code)s is %(state)s: only drafts, rejected promotions and promotions waiting for approval "
            "can be edited."
        )
        if promotion.kind == Kind.FLASH_SALE and promotion.state == PromotionState.APPROVED:
            message = _(
                "Promotion %(code)s is %(state)s: only its stock_cap can still change. "
                "For anything else, cancel it and create a new one."
            )
        raise InvalidPromotionState(
            message % {"code": promotion.code, "state": PromotionState(promotion.state).label},
            state=promotion.state,
        )
    if parsed.kind == Kind.FLASH_SALE and not resize:
        _flash_skus(parsed, promotion.shop)
    before = {k: promotion.spec.get(k) for k in sorted(changed)}
    after = {k: data.get(k) for k in before}
    promotion.spec, promotion.name, promotion.kind = data, parsed.name, parsed.kind
    promotion.starts_at, promotion.ends_at = _window(parsed)
    promotion.full_clean()
    promotion.save(update_fields=["spec", "name", "kind", "starts_at", "ends_at", "updated_at"])
    record_audit(actor=actor, action="promotion.update", obj=promotion, before=before, after=after)
    if resize:
        _resize_flash_sales(actor=actor, promotion=promotion, stock_cap=data["stock_cap"])
    return promotion


@transaction.atomic
def submit_promotion(*, actor: Any, promotion: Promotion, note: str = "") -> Promotion:
    """Ask for approval (a draft, or a rejected promotion again); one within the approval limit is approved at
    once by the desk, not by whoever submits it (`auto_approved`). The submitter's note (what the manager
    should know) is kept on the audit entry of the submission."""
    roles.require(actor, roles.MANAGE_PROMOTIONS)
    promotion = locked(promotion)
    _move(promotion, PromotionState.SUBMITTED)
    deep = needs_approval(promotion.spec, shop=promotion.shop)
    before = {"state": promotion.state}
    if deep:
        promotion.state = PromotionState.SUBMITTED
        promotion.save(update_fields=["state", "updated_at"])
    else:
        promotion.state, promotion.approved_at = PromotionState.APPROVED, timezone.now()
        promotion.approved_by, promotion.auto_approved = None, True
        promotion.save(update_fields=["state", "approved_by", "approved_at", "auto_approved", "updated_at"])
    after: dict[str, Any] = {"state": promotion.state, "needs_approval": deep}
    if not deep:
        after["auto_approved"] = True
    record_audit(
        actor=actor, action="promotion.submit", obj=promotion, before=before, after=after, note=(note or "").strip()
    )
    if not deep and promotion.kind == Kind.FLASH_SALE:
        _open_flash_sales(actor=actor, promotion=promotion)
    return promotion


@transaction.atomic
def approve_promotion(*, actor: Any, promotion: Promotion, note: str = "") -> Promotion:
    """A manager approves a submitted promotion; its creator cannot approve their own deep discount."""
    roles.require(actor, roles.APPROVE_PROMOTIONS)
    promotion = locked(promotion)
    _move(promotion, PromotionState.APPROVED)
    if promotion.created_by_id == getattr(actor, "pk", None) and needs_approval(promotion.spec, shop=promotion.shop):
        raise SelfApprovalRefused(
            _("You created promotion %(code)s: another manager has to approve its discount.")
            % {"code": promotion.code},
            code=promotion.code,
        )
    promotion.state, promotion.approved_by, promotion.approved_at = PromotionState.APPROVED, actor, timezone.now()
    promotion.auto_approved = False
    promotion.save(update_fields=["state", "approved_by", "approved_at", "auto_approved", "updated_at"])
    record_audit(
        actor=actor,
        action="promotion.approve",
        obj=promotion,
        before={"state": PromotionState.SUBMITTED},
        after={"state": promotion.state, "approved_by": getattr(actor, "username", "")},
        note=note,
    )
    if promotion.kind == Kind.FLASH_SALE:
        _open_flash_sales(actor=actor, promotion=promotion)
    return promotion


@transaction.atomic
def reject_promotion(*, actor: Any, promotion: Promotion, note: str) -> Promotion:
    """A manager sends a submitted promotion back to its author with the reason; it is not priced. The author
    edits it and submits it again (or cancels it)."""
    roles.require(actor, roles.APPROVE_PROMOTIONS)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("Say why you reject it: the person who asked reads it."))
    promotion = locked(promotion)
    _move(promotion, PromotionState.REJECTED)
    before = {"state": promotion.state}
    promotion.state, promotion.rejected_by, promotion.rejected_at = PromotionState.REJECTED, actor, timezone.now()
    promotion.rejection_note = note
    promotion.full_clean()
    promotion.save(update_fields=["state", "rejected_by", "rejected_at", "rejection_note", "updated_at"])
    record_audit(
        actor=actor,
        action="promotion.reject",
        obj=promotion,
        before=before,
        after={"state": promotion.state, "rejected_by": getattr(actor, "username", "")},
        note=note,
    )
    return promotion


@transaction.atomic
def cancel_promotion(*, actor: Any, promotion: Promotion, note: str = "") -> Promotion:
    """Stop a promotion now (it is no longer priced) or drop a draft; an ended one stays in the history as is."""
    roles.require(actor, roles.MANAGE_PROMOTIONS)
    promotion = locked(promotion)
    _move(promotion, PromotionState.CANCELLED)
    if promotion.state == PromotionState.APPROVED and promotion.ends_at <= timezone.now():
        raise InvalidPromotionState(
            _("Promotion %(code)s ended on %(end)s; there is nothing left to cancel.")
            % {"code": promotion.code, "end": local_time(promotion.ends_at)},
            state=promotion.state,
        )
    before = {"state": promotion.state}
    promotion.state = PromotionState.CANCELLED
    promotion.save(update_fields=["state", "updated_at"])
    record_audit(
        actor=actor,
        action="promotion.cancel",
        obj=promotion,
        before=before,
        after={"state": promotion.state},
        note=note,
    )
    _close_flash_sales(actor=actor, promotion=promotion)
    return promotion
