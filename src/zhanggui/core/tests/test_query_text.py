"""NUL in a query string (?q=%00) reaches no query: PostgreSQL refuses NUL in text, so it would be a 500.

Runs on both databases (bin/test runs the suite on PostgreSQL too, where the 500 showed).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from zhanggui.catalog.tests.factories import SkuFactory
from zhanggui.core.services import create_api_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def sku(db):
    return SkuFactory(code="AB-1", product__title="纯棉毛巾")


def test_the_admin_search_the_list_page_and_the_api_read_a_nul_as_nothing(manager, sku):
    User.objects.filter(pk=manager.pk).update(is_staff=True)
    client = Client()
    client.force_login(manager)
    assert client.get("/admin/catalog/product/?q=%E6%AF%9B%00%E5%B7%BE").status_code == 200
    page = client.get("/catalog/?q=%00%E6%AF%9B%E5%B7%BE")
    assert page.status_code == 200
    assert "纯棉毛巾" in page.content.decode()  # "毛\x00巾" is searched as "毛巾"
    _token, key = create_api_token(user=manager, name="t")
    found = Client().get("/api/v1/catalog/products?q=AB%00-1", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert found.status_code == 200
    assert [item["code"] for item in found.json()["items"]] == [sku.product.code]


def test_a_query_without_nul_is_left_as_it_came(manager, sku):
    client = Client()
    client.force_login(manager)
    response = client.get("/catalog/?q=%E6%AF%9B%E5%B7%BE&page=1")
    assert response.wsgi_request.GET.getlist("q") == ["毛巾"]
