from __future__ import annotations

from decimal import Decimal

import factory

from zhanggui.catalog.models import Category, Channel, ListingStatus, Product, Shop, Sku


class ShopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shop
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"shop{n}")
    name = factory.Sequence(lambda n: f"测试店铺{n}")
    channel = Channel.TMALL


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"类目{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    shop = factory.SubFactory(ShopFactory)
    code = factory.Sequence(lambda n: f"P{n:05d}")
    title = factory.Sequence(lambda n: f"纯棉圆领短袖T恤 款{n}")
    category = factory.SubFactory(CategoryFactory)
    listing_status = ListingStatus.DRAFT


class SkuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sku

    product = factory.SubFactory(ProductFactory)
    shop = factory.SelfAttribute("product.shop")
    code = factory.Sequence(lambda n: f"SKU{n:06d}")
    spec = "颜色:白;尺码:M"
    price = Decimal("99.00")
    cost = Decimal("40.00")
