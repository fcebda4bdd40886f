"""Set answers and compensation endpoints, on the after-sales router (/api/v1/aftersales): the answers that fit a
case filled in for it, the case's offers, an offer, and a manager's decision on one above its offerer's limit.

Every write calls one function of aftersales.compensation, which checks the capability (handle_cases to offer,
approve_compensation to decide), the limit, the four eyes (403 `self_approval_refused`) and the state (409
`invalid_compensation_state`).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from zhanggui.aftersales.answers import services as answers
from zhanggui.aftersales.api import _case, _missing, router
from zhanggui.aftersales.compensation import services as compensation
from zhanggui.aftersales.compensation.schemas import CompensationOut, DecideIn, OfferIn, SetAnswerOut
from zhanggui.aftersales.errors import CaseRuleBroken
from zhanggui.aftersales.models import Compensation, CompensationRule
from zhanggui.aftersales.schemas import MAX_ID
from zhanggui.catalog.api import ERRORS, get_or_404
from zhanggui.core import roles


@router.get("/{case_id}/answers", response={200: list[SetAnswerOut], **ERRORS})
def case_answers(request, case_id: int):
    """The set answers that fit the case (its reason and kind first, then the general ones), filled in for it."""
    case = _case(case_id)
    return [
        {
            "id": r.answer.pk,
            "title": r.answer.title,
            "reason": r.answer.reason,
            "kind": r.answer.kind,
            "text": r.text,
            "unknown": r.unknown,
            "missing": r.missing,
        }
        for r in answers.for_case(case)
        if r.answer is not None
    ]


@router.get("/{case_id}/compensations", response={200: list[CompensationOut], **ERRORS})
def case_compensations(request, case_id: int):
    """The case's offers, oldest first, with who offered and who decided."""
    return compensation.of_case(_case(case_id))


@router.post("/{case_id}/compensations", response={201: CompensationOut, **ERRORS})
def offer_compensation(request, case_id: int, payload: OfferIn):
    """Offer a compensation: `approved` at once within the caller's limit (the case's standing offers counted
    with it; an approved partial refund is refunded line by line), else `pending` in the approvals queue."""
    roles.require(request.auth, roles.HANDLE_CASES)  # before judging the body: a refused role learns nothing
    case = _case(case_id)
    rule = None
    if payload.rule_id is not None:
        rule = CompensationRule.objects.filter(pk=payload.rule_id).first()
        if rule is None:
            raise CaseRuleBroken(_("No such compensation rule: %(id)s.") % {"id": payload.rule_id})
    made = compensation.offer(
        actor=request.auth,
        case=case,
        offer=payload.offer.value,
        amount=payload.amount,
        rule=rule,
        note=payload.note,
    )
    return 201, compensation.compensation(made.pk)


@router.post("/compensations/{compensation_id}/decide", response={200: CompensationOut, **ERRORS})
def decide_compensation(request, compensation_id: int, payload: DecideIn):
    """A manager other than the offerer approves (`approve: true`) or rejects, saying why, an offer that waits."""
    roles.require(request.auth, roles.APPROVE_COMPENSATION)
    if not 0 < compensation_id <= MAX_ID:
        raise _missing(_("Compensation"), compensation_id)
    offer = get_or_404(Compensation.objects.all(), _("Compensation"), pk=compensation_id)
    decided = compensation.decide(actor=request.auth, compensation=offer, approve=payload.approve, note=payload.note)
    return compensation.compensation(decided.pk)
