from decimal import Decimal

import pytest

from zhanggui.catalog import selectors, services
from zhanggui.catalog.errors import DuplicateCode, InvalidPrice, TitleRejected
from zhanggui.catalog.models import BannedWord, DelistReason, ListingStatus, Product, Sku
from zhanggui.catalog.tests.factories import ProductFactory, ShopFactory, SkuFactory
from zhanggui.core.errors import PermissionDeniedError
from zhanggui.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_price_change_is_audited_with_before_and_after(operator):
    sku = SkuFactory(price=Decimal("99.00"))
    services.set_price(actor=operator, sku=sku, price="89.90", note="双11")
    sku.refresh_from_db()
    assert sku.price == Decimal("89.90")
    entry = AuditEntry.objects.get(action="sku.price")
    assert (entry.actor, entry.before, entry.after, entry.note) == (
        operator,
        {"price": "99.00"},
        {"price": "89.90"},
        "双11",
    )


def test_setting_the_same_price_records_nothing(operator):
    sku = SkuFactory(price=Decimal("99.00"))
    services.set_price(actor=operator, sku=sku, price="99")
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("bad", ["-1", "abc", "1.005e400"])
def test_bad_prices_are_refused(operator, bad):
    sku = SkuFactory(price=Decimal("99.00"))
    with pytest.raises(InvalidPrice):
        services.set_price(actor=operator, sku=sku, price=bad)
    sku.refresh_from_db()
    assert sku.price == Decimal("99.00")


def test_price_rounds_half_up_to_the_fen(operator):
    sku = SkuFactory(price=Decimal("12.00"), cost=Decimal("5.00"))  # within the price rule: applies at once
    services.set_price(actor=operator, sku=sku, price="10.005")
    sku.refresh_from_db()
    assert sku.price == Decimal("10.01")


@pytest.mark.parametrize("role", ["service", "warehouse", "designer", "copywriter"])
def test_only_manager_and_operator_change_prices(users, role):
    sku = SkuFactory(price=Decimal("99.00"))
    with pytest.raises(PermissionDeniedError):
        services.set_price(actor=users[role], sku=sku, price="1.00")
    sku.refresh_from_db()
    assert sku.price == Decimal("99.00")
    assert not AuditEntry.objects.exists()


def test_create_product_checks_the_title_against_the_channel(manager):
    shop = ShopFactory(channel="taobao")
    BannedWord.objects.create(word="最")
    with pytest.raises(TitleRejected) as err:
        services.create_product(actor=manager, shop=shop, code="P1", title="中" * 31)
    assert err.value.details["problems"] == ["title_too_long"]
    with pytest.raises(TitleRejected):
        services.create_product(actor=manager, shop=shop, code="P1", title="最好的毛巾")
    assert not Product.objects.exists()
    product = services.create_product(actor=manager, shop=shop, code="P1", title="纯棉 毛巾")
    with pytest.raises(DuplicateCode):
        services.create_product(actor=manager, shop=shop, code="P1", title="另一条毛巾")
    assert product.title == "纯棉 毛巾"


def test_duplicate_titles_are_flagged_per_shop():
    shop, other = ShopFactory(), ShopFactory()
    a = ProductFactory(shop=shop, title="纯棉毛巾 加厚")
    b = ProductFactory(shop=shop, title="纯棉毛巾  加厚")
    ProductFactory(shop=other, title="纯棉毛巾 加厚")
    assert selectors.duplicate_titles(shop) == {"纯棉毛巾 加厚": [a.pk, b.pk]}


def test_list_without_stock_waits_off_sale(manager):
    sku = SkuFactory()
    services.list_product(actor=manager, product=sku.product)
    sku.refresh_from_db()
    sku.product.refresh_from_db()
    assert (sku.listing_status, sku.delist_reason) == (ListingStatus.DELISTED, DelistReason.OUT_OF_STOCK)
    assert sku.product.listing_status == ListingStatus.DELISTED


def test_delist_product_takes_its_skus_off_and_records_the_reason(manager):
    from zhanggui.inventory import services as stock
    from zhanggui.inventory.models import MoveReason
    from zhanggui.inventory.tests.factories import WarehouseFactory

    sku = SkuFactory()
    stock.book_move(
        actor=manager, sku=sku, warehouse=WarehouseFactory(), quantity=3, reason=MoveReason.PURCHASE_RECEIPT
    )
    services.list_product(actor=manager, product=sku.product)
    services.delist_product(actor=manager, product=sku.product, reason=DelistReason.SEASON, note="换季")
    sku.refresh_from_db()
    assert (sku.listing_status, sku.delist_reason) == (ListingStatus.DELISTED, DelistReason.SEASON)
    entry = AuditEntry.objects.filter(action="product.delist").get()
    assert entry.after == {"listing_status": "delisted", "delist_reason": "season"} and entry.note == "换季"


def test_service_role_cannot_list(users):
    sku = SkuFactory()
    with pytest.raises(PermissionDeniedError):
        services.list_product(actor=users["service"], product=sku.product)
    assert Sku.objects.get().listing_status == ListingStatus.DRAFT
