"""Promotions in the approval flow: rejected with a reason, back to the author to edit and submit again; approved
by the desk (not by its author) within the limit; and what approving one does to the SKUs it reaches."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhanggui.approvals.tests.conftest import deep, window
from zhanggui.catalog.tests.factories import SkuFactory
from zhanggui.core.errors import PermissionDeniedError, ValidationFailed
from zhanggui.core.models import AuditEntry
from zhanggui.promotions.models import PromotionState, PromotionStatus
from zhanggui.promotions.offers import selectors, services
from zhanggui.promotions.offers.errors import InvalidPromotionState

pytestmark = pytest.mark.django_db


def submitted(actor, shop, raw):
    return services.submit_promotion(
        actor=actor, promotion=services.create_promotion(actor=actor, shop=shop, raw_spec=raw)
    )


def test_a_manager_rejects_with_a_reason_and_it_goes_back_to_its_author(operator, manager, shop, sku):
    promotion = submitted(operator, shop, deep())
    with pytest.raises(ValidationFailed):
        services.reject_promotion(actor=manager, promotion=promotion, note="")
    promotion = services.reject_promotion(actor=manager, promotion=promotion, note="6折太深，最多7折")
    assert (promotion.state, promotion.status, promotion.rejected_by) == ("rejected", "rejected", manager)
    assert (promotion.rejection_note, promotion.approved_by) == ("6折太深，最多7折", None)
    entry = AuditEntry.objects.get(action="promotion.reject")
    assert (entry.actor, entry.before, entry.after, entry.note) == (
        manager,
        {"state": "submitted"},
        {"state": "rejected", "rejected_by": "manager"},
        "6折太深，最多7折",
    )
    assert selectors.running_promotions(shop) == []  # a rejected promotion is never priced
    assert list(selectors.rejected_promotions(created_by=operator)) == [promotion]
    assert list(selectors.pending_promotions()) == []

    # The author edits it within the limit and submits it again: the desk approves it.
    promotion = services.update_promotion(actor=operator, promotion=promotion, raw_spec={**promotion.spec, "rate": "7"})
    assert promotion.state == PromotionState.REJECTED
    promotion = services.submit_promotion(actor=operator, promotion=promotion)
    assert (promotion.state, promotion.auto_approved, promotion.approved_by) == ("approved", True, None)
    assert [p.id for p in selectors.running_promotions(shop)] == ["d6"]


def test_a_rejected_promotion_submitted_again_unchanged_waits_again(operator, manager, shop, sku):
    promotion = submitted(operator, shop, deep())
    services.reject_promotion(actor=manager, promotion=promotion, note="再想想")
    promotion = services.submit_promotion(actor=operator, promotion=promotion)
    assert promotion.state == PromotionState.SUBMITTED
    assert list(selectors.pending_promotions()) == [promotion]


def test_only_a_submitted_promotion_is_rejected(operator, manager, shop, sku):
    draft = services.create_promotion(actor=operator, shop=shop, raw_spec=deep())
    with pytest.raises(InvalidPromotionState):
        services.reject_promotion(actor=manager, promotion=draft, note="no")
    draft.refresh_from_db()
    assert draft.state == PromotionState.DRAFT


@pytest.mark.parametrize("role", ["operator", "service", "warehouse", "designer", "copywriter"])
def test_only_a_manager_rejects_and_a_refusal_changes_nothing(users, shop, sku, role):
    promotion = submitted(users["operator"], shop, deep())
    audit_before = AuditEntry.objects.count()
    with pytest.raises(PermissionDeniedError):
        services.reject_promotion(actor=users[role], promotion=promotion, note="no")
    promotion.refresh_from_db()
    assert (promotion.state, promotion.rejected_by, AuditEntry.objects.count()) == ("submitted", None, audit_before)


def test_a_manager_approving_after_a_rejection_is_the_approver(operator, manager, other_manager, shop, sku):
    promotion = submitted(operator, shop, deep())
    services.reject_promotion(actor=manager, promotion=promotion, note="再想想")
    promotion = services.submit_promotion(actor=operator, promotion=promotion)
    promotion = services.approve_promotion(actor=other_manager, promotion=promotion)
    assert (promotion.state, promotion.approved_by, promotion.auto_approved) == ("approved", other_manager, False)
    assert promotion.status_at(promotion.starts_at) == PromotionStatus.RUNNING


# ----- what approving it does --------------------------------------------------------------------------------


def test_the_impact_prices_the_skus_it_reaches_now_and_with_it(operator, shop, sku):
    SkuFactory(product=sku.product, code="TEE-L", price=Decimal("69.00"), cost=Decimal("30.00"))
    SkuFactory(product__shop=shop, code="MUG", price=Decimal("20.00"), cost=Decimal("5.00"))  # not reached
    promotion = submitted(operator, shop, deep(scope={"products": ["TEE"]}))
    impact = selectors.promotion_impact(promotion)
    rows = {row.sku.code: row for row in impact.rows}
    assert (impact.reached, list(rows)) == (2, ["TEE-L", "TEE-M"])  # the dearest first
    assert (rows["TEE-M"].price, rows["TEE-M"].item_price) == (Decimal("59.00"), Decimal("35.40"))
    assert (rows["TEE-M"].margin_now.amount, rows["TEE-M"].margin_after.amount) == (Decimal("33.63"), Decimal("10.03"))
    assert (rows["TEE-L"].item_price, rows["TEE-L"].margin_after.amount) == (Decimal("41.40"), Decimal("11.40"))
    # The cart of both, one unit each: 128.00 without it, 6折 with it.
    assert (impact.list_total, impact.payable_without, impact.payable_with) == (
        Decimal("128.00"),
        Decimal("128.00"),
        Decimal("76.80"),
    )
    assert impact.saving == Decimal("51.20")
    assert (rows["TEE-M"].paid_without, rows["TEE-M"].paid_with) == (Decimal("59.00"), Decimal("35.40"))


def test_a_threshold_promotion_shows_in_the_cart_not_in_the_item_price(operator, shop, sku):
    SkuFactory(product=sku.product, code="TEE-L", price=Decimal("69.00"), cost=Decimal("30.00"))
    raw = {"id": "mj", "kind": "spend_save", "name": "满100减60", "tiers": [["100", "60"]], **window()}
    promotion = submitted(operator, shop, raw)
    assert promotion.state == PromotionState.SUBMITTED  # 满100减60: 4折 at the threshold
    impact = selectors.promotion_impact(promotion)
    assert [(r.sku.code, r.item_price) for r in impact.rows] == [
        ("TEE-L", Decimal("69.00")),
        ("TEE-M", Decimal("59.00")),
    ]
    assert (impact.payable_without, impact.payable_with) == (Decimal("128.00"), Decimal("68.00"))
    assert sum(r.paid_with for r in impact.rows) == Decimal("68.00")  # 分摊 over the two lines


def test_the_impact_prices_at_most_twenty_skus(operator, shop, sku):
    for i in range(22):
        SkuFactory(product=sku.product, code=f"TEE-{i:02d}", price=Decimal("10.00") + i, cost=Decimal("1.00"))
    promotion = submitted(operator, shop, deep(scope={"products": ["TEE"]}))
    impact = selectors.promotion_impact(promotion)
    assert (impact.reached, len(impact.rows), impact.rows[0].sku.code) == (23, 20, "TEE-M")
