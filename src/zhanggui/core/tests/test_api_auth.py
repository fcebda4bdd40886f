"""Who may call the API: bearer tokens, the X-Api-Token header, the login session; and the OpenAPI docs."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from zhanggui.core.models import ApiToken
from zhanggui.core.services import create_api_token

pytestmark = pytest.mark.django_db

SHOPS = "/api/v1/catalog/shops"


def assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]


def test_bearer_token_authenticates_and_records_its_use(operator):
    token, key = create_api_token(user=operator, name="erp")
    response = Client().get(SHOPS, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_token_acts_with_its_users_roles(users):
    _token, key = create_api_token(user=users["service"], name="bot")
    response = Client().post(
        "/api/v1/inventory/suppliers",
        data={"code": "acme", "name": "Acme"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert_error(response, 403, "permission_denied")


def test_x_api_token_header_works_too(operator):
    _token, key = create_api_token(user=operator, name="sheet")
    assert Client().get(SHOPS, headers={"X-Api-Token": key}).status_code == 200


def test_only_the_hash_of_the_key_is_stored(operator):
    token, key = create_api_token(user=operator, name="erp")
    assert key.startswith("zg_")
    assert key not in token.key_hash and len(token.key_hash) == 64


def test_no_credentials_is_a_401_in_the_error_shape(db):
    assert_error(Client().get(SHOPS), 401, "not_authenticated")


def test_a_wrong_token_is_a_401(operator):
    create_api_token(user=operator, name="erp")
    assert_error(Client().get(SHOPS, headers={"Authorization": "Bearer zg_not-a-key"}), 401, "not_authenticated")


def test_a_token_of_an_inactive_user_is_refused(operator):
    _token, key = create_api_token(user=operator, name="erp")
    operator.is_active = False
    operator.save(update_fields=["is_active"])
    assert_error(Client().get(SHOPS, headers={"Authorization": f"Bearer {key}"}), 401, "not_authenticated")


def test_login_session_authenticates(operator):
    client = Client()
    client.force_login(operator)
    assert client.get(SHOPS).status_code == 200


def test_session_write_without_csrf_token_is_refused(manager):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    response = client.post(
        "/api/v1/inventory/suppliers", data={"code": "a", "name": "A"}, content_type="application/json"
    )
    assert_error(response, 403, "csrf_failed")


def test_token_writes_need_no_csrf_token(manager):
    _token, key = create_api_token(user=manager, name="erp")
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/inventory/suppliers",
        data={"code": "acme", "name": "Acme"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 201, response.content


def test_malformed_json_is_a_400_in_the_error_shape(manager):
    client = Client()
    client.force_login(manager)
    response = client.post("/api/v1/inventory/suppliers", data="{not json", content_type="application/json")
    assert_error(response, 400, "invalid_input")


def test_unknown_endpoint_is_a_json_404(manager):
    client = Client()
    client.force_login(manager)
    assert_error(client.get("/api/v1/catalog/nothing-here"), 404, "not_found")


def test_openapi_schema_is_served(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"].startswith("Zhanggui")
    assert "/api/v1/catalog/products" in schema["paths"]
    assert "/api/v1/inventory/purchase-orders/{po_id}/receive" in schema["paths"]
    assert {"TokenAuth", "HeaderTokenAuth", "SessionAuth"} <= set(schema["components"]["securitySchemes"])
    price = schema["components"]["schemas"]["SkuOut"]["properties"]["price"]
    assert price["type"] == "string"


def test_docs_page_is_served(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content


def test_create_token_command_prints_a_working_key_once(operator):
    out, err = StringIO(), StringIO()
    call_command("create_token", "operator", "erp-sync", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert key.startswith("zg_")
    assert "erp-sync" in err.getvalue()
    assert ApiToken.objects.get().name == "erp-sync"
    assert Client().get(SHOPS, headers={"Authorization": f"Bearer {key}"}).status_code == 200


def test_create_token_for_an_unknown_user_fails(db):
    with pytest.raises(CommandError):
        call_command("create_token", "nobody", "x", stdout=StringIO(), stderr=StringIO())
    assert not ApiToken.objects.exists()


# ----- writes without valid credentials: 401, never a CSRF complaint ------------------------------------

WRITES = [
    ("post", "/api/v1/inventory/suppliers", {"code": "acme", "name": "Acme"}),
    ("put", "/api/v1/promotions/1", {}),
    ("patch", "/api/v1/catalog/skus/1", {"price": "1.00"}),
    ("post", "/api/v1/catalog/skus/1/price", {"price": "1.00"}),
]  # no endpoint takes DELETE: that is a 405 method_not_allowed (test_api_errors)


def _write(client: Client, method: str, url: str, data, headers: dict):
    return getattr(client, method)(url, data=data or {}, content_type="application/json", headers=headers)


@pytest.mark.parametrize(("method", "url", "data"), WRITES)
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer nope"}, {"X-Api-Token": "nope"}, {"Authorization": "Basic bm9wZTpub3Bl"}],
    ids=["none", "bogus-bearer", "bogus-header", "basic"],
)
def test_a_write_without_valid_credentials_is_a_401(db, method, url, data, headers):
    from zhanggui.inventory.models import Supplier

    response = _write(Client(enforce_csrf_checks=True), method, url, data, headers)
    assert_error(response, 401, "not_authenticated")
    assert not Supplier.objects.exists()


@pytest.mark.parametrize("header", ["Authorization", "X-Api-Token"])
def test_a_write_with_a_deactivated_users_token_is_a_401(manager, header):
    from zhanggui.inventory.models import Supplier

    _token, key = create_api_token(user=manager, name="erp")
    manager.is_active = False
    manager.save(update_fields=["is_active"])
    value = f"Bearer {key}" if header == "Authorization" else key
    response = _write(Client(enforce_csrf_checks=True), *WRITES[0], {header: value})
    assert_error(response, 401, "not_authenticated")
    assert not Supplier.objects.exists()


def test_a_session_write_without_csrf_token_changes_nothing(manager):
    from zhanggui.inventory.models import Supplier

    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    assert_error(_write(client, *WRITES[0], {}), 403, "csrf_failed")
    assert_error(_write(client, *WRITES[0], {"Authorization": "Bearer nope"}), 403, "csrf_failed")
    assert not Supplier.objects.exists()


def test_a_session_write_with_the_csrf_token_is_accepted(manager):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    client.get("/")  # sets the csrftoken cookie, as the desk's pages do
    token = client.cookies["csrftoken"].value
    response = _write(client, *WRITES[0], {"X-CSRFToken": token})
    assert response.status_code == 201, response.content
