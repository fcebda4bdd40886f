"""The engine's edges: `zhanggui quote` and POST /api/v1/pricing/quote."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhanggui.core.services import create_api_token

SPEC = [
    {"id": "mj", "kind": "spend_save", "name": "满300减30", "tiers": [["300.00", "30.00"]]},
    {"id": "vip", "kind": "member_price", "rates": {"gold": "9"}},
    {"id": "q20", "kind": "coupon", "amount": "20.00", "min_spend": "199.00", "codes": ["D11"]},
]
CART = {"lines": [{"sku": "A", "quantity": 2, "unit_price": "160.00"}]}


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def run_quote(tmp_path, *extra, cart=CART, spec=SPEC):
    out = __import__("io").StringIO()
    call_command(
        "quote",
        "--promotions",
        str(write(tmp_path, "spec.json", spec)),
        "--cart",
        str(write(tmp_path, "cart.json", cart)),
        *extra,
        stdout=out,
    )
    return json.loads(out.getvalue())


def test_quote_command_prints_the_priced_cart(tmp_path):
    # 2 × 160 = 320 → 满300减30 → 290 → coupon D11 (≥ 199) −20 → 270.00
    result = run_quote(tmp_path, "--coupon", "D11")
    assert result["totals"]["payable"] == "270.00"
    assert result["totals"]["shop_discount"] == "30.00" and result["totals"]["coupon_discount"] == "20.00"


def test_quote_command_member_tier_from_the_command_line(tmp_path):
    # gold 9折: 144 × 2 = 288 (under 300: no 满减, unless the engine leaves the member price out: 320 − 30 = 290);
    # 288 is better for the buyer
    assert run_quote(tmp_path, "--member", "gold")["totals"]["payable"] == "288.00"


def test_quote_command_reports_a_bad_spec_with_the_field(tmp_path):
    with pytest.raises(CommandError) as err:
        run_quote(tmp_path, spec=[{"id": "x", "kind": "discount", "rate": "12"}])
    assert "rate" in str(err.value)


def test_quote_command_refuses_bad_json(tmp_path):
    (tmp_path / "spec.json").write_text("[{", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command(
            "quote", "--promotions", str(tmp_path / "spec.json"), "--cart", str(write(tmp_path, "c.json", CART))
        )


@pytest.mark.django_db
def test_quote_endpoint_any_role_and_errors_as_json(client, users):
    _token, key = create_api_token(user=users["service"], name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    response = client.post(
        "/api/v1/pricing/quote",
        {"promotions": SPEC, "cart": {**CART, "coupons": ["D11"]}},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200
    assert response.json()["totals"]["payable"] == "270.00"
    bad = client.post(
        "/api/v1/pricing/quote",
        {"promotions": [{"id": "x", "kind": "nope"}], "cart": CART},
        content_type="application/json",
        **headers,
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_promotion_spec"
    assert client.post("/api/v1/pricing/quote", {"cart": CART}, content_type="application/json").status_code == 401
