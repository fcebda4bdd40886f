"""换货 and 补发: an agreed exchange or reissue sends goods again, as new lines of the order that ship through
the normal fulfilment (orders.replacements: a replacement part of the order, reviewed, allocated, waved, picked,
packed and shipped like any order, its stock through inventory.services).

Each case line with units sends that many units of its replacement SKU: a reissue the line's own SKU, an exchange
the SKU chosen for it among the same product's SKUs (another size or colour; none chosen: the same SKU, 换新).
The case line keeps the SKU sent (`replacement_sku`, empty: the line's own) and the order line that ships it
(`replacement_line`). A case sends once; only when its replacement part was cancelled may it send again.

An exchange may send before its return arrives: the platforms let the seller ship the new item once the return is
received, but a buyer waiting for a new size is often served first; the page says whether the return came back
(ReturnReceipt / ReturnLine, only read here).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from zhanggui.aftersales import locks, services
from zhanggui.aftersales.errors import CaseRuleBroken, InvalidCaseTransition
from zhanggui.aftersales.models import AfterSaleCase, CaseKind, CaseLine, CaseStatus, ReturnLine
from zhanggui.aftersales.services import clip
from zhanggui.catalog.models import Sku
from zhanggui.core import roles
from zhanggui.core.services import record_audit
from zhanggui.inventory import selectors as stock
from zhanggui.orders import replacements as order_replacements
from zhanggui.orders.models import Order, OrderLine, OrderStatus

K = CaseKind
#: The kinds that send goods again.
REPLACEMENT_KINDS = (K.EXCHANGE, K.REISSUE)


# --------------------------------------------------------------------------------------------------------
# Reads: what the case page shows
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SkuChoice:
    sku: Sku
    available: int


@dataclass
class ReplacementRow:
    """A case line with units: what it sends (or sent), the choices for an exchange, and what came back."""

    case_line: CaseLine
    sku: Sku | None  # the SKU it sends: the one chosen, else the line's own
    choices: list[SkuChoice] = field(default_factory=list)  # an exchange: the same product's SKUs
    returned: int = 0  # units of the line received back by the warehouse

    @property
    def order_line(self) -> OrderLine:
        return self.case_line.order_line


@dataclass
class ReplacementPanel:
    case: AfterSaleCase
    rows: list[ReplacementRow]
    part: Order | None  # the replacement part of the latest sending (cancelled ones are kept on the list)
    parts: list[Order]
    may_send: bool  # this person, this case, now
    refusal: str  # why it cannot be sent now ("" when it can, or when the person may not anyway)

    @property
    def exchange(self) -> bool:
        return self.case.kind == K.EXCHANGE

    @property
    def returned(self) -> int:
        return sum(row.returned for row in self.rows)

    @property
    def wanted_back(self) -> int:
        return sum(row.case_line.quantity for row in self.rows)


def _rows(case: AfterSaleCase) -> list[ReplacementRow]:
    lines = list(
        CaseLine.objects.filter(case=case, quantity__gt=0)
        .select_related("order_line__sku__product", "replacement_sku", "replacement_line__ships_in")
        .order_by("order_line__position", "order_line_id")
    )
    returned = dict(
        ReturnLine.objects.filter(case_line__in=lines)
        .values("case_line_id")
        .annotate(n=Sum("quantity"))
        .values_list("case_line_id", "n")
    )
    siblings: dict[int, list[Sku]] = {}
    if case.kind == K.EXCHANGE:
        products = {sku.product_id for cl in lines if (sku := cl.order_line.sku) is not None}
        for sku in Sku.objects.filter(product_id__in=products).order_by("code", "pk"):
            siblings.setdefault(sku.product_id, []).append(sku)
    available = stock.available_by_sku({sku.pk for skus in siblings.values() for sku in skus})
    rows = []
    for cl in lines:
        own = cl.order_line.sku
        choices = [SkuChoice(sku, available.get(sku.pk, 0)) for sku in siblings.get(own.product_id, [])] if own else []
        rows.append(ReplacementRow(cl, cl.replacement_sku or own, choices, returned.get(cl.pk, 0)))
    return rows


def _sent_part(case: AfterSaleCase, rows: list[ReplacementRow]) -> Order | None:
    """The part of the case's latest sending that is not cancelled, if any (a case sends once)."""
    for row in rows:
        line = row.case_line.replacement_line
        if line is not None and line.ships_in is not None and line.ships_in.status != OrderStatus.CANCELLED:
            return line.ships_in
    return None


def _refusal(case: AfterSaleCase, rows: list[ReplacementRow]) -> str:
    if case.kind not in REPLACEMENT_KINDS:
        return _("Case %(no)s is a %(kind)s: only an exchange or a reissue sends goods again.") % {
            "no": case.number,
            "kind": case.get_kind_display().lower(),
        }
    if case.status != CaseStatus.AGREED:
        return _("Case %(no)s is %(status)s: agree to it first, then send the replacement.") % {
            "no": case.number,
            "status": case.get_status_display().lower(),
        }
    sent = _sent_part(case, rows)
    if sent is not None:
        return _("The replacement of case %(no)s was sent already, as order %(part)s (%(status)s).") % {
            "no": case.number,
            "part": sent.platform_order_no,
            "status": sent.get_status_display().lower(),
        }
    if not rows:
        return _("Case %(no)s names no units of the order: there is nothing to send.") % {"no": case.number}
    return ""


def replacement_panel(case: AfterSaleCase, user: Any) -> ReplacementPanel | None:
    """The case page's exchange/reissue card: None for the other kinds."""
    if case.kind not in REPLACEMENT_KINDS:
        return None
    rows = _rows(case)
    shipping = (row.case_line.replacement_line for row in rows if row.case_line.replacement_line is not None)
    parts = sorted({line.ships_in for line in shipping if line.ships_in is not None}, key=lambda part: part.pk)
    refusal = _refusal(case, rows)
    may = roles.holds(user, roles.HANDLE_CASES) and roles.holds(user, roles.REVIEW_ORDERS)
    return ReplacementPanel(
        case=case,
        rows=rows,
        part=parts[-1] if parts else None,
        parts=parts,
        may_send=may and not refusal,
        refusal=refusal,
    )


# --------------------------------------------------------------------------------------------------------
# The step
# --------------------------------------------------------------------------------------------------------


def _chosen_sku(case: AfterSaleCase, row: ReplacementRow, wanted: Sku | int | None) -> Sku:
    order_line = row.order_line
    own = order_line.sku
    if own is None:
        raise CaseRuleBroken(
            _("Line %(line)s has no SKU in the catalog (商家编码 %(code)s): add it to the catalog first.")
            % {"line": order_line.sub_order_id, "code": order_line.sku_code or "—"}
        )
    if wanted is None:
        return row.sku or own
    sku_id = wanted.pk if isinstance(wanted, Sku) else int(wanted)
    if sku_id == own.pk:
        return own
    if case.kind == K.REISSUE:
        raise CaseRuleBroken(
            _("A reissue sends the line's own SKU %(sku)s again; for another SKU open an exchange.") % {"sku": own.code}
        )
    sibling = next((choice.sku for choice in row.choices if choice.sku.pk == sku_id), None)
    if sibling is None:
        raise CaseRuleBroken(
            _("An exchange of line %(line)s sends a SKU of the same product as %(sku)s; SKU %(id)s is not one.")
            % {"line": order_line.sub_order_id, "sku": own.code, "id": sku_id}
        )
    return sibling


@transaction.atomic
def send_replacement(
    *, actor: Any, case: AfterSaleCase, items: Mapping[int, Sku | int | None] | None = None, reason: str = ""
) -> Order:
    """Send the replacement of an agreed exchange or reissue: every case line with units sends them again, of
    the SKU `items` names for it (case line id → SKU or SKU id; not named: the one chosen before, else the line's
    own). Refused when the case is another kind, not agreed, or sent already (unless that part was cancelled).
    Returns the replacement part of the order, which then goes through the fulfilment like any order."""
    roles.require(actor, roles.HANDLE_CASES)
    case = locks.lock_case(case.pk)
    rows = _rows(case)
    refusal = _refusal(case, rows)
    if refusal:
        wrong_status = case.kind in REPLACEMENT_KINDS and case.status != CaseStatus.AGREED
        raise (InvalidCaseTransition if wrong_status else CaseRuleBroken)(refusal)
    items = dict(items or {})
    by_line = {row.case_line.pk: row for row in rows}
    unknown = sorted(set(items) - set(by_line))
    if unknown:
        raise CaseRuleBroken(
            _("Case line %(id)s is not a line of case %(no)s with units.") % {"id": unknown[0], "no": case.number}
        )
    chosen = [(row, _chosen_sku(case, row, items.get(row.case_line.pk))) for row in rows]
    part, lines = order_replacements.add_replacement_lines(
        actor=actor,
        order=case.order,
        items=[(sku, row.case_line.quantity) for row, sku in chosen],
        reason=_("case %(no)s") % {"no": case.number},
    )
    for (row, sku), line in zip(chosen, lines, strict=True):
        case_line = row.case_line
        case_line.replacement_sku = None if sku.pk == row.order_line.sku_id else sku
        case_line.replacement_line = line
        case_line.save(update_fields=["replacement_sku", "replacement_line"])
    sent = ", ".join(f"{line.sku_code} × {line.quantity}" for line in lines)
    text = _("replacement sent as order %(part)s: %(lines)s") % {"part": part.platform_order_no, "lines": sent}
    if clip(reason):
        text = f"{text} · {clip(reason)}"
    event = services.timeline_note(case, actor=actor, text=text)
    record_audit(
        actor=actor,
        action="aftersale_case.replacement",
        obj=case,
        after={
            "part": part.platform_order_no,
            "lines": [f"{row.order_line.sub_order_id}: {sku.code} × {row.case_line.quantity}" for row, sku in chosen],
        },
        note=event.reason,
    )
    return part
