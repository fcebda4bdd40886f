"""The promotion import as a property (promotions.offers.imports.import_promotions, JSON specs of docs/pricing.md):
any list either imports fully, or is refused naming each bad item (index, id) and the field, with nothing
written; importing the same valid list again creates nothing and writes no audit entry.

Specs come from core.tests.strategies.promotion_specs; one field of one item is then broken (an exponent or a
float amount, a negative, a rate over 10, a control character in the id, an over-long name, a wrong type, ...)
or one id is repeated. Derandomized, so a failure reproduces on the next run.
"""

from __future__ import annotations

import copy

import pytest
from django.utils import translation
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.core.models import AuditEntry
from zhanggui.core.tests import strategies as zs
from zhanggui.promotions.models import Promotion
from zhanggui.promotions.offers.imports import import_promotions

pytestmark = pytest.mark.django_db

PROPERTY = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a list is a few specs already
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
#: How a refusal may name each field: the spec's own word, or the model field's name for the id.
FIELD_WORDS = {"id": ("id", "code"), "tiers": ("tiers",), "amount": ("amount",), "rate": ("rate",)}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def shop(db):
    return ShopFactory(code="tm01")


def stored() -> list[tuple]:
    return list(Promotion.objects.order_by("code").values_list("code", "kind", "state", "spec"))


@PROPERTY
@given(items=zs.promotion_specs())
def test_a_valid_list_imports_fully_and_a_second_import_changes_nothing(operator, shop, items):
    with zs.rolled_back():
        report = import_promotions(actor=operator, shop=shop, items=copy.deepcopy(items))
        assert report.rejected == []
        assert report.created == [item["id"] for item in items]
        assert sorted(Promotion.objects.values_list("code", "state")) == sorted((i["id"], "draft") for i in items)

        counts, audit, rows = zs.row_counts(), AuditEntry.objects.count(), stored()
        again = import_promotions(actor=operator, shop=shop, items=copy.deepcopy(items))
        assert (again.rejected, again.created, again.updated) == ([], [], [])
        assert again.unchanged == [item["id"] for item in items]
        assert (zs.row_counts(), AuditEntry.objects.count(), stored()) == (counts, audit, rows)


@PROPERTY
@given(data=st.data(), items=zs.promotion_specs())
def test_a_list_with_one_bad_field_is_refused_naming_the_item_and_field_with_nothing_written(
    operator, shop, data, items
):
    index = data.draw(st.integers(min_value=0, max_value=len(items) - 1), label="index")
    kind = items[index]["kind"]
    applicable = [m for m in zs.PROMOTION_MUTATIONS if m[0] in ("*", kind)]
    _kinds, field, value, verdict = data.draw(st.sampled_from(applicable), label="mutation")
    broken = copy.deepcopy(items)
    broken[index][field] = value
    note(f"items: {broken!r}")
    with zs.rolled_back():
        before = zs.row_counts()
        report = import_promotions(actor=operator, shop=shop, items=broken)
        if not report.rejected:
            assert verdict == zs.CLEAN, f"item {index}: {field}={value!r} was imported"
            return
        assert [r.index for r in report.rejected] == [index], report.rejected
        reason = report.rejected[0].reason.casefold()
        words = FIELD_WORDS.get(field, (field,))
        assert any(word in reason for word in words), f"the reason does not name {field}: {reason}"
        assert zs.row_counts() == before


@PROPERTY
@given(data=st.data(), items=zs.promotion_specs())
def test_a_repeated_id_is_refused_at_its_second_index(operator, shop, data, items):
    index = data.draw(st.integers(min_value=0, max_value=len(items) - 1), label="repeated")
    doubled = [*copy.deepcopy(items), copy.deepcopy(items[index])]
    with zs.rolled_back():
        before = zs.row_counts()
        report = import_promotions(actor=operator, shop=shop, items=doubled)
        assert [(r.index, r.id) for r in report.rejected] == [(len(items), items[index]["id"])]
        assert zs.row_counts() == before
