"""The price rule (catalog.price_changes): a new price below cost or deeper than the approval limit waits for a
manager other than its author, the listing keeps its price meanwhile; and who may change the cost."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhanggui.catalog import selectors, services
from zhanggui.catalog.models import PriceChange, PriceChangeState
from zhanggui.catalog.price_changes import (
    BELOW_COST,
    TOO_DEEP,
    InvalidPriceChangeState,
    SelfApprovalRefused,
    approve_price_change,
    check_price,
    reject_price_change,
)
from zhanggui.core.errors import PermissionDeniedError, ValidationFailed
from zhanggui.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_the_rule_reads_the_cost_and_the_approval_limit(settings):
    assert check_price(price_before=Decimal("59.00"), price=Decimal("9.90"), cost=Decimal("25.37")).reasons == [
        BELOW_COST,
        TOO_DEEP,
    ]
    # 41.30 / 59 = 0.7 exactly: at the limit, not deeper. 41.29 is deeper.
    assert check_price(price_before=Decimal("59.00"), price=Decimal("41.30"), cost=Decimal("25.37")).reasons == []
    assert check_price(price_before=Decimal("59.00"), price=Decimal("41.29"), cost=Decimal("0")).reasons == [TOO_DEEP]
    assert check_price(price_before=Decimal("30.00"), price=Decimal("25.00"), cost=Decimal("25.37")).reasons == [
        BELOW_COST
    ]
    # A price going up never waits, even below cost: it loses less than the one it replaces.
    assert check_price(price_before=Decimal("20.00"), price=Decimal("22.00"), cost=Decimal("25.37")).reasons == []
    settings.ZHANGGUI_APPROVAL_DISCOUNT_LIMIT = Decimal("9")
    assert check_price(price_before=Decimal("59.00"), price=Decimal("50.00"), cost=Decimal("0")).reasons == [TOO_DEEP]


def test_the_margin_is_price_minus_cost_and_its_share_of_the_price():
    check = check_price(price_before=Decimal("59.00"), price=Decimal("9.90"), cost=Decimal("25.37"))
    assert (check.now.amount, check.now.percent, check.now.amount_text) == (Decimal("33.63"), Decimal("57.0"), "¥33.63")
    assert (check.after.amount, check.after.percent) == (Decimal("-15.47"), Decimal("-156.3"))
    assert (check.after.amount_text, check.after.percent_text, check.after.below_cost) == ("−¥15.47", "−156.3%", True)
    assert (check.share_zhe, check.limit_zhe) == ("1.67", "7")  # 9.90 / 59 = 0.1678: rounded down
    just_under = check_price(price_before=Decimal("59.00"), price=Decimal("41.29"), cost=Decimal("0"))
    assert just_under.share_zhe == "6.99"  # deeper than 7折, and it reads so


def test_a_price_below_cost_waits_and_the_listing_keeps_the_old_price(operator, sku):
    services.set_price(actor=operator, sku=sku, price="9.90", note="清仓")
    sku.refresh_from_db()
    assert sku.price == Decimal("59.00")
    change = selectors.pending_price_change(sku)
    assert (change.price_before, change.price_asked, change.cost, change.note, change.requested_by) == (
        Decimal("59.00"),
        Decimal("9.90"),
        Decimal("25.37"),
        "清仓",
        operator,
    )
    assert not AuditEntry.objects.filter(action="sku.price").exists()
    entry = AuditEntry.objects.get(action="sku.price_request")
    assert (entry.actor, entry.object_id, entry.before, entry.note) == (
        operator,
        str(sku.pk),
        {"price": "59.00"},
        "清仓",
    )
    assert entry.after == {"price": "9.90", "cost": "25.37", "price_change": change.pk}


def test_a_price_within_the_rule_applies_at_once_and_replaces_a_waiting_one(operator, sku):
    services.set_price(actor=operator, sku=sku, price="9.90")
    waiting = selectors.pending_price_change(sku)
    services.set_price(actor=operator, sku=sku, price="49.00", note="618")
    sku.refresh_from_db()
    waiting.refresh_from_db()
    assert (sku.price, waiting.state) == (Decimal("49.00"), PriceChangeState.SUPERSEDED)
    assert selectors.pending_price_change(sku) is None
    assert AuditEntry.objects.filter(action="sku.price_superseded", object_id=str(sku.pk)).count() == 1
    assert AuditEntry.objects.get(action="sku.price").after == {"price": "49.00"}


def test_a_second_request_replaces_the_first_one_waiting(operator, sku):
    services.set_price(actor=operator, sku=sku, price="9.90")
    services.set_price(actor=operator, sku=sku, price="19.90")
    states = dict(PriceChange.objects.values_list("price_asked", "state"))
    assert states == {Decimal("9.90"): PriceChangeState.SUPERSEDED, Decimal("19.90"): PriceChangeState.PENDING}


def test_another_manager_approves_and_the_price_applies_audited(operator, manager, sku):
    services.set_price(actor=operator, sku=sku, price="9.90")
    change = selectors.pending_price_change(sku)
    approve_price_change(actor=manager, change=change, note="清仓同意")
    sku.refresh_from_db()
    change.refresh_from_db()
    assert sku.price == Decimal("9.90")
    assert (change.state, change.decided_by, change.decision_note) == (PriceChangeState.APPROVED, manager, "清仓同意")
    assert change.decided_at is not None
    entry = AuditEntry.objects.get(action="sku.price")
    assert (entry.actor, entry.object_id, entry.before, entry.note) == (
        manager,
        str(sku.pk),
        {"price": "59.00"},
        "清仓同意",
    )
    assert entry.after == {"price": "9.90", "price_change": change.pk, "asked_by": "operator", "approved_by": "manager"}


def test_the_author_cannot_approve_their_own_price_not_even_a_manager(manager, other_manager, sku):
    services.set_price(actor=manager, sku=sku, price="9.90")
    change = selectors.pending_price_change(sku)
    audit_before = AuditEntry.objects.count()
    with pytest.raises(SelfApprovalRefused):
        approve_price_change(actor=manager, change=change)
    sku.refresh_from_db()
    change.refresh_from_db()
    assert (sku.price, change.state, AuditEntry.objects.count()) == (Decimal("59.00"), "pending", audit_before)
    approve_price_change(actor=other_manager, change=change)
    sku.refresh_from_db()
    assert sku.price == Decimal("9.90")


def test_a_rejection_needs_a_reason_and_keeps_the_old_price(operator, manager, sku):
    services.set_price(actor=operator, sku=sku, price="9.90")
    change = selectors.pending_price_change(sku)
    with pytest.raises(ValidationFailed):
        reject_price_change(actor=manager, change=change, note="  ")
    reject_price_change(actor=manager, change=change, note="低于成本，不行")
    sku.refresh_from_db()
    change.refresh_from_db()
    assert sku.price == Decimal("59.00")
    assert (change.state, change.decided_by, change.decision_note) == ("rejected", manager, "低于成本，不行")
    entry = AuditEntry.objects.get(action="sku.price_rejected")
    assert (entry.actor, entry.note, entry.after) == (
        manager,
        "低于成本，不行",
        {"price_asked": "9.90", "price_change": change.pk},
    )
    assert selectors.price_request_to_show(sku) == change  # the SKU page shows the reason
    assert list(selectors.rejected_price_changes(requested_by=operator)) == [change]
    with pytest.raises(InvalidPriceChangeState):
        approve_price_change(actor=manager, change=change)  # decided: nothing left to approve


def test_once_the_price_has_moved_on_a_rejection_is_no_longer_shown(operator, manager, sku):
    services.set_price(actor=operator, sku=sku, price="9.90")
    reject_price_change(actor=manager, change=selectors.pending_price_change(sku), note="不行")
    sku = services.set_price(actor=operator, sku=sku, price="55.00")
    assert selectors.price_request_to_show(sku) is None


@pytest.mark.parametrize("role", ["operator", "service", "warehouse", "designer", "copywriter"])
def test_only_a_manager_decides_and_a_refusal_changes_nothing(users, sku, role):
    services.set_price(actor=users["manager"], sku=sku, price="9.90")
    change = selectors.pending_price_change(sku)
    audit_before = AuditEntry.objects.count()
    for decide in (approve_price_change, reject_price_change):
        with pytest.raises(PermissionDeniedError) as refused:
            decide(actor=users[role], change=change, note="x")
        assert refused.value.details == {"permission": "catalog.approve_prices"}
    sku.refresh_from_db()
    change.refresh_from_db()
    assert (sku.price, change.state, AuditEntry.objects.count()) == (Decimal("59.00"), "pending", audit_before)


def test_a_new_cost_is_checked_before_the_new_price(manager, sku):
    """The manager raises the cost to 50 and sets 45 in the same save: below the new cost, so it waits."""
    services.set_price(actor=manager, sku=sku, price="45.00", cost="50.00")
    sku.refresh_from_db()
    assert (sku.price, sku.cost) == (Decimal("59.00"), Decimal("50.00"))
    assert selectors.pending_price_change(sku).price_asked == Decimal("45.00")
    assert AuditEntry.objects.get(action="sku.price").after == {"cost": "50.00"}


# ----- who changes the cost ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["operator", "service", "warehouse", "designer", "copywriter"])
def test_only_the_manager_changes_the_cost_and_a_refusal_changes_nothing(users, sku, role):
    with pytest.raises(PermissionDeniedError):
        services.set_price(actor=users[role], sku=sku, price="59.00", cost="20.00")
    with pytest.raises(PermissionDeniedError):
        services.set_price(actor=users[role], sku=sku, price="58.00", cost="20.00")  # the price does not slip in
    sku.refresh_from_db()
    assert (sku.price, sku.cost) == (Decimal("59.00"), Decimal("25.37"))
    assert not AuditEntry.objects.exists()


def test_the_operator_may_send_the_cost_back_unchanged_with_a_new_price(operator, sku):
    """A form posts both fields: an unchanged cost is not a change of cost."""
    services.set_price(actor=operator, sku=sku, price="55.00", cost="25.37")
    sku.refresh_from_db()
    assert (sku.price, sku.cost) == (Decimal("55.00"), Decimal("25.37"))


def test_the_manager_changes_the_cost(manager, sku):
    services.set_price(actor=manager, sku=sku, cost="27.00", note="新进价")
    sku.refresh_from_db()
    assert sku.cost == Decimal("27.00")
    entry = AuditEntry.objects.get(action="sku.price")
    assert (entry.before, entry.after, entry.note) == ({"cost": "25.37"}, {"cost": "27.00"}, "新进价")
