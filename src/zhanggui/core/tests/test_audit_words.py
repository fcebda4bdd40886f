"""The audit trail in words (core/audit.py) and its list: filters, links, export, changes below cost flagged."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from zhanggui.catalog.models import ListingStatus
from zhanggui.catalog.tests.factories import SkuFactory
from zhanggui.core.audit import describe
from zhanggui.core.models import AuditEntry
from zhanggui.core.services import record_audit
from zhanggui.core.tests.pages import login

pytestmark = pytest.mark.django_db
URL = reverse("audit-list")


@pytest.fixture
def sku():
    return SkuFactory(code="TS-W-M", price=Decimal("59.00"), cost=Decimal("25.37"))


def test_a_price_change_reads_as_words_with_money_in_yuan(sku, operator):
    entry = record_audit(
        actor=operator, action="sku.price", obj=sku, before={"price": Decimal("59.00")}, after={"price": "9.90"}
    )
    with translation.override("zh-hans"):
        line = describe(entry)
        assert line.changes == ["售价 ¥59.00 → ¥9.90"]
        assert line.what.endswith("改价")
    with translation.override("en"):
        assert describe(entry).changes == ["price ¥59.00 → ¥9.90"]
    assert line.url == reverse("catalog:sku-detail", args=[sku.pk])


def test_choices_read_as_their_labels(sku, operator):
    entry = record_audit(
        actor=operator,
        action="sku.delist",
        obj=sku,
        before={"listing_status": ListingStatus.LISTED},
        after={"listing_status": ListingStatus.DELISTED},
    )
    with translation.override("zh-hans"):
        listed, delisted = str(ListingStatus.LISTED.label), str(ListingStatus.DELISTED.label)
        assert describe(entry).changes[0].endswith(f"{listed} → {delisted}")


def test_a_price_under_the_cost_is_flagged(sku, operator):
    under = record_audit(actor=operator, action="sku.price", obj=sku, after={"price": "9.90", "cost": "25.37"})
    above = record_audit(actor=operator, action="sku.price", obj=sku, after={"price": "29.90", "cost": "25.37"})
    assert describe(under).below_cost and not describe(above).below_cost


def test_an_unknown_object_type_and_field_still_read(operator, sku):
    entry = AuditEntry.objects.create(
        action="thing.poke", object_type="gone.model", object_id="x", after={"colour_code": "RED"}
    )
    line = describe(entry)
    assert line.what == "gone.model · poke" and line.changes == ["colour code RED"] and line.url == ""


def test_the_list_filters_by_action_person_object_and_type(client, manager, operator, sku):
    other = SkuFactory(code="HAT-1")
    record_audit(actor=operator, action="sku.price", obj=sku, before={"price": "59"}, after={"price": "49"})
    record_audit(actor=manager, action="sku.update", obj=sku, after={"barcode": "690"})
    record_audit(actor=operator, action="sku.price", obj=other, before={"price": "9"}, after={"price": "8"})
    login(client, manager)

    def shown(**params) -> list[str]:
        return [
            line.entry.action + "/" + line.entry.object_repr[:6] for line in client.get(URL, params).context["lines"]
        ]

    assert len(shown()) == 3
    assert shown(action="price", q="TS-W-M") == ["sku.price/TS-W-M"]
    assert shown(actor=str(manager.pk)) == ["sku.update/TS-W-M"]
    record_audit(actor=manager, action="product.update", obj=sku.product, after={"title": "新标题"})
    assert len(shown(type="catalog.sku")) == 3 and shown(type="catalog.product") == [
        "product.update/" + str(sku.product)[:6]
    ]
    html = client.get(URL, {"q": "HAT-1"}).content.decode()
    assert f'href="{reverse("catalog:sku-detail", args=[other.pk])}"' in html
    assert "¥9.00 → ¥8.00" in html


def test_the_export_holds_the_changes_in_words(client, manager, operator, sku):
    record_audit(actor=operator, action="sku.price", obj=sku, before={"price": "59"}, after={"price": "9.90"})
    login(client, manager, language="zh-hans")
    response = client.get(URL, {"export": "xlsx", "action": "price"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("时间", "操作人", "操作", "对象", "变更", "备注")
    assert rows[1][4] == "售价 ¥59.00 → ¥9.90" and len(rows) == 2


def test_a_price_request_reads_as_asked_with_its_cost_and_no_internal_ids(sku, operator):
    entry = record_audit(
        actor=operator,
        action="sku.price_request",
        obj=sku,
        before={"price": "59.00"},
        after={"price": "9.90", "cost": "25.37", "price_change": 7},
    )
    with translation.override("en"):
        line = describe(entry)
    assert line.what == "SKU · price change asked"
    assert line.changes == ["price ¥59.00 → ¥9.90", "cost ¥25.37"] and line.below_cost
