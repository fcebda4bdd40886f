from __future__ import annotations

import factory

from zhanggui.inventory.models import Supplier, Warehouse


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"wh{n}")
    name = factory.Sequence(lambda n: f"仓库{n}")
    priority = factory.Sequence(lambda n: n)


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"sup{n}")
    name = factory.Sequence(lambda n: f"供应商{n}")
