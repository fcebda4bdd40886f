"""The edges of the traffic and ads imports: `zhanggui import-traffic` / `import-ads` (--json, exit statuses), the
upload page (the kind told by the headers) and the API (import, then the stored daily figures)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from zhanggui.analytics.models import AdDay, ShopDayTraffic
from zhanggui.analytics.tests.report_fixtures import SYCM_SHOP, TBK, WXT, bom
from zhanggui.core.services import create_api_token
from zhanggui.core.tests.pages import login

pytestmark = pytest.mark.django_db

BAD = bom("统计日期,访客数,支付金额,支付买家数\n2026-11-01,abc,1.00,1\n")


def run(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


# ----- the commands -----------------------------------------------------------------------------------------


def test_import_traffic_json(shop, write):
    path = str(write("店铺整体.csv", SYCM_SHOP))
    code, out, _err = run("import_traffic", "--shop", "tb01", "--json", path)
    assert code == 0
    assert json.loads(out) == {
        "shop": "tb01",
        "files": [
            {
                "file": "店铺整体.csv",
                "kind": "sycm_shop",
                "label": "生意参谋 shop overview",
                "rows": 3,
                "days": ["2026-11-01", "2026-11-02", "2026-11-03"],
            }
        ],
        "rows": 3,
        "days": ["2026-11-01", "2026-11-02", "2026-11-03"],
        "days_replaced": ["2026-11-01", "2026-11-02", "2026-11-03"],
        "rows_written": 3,
        "items_unmatched": 0,
        "rejected_rows": 0,
        "rejected": [],
    }
    code, out, _err = run("import_traffic", "--shop", "tb01", "--json", path)
    assert (code, json.loads(out)["days_replaced"], json.loads(out)["rows_written"]) == (0, [], 0)


def test_import_traffic_rejects_exit_1_and_store_nothing(shop, write):
    good, bad = str(write("good.csv", SYCM_SHOP)), str(write("bad.csv", BAD))
    code, out, _err = run("import_traffic", "--shop", "tb01", "--json", good, bad)
    assert code == 1
    assert json.loads(out)["rejected"] == [
        {"file": "bad.csv", "line": 2, "column": "访客数", "reason": "abc is not a number."}
    ]
    assert not ShopDayTraffic.objects.exists()
    code, out, err = run("import_traffic", "--shop", "tb01", bad)
    assert (code, out) == (1, "")
    assert err.splitlines() == ["1 rows rejected; nothing was stored.", "bad.csv:2 访客数: abc is not a number."]


def test_import_ads_plain_summary_and_kind_option(shop, write):
    code, out, _err = run("import_ads", "--shop", "tb01", str(write("万相台.csv", WXT)), "--kind", "display")
    assert code == 0
    assert out.splitlines() == [
        "Imported into shop tb01.",
        "万相台.csv: 引力魔方 / 钻展 (display), 3 rows, 2 days.",
        "Days in the files: 2; replaced: 2; rows written: 3.",
    ]
    assert set(AdDay.objects.values_list("channel", flat=True)) == {"display"}


def test_commands_wrong_arguments_exit_2(shop, write, tmp_path):
    with pytest.raises(CommandError) as unknown_shop:
        call_command("import_ads", "--shop", "nope", str(write("w.csv", WXT)))
    with pytest.raises(CommandError) as missing:
        call_command("import_traffic", "--shop", "tb01", str(tmp_path / "missing.csv"))
    assert (unknown_shop.value.returncode, missing.value.returncode) == (2, 2)


# ----- the page ---------------------------------------------------------------------------------------------

URL = reverse("analytics:reports-import")


def test_page_tells_the_kind_and_shows_the_days(shop, operator):
    client = login(Client(), operator)
    assert client.get(URL).status_code == 200
    response = client.post(URL, {"shop": shop.pk, "file": SimpleUploadedFile("店铺整体.csv", SYCM_SHOP)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "生意参谋 shop overview" in page and 'id="report-rows">3<' in page
    assert "45.67 %" in page and "¥12,345.60" in page  # the first day's bounce rate and paid amount

    response = client.post(URL, {"shop": shop.pk, "file": SimpleUploadedFile("淘宝联盟.xlsx", TBK)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "淘宝客 / 淘宝联盟 (affiliate)" in page and 'id="ad-days"' in page and "¥159.20" in page
    assert AdDay.objects.filter(channel="affiliate").count() == 2


def test_page_lists_refused_rows_and_unknown_files(shop, operator):
    client = login(Client(), operator)
    response = client.post(URL, {"shop": shop.pk, "file": SimpleUploadedFile("bad.csv", BAD)})
    assert response.status_code == 422
    page = response.content.decode()
    assert "1 row refused: nothing was stored" in page and "abc is not a number." in page
    response = client.post(URL, {"shop": shop.pk, "file": SimpleUploadedFile("x.csv", bom("a,b\n1,2\n"))})
    assert response.status_code == 422
    assert "none of the reports we read (traffic:" in response.content.decode()
    assert not ShopDayTraffic.objects.exists()


def test_page_refuses_a_role_that_does_not_import(shop, users):
    client = login(Client(), users["service"])
    assert "Your role does not import reports" in client.get(URL).content.decode()
    response = client.post(URL, {"shop": shop.pk, "file": SimpleUploadedFile("店铺整体.csv", SYCM_SHOP)})
    assert response.status_code == 403
    assert not ShopDayTraffic.objects.exists()


def test_page_in_chinese(shop, operator):
    client = login(Client(), operator, language="zh-hans")
    assert client.get(URL).status_code == 200


# ----- the API ----------------------------------------------------------------------------------------------


def api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {create_api_token(user=user, name='test')[1]}"})


def test_api_imports_traffic_then_reads_it(shop, operator, users):
    client = api(operator)
    response = client.post(
        "/api/v1/analytics/traffic/import", {"shop": "tb01", "file": SimpleUploadedFile("s.csv", SYCM_SHOP)}
    )
    assert response.status_code == 200, response.content
    assert response.json()["days_replaced"] == ["2026-11-01", "2026-11-02", "2026-11-03"]

    reader = api(users["designer"])
    response = reader.get("/api/v1/analytics/traffic/daily?shop=tb01&from=2026-11-02&to=2026-11-30")
    assert response.status_code == 200
    days = response.json()["days"]
    assert [(d["day"], d["visitors"], d["paid_amount"], d["bounce_rate"], d["mobile_visitors"]) for d in days] == [
        ("2026-11-02", 12000, "31396.00", None, None),
        ("2026-11-03", 800, "0.00", "0.500000", None),
    ]
    assert response.json()["sources"] == []
    bad_range = reader.get("/api/v1/analytics/traffic/daily?shop=tb01&from=2026-11-02&to=2026-11-01")
    assert bad_range.status_code == 422


def test_api_refused_rows_are_422_import_rejected(shop, operator):
    response = api(operator).post(
        "/api/v1/analytics/traffic/import?lang=en", {"shop": "tb01", "file": SimpleUploadedFile("bad.csv", BAD)}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "import_rejected"
    assert body["details"]["rejected"] == [
        {"file": "bad.csv", "line": 2, "column": "访客数", "reason": "abc is not a number."}
    ]
    assert not ShopDayTraffic.objects.exists()


def test_api_imports_ads_and_reads_totals_with_roi(shop, operator):
    client = api(operator)
    response = client.post("/api/v1/analytics/ads/import", {"shop": "tb01", "file": SimpleUploadedFile("w.csv", WXT)})
    assert response.status_code == 200, response.content
    response = client.get("/api/v1/analytics/ads/daily?shop=tb01&from=2026-11-01&to=2026-11-01&channel=ztc")
    assert response.status_code == 200
    body = response.json()
    assert body["totals"] == [
        {
            "day": "2026-11-01",
            "channel": "ztc",
            "rows": 2,
            "impressions": 15000,
            "clicks": 420,
            "cost": "1230.50",
            "orders": 13,
            "gmv": "2971.38",
            "roi": "2.41",
        }
    ]
    assert [(r["keyword"], r["cost"]) for r in body["rows"]] == [("夏季裙子", "150.00"), ("连衣裙女", "1080.50")]
    refused = client.post(
        "/api/v1/analytics/ads/import", {"shop": "tb01", "kind": "nope", "file": SimpleUploadedFile("w.csv", WXT)}
    )
    assert refused.status_code == 422
