"""Integers from the query string and the path: too big for the database is a 4xx (or a normal page), never
a 500 (issue 8: `?page=` or `?category_id=` of 10²⁰ on the product list)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from zhanggui.catalog.models import Sku
from zhanggui.catalog.tests.factories import ProductFactory, SkuFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/catalog"
HUGE = str(10**20)
BIGINT_PAST = str(2**63)


@pytest.fixture
def client(manager) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(manager)
    return client


@pytest.mark.parametrize(
    "query",
    [
        {"page": HUGE},
        {"page": BIGINT_PAST},
        {"page": str(2**63 - 1)},
        {"page": "1000001"},
        {"page": "0"},
        {"category_id": HUGE},
        {"category_id": BIGINT_PAST},
        {"category_id": "-1"},
        {"page_size": HUGE},
    ],
)
def test_an_out_of_range_number_on_the_product_list_is_a_422(client, query):
    SkuFactory()

    response = client.get(f"{API}/products", query)

    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid_input"
    assert [error["loc"][-1] for error in body["details"]] == list(query)


def test_the_largest_page_and_category_id_answer_an_empty_page(client):
    SkuFactory()

    response = client.get(f"{API}/products", {"page": "1000000", "category_id": str(2**63 - 1)})

    assert response.status_code == 200
    assert (response.json()["count"], response.json()["items"]) == (0, [])


@pytest.mark.parametrize("value", [HUGE, BIGINT_PAST, str(2**63 - 1), "-" + HUGE])
@pytest.mark.parametrize("path", ["/products/{id}", "/products/{id}/title-check", "/skus/{id}"])
def test_an_id_beyond_any_row_in_a_path_is_a_404(client, path, value):
    response = client.get(API + path.format(id=value))

    assert response.status_code == 404, response.content
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("value", [HUGE, BIGINT_PAST])
def test_writes_with_an_id_or_count_beyond_the_database_are_refused(client, value):
    product = ProductFactory()
    sku = SkuFactory(product=product, weight_g=5)

    created = client.post(
        f"{API}/skus",
        {"product_id": int(value), "code": "S-1", "price": "1.00"},
        content_type="application/json",
    )
    too_heavy = client.post(
        f"{API}/skus",
        {"product_id": product.pk, "code": "S-2", "price": "1.00", "weight_g": int(value)},
        content_type="application/json",
    )
    patched = client.patch(f"{API}/skus/{sku.pk}", {"safety_stock": int(value)}, content_type="application/json")

    assert (created.status_code, created.json()["code"]) == (404, "not_found")
    assert (too_heavy.status_code, too_heavy.json()["code"]) == (422, "invalid_input")
    assert (patched.status_code, patched.json()["code"]) == (422, "invalid_input")
    assert list(Sku.objects.values_list("code", "weight_g", "safety_stock")) == [(sku.code, 5, 0)]


@pytest.mark.parametrize(
    "query",
    [
        {"page": HUGE},
        {"page": BIGINT_PAST},
        {"page": "-1"},
        {"page": "x"},
        {"category": HUGE},
        {"category": BIGINT_PAST},
        {"shop": HUGE},
        {"category": "x", "page": HUGE},
    ],
)
def test_the_catalog_page_answers_a_normal_page_for_any_number(client, query):
    SkuFactory()

    response = client.get(reverse("catalog:product-list"), query)

    assert response.status_code == 200
    assert response.context["page"].number == 1


@pytest.mark.parametrize("value", [HUGE, BIGINT_PAST])
@pytest.mark.parametrize("name", ["catalog:product-detail", "catalog:sku-detail"])
def test_a_product_or_sku_page_beyond_any_row_is_a_404(client, name, value):
    url = reverse(name, args=[1]).replace("/1/", f"/{value}/")

    assert client.get(url).status_code == 404
