"""Every API endpoint × every role, generated from the permission matrix (core.roles.ROLE_CAPABILITIES).

ENDPOINTS below is the one place that says what each endpoint needs: a capability of the matrix (a write),
READ (a GET every role may make) or ANYONE (a POST that stores nothing of the desk's, or acts as the shop's
`system` user, as a shopper's flash-sale buy does). The endpoints themselves come from the API's OpenAPI
schema, so an endpoint added without an entry here fails `test_every_endpoint_has_an_entry`.

For each (endpoint, role), with a token as a script would call it: a role without the capability gets
403 permission_denied and no row of our tables changes (audit trail included); a role with it gets a 2xx.
One dataset is built once for the module; each case runs in a savepoint that is rolled back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from zhanggui.api import api
from zhanggui.core import roles
from zhanggui.core.services import create_api_token, system_user
from zhanggui.core.tests.rows import built_for_the_module, snapshot

pytestmark = pytest.mark.django_db

READ = "read"
ANYONE = "anyone"

World = dict[str, Any]
Body = dict[str, Any] | Callable[[World], dict[str, Any]] | None


@dataclass(frozen=True)
class Needs:
    """What an endpoint needs, the body of a call that passes validation, and which objects fill its path."""

    what: str | frozenset[str]
    body: Body = None
    ids: dict[str, str] = field(default_factory=dict)

    def capabilities(self) -> frozenset[str]:
        return self.what if isinstance(self.what, frozenset) else frozenset({self.what})

    def allowed_roles(self) -> set[str]:
        if self.what in (READ, ANYONE):
            return set(roles.ROLES)
        return {role for role, caps in roles.ROLE_CAPABILITIES.items() if self.capabilities() <= caps}


def needs(*capabilities: str, body: Body = None, **ids: str) -> Needs:
    return Needs(frozenset(capabilities), body, ids)


def read(**ids: str) -> Needs:
    return Needs(READ, None, ids)


def anyone(body: Body, **ids: str) -> Needs:
    return Needs(ANYONE, body, ids)


def _later(days: int) -> str:
    return (timezone.now() + timedelta(days=days)).replace(microsecond=0).isoformat()


def _promotion_spec(code: str) -> dict[str, Any]:
    return {"id": code, "kind": "spend_save", "name": "满300减30", "tiers": [["300", "30"]],
            "starts_at": _later(-1), "ends_at": _later(2)}  # fmt: skip


#: The plan the world holds: the year of yesterday, so the progress endpoint finds it on New Year's Day too.
PLAN_YEAR = (timezone.localdate() - timedelta(days=1)).year

CAMPAIGN_SPEC = {"id": "cyh", "name": "超优汇", "rules": [{"kind": "min_sales", "days": 30, "units": 10}]}
QUOTE_SPEC = [{"id": "mj", "kind": "spend_save", "tiers": [["300.00", "30.00"]]}]
CART = {"lines": [{"sku": "A", "quantity": 2, "unit_price": "160.00"}]}

C = "/api/v1/catalog"
I = "/api/v1/inventory"  # noqa: E741 - a path prefix, read beside C and P
P = "/api/v1/promotions"
S = "/api/v1/campaigns/stored"
A = "/api/v1/approvals"
O = "/api/v1/orders"  # noqa: E741 - a path prefix, read beside C and P
MS = "/api/v1/messages"
AS = "/api/v1/aftersales"


def _refund_upload(world: World) -> dict[str, Any]:
    """A multipart upload of a Taobao 退款管理 export: one refund asked on order T2, checked only (dry run)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = "退款编号,订单编号,买家退款金额,退款的申请时间,退款状态\nPR1,T2,1.00,2026-06-18 10:30:00,退款关闭\n"
    return {"shop": "tm01", "dry_run": "true", "file": SimpleUploadedFile("refunds.csv", text.encode())}


def _events_upload(world: World) -> dict[str, Any]:
    """A multipart upload of behaviour events in the public Taobao schema (no header), as a form sends it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = "1,10,100,pv,1781000000\n2,10,100,buy,1781000100\n"
    return {"shop": "tm01", "file": SimpleUploadedFile("events.csv", text.encode())}


def _traffic_upload(world: World) -> dict[str, Any]:
    """A multipart upload of a 生意参谋 shop overview: one day (docs/metrics.md, "Traffic and ads imports")."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = "统计日期,访客数,支付金额,支付买家数\n2026-06-01,100,199.00,2\n"
    return {"shop": "tm01", "file": SimpleUploadedFile("shop.csv", text.encode())}


def _ads_upload(world: World) -> dict[str, Any]:
    """A multipart upload of a 万相台 (直通车) report: one plan, one day."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = "日期,计划名字,展现量,点击量,花费,总成交金额\n2026-06-01,春季,1000,20,30.00,99.00\n"
    return {"shop": "tm01", "file": SimpleUploadedFile("ads.csv", text.encode())}


def _service_upload(world: World) -> dict[str, Any]:
    """A multipart upload of a 千牛 客服绩效 report: one agent, one day."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = "日期,旺旺,咨询人数,询单人数,最终付款人数\n2026-06-01,阿花,10,8,4\n"
    return {"shop": "tm01", "file": SimpleUploadedFile("service.csv", text.encode())}


def _keywords_upload(world: World) -> dict[str, Any]:
    """A multipart upload of a 生意参谋 搜索词 export: one keyword, one day (docs/market.md)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = "统计日期,搜索词,搜索人气,点击率,支付转化率,在线商品数\n2026-06-01,连衣裙,1000,5%,2%,200\n"
    return {"shop": "tm01", "file": SimpleUploadedFile("keywords.csv", text.encode())}


def _market_upload(name: str, text: str, **fields: str) -> Callable[[World], dict[str, Any]]:
    """A multipart upload of a market file (ranks, competitor snapshots, the board: docs/market.md)."""

    def body(world: World) -> dict[str, Any]:
        from django.core.files.uploadedfile import SimpleUploadedFile

        return {**fields, "file": SimpleUploadedFile(name, text.encode())}

    return body


def _order_upload(world: World) -> dict[str, Any]:
    """A multipart upload of our own order format (one order, the seeded SKU), sent as a form would."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = "order_no,status,paid_at,sku_code,quantity,unit_price\nW9,paid,2026-06-18 10:30:00,DRESS-M,1,99.00\n"
    return {"shop": "tm01", "file": SimpleUploadedFile("orders.csv", text.encode())}


ENDPOINTS: dict[str, Needs] = {
    # ----- catalog
    f"GET {C}/shops": read(),
    f"GET {C}/products": read(),
    f"POST {C}/products": needs(roles.EDIT_CATALOG, body={"shop": "tm01", "code": "NEW", "title": "新款 连衣裙"}),
    f"GET {C}/products/{{product_id}}": read(),
    f"PATCH {C}/products/{{product_id}}": needs(roles.EDIT_CATALOG, body={"title": "夏季 连衣裙"}),
    f"POST {C}/products/{{product_id}}/list": needs(roles.CHANGE_LISTING, body={}),
    f"POST {C}/products/{{product_id}}/delist": needs(
        roles.CHANGE_LISTING, body={"reason": "manual"}, product_id="listed_product"
    ),
    f"GET {C}/products/{{product_id}}/title-check": read(),
    f"POST {C}/skus": needs(
        roles.EDIT_CATALOG,
        roles.CHANGE_PRICE,
        body=lambda w: {"product_id": w["product"], "code": "NEW-M", "price": "129.00"},
    ),
    f"GET {C}/skus/{{sku_id}}": read(),
    f"PATCH {C}/skus/{{sku_id}}": needs(roles.EDIT_CATALOG, body={"spec": "红色 M"}),
    f"POST {C}/skus/{{sku_id}}/price": needs(roles.CHANGE_PRICE, body={"price": "88.00"}),
    f"POST {C}/skus/{{sku_id}}/list": needs(roles.CHANGE_LISTING, body={}),
    f"POST {C}/skus/{{sku_id}}/delist": needs(roles.CHANGE_LISTING, body={"reason": "manual"}, sku_id="listed_sku"),
    # ----- inventory
    f"GET {I}/warehouses": read(),
    f"GET {I}/balances": read(),
    f"GET {I}/skus/{{sku_id}}/balances": read(),
    f"GET {I}/skus/{{sku_id}}/moves": read(),
    f"POST {I}/moves": needs(
        roles.BOOK_STOCK,
        body=lambda w: {
            "sku_id": w["sku"],
            "warehouse": "main",
            "quantity": -1,
            "reason": "adjustment",
            "note": "破损",
        },
    ),
    f"POST {I}/transfers": needs(
        roles.BOOK_STOCK, body=lambda w: {"sku_id": w["sku"], "source": "main", "destination": "east", "quantity": 1}
    ),
    f"GET {I}/alerts": read(),
    f"GET {I}/ledger-check": read(),
    f"POST {I}/reservations": needs(
        roles.BOOK_STOCK, body=lambda w: {"reference": "R2", "lines": [{"sku_id": w["sku"], "quantity": 1}]}
    ),
    f"GET {I}/reservations/{{reference}}": read(),
    f"POST {I}/reservations/{{reference}}/release": needs(roles.BOOK_STOCK),
    f"POST {I}/reservations/{{reference}}/issue": needs(roles.BOOK_STOCK, body={}),
    f"GET {I}/suppliers": read(),
    f"POST {I}/suppliers": needs(roles.MANAGE_PURCHASING, body={"code": "new", "name": "新供应商"}),
    f"GET {I}/purchase-orders": read(),
    f"POST {I}/purchase-orders": needs(
        roles.MANAGE_PURCHASING,
        body=lambda w: {
            "supplier": "acme",
            "warehouse": "main",
            "lines": [{"sku_id": w["sku"], "quantity": 5, "unit_cost": "5.00"}],
        },
    ),
    f"GET {I}/purchase-orders/{{po_id}}": read(),
    f"POST {I}/purchase-orders/{{po_id}}/place": needs(roles.MANAGE_PURCHASING, po_id="draft_po"),
    f"POST {I}/purchase-orders/{{po_id}}/receive": needs(
        roles.BOOK_STOCK, body=lambda w: {"quantities": {str(w["sku"]): 1}}
    ),
    f"POST {I}/purchase-orders/{{po_id}}/return": needs(
        roles.BOOK_STOCK, body=lambda w: {"quantities": {str(w["sku"]): 1}}
    ),
    f"POST {I}/purchase-orders/{{po_id}}/close": needs(roles.MANAGE_PURCHASING),
    f"GET {I}/stocktakes": read(),
    f"POST {I}/stocktakes": needs(roles.BOOK_STOCK, body={"warehouse": "east"}),
    f"GET {I}/stocktakes/{{stocktake_id}}": read(),
    f"POST {I}/stocktakes/{{stocktake_id}}/counts": needs(
        roles.BOOK_STOCK, body=lambda w: {"counts": {str(w["sku"]): 9}}
    ),
    f"POST {I}/stocktakes/{{stocktake_id}}/book": needs(roles.BOOK_STOCK),
    f"POST {I}/stocktakes/{{stocktake_id}}/cancel": needs(roles.BOOK_STOCK),
    # ----- orders
    f"POST {O}/import": needs(roles.IMPORT_ORDERS, body=_order_upload),
    f"GET {O}": read(),
    f"GET {O}/{{order_id}}": read(),
    f"POST {O}/{{order_id}}/review": needs(roles.REVIEW_ORDERS),
    f"POST {O}/{{order_id}}/allocate": needs(roles.FULFIL_ORDERS),
    f"POST {O}/{{order_id}}/ship": needs(roles.FULFIL_ORDERS, body={"carrier": "顺丰", "tracking_no": "SF1"}),
    f"POST {O}/{{order_id}}/hold": needs(roles.REVIEW_ORDERS, body={"reason": "等买家确认地址"}),
    f"POST {O}/{{order_id}}/release": needs(roles.REVIEW_ORDERS, body={}, order_id="held_order"),
    f"POST {O}/{{order_id}}/cancel": needs(roles.REVIEW_ORDERS, body={"reason": "买家不要了"}),
    f"POST {O}/merge": needs(roles.REVIEW_ORDERS, body=lambda w: {"orders": [w["order"], w["held_order"]]}),
    f"POST {O}/{{order_id}}/unmerge": needs(roles.REVIEW_ORDERS, body={}, order_id="merged_order"),
    f"POST {O}/{{order_id}}/split": needs(
        roles.REVIEW_ORDERS, body=lambda w: {"lines": [w["split_line"]]}, order_id="two_line_order"
    ),
    f"POST {O}/{{order_id}}/join": needs(roles.REVIEW_ORDERS, body={}, order_id="part"),
    # ----- after-sales
    f"GET {AS}": read(),
    f"GET {AS}/{{case_id}}": read(),
    f"POST {AS}": needs(
        roles.HANDLE_CASES, body=lambda w: {"order_id": w["order"], "kind": "complaint", "reason": "late"}
    ),
    f"POST {AS}/import": needs(roles.HANDLE_CASES, body=_refund_upload),
    f"POST {AS}/{{case_id}}/agree": needs(roles.HANDLE_CASES, body={}),
    f"POST {AS}/{{case_id}}/reject": needs(roles.HANDLE_CASES, body={"reason": "吊牌已剪"}),
    f"POST {AS}/{{case_id}}/refund": needs(
        roles.HANDLE_CASES, body=lambda w: {"lines": [{"order_line_id": w["case_line"], "amount": "1.00"}]}
    ),
    f"POST {AS}/{{case_id}}/close": needs(roles.HANDLE_CASES, body={"reason": "买家撤销"}),
    f"POST {AS}/{{case_id}}/assign": needs(roles.HANDLE_CASES, body={"assignee": "perm-service"}),
    f"GET {AS}/{{case_id}}/answers": read(),
    f"GET {AS}/{{case_id}}/compensations": read(),
    f"POST {AS}/{{case_id}}/compensations": needs(roles.HANDLE_CASES, body={"offer": "coupon", "amount": "5.00"}),
    f"POST {AS}/compensations/{{compensation_id}}/decide": needs(roles.APPROVE_COMPENSATION, body={"approve": True}),
    f"GET {AS}/returns/find": read(),
    f"POST {AS}/{{case_id}}/return-sent": needs(
        roles.HANDLE_CASES, body={"carrier": "顺丰", "tracking_no": "SF100"}, case_id="return_case"
    ),
    f"POST {AS}/{{case_id}}/receive": needs(
        roles.BOOK_STOCK,
        body=lambda w: {"lines": [{"case_line_id": w["return_line"], "grade": "resellable", "quantity": 1}]},
        case_id="return_case",
    ),
    f"POST {AS}/{{case_id}}/replacement": needs(roles.HANDLE_CASES, body={}, case_id="reissue_case"),
    f"GET {AS}/claims": read(),
    f"POST {AS}/claims": needs(
        roles.HANDLE_CASES,
        body=lambda w: {"order_id": w["shipped_order"], "value_claimed": "10.00", "evidence": "破损"},
    ),
    f"POST {AS}/claims/{{claim_id}}/settle": needs(
        roles.HANDLE_CASES, body={"status": "partly_paid", "amount_recovered": "5.00"}, claim_id="claim"
    ),
    f"GET {AS}/reports": read(),
    # ----- analytics
    "POST /api/v1/analytics/events/import": needs(roles.IMPORT_ORDERS, body=_events_upload),
    "GET /api/v1/analytics/events/daily": read(),
    "POST /api/v1/analytics/traffic/import": needs(roles.IMPORT_ORDERS, body=_traffic_upload),
    "POST /api/v1/analytics/ads/import": needs(roles.IMPORT_ORDERS, body=_ads_upload),
    "GET /api/v1/analytics/traffic/daily": read(),
    "GET /api/v1/analytics/traffic/items": read(),
    "GET /api/v1/analytics/ads/daily": read(),
    "POST /api/v1/analytics/service/import": needs(roles.IMPORT_ORDERS, body=_service_upload),
    "GET /api/v1/analytics/service/daily": read(),
    # ----- market (docs/market.md)
    "GET /api/v1/market/keywords": read(),
    "POST /api/v1/market/keywords/import": needs(roles.IMPORT_ORDERS, body=_keywords_upload),
    "GET /api/v1/market/titles/{product_id}": read(),
    "GET /api/v1/market/titles/{product_id}/suggestions": read(),
    "POST /api/v1/market/titles/{product_id}": needs(
        roles.EDIT_CATALOG, body={"title": "碎花连衣裙 夏", "reason": "试"}
    ),
    "GET /api/v1/market/titles/{product_id}/history": read(),
    "GET /api/v1/market/ranks": read(),
    "POST /api/v1/market/ranks/import": needs(
        roles.IMPORT_ORDERS,
        body=_market_upload("r.csv", "日期,关键词,商品ID,排名,设备\n2026-06-01,连衣裙,1001,3,无线\n", shop="tm01"),
    ),
    "POST /api/v1/market/ranks": needs(
        roles.IMPORT_ORDERS,
        body={"shop": "tm01", "day": "2026-06-01", "keyword": "连衣裙", "item_id": "1001", "position": 3},
    ),
    "GET /api/v1/market/ranks/alerts": read(),
    "GET /api/v1/market/competitors": read(),
    "POST /api/v1/market/competitors/snapshots/import": needs(
        roles.IMPORT_ORDERS, body=_market_upload("s.csv", "日期,店铺,商品ID,价格\n2026-06-01,对手店,6001,99.00\n")
    ),
    "GET /api/v1/market/competitors/digest": read(),
    "POST /api/v1/market/board/import": needs(
        roles.IMPORT_ORDERS,
        body=_market_upload("b.csv", "日期,排名,商品ID\n2026-06-01,1,9001\n", shop="tm01", category="bedding"),
    ),
    "GET /api/v1/market/board": read(),
    "POST /api/v1/market/reviews/import": needs(
        roles.IMPORT_ORDERS,
        body=_market_upload("v.csv", "评价时间,商品ID,评价ID,评价内容,评分\n2026-06-01,1001,V1,很好,5\n", shop="tm01"),
    ),
    "GET /api/v1/market/reviews": read(),
    "GET /api/v1/market/reviews/removed": read(),
    "GET /api/v1/market/questions": read(),
    "GET /api/v1/market/themes": read(),
    "POST /api/v1/market/themes/run": needs(roles.EDIT_CATALOG, body={"shop": "tm01", "themes": 2}),
    "POST /api/v1/market/themes/{theme_id}": needs(roles.EDIT_CATALOG, body={"name": "尺码偏小"}),
    # ----- buyer messages
    f"GET {MS}": read(),
    f"GET {MS}/opt-outs": read(),
    f"POST {MS}/opt-outs": needs(roles.MANAGE_MESSAGES, body={"shop": "tm01", "buyer_nick": "tb_new", "note": "勿扰"}),
    f"DELETE {MS}/opt-outs/{{opt_out_id}}": needs(roles.MANAGE_MESSAGES),
    # ----- flash sales
    f"GET {P}/flash-sales": read(),
    f"POST {P}/flash-sales": needs(
        roles.MANAGE_PROMOTIONS,
        body=lambda w: {
            "sku_id": w["listed_sku"],
            "price": "50.00",
            "stock_cap": 2,
            "per_buyer_cap": 1,
            "starts_at": _later(0),
            "ends_at": _later(1),
        },
    ),
    f"GET {P}/flash-sales/{{sale_id}}": read(),
    f"POST {P}/flash-sales/{{sale_id}}/activate": needs(roles.MANAGE_PROMOTIONS),
    f"POST {P}/flash-sales/{{sale_id}}/deactivate": needs(roles.MANAGE_PROMOTIONS),
    f"GET {P}/flash-sales/{{sale_id}}/purchases": read(),
    f"POST {P}/flash-sales/{{sale_id}}/buy": anyone({"buyer_ref": "buyer-2", "quantity": 1}),
    f"POST {P}/flash-purchases/{{purchase_id}}/release": needs(roles.BOOK_STOCK),
    f"POST {P}/flash-purchases/{{purchase_id}}/issue": needs(roles.BOOK_STOCK, body={}),
    # ----- stored promotions
    f"GET {P}": read(),
    f"POST {P}": needs(roles.MANAGE_PROMOTIONS, body=lambda w: {"shop": "tm01", "spec": _promotion_spec("new300")}),
    f"GET {P}/calendar": read(),
    f"GET {P}/{{promotion_id}}": read(),
    f"PUT {P}/{{promotion_id}}": needs(roles.MANAGE_PROMOTIONS, body=lambda w: {"spec": _promotion_spec("draft300")}),
    f"POST {P}/{{promotion_id}}/submit": needs(roles.MANAGE_PROMOTIONS),
    f"POST {P}/{{promotion_id}}/approve": needs(roles.APPROVE_PROMOTIONS, body={}, promotion_id="pending_promotion"),
    f"POST {P}/{{promotion_id}}/cancel": needs(roles.MANAGE_PROMOTIONS, body={}),
    # ----- pricing: computed, nothing stored
    "POST /api/v1/pricing/what-if": anyone({"draft": QUOTE_SPEC[0], "carts": [CART]}),
    "POST /api/v1/pricing/quote": anyone({"promotions": QUOTE_SPEC, "cart": CART}),
    # ----- official campaigns
    f"GET {S}": read(),
    f"POST {S}": needs(roles.MANAGE_PROMOTIONS, body={"shop": "tm01", "spec": {**CAMPAIGN_SPEC, "id": "new"}}),
    f"GET {S}/{{campaign_id}}": read(),
    f"PUT {S}/{{campaign_id}}": needs(roles.MANAGE_PROMOTIONS, body={"spec": CAMPAIGN_SPEC}),
    f"POST {S}/{{campaign_id}}/archive": needs(roles.MANAGE_PROMOTIONS, body={}),
    f"POST {S}/{{campaign_id}}/restore": needs(roles.MANAGE_PROMOTIONS, body={}, campaign_id="archived_campaign"),
    f"POST {S}/{{campaign_id}}/check": anyone(
        lambda w: {"skus": [{"sku_id": w["sku"], "price": "59.00", "quantity": 100}]}
    ),
    "GET /api/v1/campaigns/presets": read(),
    "POST /api/v1/campaigns/check": anyone(
        lambda w: {"campaign": "tiantiantejia", "skus": [{"sku_id": w["sku"], "price": "59.00", "quantity": 100}]}
    ),
    # ----- approvals
    f"GET {A}": read(),
    f"POST {A}/price-changes/{{change_id}}/approve": needs(roles.APPROVE_PRICES, body={}),
    f"POST {A}/price-changes/{{change_id}}/reject": needs(roles.APPROVE_PRICES, body={"note": "低于成本"}),
    f"POST {A}/promotions/{{promotion_id}}/approve": needs(
        roles.APPROVE_PROMOTIONS, body={}, promotion_id="pending_promotion"
    ),
    f"POST {A}/promotions/{{promotion_id}}/reject": needs(
        roles.APPROVE_PROMOTIONS, body={"note": "太深"}, promotion_id="pending_promotion"
    ),
    # ----- planning: the yearly plan, its quarters by category and role, the progress against it
    "GET /api/v1/planning/plan": read(),
    "POST /api/v1/planning/plan": needs(
        roles.MANAGE_SHOPS, body={"shop": "tm01", "year": PLAN_YEAR + 1, "gmv_target": "120000.00"}
    ),
    "PUT /api/v1/planning/plan/months/{month}": needs(
        roles.MANAGE_SHOPS, body={"shop": "tm01", "year": PLAN_YEAR, "gmv_target": "9000.00"}, month="plan_month"
    ),
    "POST /api/v1/planning/plan/approve": needs(roles.MANAGE_SHOPS, body={"shop": "tm01", "year": PLAN_YEAR}),
    "GET /api/v1/planning/shares": read(),
    "POST /api/v1/planning/shares/split": needs(roles.MANAGE_SHOPS, body={"shop": "tm01", "year": PLAN_YEAR}),
    "PUT /api/v1/planning/shares": needs(
        roles.MANAGE_SHOPS,
        body={
            "shop": "tm01",
            "year": PLAN_YEAR,
            "dimension": "role",
            "key": "traffic",
            "mode": "keep",
            "quarters": [{"quarter": 1, "amount": "100.00", "quantity": 1, "sku_count": 1}],
        },
    ),
    "GET /api/v1/planning/progress": read(),
    # ----- planning: the monthly review (月度运营总结及计划表)
    "GET /api/v1/planning/reviews": read(),
    "PUT /api/v1/planning/reviews": needs(
        roles.MANAGE_PROMOTIONS, body={"shop": "tm01", "year": 2026, "month": 5, "went_well": "618 预热顺利"}
    ),
    "POST /api/v1/planning/reviews/close": needs(roles.MANAGE_SHOPS, body={"shop": "tm01", "year": 2026, "month": 5}),
    "POST /api/v1/planning/reviews/reopen": needs(roles.MANAGE_SHOPS, body={"shop": "tm01", "year": 2026, "month": 5}),
    "GET /api/v1/planning/reviews/xlsx": read(),
    "GET /api/v1/planning/reviews/pdf": read(),
    # ----- planning: the ad budget and the activity calendar
    "GET /api/v1/planning/budgets": read(),
    "PUT /api/v1/planning/budgets": needs(
        roles.MANAGE_SHOPS,
        body={
            "shop": "tm01",
            "year": PLAN_YEAR,
            "month": 6,
            "mode": "share",
            "share": "0.08",
            "lines": [{"channel": "ztc", "goal": "sales", "share": "1", "expected_roi": "3.00"}],
        },
    ),
    "GET /api/v1/planning/activities": read(),
    "POST /api/v1/planning/activities": needs(
        roles.MANAGE_SHOPS,
        body={
            "shop": "tm01",
            "year": PLAN_YEAR,
            "name": "清仓",
            "starts_on": f"{PLAN_YEAR}-07-01",
            "ends_on": f"{PLAN_YEAR}-07-03",
            "gmv_target": "5000.00",
        },
    ),
    "POST /api/v1/planning/activities/platform-events": needs(
        roles.MANAGE_SHOPS, body={"shop": "tm01", "year": PLAN_YEAR}
    ),
    "PATCH /api/v1/planning/activities/{activity_id}": needs(roles.MANAGE_SHOPS, body={"gmv_target": "8000.00"}),
    "DELETE /api/v1/planning/activities/{activity_id}": needs(roles.MANAGE_SHOPS),
    # ----- members (docs/members.md): merge and consent 店长/客服; tiers, points, segments 店长/运营 -----
    "GET /api/v1/members": read(),
    "GET /api/v1/members/tiers": read(),
    "POST /api/v1/members/tiers": needs(
        roles.MANAGE_LOYALTY, body={"code": "gold", "name": "金卡", "rank": 1, "threshold": "100.00"}
    ),
    "GET /api/v1/members/segments": read(),
    "POST /api/v1/members/segments": needs(
        roles.MANAGE_LOYALTY, body={"name": "高价值", "filters": {"high_value": True}}
    ),
    "GET /api/v1/members/segments/count": read(),
    "GET /api/v1/members/cohorts": read(),
    "POST /api/v1/members/sync": needs(roles.MANAGE_LOYALTY),
    "POST /api/v1/members/merge": needs(
        roles.MANAGE_MEMBERS, body=lambda w: {"survivor": w["member"], "absorbed": w["other_member"]}
    ),
    "GET /api/v1/members/{member_id}": read(),
    "POST /api/v1/members/{member_id}/unmerge": needs(roles.MANAGE_MEMBERS, member_id="merged_member"),
    "POST /api/v1/members/{member_id}/consent": needs(
        roles.MANAGE_MEMBERS, body={"channel": "sms", "granted": False, "note": "勿扰"}
    ),
    "GET /api/v1/members/{member_id}/points": read(),
    "POST /api/v1/members/{member_id}/points": needs(roles.MANAGE_LOYALTY, body={"points": 10, "note": "补偿"}),
    "POST /api/v1/members/{member_id}/points/spend": needs(
        roles.MANAGE_LOYALTY, body={"points": 1, "reference": "coupon:C5", "key": "perm-1"}
    ),
    "POST /api/v1/members/{member_id}/quote": anyone({"cart": CART, "promotions": QUOTE_SPEC}),
    # members' campaigns and points shop (docs/members.md): reads for all, changes 店长/运营
    "GET /api/v1/members/campaigns": read(),
    "POST /api/v1/members/campaigns": needs(
        roles.MANAGE_LOYALTY,
        body=lambda w: {"name": "回购", "segment": w["member_segment"], "kind": "message", "template": "{nick} 你好"},
    ),
    "GET /api/v1/members/campaigns/{campaign_id}": read(campaign_id="member_campaign"),
    "POST /api/v1/members/campaigns/{campaign_id}/test": needs(
        roles.MANAGE_LOYALTY, body=lambda w: {"member": w["member"]}, campaign_id="member_campaign"
    ),
    "POST /api/v1/members/campaigns/{campaign_id}/send": needs(roles.MANAGE_LOYALTY, campaign_id="member_campaign"),
    "GET /api/v1/members/points-shop": read(),
    "POST /api/v1/members/points-shop": needs(
        roles.MANAGE_LOYALTY, body={"name": "帆布袋", "kind": "gift", "points": 10, "stock": 5}
    ),
    "POST /api/v1/members/{member_id}/redeem": needs(
        roles.MANAGE_LOYALTY, body=lambda w: {"item": w["shop_item"], "key": "perm-redeem"}
    ),
    "POST /api/v1/members/{member_id}/check-in": needs(roles.MANAGE_LOYALTY),
}

# The object each path parameter names unless an entry says otherwise (keys of the world below).
DEFAULT_IDS = {
    "product_id": "product",
    "sku_id": "sku",
    "po_id": "ordered_po",
    "stocktake_id": "stocktake",
    "sale_id": "sale",
    "purchase_id": "purchase",
    "promotion_id": "draft_promotion",
    "campaign_id": "campaign",
    "change_id": "price_change",
    "reference": "reference",
    "order_id": "order",
    "opt_out_id": "opt_out",
    "case_id": "case",
    "compensation_id": "compensation",
    "activity_id": "activity",
    "member_id": "member",
    "theme_id": "market_theme",
}
# Query parameters a GET cannot do without.
REQUIRED_QUERY = {
    "GET /api/v1/planning/plan": f"?shop=tm01&year={PLAN_YEAR}",
    "GET /api/v1/planning/shares": f"?shop=tm01&year={PLAN_YEAR}&dimension=role",
    "GET /api/v1/planning/progress": "?shop=tm01",
    "GET /api/v1/planning/budgets": f"?shop=tm01&year={PLAN_YEAR}",
    "GET /api/v1/planning/activities": f"?shop=tm01&year={PLAN_YEAR}",
    f"GET {P}/calendar": "?from=2026-01-01&to=2026-12-31",
    f"GET {AS}/returns/find": "?q=T1",
    "GET /api/v1/analytics/events/daily": "?shop=tm01&from=2026-06-01&to=2026-06-30",
    "GET /api/v1/analytics/traffic/daily": "?shop=tm01&from=2026-06-01&to=2026-06-30",
    "GET /api/v1/analytics/traffic/items": "?shop=tm01&from=2026-06-01&to=2026-06-30",
    "GET /api/v1/analytics/ads/daily": "?shop=tm01&from=2026-06-01&to=2026-06-30",
    "GET /api/v1/analytics/service/daily": "?shop=tm01&from=2026-06-01&to=2026-06-30",
    "GET /api/v1/market/keywords": "?shop=tm01",
    "GET /api/v1/market/ranks": "?shop=tm01&from=2026-06-01&to=2026-06-30",
    "GET /api/v1/market/ranks/alerts": "?day=2026-06-01",
    "GET /api/v1/market/board": "?shop=tm01&category=bedding",
    "GET /api/v1/market/reviews": "?shop=tm01",
    "GET /api/v1/market/reviews/removed": "?shop=tm01",
    "GET /api/v1/market/questions": "?shop=tm01",
    "GET /api/v1/market/themes": "?shop=tm01",
}


def schema_endpoints() -> set[str]:
    schema = api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}


def test_every_endpoint_has_an_entry():
    """A new endpoint must say here what it needs; a removed one must leave."""
    found = schema_endpoints()
    assert sorted(found - set(ENDPOINTS)) == [], "endpoints without an entry in ENDPOINTS"
    assert sorted(set(ENDPOINTS) - found) == [], "entries for endpoints that do not exist"


def test_every_write_needs_a_capability_of_the_matrix_or_says_why_not():
    for endpoint, need in ENDPOINTS.items():
        method = endpoint.split()[0]
        if need.what == READ:
            assert method == "GET", endpoint
        elif need.what != ANYONE:
            assert method != "GET", endpoint
            assert need.capabilities() <= set(roles.CAPABILITIES), endpoint


# ----- the shared dataset ---------------------------------------------------------------------------------


def build_world() -> World:
    """Everything the calls name, made through the services by the system user (and tokens for the roles)."""
    from zhanggui.aftersales import services as aftersales
    from zhanggui.aftersales.claims import services as claims
    from zhanggui.aftersales.compensation import services as compensation
    from zhanggui.catalog import selectors as catalog_selectors
    from zhanggui.catalog import services as catalog
    from zhanggui.catalog.models import Channel, Shop
    from zhanggui.inventory import services as stock
    from zhanggui.inventory.models import MoveReason
    from zhanggui.inventory.purchasing import services as purchasing
    from zhanggui.inventory.stocktakes import services as stocktakes
    from zhanggui.messaging import services as messaging
    from zhanggui.orders import imports as order_imports
    from zhanggui.orders import parcels
    from zhanggui.orders import services as orders
    from zhanggui.orders.models import Order
    from zhanggui.orders.tests.factories import parse_result, parsed_line, parsed_order
    from zhanggui.promotions.campaigns import services as campaigns
    from zhanggui.promotions.flash import services as flash
    from zhanggui.promotions.offers import services as promotions

    system = system_user()
    roles.ensure_roles()
    shop = Shop.objects.create(code="tm01", name="天猫店", channel=Channel.values[0])
    from zhanggui.planning import services as planning
    from zhanggui.planning import shares as plan_shares

    plan_shares.build(
        actor=system,
        plan=planning.create_plan(actor=system, shop=shop, year=PLAN_YEAR, gmv_target=Decimal("120000.00")),
    )
    main = stock.create_warehouse(actor=system, code="main", name="主仓", priority=1)
    stock.create_warehouse(actor=system, code="east", name="东仓", priority=2)
    product = catalog.create_product(actor=system, shop=shop, code="DRESS", title="连衣裙 夏", category=None)
    sku = catalog.create_sku(actor=system, product=product, code="DRESS-M", price="99.00", cost="40.00")
    listed_product = catalog.create_product(actor=system, shop=shop, code="SHIRT", title="衬衫 白", category=None)
    listed_sku = catalog.create_sku(actor=system, product=listed_product, code="SHIRT-M", price="199.00", cost="60.00")
    for item in (sku, listed_sku):
        stock.book_move(actor=system, sku=item, warehouse=main, quantity=50, reason=MoveReason.PURCHASE_RECEIPT)
    catalog.list_product(actor=system, product=listed_product, note="")
    stock.reserve(actor=system, reference="R1", lines=[(sku.pk, 2)])
    supplier = purchasing.create_supplier(actor=system, code="acme", name="Acme")
    draft_po = purchasing.create_purchase_order(
        actor=system, supplier=supplier, warehouse=main, lines=[(sku, 10, "5.00")], place=False
    )
    ordered_po = purchasing.create_purchase_order(
        actor=system, supplier=supplier, warehouse=main, lines=[(sku, 10, "5.00")]
    )
    purchasing.receive_purchase_order(actor=system, po=ordered_po, quantities={sku.pk: 4})
    stocktake = stocktakes.create_stocktake(actor=system, warehouse=main)
    now = timezone.now()
    sale = flash.create_flash_sale(
        actor=system,
        sku=sku,
        price="59.00",
        stock_cap=10,
        per_buyer_cap=2,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
    )
    purchase = flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="buyer-1", quantity=1)
    draft_promotion = promotions.create_promotion(actor=system, shop=shop, raw_spec=_promotion_spec("draft300"))
    pending_promotion = promotions.create_promotion(
        actor=system, shop=shop, raw_spec={**_promotion_spec("deep"), "tiers": [["100", "90"]]}
    )
    promotions.submit_promotion(actor=system, promotion=pending_promotion)
    catalog.set_price(actor=system, sku=listed_sku, price="30.00")  # below its cost of 60: waits for a manager
    price_change = catalog_selectors.pending_price_change(listed_sku)
    campaign = campaigns.create_campaign(actor=system, shop=shop, raw_spec=CAMPAIGN_SPEC)
    archived = campaigns.create_campaign(actor=system, shop=shop, raw_spec={**CAMPAIGN_SPEC, "id": "old"})
    campaigns.archive_campaign(actor=system, campaign=archived, note="")
    order_imports.import_orders(
        actor=system,
        shop=shop,
        result=parse_result(*(parsed_order(no, parsed_line("DRESS-M", 1)) for no in ("T1", "T2"))),
    )
    order, held_order = Order.objects.get(platform_order_no="T1"), Order.objects.get(platform_order_no="T2")
    orders.hold(actor=system, order=held_order, reason="等买家确认地址")
    two_lines = [parsed_line("DRESS-M", 1, sub_order_id=f"{n}-1") for n in ("T5", "T6")]
    order_imports.import_orders(
        actor=system,
        shop=shop,
        result=parse_result(
            *(parsed_order(no, parsed_line("DRESS-M", 1)) for no in ("T3", "T4")),
            *(
                parsed_order(no, first, parsed_line("DRESS-M", 1, sub_order_id=f"{no}-2"))
                for no, first in zip(("T5", "T6"), two_lines, strict=True)
            ),
        ),
    )
    parcels.merge_orders(actor=system, orders=list(Order.objects.filter(platform_order_no__in=("T3", "T4"))))
    two_line_order, split_order = (Order.objects.get(platform_order_no=no) for no in ("T5", "T6"))
    part = parcels.split_order(actor=system, order=split_order, line_ids=[split_order.lines.last().pk])
    opt_out = messaging.opt_out(actor=system, shop=shop, buyer_nick="tb_quiet", note="勿扰")
    case_line = order.lines.first()
    case = aftersales.open_case(
        actor=system, order=order, kind="refund_unshipped", reason="changed_mind", lines=[(case_line.pk, 1)]
    )
    # The system user holds no role, so no limit: its offer waits for a manager.
    offer = compensation.offer(actor=system, case=case, offer="coupon", amount="30.00")
    return_case = aftersales.agree(
        actor=system,
        case=aftersales.open_case(
            actor=system, order=order, kind="return_refund", reason="quality", lines=[(case_line.pk, 1)]
        ),
    )
    reissue_case = aftersales.agree(
        actor=system,
        case=aftersales.open_case(
            actor=system, order=order, kind="reissue", reason="wrong_item", lines=[(case_line.pk, 1)]
        ),
    )

    order_imports.import_orders(
        actor=system, shop=shop, result=parse_result(parsed_order("T7", parsed_line("DRESS-M", 1)))
    )
    shipped_order = orders.ship(
        actor=system,
        order=orders.allocate(actor=system, order=Order.objects.get(platform_order_no="T7")),
        carrier="中通快递",
        tracking_no="ZT7",
    )
    claim = claims.file_claim(actor=system, order=shipped_order, value_claimed="20.00", evidence="外箱破损")

    # The activity calendar's own activity (planning.calendar), for PATCH and DELETE.
    from zhanggui.planning import calendar as plan_calendar

    activity = plan_calendar.add_activity(
        actor=system,
        shop=shop,
        year=PLAN_YEAR,
        name="店庆",
        starts_on=timezone.localdate().replace(year=PLAN_YEAR, month=8, day=8),
        ends_on=timezone.localdate().replace(year=PLAN_YEAR, month=8, day=10),
    )

    # Members (docs/members.md): the orders' buyer, one more to merge into it, and a merged pair to unmerge.
    from zhanggui.members import services as members
    from zhanggui.members.models import Member

    members.sync_members(shop=shop)
    member = Member.objects.get(identities__buyer_nick="tb_lily")
    other_member = Member.objects.create(name="tb_other")
    kept, merged_member = Member.objects.create(name="kept"), Member.objects.create(name="merged")
    members.merge(actor=system, survivor=kept, absorbed=merged_member)
    from zhanggui.members.models import Campaign as MemberCampaign
    from zhanggui.members.models import PointsShopItem, Segment

    member_segment = Segment.objects.create(name="全部会员", filters={})
    member_campaign = MemberCampaign.objects.create(
        name="回购", segment=member_segment, kind="message", template="{nick} 你好", seed=7
    )
    shop_item = PointsShopItem.objects.create(name="贴纸", kind="gift", points=1, stock=100)

    from zhanggui.market.models import Theme

    market_theme = Theme.objects.create(shop=shop, top_words=["偏小"], run_at=timezone.now())

    tokens = {}
    for role in roles.ROLES:
        user = User.objects.create_user(username=f"perm-{role}")
        user.groups.add(Group.objects.get(name=role))
        tokens[role] = create_api_token(user=user, name="permission test")[1]
    return {
        "tokens": tokens,
        "product": product.pk,
        "sku": sku.pk,
        "listed_product": listed_product.pk,
        "listed_sku": listed_sku.pk,
        "draft_po": draft_po.pk,
        "ordered_po": ordered_po.pk,
        "stocktake": stocktake.pk,
        "sale": sale.pk,
        "purchase": purchase.pk,
        "draft_promotion": draft_promotion.pk,
        "pending_promotion": pending_promotion.pk,
        "campaign": campaign.pk,
        "archived_campaign": archived.pk,
        "price_change": price_change.pk,
        "reference": "R1",
        "order": order.pk,
        "held_order": held_order.pk,
        "merged_order": Order.objects.get(platform_order_no="T4").pk,
        "two_line_order": two_line_order.pk,
        "split_line": two_line_order.lines.last().pk,
        "part": part.pk,
        "opt_out": opt_out.pk,
        "case": case.pk,
        "case_line": case_line.pk,
        "compensation": offer.pk,
        "return_case": return_case.pk,
        "return_line": return_case.lines.get().pk,
        "reissue_case": reissue_case.pk,
        "shipped_order": shipped_order.pk,
        "claim": claim.pk,
        "plan_month": 3,
        "activity": activity.pk,
        "member": member.pk,
        "other_member": other_member.pk,
        "merged_member": merged_member.pk,
        "member_segment": member_segment.pk,
        "member_campaign": member_campaign.pk,
        "shop_item": shop_item.pk,
        "market_theme": market_theme.pk,
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once, inside a transaction that is rolled back after the module; each test is a savepoint in it."""
    with built_for_the_module(django_db_blocker, build_world) as built:
        yield built


def call(world: World, endpoint: str, role: str):
    method, template = endpoint.split(" ", 1)
    need = ENDPOINTS[endpoint]
    url = template
    for param, key in {**DEFAULT_IDS, **need.ids}.items():
        url = url.replace(f"{{{param}}}", str(world[key]))
    assert "{" not in url, f"no object for a path parameter of {endpoint}"
    client = Client(headers={"Authorization": f"Bearer {world['tokens'][role]}"})
    if method == "GET":
        return client.get(url + REQUIRED_QUERY.get(endpoint, ""))
    body = need.body(world) if callable(need.body) else need.body
    if any(hasattr(value, "read") for value in (body or {}).values()):
        return client.post(url, data=body)  # an upload: multipart, as a form sends it
    return getattr(client, method.lower())(url, data=body or {}, content_type="application/json")


CASES = [(endpoint, role) for endpoint in ENDPOINTS for role in roles.ROLES]


@pytest.mark.parametrize(("endpoint", "role"), CASES, ids=[f"{e} as {r}" for e, r in CASES])
def test_endpoint_as_role(world, endpoint, role):
    need = ENDPOINTS[endpoint]
    before = snapshot() if need.what not in (READ, ANYONE) else None
    response = call(world, endpoint, role)
    if role in need.allowed_roles():
        assert 200 <= response.status_code < 300, (response.status_code, response.content)
    else:
        assert response.status_code == 403, (response.status_code, response.content)
        assert response.json()["code"] == "permission_denied"
        assert snapshot() == before


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_endpoint_without_credentials_is_a_401(world, endpoint):
    before = snapshot()
    world = {**world, "tokens": dict.fromkeys(roles.ROLES, "zg_not-a-key")}
    response = call(world, endpoint, roles.MANAGER)
    assert response.status_code == 401, (response.status_code, response.content)
    assert response.json()["code"] == "not_authenticated"
    assert snapshot() == before
