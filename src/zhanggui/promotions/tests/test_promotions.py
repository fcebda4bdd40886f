"""Stored promotions: the calendar status, the approval limit, who may approve, edits after the start, the
audit trail, and the running promotions that `zhanggui quote` prices with when no spec file is given."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from zhanggui.catalog.tests.factories import ShopFactory, SkuFactory
from zhanggui.core.errors import PermissionDeniedError
from zhanggui.core.models import AuditEntry
from zhanggui.promotions import spec
from zhanggui.promotions.models import Promotion, PromotionState, PromotionStatus
from zhanggui.promotions.offers import selectors, services
from zhanggui.promotions.offers.errors import (
    InvalidPromotionState,
    PromotionCodeTaken,
    PromotionStarted,
    SelfApprovalRefused,
)

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def shop(db):
    return ShopFactory(code="tm")


def window(start_hours: float = -1, end_hours: float = 24) -> dict[str, str]:
    now = timezone.now().replace(microsecond=0)
    return {
        "starts_at": (now + timedelta(hours=start_hours)).isoformat(),
        "ends_at": (now + timedelta(hours=end_hours)).isoformat(),
    }


def mj(code: str = "mj300", **change) -> dict:
    """满300减30 (9折 at the threshold: within the default 7折 limit)."""
    return {"id": code, "kind": "spend_save", "name": "满300减30", "tiers": [["300", "30"]], **window(), **change}


def deep(code: str = "d6", **change) -> dict:
    """6折 on everything: deeper than the default 7折 limit."""
    return {"id": code, "kind": "discount", "name": "6折清仓", "rate": "6", **window(), **change}


def approved(actor, shop, raw) -> Promotion:
    promotion = services.create_promotion(actor=actor, shop=shop, raw_spec=raw)
    return services.submit_promotion(actor=actor, promotion=promotion)


# ----- status on the calendar ----------------------------------------------------------------------------


def test_status_follows_the_state_and_the_clock(operator, shop):
    start = datetime(2026, 11, 11, 0, 0, tzinfo=SHANGHAI)
    raw = mj(starts_at=start.isoformat(), ends_at=(start + timedelta(days=1)).isoformat())
    promotion = services.create_promotion(actor=operator, shop=shop, raw_spec=raw)
    assert promotion.status_at(start) == PromotionStatus.DRAFT
    promotion.state = PromotionState.SUBMITTED
    assert promotion.status_at(start) == PromotionStatus.PENDING_APPROVAL
    promotion.state = PromotionState.APPROVED
    assert promotion.status_at(start - timedelta(seconds=1)) == PromotionStatus.SCHEDULED
    assert promotion.status_at(start) == PromotionStatus.RUNNING
    assert promotion.status_at(start + timedelta(days=1) - timedelta(seconds=1)) == PromotionStatus.RUNNING
    assert promotion.status_at(start + timedelta(days=1)) == PromotionStatus.ENDED
    promotion.state = PromotionState.CANCELLED
    assert promotion.status_at(start) == PromotionStatus.CANCELLED


@pytest.mark.parametrize("status", list(PromotionStatus))
def test_the_database_status_filter_agrees_with_status_at(operator, manager, shop, status):
    now = timezone.now()
    rows = [
        services.create_promotion(actor=operator, shop=shop, raw_spec=mj("draft")),
        services.submit_promotion(
            actor=operator, promotion=services.create_promotion(actor=operator, shop=shop, raw_spec=deep("pending"))
        ),
        approved(operator, shop, mj("soon", **window(2, 5))),
        approved(operator, shop, mj("now")),
        services.cancel_promotion(
            actor=operator, promotion=services.create_promotion(actor=operator, shop=shop, raw_spec=mj("gone"))
        ),
        services.reject_promotion(
            actor=manager,
            promotion=services.submit_promotion(
                actor=operator, promotion=services.create_promotion(actor=operator, shop=shop, raw_spec=deep("no"))
            ),
            note="太深",
        ),
    ]
    ended = approved(operator, shop, mj("past", **window(-5, 1)))
    Promotion.objects.filter(pk=ended.pk).update(ends_at=now - timedelta(hours=1))
    rows.append(Promotion.objects.get(pk=ended.pk))
    expected = sorted(p.code for p in rows if p.status_at(now) == status)
    assert expected  # each status has exactly one row above
    assert sorted(selectors.promotions(status=status, at=now).values_list("code", flat=True)) == expected


# ----- create and validate --------------------------------------------------------------------------------


def test_create_stores_a_draft_with_the_window_written_into_the_spec_and_audits_it(operator, shop):
    raw = mj(starts_at="2026-11-11T00:00:00+08:00", ends_at="2026-11-11T15:59:59Z")
    promotion = services.create_promotion(actor=operator, shop=shop, raw_spec=raw)
    assert (promotion.code, promotion.kind, promotion.name, promotion.state) == (
        "mj300",
        "spend_save",
        "满300减30",
        "draft",
    )
    assert promotion.starts_at == datetime(2026, 11, 11, 0, 0, tzinfo=SHANGHAI)
    assert promotion.spec["starts_at"] == "2026-11-11T00:00:00+08:00"
    assert promotion.spec["ends_at"] == "2026-11-11T23:59:59+08:00"
    assert promotion.created_by == operator
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.object_id) == ("promotion.create", operator, str(promotion.pk))
    assert entry.before == {}
    assert entry.after == {"state": "draft", "spec": promotion.spec}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (mj(tiers=[["300", 30.5]]), "promotion mj300.tiers[0][1]: write amounts as strings or integers, not 30.5"),
        (mj(kind="half_off"), "promotion mj300: unknown kind 'half_off'"),
        ({k: v for k, v in mj().items() if k != "ends_at"}, "promotion mj300.ends_at: a stored promotion needs"),
        (mj(**window(5, 1)), "promotion mj300.ends_at: must be after starts_at"),
        (mj(starts_at="2026-11-11 00:00"), "promotion mj300.starts_at: not a date-time with time zone"),
    ],
)
def test_a_bad_spec_is_refused_with_the_field_named_and_nothing_is_written(operator, shop, raw, message):
    with pytest.raises(spec.SpecError) as refused:
        services.create_promotion(actor=operator, shop=shop, raw_spec=raw)
    assert refused.value.message.startswith(message)
    assert refused.value.http_status == 422
    assert not Promotion.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_code_is_unique_among_a_shop_and_the_all_shops_promotions(operator, shop):
    services.create_promotion(actor=operator, shop=None, raw_spec=mj("all"))
    services.create_promotion(actor=operator, shop=shop, raw_spec=mj("mine"))
    services.create_promotion(actor=operator, shop=ShopFactory(code="jd"), raw_spec=mj("mine"))
    for taken_shop, code in ((shop, "all"), (shop, "mine"), (None, "all")):
        with pytest.raises(PromotionCodeTaken):
            services.create_promotion(actor=operator, shop=taken_shop, raw_spec=mj(code))
    assert Promotion.objects.count() == 3


@pytest.mark.parametrize("role", ["service", "warehouse", "designer", "copywriter"])
def test_roles_without_manage_promotions_cannot_create(users, shop, role):
    with pytest.raises(PermissionDeniedError):
        services.create_promotion(actor=users[role], shop=shop, raw_spec=mj())
    assert not Promotion.objects.exists()
    assert not AuditEntry.objects.exists()


# ----- how deep, and who approves -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "deep"),
    [
        ({"id": "a", "kind": "discount", "rate": "7"}, False),  # 7折 itself is within the limit
        ({"id": "a", "kind": "discount", "rate": "6.9"}, True),
        ({"id": "a", "kind": "spend_save", "tiers": [["300", "30"], ["100", "40"]]}, True),  # 满100减40 = 6折
        ({"id": "a", "kind": "spend_save", "repeat": {"every": "100", "off": "30"}}, False),
        ({"id": "a", "kind": "spend_discount", "tiers": [["300", "7.9"]]}, False),
        ({"id": "a", "kind": "quantity_discount", "tiers": [[2, "9"], [3, "6.5"]]}, True),
        ({"id": "a", "kind": "quantity_save", "tiers": [[2, "30"]], "scope": {"skus": ["S100"]}}, False),  # 2×¥100 − 30
        (
            {"id": "a", "kind": "quantity_save", "tiers": [[2, "31"]], "scope": {"skus": ["S100", "S50"]}},
            True,
        ),  # 2×¥50 − 31
        ({"id": "a", "kind": "quantity_save", "tiers": [[2, "10"]]}, True),  # the whole shop: SKUs added later too
        ({"id": "a", "kind": "any_n_for", "n": 2, "price": "140", "scope": {"skus": ["S100"]}}, False),  # 7折
        ({"id": "a", "kind": "any_n_for", "n": 2, "price": "139", "scope": {"skus": ["S100"]}}, True),
        ({"id": "a", "kind": "any_n_for", "n": 3, "price": "99", "scope": {"categories": ["毛巾"]}}, True),
        ({"id": "a", "kind": "multibuy", "nth": 2, "rate": "5"}, False),  # 第二件半价 = 7.5折 over the pair
        ({"id": "a", "kind": "multibuy", "buy": 2, "free": 1}, True),  # 买二送一 = 6.67折
        ({"id": "a", "kind": "member_price", "rates": {"gold": "8", "silver": "6"}}, True),
        ({"id": "a", "kind": "coupon", "amount": "20", "min_spend": "199", "codes": ["X"]}, False),
        ({"id": "a", "kind": "coupon", "amount": "5", "codes": ["X"]}, True),  # 无门槛: a manager decides
        ({"id": "a", "kind": "coupon", "rate": "9", "codes": ["X"]}, False),  # 折扣券 9折, even 无门槛
        ({"id": "a", "kind": "coupon", "rate": "6.5", "max_amount": "50", "codes": ["X"]}, True),
        ({"id": "a", "kind": "coupon", "rate": "5", "max_amount": "10", "min_spend": "100", "codes": ["X"]}, False),
        ({"id": "a", "kind": "gift", "threshold": "199", "gift_sku": "TOWEL"}, False),
        ({"id": "a", "kind": "spend_save", "tiers": [["100", "90"]]}, True),  # 满100减90 = 1折
        ({"id": "a", "kind": "price_cut", "amount": "1"}, True),  # the whole shop: SKUs added later too
        ({"id": "a", "kind": "price_cut", "amount": "500"}, True),
        ({"id": "a", "kind": "special_price", "price": "1.00", "scope": {"categories": ["被子被芯"]}}, True),
        ({"id": "a", "kind": "special_price", "price": "99.00", "scope": {"products": ["P100"]}}, True),
        ({"id": "a", "kind": "group_buy", "price": "99.00", "min_buyers": 2, "scope": {"roles": ["traffic"]}}, True),
        ({"id": "a", "kind": "special_price", "price": "99.00", "scope": {"skus": ["S100", "NOT-YET"]}}, True),
        ({"id": "a", "kind": "price_cut", "amount": "20", "scope": {"skus": ["S100", "S50"]}}, True),  # 6折 of ¥50
        (
            {
                "id": "a",
                "kind": "price_cut",
                "amount": "20",
                "scope": {"skus": ["S100", "S50"], "exclude_skus": ["S50"]},
            },
            False,
        ),
        ({"id": "a", "kind": "member_price", "prices": {"gold": "60.00"}, "scope": {"skus": ["S100"]}}, True),
        ({"id": "a", "kind": "member_price", "prices": {"gold": "80.00"}, "scope": {"skus": ["S100"]}}, False),
        ({"id": "a", "kind": "member_price", "prices": {"gold": "80.00"}, "scope": {"categories": ["被子被芯"]}}, True),
        ({"id": "a", "kind": "discount", "rate": "8", "scope": {"categories": ["被子被芯"]}}, False),  # a rate: known
        ({"id": "a", "kind": "bundle", "items": [{"sku": "S100"}, {"sku": "NOT-YET"}], "price": "149.00"}, True),
        ({"id": "a", "kind": "price_cut", "amount": "30", "scope": {"skus": ["S100"]}}, False),  # 7折 of ¥100
        ({"id": "a", "kind": "price_cut", "amount": "30.01", "scope": {"skus": ["S100"]}}, True),
        ({"id": "a", "kind": "special_price", "price": "69.00", "scope": {"skus": ["S100"]}}, True),
        ({"id": "a", "kind": "flash_sale", "price": "70.00", "per_buyer_cap": 1, "scope": {"skus": ["S100"]}}, False),
        ({"id": "a", "kind": "bundle", "items": [{"sku": "S100"}, {"sku": "S50"}], "price": "100.00"}, True),
        ({"id": "a", "kind": "bundle", "items": [{"sku": "S100"}, {"sku": "S50"}], "price": "120.00"}, False),
    ],
)
def test_needs_approval_above_the_default_7_zhe_limit(shop, raw, deep):
    SkuFactory(code="S100", price=Decimal("100.00"), product__shop=shop)
    SkuFactory(code="S50", price=Decimal("50.00"), product__shop=shop)
    assert services.needs_approval(raw, shop=shop) is deep


def test_the_limit_comes_from_the_setting(settings, shop):
    raw = {"id": "a", "kind": "discount", "rate": "8"}
    assert services.needs_approval(raw, shop=shop) is False
    settings.ZHANGGUI_APPROVAL_DISCOUNT_LIMIT = Decimal("8.5")
    assert services.needs_approval(raw, shop=shop) is True


def test_a_promotion_within_the_limit_is_approved_by_the_desk_not_by_its_author(operator, shop):
    promotion = services.create_promotion(actor=operator, shop=shop, raw_spec=mj())
    promotion = services.submit_promotion(actor=operator, promotion=promotion)
    assert (promotion.state, promotion.status) == ("approved", "running")
    assert (promotion.approved_by, promotion.auto_approved, promotion.approved_at is not None) == (None, True, True)
    entry = AuditEntry.objects.get(action="promotion.submit")
    assert (entry.actor, entry.before) == (operator, {"state": "draft"})
    assert entry.after == {"state": "approved", "needs_approval": False, "auto_approved": True}


def test_a_deep_discount_waits_for_a_manager_who_is_not_its_creator(users, shop):
    manager, operator = users["manager"], users["operator"]
    other_manager = users["manager"].__class__.objects.create_user("manager2")
    other_manager.groups.add(*manager.groups.all())
    mine = services.create_promotion(actor=manager, shop=shop, raw_spec=deep("mine"))
    mine = services.submit_promotion(actor=manager, promotion=mine)
    assert (mine.state, mine.status, mine.approved_by) == ("submitted", "pending_approval", None)
    with pytest.raises(SelfApprovalRefused):
        services.approve_promotion(actor=manager, promotion=mine)
    mine.refresh_from_db()
    assert (mine.state, mine.approved_by) == ("submitted", None)
    assert not AuditEntry.objects.filter(action="promotion.approve").exists()

    mine = services.approve_promotion(actor=other_manager, promotion=mine, note="清仓同意")
    assert (mine.state, mine.approved_by, mine.status) == ("approved", other_manager, "running")
    entry = AuditEntry.objects.get(action="promotion.approve")
    assert (entry.actor, entry.before, entry.after, entry.note) == (
        other_manager,
        {"state": "submitted"},
        {"state": "approved", "approved_by": "manager2"},
        "清仓同意",
    )
    # An operator's deep discount: any manager approves it.
    theirs = services.submit_promotion(
        actor=operator, promotion=services.create_promotion(actor=operator, shop=shop, raw_spec=deep("theirs"))
    )
    assert services.approve_promotion(actor=manager, promotion=theirs).approved_by == manager


@pytest.mark.parametrize("role", ["operator", "service", "warehouse", "designer", "copywriter"])
def test_only_a_manager_approves_and_a_refusal_changes_nothing(users, shop, role):
    promotion = services.submit_promotion(
        actor=users["operator"],
        promotion=services.create_promotion(actor=users["operator"], shop=shop, raw_spec=deep()),
    )
    audit_before = AuditEntry.objects.count()
    with pytest.raises(PermissionDeniedError) as refused:
        services.approve_promotion(actor=users[role], promotion=promotion)
    assert refused.value.details == {"permission": "promotions.approve_promotions"}
    promotion.refresh_from_db()
    assert (promotion.state, promotion.approved_by, promotion.approved_at) == ("submitted", None, None)
    assert AuditEntry.objects.count() == audit_before


def test_steps_out_of_order_are_refused(operator, manager, shop):
    promotion = approved(operator, shop, mj())
    with pytest.raises(InvalidPromotionState):
        services.submit_promotion(actor=operator, promotion=promotion)
    with pytest.raises(InvalidPromotionState):
        services.approve_promotion(actor=manager, promotion=promotion)
    services.cancel_promotion(actor=operator, promotion=promotion)
    with pytest.raises(InvalidPromotionState):
        services.cancel_promotion(actor=operator, promotion=promotion)


# ----- edits -----------------------------------------------------------------------------------------------


def test_a_draft_is_updated_with_before_and_after_in_the_audit_trail(operator, shop):
    promotion = services.create_promotion(actor=operator, shop=shop, raw_spec=mj())
    changed = {**promotion.spec, "name": "满300减40", "tiers": [["300", "40"]]}
    promotion = services.update_promotion(actor=operator, promotion=promotion, raw_spec=changed)
    assert (promotion.name, promotion.spec["tiers"]) == ("满300减40", [["300", "40"]])
    entry = AuditEntry.objects.get(action="promotion.update")
    assert entry.before == {"name": "满300减30", "tiers": [["300", "30"]]}
    assert entry.after == {"name": "满300减40", "tiers": [["300", "40"]]}
    # The same spec again: no write, no audit row.
    services.update_promotion(actor=operator, promotion=promotion, raw_spec=changed)
    assert AuditEntry.objects.filter(action="promotion.update").count() == 1


def test_the_code_of_a_stored_promotion_does_not_change(operator, shop):
    promotion = services.create_promotion(actor=operator, shop=shop, raw_spec=mj())
    with pytest.raises(spec.SpecError, match="does not change"):
        services.update_promotion(actor=operator, promotion=promotion, raw_spec=mj("other"))


def test_an_approved_promotion_that_started_keeps_its_money_fields(operator, shop):
    promotion = approved(operator, shop, mj())
    with pytest.raises(PromotionStarted) as refused:
        services.update_promotion(
            actor=operator, promotion=promotion, raw_spec={**promotion.spec, "tiers": [["300", "50"]]}
        )
    assert refused.value.code == "promotion_started"
    assert "cannot change" in refused.value.message
    promotion.refresh_from_db()
    assert promotion.spec["tiers"] == [["300", "30"]]
    assert not AuditEntry.objects.filter(action="promotion.update").exists()


def test_an_approved_promotion_not_started_yet_is_not_edited_either(operator, shop):
    promotion = approved(operator, shop, mj(**window(2, 5)))
    with pytest.raises(
        InvalidPromotionState, match="only drafts, rejected promotions and promotions waiting for approval"
    ):
        services.update_promotion(actor=operator, promotion=promotion, raw_spec={**promotion.spec, "name": "x"})


def test_a_submitted_promotion_can_still_be_edited(operator, shop):
    promotion = services.submit_promotion(
        actor=operator, promotion=services.create_promotion(actor=operator, shop=shop, raw_spec=deep())
    )
    promotion = services.update_promotion(actor=operator, promotion=promotion, raw_spec={**promotion.spec, "rate": "5"})
    assert (promotion.state, promotion.spec["rate"]) == ("submitted", "5")


# ----- the running promotions and the quote command ------------------------------------------------------


def test_running_promotions_are_the_approved_ones_in_their_window_of_the_shop_and_of_every_shop(operator, shop):
    approved(operator, shop, mj("mine"))
    approved(operator, None, mj("everyone", tiers=[["500", "60"]]))
    approved(operator, ShopFactory(code="jd"), mj("theirs"))
    approved(operator, shop, mj("later", **window(2, 5)))
    services.create_promotion(actor=operator, shop=shop, raw_spec=mj("draft"))
    services.cancel_promotion(actor=operator, promotion=approved(operator, shop, mj("stopped")))

    running = selectors.running_promotions(shop=shop)
    assert [p.id for p in running] == ["everyone", "mine"]
    assert isinstance(running[0], spec.Promotion)
    assert running[0].params["tiers"] == ((50000, 6000),)
    assert [p.id for p in selectors.running_promotions()] == ["everyone"]
    later = timezone.now() + timedelta(hours=3)
    assert [p.id for p in selectors.running_promotions(shop=shop, at=later)] == ["everyone", "later", "mine"]


def test_running_promotions_parse_each_row_once_per_change(operator, shop, django_assert_num_queries):
    approved(operator, shop, mj("mine"))
    first = selectors.running_promotions(shop=shop)
    with django_assert_num_queries(1):
        again = selectors.running_promotions(shop=shop)
    assert again[0] is first[0]


@pytest.fixture
def cart_file(tmp_path):
    path = tmp_path / "cart.json"
    cart = {"lines": [{"sku": "A", "quantity": 2, "unit_price": "200.00"}]}
    path.write_text(json.dumps(cart), encoding="utf-8")
    return path


def run_quote(*args: str) -> dict:
    out = StringIO()
    call_command("quote", *args, stdout=out)
    return json.loads(out.getvalue())


def test_quote_without_promotions_uses_the_stored_running_ones(operator, shop, cart_file):
    approved(operator, shop, mj("mine"))
    approved(operator, None, mj("everyone", tiers=[["400", "60"]], stackable=True))
    result = run_quote("--cart", str(cart_file), "--shop", "tm")
    assert result["totals"]["payable"] == "310.00"
    assert sorted((a["promotion"], a["discount"]) for a in result["applied"]) == [
        ("everyone", "60.00"),
        ("mine", "30.00"),
    ]
    assert run_quote("--cart", str(cart_file))["totals"]["payable"] == "340.00"


def test_quote_with_a_spec_file_ignores_the_stored_promotions(operator, shop, cart_file, tmp_path):
    approved(operator, shop, mj("mine"))
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps([{"id": "d9", "kind": "discount", "rate": "9"}]), encoding="utf-8")
    result = run_quote("--cart", str(cart_file), "--shop", "tm", "--promotions", str(spec_file))
    assert result["totals"]["payable"] == "360.00"


def test_quote_names_an_unknown_shop(db, cart_file):
    with pytest.raises(CommandError, match="No shop with code nowhere") as refused:
        call_command("quote", "--cart", str(cart_file), "--shop", "nowhere")
    assert refused.value.returncode == 2
