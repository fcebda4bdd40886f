"""Customer-service reports (千牛/赤兔 客服绩效, 京东 咚咚): counts, money to the fen, durations in seconds, the
inquiry conversion Σ ÷ Σ per agent and shop, a later export replacing a day, idempotence, refused rows, the
command, the page and the API. Figures worked by hand in the comments."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from operator import attrgetter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from zhanggui.analytics import report_imports, report_selectors
from zhanggui.analytics.models import ServiceDay
from zhanggui.analytics.tests.report_fixtures import NOV1, NOV2
from zhanggui.analytics.tests.service_fixtures import JD, QIANNIU, QIANNIU_BAD, QIANNIU_NOV1_RESTATED
from zhanggui.catalog.models import Channel
from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.channels.report_files import Field, read_value
from zhanggui.core.services import create_api_token
from zhanggui.core.tests.pages import login

pytestmark = pytest.mark.django_db

D = Decimal


def run(shop, actor, *files, kind=None):
    streams = [(io.BytesIO(content), name) for name, content in files]
    return report_imports.import_service(actor=actor, shop=shop, files=streams, kind=kind)


def stored(shop):
    return list(
        ServiceDay.objects.filter(shop=shop)
        .order_by("day", "agent")
        .values_list(
            "day",
            "agent",
            "consulted",
            "received",
            "inquired",
            "inquiry_paid",
            "sales",
            "units",
            "first_response",
            "avg_response",
            "reply_rate",
        )
    )


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("23.5", D("23.50")),
        ("23.5秒", D("23.50")),
        ("1分5秒", D("65.00")),
        ("2分", D("120.00")),
        ("2m30s", D("150.00")),
        ("00:01:05", D("65.00")),
        ("1:30", D("90.00")),
        ("1:00:00", D("3600.00")),
        ("１２．３４５", D("12.35")),  # full-width, half up to the hundredth
        ("", None),
    ],
)
def test_durations_read_in_seconds(text, seconds):
    assert read_value(Field("t", ("t",), "seconds"), text) == seconds


@pytest.mark.parametrize("text", ["快", "1分钟多", "-5", "1e3"])
def test_a_duration_that_is_none_is_refused_in_words(text):
    with pytest.raises(ValueError, match=r"is not a duration|must not be negative"):
        read_value(Field("t", ("t",), "seconds"), text)


def test_qianniu_report_in_gbk_with_title_and_summary_rows(shop, system):
    report = run(shop, system, ("客服绩效.csv", QIANNIU))

    assert report.ok, report.rejected
    assert [(f.kind, f.rows, f.days) for f in report.files] == [("qianniu_service", 4, [NOV1, NOV2])]
    assert stored(shop) == [
        (NOV1, "店小二:小美", 60, 60, 40, 10, D("1500.00"), 12, D("65.00"), D("90.00"), D("0.950000")),
        (NOV1, "店小二:阿花", 120, 118, 80, 36, D("7200.50"), 52, D("12.50"), D("25.00"), D("0.991500")),
        (NOV2, "店小二:小美", 0, 0, 0, 0, D("0.00"), 0, None, None, None),
        (NOV2, "店小二:阿花", 100, 100, 50, 20, D("4000.00"), 30, D("10.00"), D("20.00"), D("1.000000")),
    ]
    assert ServiceDay.objects.get(day=NOV1, agent="店小二:阿花").inquiry_conversion == D("0.4500")  # 36 ÷ 80
    assert ServiceDay.objects.get(day=NOV2, agent="店小二:小美").inquiry_conversion is None  # nobody inquired


def test_agent_totals_are_sums_over_sums_and_weighted_response_times(shop, system):
    run(shop, system, ("客服绩效.csv", QIANNIU))
    totals = report_selectors.agent_totals(report_selectors.service_days(shop=shop, start=NOV1, end=NOV2))
    names = "agent days consulted received inquired inquiry_paid sales inquiry_conversion first_response avg_response"
    got = [attrgetter(*names.split())(t) for t in totals]
    assert got == [
        # 56 ÷ 130 = 0.43077; first (12.5×118 + 10×100) ÷ 218 = 11.353; average (25×118 + 20×100) ÷ 218 = 22.706
        ("店小二:阿花", 2, 220, 218, 130, 56, D("11200.50"), D("0.4308"), D("11.35"), D("22.71")),
        # 10 ÷ 40; 2 November received nobody and has no time: only 1 November counts
        ("店小二:小美", 2, 60, 60, 40, 10, D("1500.00"), D("0.2500"), D("65.00"), D("90.00")),
        # the shop: 66 ÷ 170 = 0.38824 (not the mean of the agents' rates, 0.3404); first 6375 ÷ 278 = 22.932,
        # average 10350 ÷ 278 = 37.230
        ("", 4, 280, 278, 170, 66, D("12700.50"), D("0.3882"), D("22.93"), D("37.23")),
    ]


def test_a_later_export_replaces_its_day_and_the_same_file_twice_changes_nothing(shop, system):
    run(shop, system, ("客服绩效.csv", QIANNIU))
    again = run(shop, system, ("客服绩效.csv", QIANNIU))
    assert again.ok and again.days_replaced == [] and again.rows_written == 0

    restated = run(shop, system, ("补.csv", QIANNIU_NOV1_RESTATED))
    assert restated.ok and restated.days_replaced == [NOV1]
    # 1 November is now exactly the later export (one agent, its columns only); 2 November is untouched.
    assert [row for row in stored(shop) if row[0] == NOV1] == [
        (NOV1, "店小二:阿花", 120, 118, 80, 38, D("7600.50"), None, None, None, None)
    ]
    assert len([row for row in stored(shop) if row[0] == NOV2]) == 2


def test_jd_dongdong_from_xlsx_into_a_jd_shop_only(shop, system):
    jd = ShopFactory(code="jd01", channel=Channel.JD)
    refused = run(shop, system, ("咚咚.xlsx", JD))
    assert not refused.ok
    assert "cannot go into shop tb01" in refused.rejected[0].reason
    assert not ServiceDay.objects.exists()

    report = run(jd, system, ("咚咚.xlsx", JD))
    assert report.ok, report.rejected
    assert stored(jd) == [
        (NOV1, "jd_kefu01", 90, 88, 60, 30, D("6000.00"), None, D("8.00"), D("30.00"), D("0.980000")),
        (NOV1, "jd_kefu02", 40, 40, 20, 5, D("1000.00"), None, D("120.00"), D("90.00"), D("0.900000")),
    ]


def test_bad_rows_are_all_listed_and_nothing_is_stored(shop, system):
    report = run(shop, system, ("bad.csv", QIANNIU_BAD))
    assert not report.ok
    assert [(e.line, e.column) for e in report.rejected] == [(3, "咨询人数"), (4, "询单人数"), (5, "平均首次响应时间")]
    assert "十二 is not a number." in report.rejected[0].reason
    assert "must not be negative" in report.rejected[1].reason
    assert "快 is not a duration" in report.rejected[2].reason
    assert report.rejected_rows == 3
    assert not ServiceDay.objects.exists()


def test_the_same_agent_twice_in_a_day_with_other_figures_is_refused(shop, system):
    twice = "日期,旺旺,咨询人数,询单人数\n2026-11-01,阿花,10,5\n2026-11-01,阿花,11,5\n".encode()
    report = run(shop, system, ("twice.csv", twice))
    assert not report.ok
    assert report.rejected[0].line == 3 and "The same agent of 2026-11-01 is on line 2" in report.rejected[0].reason


def test_command_json_and_exit_status(shop, tmp_path):
    path = tmp_path / "客服绩效.csv"
    path.write_bytes(QIANNIU)
    out = io.StringIO()
    call_command("import_service", "--shop", "tb01", "--json", str(path), stdout=out)
    body = json.loads(out.getvalue())
    assert (body["rows"], body["rows_written"], body["files"][0]["kind"]) == (4, 4, "qianniu_service")

    bad = tmp_path / "bad.csv"
    bad.write_bytes(QIANNIU_BAD)
    with pytest.raises(SystemExit) as exit_status:
        call_command("import_service", "--shop", "tb01", str(bad), stdout=io.StringIO(), stderr=io.StringIO())
    assert exit_status.value.code == 1


def test_the_upload_page_tells_a_service_report_and_shows_the_agents(shop, operator):
    client = login(Client(), operator)
    url = reverse("analytics:reports-import")
    response = client.post(url, {"shop": shop.pk, "file": SimpleUploadedFile("客服绩效.csv", QIANNIU)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "千牛 / 赤兔 客服绩效" in page and 'id="service-agents"' in page
    assert "43.08 %" in page and "38.82 %" in page  # 阿花's and the shop's inquiry conversion

    client = login(Client(), operator, language="zh-hans")
    response = client.post(url, {"shop": shop.pk, "file": SimpleUploadedFile("客服绩效.csv", QIANNIU)})
    assert "询单转化率" in response.content.decode()


def test_api_imports_and_reads_agents(shop, operator):
    client = Client(headers={"Authorization": f"Bearer {create_api_token(user=operator, name='t')[1]}"})
    response = client.post(
        "/api/v1/analytics/service/import", {"shop": "tb01", "file": SimpleUploadedFile("q.csv", QIANNIU)}
    )
    assert response.status_code == 200, response.content
    response = client.get("/api/v1/analytics/service/daily?shop=tb01&from=2026-11-01&to=2026-11-02")
    assert response.status_code == 200
    body = response.json()
    assert len(body["days"]) == 4
    assert [(a["agent"], a["inquiry_conversion"], a["first_response"]) for a in body["agents"]] == [
        ("店小二:阿花", "0.4308", "11.35"),
        ("店小二:小美", "0.2500", "65.00"),
        ("", "0.3882", "22.93"),
    ]
    bad = client.post(
        "/api/v1/analytics/service/import", {"shop": "tb01", "file": SimpleUploadedFile("b.csv", QIANNIU_BAD)}
    )
    assert bad.status_code == 422 and bad.json()["code"] == "import_rejected"


def test_the_page_title_stays_a_title_with_agents_shown(shop, operator):
    client = login(Client(), operator)
    url = reverse("analytics:reports-import")
    page = client.post(url, {"shop": shop.pk, "file": SimpleUploadedFile("客服绩效.csv", QIANNIU)}).content.decode()
    title = page[page.index("<title>") : page.index("</title>")]
    assert "<section" not in title and page.count('id="service-agents"') == 1
