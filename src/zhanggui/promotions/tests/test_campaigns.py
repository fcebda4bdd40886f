"""Stored official campaigns: a spec is checked on every save and nothing is kept when it is refused, codes are
unique in a shop, a preset is copied, only the roles that manage promotions write, every write is audited,
the list puts the upcoming ones first, and a check of the shop's SKUs names the failing rule per SKU."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from zhanggui.catalog.models import ListingStatus, Sku
from zhanggui.catalog.tests.factories import CategoryFactory, ShopFactory, SkuFactory
from zhanggui.core.errors import PermissionDeniedError
from zhanggui.core.models import AuditEntry
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import MoveReason
from zhanggui.inventory.tests.factories import WarehouseFactory
from zhanggui.promotions.campaigns import selectors, services
from zhanggui.promotions.campaigns.eligibility import Offer
from zhanggui.promotions.campaigns.errors import CampaignArchived, CampaignCodeTaken, CampaignSpecError, InvalidCampaign
from zhanggui.promotions.campaigns.presets import PRESETS
from zhanggui.promotions.campaigns.services import (
    SkuOffer,
    check_campaign_skus,
    create_campaign,
    price_at_rate,
    update_campaign,
)
from zhanggui.promotions.models import OfficialCampaign

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
WITHOUT_THE_RIGHT = ["service", "warehouse", "designer", "copywriter"]

MINE = {
    "id": "cyh-0618",
    "name": "超优汇 6月场",
    "rules": [
        {"kind": "min_sales", "days": 30, "units": 10},
        {"kind": "min_reviews", "count": 5},
        {"kind": "min_offer_value", "amount": "10000.00"},
    ],
}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def at(day: int, hour: int = 0) -> datetime:
    return datetime(2026, 6, day, hour, tzinfo=SHANGHAI)


def audit_rows(campaign: OfficialCampaign) -> list[AuditEntry]:
    return list(selectors.campaign_history(campaign))


# --------------------------------------------------------------------------------------------------------
# Create
# --------------------------------------------------------------------------------------------------------


def test_operator_creates_a_campaign_from_its_spec_and_the_create_is_audited(users):
    shop = ShopFactory(code="tmall-a")
    campaign = create_campaign(
        actor=users["operator"],
        shop=shop,
        raw_spec={**MINE, "rules": [*MINE["rules"][:2], {"kind": "min_offer_value", "amount": 10000}]},
        apply_by=at(10, 18),
        starts_at=at(18),
        ends_at=at(21),
        note="  先报天猫  ",
    )
    campaign.refresh_from_db()
    assert (campaign.code, campaign.name, campaign.preset, campaign.note) == (
        "cyh-0618",
        "超优汇 6月场",
        "",
        "先报天猫",
    )
    # stored in its parsed form: the integer amount as the exact string the engine writes
    assert campaign.spec["rules"][2] == {"kind": "min_offer_value", "amount": "10000.00"}
    assert (campaign.apply_by, campaign.starts_at, campaign.ends_at) == (at(10, 18), at(18), at(21))
    (entry,) = audit_rows(campaign)
    assert entry.action == "campaign.create" and entry.actor == users["operator"]
    assert entry.after["shop"] == "tmall-a" and entry.after["spec"] == campaign.spec
    assert entry.after["apply_by"] == at(10, 18).isoformat()


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({**MINE, "rules": [{"kind": "min_offer_value", "amount": 10000.5}]}, "campaign.rules[0].amount"),
        ({**MINE, "rules": [{"kind": "min_sales", "days": 400, "units": 1}]}, "campaign.rules[0].days"),
        ({**MINE, "rules": [{"kind": "no_such_rule"}]}, "campaign.rules[0].kind"),
        ({**MINE, "rules": []}, "campaign.rules"),
        ({**MINE, "name": ""}, "campaign.name"),
        ({**MINE, "id": "x" * 65}, "campaign.id"),
        ({**MINE, "colour": "red"}, "campaign: unknown keys colour"),
    ],
)
def test_an_invalid_spec_is_refused_naming_the_field_and_nothing_is_saved(users, spec, field):
    shop = ShopFactory()
    with pytest.raises(CampaignSpecError) as refused:
        create_campaign(actor=users["operator"], shop=shop, raw_spec=spec)
    assert field in refused.value.message
    assert refused.value.code == "invalid_campaign_spec" and refused.value.http_status == 422
    assert not OfficialCampaign.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="campaign.").exists()


def test_an_event_that_ends_before_it_starts_is_refused(users):
    with pytest.raises(InvalidCampaign) as refused:
        create_campaign(actor=users["operator"], shop=ShopFactory(), raw_spec=MINE, starts_at=at(20), ends_at=at(19))
    assert refused.value.details == {"field": "ends_at"}
    assert not OfficialCampaign.objects.exists()


def test_a_code_is_unique_in_its_shop_only(users):
    shop, other = ShopFactory(code="tmall-a"), ShopFactory(code="jd-b")
    create_campaign(actor=users["operator"], shop=shop, raw_spec=MINE)
    with pytest.raises(CampaignCodeTaken) as refused:
        create_campaign(actor=users["manager"], shop=shop, raw_spec={**MINE, "name": "另一个"})
    assert (
        refused.value.http_status == 409 and "cyh-0618" in refused.value.message and "tmall-a" in refused.value.message
    )
    assert OfficialCampaign.objects.filter(shop=shop).count() == 1
    assert AuditEntry.objects.filter(action="campaign.create").count() == 1
    create_campaign(actor=users["operator"], shop=other, raw_spec=MINE)  # the same code in another shop is fine
    assert OfficialCampaign.objects.filter(code="cyh-0618").count() == 2


def test_a_preset_is_copied_so_a_later_change_of_the_presets_leaves_the_campaign_alone(users, monkeypatch):
    shop = ShopFactory()
    campaign = create_campaign(actor=users["operator"], shop=shop, preset="tiantiantejia", apply_by=at(10))
    assert (campaign.code, campaign.name, campaign.preset) == ("tiantiantejia", "天天特价", "tiantiantejia")
    assert campaign.spec == {
        "id": "tiantiantejia",
        "name": "天天特价",
        "rules": [
            {"kind": "min_sales", "days": 30, "units": 10},
            {"kind": "offer_quantity", "max": 300, "min": 50},
        ],
    }
    assert campaign.spec["rules"][0] is not PRESETS["tiantiantejia"]["rules"][0]
    stored = dict(campaign.spec)

    monkeypatch.setitem(
        PRESETS,
        "tiantiantejia",
        {"id": "tiantiantejia", "name": "天天特价", "rules": [{"kind": "min_reviews", "count": 99}]},
    )
    campaign.refresh_from_db()
    assert campaign.spec == stored
    sku = SkuFactory(product__shop=shop, price=Decimal("80.00"))
    (row,) = check_campaign_skus(
        campaign=campaign, offers=[SkuOffer(sku, Offer(price=Decimal("40.00"), quantity=100))]
    ).rows
    assert [o.rule for o in row.outcomes] == ["min_sales", "offer_quantity"]  # the stored rules, not the new ones


def test_a_preset_under_a_code_and_name_of_the_shops_own_and_an_unknown_preset(users):
    shop = ShopFactory()
    create_campaign(actor=users["operator"], shop=shop, preset="tiantiantejia")
    second = create_campaign(
        actor=users["operator"], shop=shop, preset="tiantiantejia", code="ttj-07", name="天天特价7月"
    )
    assert (second.code, second.name, second.spec["id"], second.spec["name"]) == (
        "ttj-07",
        "天天特价7月",
        "ttj-07",
        "天天特价7月",
    )
    with pytest.raises(InvalidCampaign) as refused:
        create_campaign(actor=users["operator"], shop=shop, preset="juhuasuan")
    assert "juhuasuan" in refused.value.message and refused.value.details == {"field": "preset"}
    with pytest.raises(CampaignSpecError):
        create_campaign(actor=users["operator"], shop=shop)  # neither a spec nor a preset
    assert OfficialCampaign.objects.count() == 2


# --------------------------------------------------------------------------------------------------------
# Update, archive, restore
# --------------------------------------------------------------------------------------------------------


def test_an_update_records_only_what_changed_and_no_change_writes_nothing(users):
    campaign = create_campaign(actor=users["operator"], shop=ShopFactory(), raw_spec=MINE, apply_by=at(10))
    changed = {**MINE, "rules": [*MINE["rules"][:2], {"kind": "min_offer_value", "amount": "8000"}]}
    update_campaign(actor=users["manager"], campaign=campaign, raw_spec=changed, apply_by=at(12), note="调低门槛")
    campaign.refresh_from_db()
    assert campaign.spec["rules"][2] == {"kind": "min_offer_value", "amount": "8000.00"}
    assert campaign.apply_by == at(12) and campaign.note == "调低门槛"
    _create, update = audit_rows(campaign)
    assert update.action == "campaign.update" and update.actor == users["manager"]
    assert set(update.before) == {"spec", "apply_by", "note"}
    assert (update.before["apply_by"], update.after["apply_by"]) == (at(10).isoformat(), at(12).isoformat())
    assert update.after["spec"]["rules"][2]["amount"] == "8000.00"

    update_campaign(actor=users["manager"], campaign=campaign, raw_spec=changed, apply_by=at(12), note="调低门槛")
    assert len(audit_rows(campaign)) == 2


def test_an_update_keeps_the_code_and_a_refused_one_changes_nothing(users):
    campaign = create_campaign(actor=users["operator"], shop=ShopFactory(), raw_spec=MINE)
    with pytest.raises(CampaignSpecError) as refused:
        update_campaign(actor=users["operator"], campaign=campaign, raw_spec={**MINE, "id": "renamed"})
    assert "campaign.id" in refused.value.message
    with pytest.raises(CampaignSpecError) as refused:
        update_campaign(
            actor=users["operator"],
            campaign=campaign,
            raw_spec={**MINE, "rules": [{"kind": "max_price", "amount": 1.5}]},
        )
    assert "campaign.rules[0].amount" in refused.value.message
    campaign.refresh_from_db()
    assert campaign.spec == {**MINE, "rules": [*MINE["rules"][:2], {"kind": "min_offer_value", "amount": "10000.00"}]}
    assert len(audit_rows(campaign)) == 1
    # a spec without an id takes the campaign's code
    no_id = {k: v for k, v in MINE.items() if k != "id"}
    update_campaign(actor=users["operator"], campaign=campaign, raw_spec={**no_id, "name": "新名字"})
    campaign.refresh_from_db()
    assert (campaign.code, campaign.name, campaign.spec["id"]) == ("cyh-0618", "新名字", "cyh-0618")


def test_archive_hides_freezes_and_restore_brings_back(users):
    shop = ShopFactory()
    campaign = create_campaign(actor=users["operator"], shop=shop, raw_spec=MINE)
    services.archive_campaign(actor=users["operator"], campaign=campaign, note="不参加了")
    campaign.refresh_from_db()
    assert campaign.is_archived
    assert selectors.shop_campaigns(shop=shop) == []
    assert selectors.shop_campaigns(shop=shop, include_archived=True) == [campaign]
    with pytest.raises(CampaignArchived):
        update_campaign(actor=users["operator"], campaign=campaign, raw_spec={**MINE, "name": "改"})
    services.archive_campaign(actor=users["operator"], campaign=campaign)  # twice: nothing more recorded
    services.restore_campaign(actor=users["manager"], campaign=campaign)
    campaign.refresh_from_db()
    assert not campaign.is_archived and campaign.name == "超优汇 6月场"
    assert [(e.action, e.note, e.after) for e in audit_rows(campaign)[1:]] == [
        ("campaign.archive", "不参加了", {"is_archived": True}),
        ("campaign.restore", "", {"is_archived": False}),
    ]


@pytest.mark.parametrize("role", WITHOUT_THE_RIGHT)
def test_roles_without_the_right_are_refused_and_nothing_changes(users, role):
    shop = ShopFactory()
    campaign = create_campaign(actor=users["operator"], shop=shop, raw_spec=MINE, apply_by=at(10))
    before = (OfficialCampaign.objects.count(), AuditEntry.objects.count())
    person = users[role]
    with pytest.raises(PermissionDeniedError):
        create_campaign(actor=person, shop=shop, preset="taojinbi")
    with pytest.raises(PermissionDeniedError):
        update_campaign(actor=person, campaign=campaign, raw_spec={**MINE, "name": "改"}, apply_by=at(11))
    with pytest.raises(PermissionDeniedError):
        services.archive_campaign(actor=person, campaign=campaign)
    campaign.refresh_from_db()
    assert (campaign.name, campaign.apply_by, campaign.is_archived) == ("超优汇 6月场", at(10), False)
    assert (OfficialCampaign.objects.count(), AuditEntry.objects.count()) == before


# --------------------------------------------------------------------------------------------------------
# Reads
# --------------------------------------------------------------------------------------------------------


def test_the_list_puts_the_nearest_upcoming_date_first_then_undated_then_ended(users):
    shop = ShopFactory()
    now = timezone.now()

    def make(code: str, **dates) -> None:
        create_campaign(actor=users["operator"], shop=shop, raw_spec={**MINE, "id": code}, **dates)

    make("ended-long-ago", starts_at=now - timedelta(days=60), ends_at=now - timedelta(days=50))
    make("ended-last-week", starts_at=now - timedelta(days=10), ends_at=now - timedelta(days=7))
    make("undated")
    make("apply-in-9-days", apply_by=now + timedelta(days=9), starts_at=now + timedelta(days=20))
    make("running-ends-in-2-days", starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=2))
    make("closed-starts-in-5-days", apply_by=now - timedelta(days=1), starts_at=now + timedelta(days=5))
    rows = selectors.shop_campaigns(shop=shop, now=now)
    assert [c.code for c in rows] == [
        "running-ends-in-2-days",
        "closed-starts-in-5-days",
        "apply-in-9-days",
        "undated",
        "ended-last-week",
        "ended-long-ago",
    ]
    assert [selectors.phase(c, now) for c in rows] == ["running", "closed", "open", "undated", "ended", "ended"]
    assert selectors.shop_campaigns(shop=ShopFactory(), now=now) == []


def test_listed_skus_are_those_on_sale_of_the_shop_and_category():
    shop = ShopFactory()
    towels, sheets = CategoryFactory(name="毛巾"), CategoryFactory(name="床单")
    listed = {"listing_status": ListingStatus.LISTED, "product__listing_status": ListingStatus.LISTED}
    a = SkuFactory(code="A", product__shop=shop, product__category=towels, **listed)
    b = SkuFactory(code="B", product__shop=shop, product__category=sheets, **listed)
    SkuFactory(code="C", product__shop=shop, product__category=towels)  # a draft
    SkuFactory(code="D", product__shop=shop, product__category=towels, listing_status=ListingStatus.DELISTED)
    SkuFactory(code="E", product__category=towels, **listed)  # another shop
    assert list(selectors.listed_skus(shop=shop)) == [a, b]
    assert list(selectors.listed_skus(shop=shop, category=towels)) == [a]
    assert set(selectors.listed_categories(shop=shop)) == {towels, sheets}


# --------------------------------------------------------------------------------------------------------
# Check
# --------------------------------------------------------------------------------------------------------


@pytest.fixture
def three_skus(system):
    """¥100.00 each for the last 40 days; sold in the last 30 days: A 12, B 7, C 12 units."""
    shop = ShopFactory(code="tmall-a")
    warehouse = WarehouseFactory()
    skus = []
    for code, sold in (("A", 12), ("B", 7), ("C", 12)):
        sku = SkuFactory(product__shop=shop, code=code, price=Decimal("100.00"))
        Sku.objects.filter(pk=sku.pk).update(created_at=timezone.now() - timedelta(days=40))
        stock.book_move(actor=system, sku=sku, warehouse=warehouse, quantity=300, reason=MoveReason.PURCHASE_RECEIPT)
        stock.book_move(actor=system, sku=sku, warehouse=warehouse, quantity=-sold, reason=MoveReason.SALE_ISSUE)
        skus.append(Sku.objects.select_related("shop").get(pk=sku.pk))
    return shop, skus


def test_check_names_the_failing_rule_per_sku_with_hand_checked_numbers(users, three_skus):
    """A: 12 ≥ 10 sold, 8 ≥ 5 reviews, but 100 × ¥99.00 = ¥9,900.00 < ¥10,000.00.
    B: 7 < 10 sold; 200 × ¥50.00 = ¥10,000.00 passes; reviews not given: unknown.
    C: 12 sold, 5 reviews, 100 × ¥100.00 = ¥10,000.00: eligible."""
    shop, (a, b, c) = three_skus
    campaign = create_campaign(actor=users["operator"], shop=shop, raw_spec=MINE)
    check = check_campaign_skus(
        campaign=campaign,
        offers=[
            SkuOffer(a, Offer(price=Decimal("99.00"), quantity=100), reviews=8),
            SkuOffer(b, Offer(price=Decimal("50.00"), quantity=200)),
            SkuOffer(c, Offer(price=Decimal("100.00"), quantity=100), reviews=5),
        ],
    )
    first, second, third = check.rows
    assert (first.failed, first.unknown, first.eligible) == (["min_offer_value"], [], False)
    assert first.outcomes[2].message == "Offer value (quantity × campaign price): ¥9,900.00; required ≥ ¥10,000.00"
    assert (second.failed, second.unknown, second.eligible) == (["min_sales"], ["min_reviews"], False)
    assert second.outcomes[0].message == "Sales in the last 30 days: 7 units; required ≥ 10 units"
    assert second.outcomes[2].status == "pass" and second.outcomes[2].actual == "10000.00"
    assert (third.failed, third.unknown, third.eligible) == ([], [], True)
    assert check.eligible == [third]
    assert check.campaign.id == "cyh-0618" and check.stored == campaign
    assert not AuditEntry.objects.filter(action__startswith="campaign.check").exists()


def test_check_refuses_a_sku_of_another_shop_and_an_empty_list(users, three_skus):
    shop, (a, _b, _c) = three_skus
    campaign = create_campaign(actor=users["operator"], shop=shop, raw_spec=MINE)
    stranger = SkuFactory(code="Z", price=Decimal("10.00"))
    with pytest.raises(InvalidCampaign) as refused:
        check_campaign_skus(
            campaign=campaign,
            offers=[SkuOffer(a, Offer(price=Decimal("1.00"), quantity=1)), SkuOffer(stranger, Offer(Decimal("1"), 1))],
        )
    assert refused.value.message == "skus[1]: SKU Z is not in the campaign's shop tmall-a"
    with pytest.raises(InvalidCampaign):
        check_campaign_skus(campaign=campaign, offers=[])


@pytest.mark.parametrize(
    ("price", "rate", "expected"),
    [("99.99", "5", "49.99"), ("100.00", "5", "50.00"), ("59.90", "7.5", "44.92"), ("0.01", "5", "0.00")],
)
def test_a_price_at_a_rate_is_rounded_down_to_the_fen(price, rate, expected):
    """99.99 × 0.5 = 49.995 → 49.99; 59.90 × 0.75 = 44.925 → 44.92."""
    assert price_at_rate(Decimal(price), Decimal(rate)) == Decimal(expected)
