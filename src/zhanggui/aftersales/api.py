"""After-sales endpoints: list the cases by deadline, one case with its order's line money, open a case, and
its steps (agree, reject, refund, close, assign).

Every write calls one function of aftersales.services, which checks the capability (handle_cases, like the
pages) and keeps the timeline, the audit trail and the refund limit. Shops are named by their codes, cases and
orders by their ids, people by their usernames.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Annotated

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, UploadedFile

from zhanggui.aftersales import imports, selectors, services
from zhanggui.aftersales.errors import CaseRuleBroken
from zhanggui.aftersales.models import AfterSaleCase, CaseLine, CaseStatus
from zhanggui.aftersales.replacements import services as replacements
from zhanggui.aftersales.schemas import (
    MAX_ID,
    AssignIn,
    CaseDetailOut,
    CasePage,
    OpenCaseIn,
    ReasonStepIn,
    RefundImportReportOut,
    RefundIn,
    ReplacementIn,
    ReplacementOut,
    StepIn,
)
from zhanggui.catalog.api import ERRORS, get_or_404
from zhanggui.catalog.models import Shop
from zhanggui.core import roles
from zhanggui.core.errors import NotFoundError, ValidationFailed
from zhanggui.core.money import ZERO
from zhanggui.orders.errors import ImportRejected
from zhanggui.orders.models import Order

router = Router(tags=["aftersales"])

MAX_PAGE_SIZE = 200
MAX_PAGE = 1_000_000


def _missing(what: str, key: int) -> NotFoundError:
    return NotFoundError(_("%(what)s not found (%(key)s).") % {"what": what, "key": f"pk={key}"})


def _case(case_id: int) -> AfterSaleCase:
    if not 0 < case_id <= MAX_ID:  # names no row, and SQLite cannot even bind it
        raise _missing(_("After-sales case"), case_id)
    return get_or_404(AfterSaleCase.objects.all(), _("After-sales case"), pk=case_id)


def _detail(case: AfterSaleCase) -> AfterSaleCase:
    detail = selectors.case_detail(case.pk)
    detail.order_line_rows = selectors.line_money(selectors.order_for(detail.order_id), detail)
    detail.refunded = sum((row.in_case for row in detail.order_line_rows), ZERO)
    return detail


@router.get("", response={200: CasePage, **ERRORS})
def list_cases(
    request,
    shop: str = Query("", description="Shop code"),
    status: Annotated[list[CaseStatus] | None, Query(description="Statuses (repeat for several)")] = None,
    page: int = Query(1, ge=1, le=MAX_PAGE),
    page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
):
    """Cases by deadline, least time left first (no deadline last), with what each refunded."""
    rows = selectors.cases(shop=get_or_404(Shop.objects.all(), _("Shop"), code=shop) if shop else None)
    if status:
        rows = rows.filter(status__in=[s.value for s in status])
    start = (page - 1) * page_size
    return {"count": rows.count(), "page": page, "page_size": page_size, "items": list(rows[start : start + page_size])}


@router.post("/import", response={200: RefundImportReportOut, **ERRORS})
def import_refunds(
    request,
    shop: Annotated[str, Form(description="Shop code")],
    file: Annotated[UploadedFile, File(description="The refund export (退款管理), .xlsx or .csv")],
    dry_run: Annotated[bool, Form(description="Check and report; store nothing")] = False,
    platform: Annotated[str, Form(description="taobao, jd or pdd; empty: told by the file's columns")] = "",
):
    """Import a platform's refund export as cases, all or nothing. With refused rows: 422 `import_rejected`,
    the report in `details`."""
    report = imports.import_refund_file(
        actor=request.auth,
        shop=get_or_404(Shop.objects.all(), _("Shop"), code=shop),
        file=file,
        filename=file.name or "upload",
        dry_run=dry_run,
        platform=platform or None,
    )
    if not report.ok:
        raise ImportRejected(
            _("%(count)s rows rejected; nothing was stored.") % {"count": report.rejected_rows}, **report.as_dict()
        )
    return report.as_dict()


@router.get("/{case_id}", response={200: CaseDetailOut, **ERRORS})
def get_case(request, case_id: int):
    """One case with its lines, its timeline and every line of its order with what is left to refund."""
    return _detail(_case(case_id))


@router.post("", response={201: CaseDetailOut, **ERRORS})
def open_case(request, payload: OpenCaseIn):
    """Open a case on an order (its lines by id, with units); the deadline comes from `platform_deadline` when
    given, else from the channel's rule."""
    if not payload.order_id <= MAX_ID:
        raise _missing(_("Order"), payload.order_id)
    order = get_or_404(Order.objects.all(), _("Order"), pk=payload.order_id)
    case = services.open_case(
        actor=request.auth,
        order=order,
        kind=payload.kind.value,
        reason=payload.reason.value,
        lines=[(line.order_line_id, line.quantity) for line in payload.lines],
        requested_amount=payload.requested_amount,
        responsibility=payload.responsibility.value if payload.responsibility else "",
        platform_refund_no=payload.platform_refund_no,
        platform_deadline=payload.platform_deadline,
        description=payload.description,
    )
    return 201, _detail(case)


def _responsibility(payload: StepIn | ReasonStepIn) -> str:
    return payload.responsibility.value if payload.responsibility else ""


@router.post("/{case_id}/agree", response={200: CaseDetailOut, **ERRORS})
def agree_case(request, case_id: int, payload: StepIn):
    case = services.agree(
        actor=request.auth, case=_case(case_id), reason=payload.reason, responsibility=_responsibility(payload)
    )
    return _detail(case)


@router.post("/{case_id}/reject", response={200: CaseDetailOut, **ERRORS})
def reject_case(request, case_id: int, payload: ReasonStepIn):
    case = services.reject(
        actor=request.auth, case=_case(case_id), reason=payload.reason, responsibility=_responsibility(payload)
    )
    return _detail(case)


@router.post("/{case_id}/refund", response={200: CaseDetailOut, **ERRORS})
def refund_case(request, case_id: int, payload: RefundIn):
    """Give back amounts of the order's lines. A line over what is left of it (paid − earlier refunds, every case
    together) refuses the whole refund: 409 `over_refund`, with the line, paid, refunded, left and asked."""
    roles.require(request.auth, roles.HANDLE_CASES)  # before judging the body: a refused role learns nothing
    amounts = {}
    for line in payload.lines:
        if line.order_line_id in amounts:
            raise CaseRuleBroken(_("Line %(id)s is given twice.") % {"id": line.order_line_id})
        amounts[line.order_line_id] = line.amount
    case = services.refund(actor=request.auth, case=_case(case_id), amounts=amounts, reason=payload.reason)
    return _detail(case)


@router.post("/{case_id}/close", response={200: CaseDetailOut, **ERRORS})
def close_case(request, case_id: int, payload: ReasonStepIn):
    case = services.close(
        actor=request.auth, case=_case(case_id), reason=payload.reason, responsibility=_responsibility(payload)
    )
    return _detail(case)


@router.post("/{case_id}/assign", response={200: CaseDetailOut, **ERRORS})
def assign_case(request, case_id: int, payload: AssignIn):
    """Give the case to a person who may handle cases (by username), or to nobody (null)."""
    roles.require(request.auth, roles.HANDLE_CASES)
    case = _case(case_id)
    assignee = None
    if payload.assignee is not None:
        assignee = get_user_model().objects.filter(username=payload.assignee, is_active=True).first()
        if assignee is None:
            raise ValidationFailed(_("No such person: %(name)s") % {"name": payload.assignee})
    return _detail(services.assign(actor=request.auth, case=case, assignee=assignee))


@router.post("/{case_id}/replacement", response={200: ReplacementOut, **ERRORS})
def send_replacement(request, case_id: int, payload: ReplacementIn):
    """换货/补发 of an agreed exchange or reissue: every case line with units sends them again (`lines` chooses
    the SKU per case line: an exchange another SKU of the same product), as a replacement part of the order
    that ships through the fulfilment like any order. 409 when the case is another kind, not agreed, or sent."""
    roles.require(request.auth, roles.HANDLE_CASES)  # before judging the body: a refused role learns nothing
    items: dict[int, int] = {}
    for line in payload.lines:
        if line.case_line_id in items:
            raise CaseRuleBroken(_("Case line %(id)s is given twice.") % {"id": line.case_line_id})
        items[line.case_line_id] = line.sku_id
    case = _case(case_id)
    part = replacements.send_replacement(actor=request.auth, case=case, items=items, reason=payload.reason)
    lines = CaseLine.objects.filter(case=case, replacement_line__ships_in=part).select_related("replacement_line")
    return SimpleNamespace(case_id=case.pk, part=part, lines=list(lines.order_by("pk")))


# The set answers and compensation endpoints, and returns receiving, live in their own modules, on this router.
from zhanggui.aftersales.compensation import api as compensation_api  # noqa: E402, F401 - after `router`
from zhanggui.aftersales.returns import api as return_api  # noqa: E402, F401 - they register on it
