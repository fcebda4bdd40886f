"""Field by field (core.roles.FIELD_CAPABILITIES): the designer and the copywriter edit titles, descriptions,
images and specs, not a SKU's barcode, weight or safety stock; the warehouse edits those three, not the spec.

Through the service, the API and the pages; a refusal names the field and changes nothing (no audit row).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from zhanggui.catalog import services
from zhanggui.catalog.tests.factories import ProductFactory, SkuFactory
from zhanggui.core import roles
from zhanggui.core.errors import PermissionDeniedError
from zhanggui.core.models import AuditEntry
from zhanggui.core.services import create_api_token
from zhanggui.core.tests.pages import login

pytestmark = pytest.mark.django_db

LOGISTICS_ROLES = {"manager", "operator", "warehouse"}


@pytest.fixture
def sku():
    return SkuFactory(barcode="6901234567890", spec="颜色:白", weight_g=200, safety_stock=5)


def _unchanged(sku) -> None:
    before = (sku.barcode, sku.spec, sku.weight_g, sku.safety_stock)
    sku.refresh_from_db()
    assert (sku.barcode, sku.spec, sku.weight_g, sku.safety_stock) == before
    assert not AuditEntry.objects.exists()


def test_the_matrix_gives_barcode_weight_and_safety_stock_to_manager_operator_and_warehouse():
    holders = {role for role, caps in roles.ROLE_CAPABILITIES.items() if roles.EDIT_SKU_LOGISTICS in caps}
    assert holders == LOGISTICS_ROLES
    rules = roles.FIELD_CAPABILITIES["catalog.Sku"]
    assert {f for f, cap in rules.items() if cap == roles.EDIT_SKU_LOGISTICS} == {"barcode", "weight_g", "safety_stock"}
    assert set(rules) == set(services.SKU_FIELDS)
    assert set(roles.FIELD_CAPABILITIES["catalog.Product"]) == set(services.PRODUCT_FIELDS)


# ----- the service ------------------------------------------------------------------------------------------


def test_designer_cannot_change_the_barcode_and_the_refusal_names_it(users, sku):
    with translation.override("en"), pytest.raises(PermissionDeniedError) as refused:
        services.update_sku(actor=users["designer"], sku=sku, spec="颜色:黑", barcode="6900000000000")
    assert refused.value.details == {"permission": roles.EDIT_SKU_LOGISTICS, "field": "barcode"}
    assert refused.value.message.startswith("You are not allowed to change barcode: it needs the right to change")
    assert sku.spec == "颜色:白"  # the object in hand is left as it was too
    _unchanged(sku)


@pytest.mark.parametrize("field, value", [("weight_g", 250), ("safety_stock", 12)])
@pytest.mark.parametrize("role", ["designer", "copywriter"])
def test_designer_and_copywriter_cannot_change_weight_or_safety_stock(users, sku, role, field, value):
    with pytest.raises(PermissionDeniedError) as refused:
        services.update_sku(actor=users[role], sku=sku, **{field: value})
    assert refused.value.details["field"] == field
    _unchanged(sku)


def test_designer_changes_the_spec_with_the_barcode_sent_back_unchanged(users, sku):
    services.update_sku(actor=users["designer"], sku=sku, spec="颜色:黑", barcode="6901234567890", weight_g=200)
    sku.refresh_from_db()
    assert (sku.spec, sku.barcode) == ("颜色:黑", "6901234567890")
    assert AuditEntry.objects.get().after == {"spec": "颜色:黑"}


@pytest.mark.parametrize("role", ["designer", "copywriter"])
def test_designer_and_copywriter_change_title_description_and_image(users, role):
    product = ProductFactory(title="纯棉T恤")
    services.update_product(
        actor=users[role],
        product=product,
        title="纯棉圆领T恤 白色",
        description="100% 棉",
        main_image_url="https://img.example.com/t.jpg",
    )
    product.refresh_from_db()
    assert (product.title, product.description, product.main_image_url) == (
        "纯棉圆领T恤 白色",
        "100% 棉",
        "https://img.example.com/t.jpg",
    )


@pytest.mark.parametrize("role", sorted(roles.ROLES))
def test_who_changes_a_barcode(users, sku, role):
    if role in LOGISTICS_ROLES:
        services.update_sku(actor=users[role], sku=sku, barcode="6900000000000", weight_g=300, safety_stock=8)
        sku.refresh_from_db()
        assert (sku.barcode, sku.weight_g, sku.safety_stock) == ("6900000000000", 300, 8)
    else:
        with pytest.raises(PermissionDeniedError):
            services.update_sku(actor=users[role], sku=sku, barcode="6900000000000")
        _unchanged(sku)


def test_warehouse_cannot_change_the_spec(users, sku):
    with pytest.raises(PermissionDeniedError) as refused:
        services.update_sku(actor=users["warehouse"], sku=sku, spec="颜色:黑", barcode="6900000000000")
    assert refused.value.details["field"] == "spec"
    _unchanged(sku)  # the allowed barcode in the same call is not saved either


def test_service_cannot_edit_a_sku_even_without_a_change(users, sku):
    with pytest.raises(PermissionDeniedError):
        services.update_sku(actor=users["service"], sku=sku)
    with pytest.raises(PermissionDeniedError):
        services.update_product(actor=users["service"], product=sku.product)


# ----- the API -----------------------------------------------------------------------------------------------


def _api(user) -> Client:
    _token, key = create_api_token(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {key}"})


def test_api_refuses_a_designer_changing_the_barcode(users, sku):
    AuditEntry.objects.all().delete()  # the token's creation
    response = _api(users["designer"]).patch(
        f"/api/v1/catalog/skus/{sku.pk}", {"barcode": "6900000000000"}, content_type="application/json"
    )
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "permission_denied"
    assert body["details"]["field"] == "barcode"
    _unchanged(sku)


def test_api_lets_a_designer_change_a_title_and_the_warehouse_a_weight(users, sku):
    response = _api(users["designer"]).patch(
        f"/api/v1/catalog/products/{sku.product_id}", {"title": "夏季 纯棉T恤"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["title"] == "夏季 纯棉T恤"
    response = _api(users["warehouse"]).patch(
        f"/api/v1/catalog/skus/{sku.pk}", {"weight_g": 230}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["weight_g"] == 230


# ----- the pages ---------------------------------------------------------------------------------------------


def _input(html: str, name: str) -> str:
    start = html.index(f'name="{name}"')
    return html[html.rindex("<", 0, start) : html.index(">", start) + 1]


def test_sku_page_shows_barcode_weight_and_safety_stock_read_only_to_the_designer(client, users, sku):
    login(client, users["designer"])
    html = client.get(reverse("catalog:sku-detail", args=[sku.pk])).content.decode()
    for name in ("barcode", "weight_g", "safety_stock"):
        assert "readonly" in _input(html, name), name
    assert "readonly" not in _input(html, "spec")
    assert "Read-only for you: it needs the right to change barcodes, weights and safety stock." in html


def test_sku_page_shows_the_spec_read_only_to_the_warehouse(client, users, sku):
    login(client, users["warehouse"])
    html = client.get(reverse("catalog:sku-detail", args=[sku.pk])).content.decode()
    assert "readonly" in _input(html, "spec")
    assert "readonly" not in _input(html, "barcode")


def test_sku_page_has_no_edit_form_for_service(client, users, sku):
    login(client, users["service"])
    html = client.get(reverse("catalog:sku-detail", args=[sku.pk])).content.decode()
    assert 'id="sku-settings"' not in html


def test_designer_posting_a_changed_barcode_on_the_page_is_refused(client, users, sku):
    login(client, users["designer"])
    url = reverse("catalog:sku-edit", args=[sku.pk])
    response = client.post(url, {"spec": "颜色:黑", "barcode": "6900000000000", "weight_g": 200, "safety_stock": 5})
    assert response.status_code == 403
    assert "barcode" in response.content.decode()
    _unchanged(sku)


def test_designer_saves_the_sku_form_as_the_page_sends_it(client, users, sku):
    """The read-only fields come back with their values: only the spec changes."""
    login(client, users["designer"])
    url = reverse("catalog:sku-edit", args=[sku.pk])
    response = client.post(url, {"spec": "颜色:黑", "barcode": "6901234567890", "weight_g": 200, "safety_stock": 5})
    assert response.status_code == 302
    sku.refresh_from_db()
    assert sku.spec == "颜色:黑"


def test_warehouse_changes_weight_and_safety_stock_on_the_page(client, users, sku):
    login(client, users["warehouse"])
    url = reverse("catalog:sku-edit", args=[sku.pk])
    response = client.post(url, {"spec": "颜色:白", "barcode": "6901234567890", "weight_g": 260, "safety_stock": 9})
    assert response.status_code == 302
    sku.refresh_from_db()
    assert (sku.weight_g, sku.safety_stock) == (260, 9)


def test_designer_changes_the_title_on_the_product_page(client, users):
    product = ProductFactory(title="纯棉T恤")
    login(client, users["designer"])
    html = client.get(reverse("catalog:product-detail", args=[product.pk])).content.decode()
    assert "readonly" not in _input(html, "title")
    response = client.post(
        reverse("catalog:product-edit", args=[product.pk]), {"title": "纯棉圆领T恤", "role": product.role}
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.title == "纯棉圆领T恤"
