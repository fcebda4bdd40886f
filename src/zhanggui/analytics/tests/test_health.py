"""Store health: DSR / JD shop scores typed in or imported, violations with their points and appeal deadlines,
health-check findings followed up to their fix; the page (who may type, what was typed kept on a refusal)."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhanggui.analytics import report_imports
from zhanggui.analytics.health import selectors, services
from zhanggui.analytics.models import AppealStatus, HealthFinding, ShopScoreDay, Violation
from zhanggui.analytics.tests.report_fixtures import NOV1, NOV2, bom
from zhanggui.catalog.models import Channel
from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.core.errors import PermissionDeniedError, ValidationFailed
from zhanggui.core.models import AuditEntry
from zhanggui.core.tests.pages import login

pytestmark = pytest.mark.django_db

D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")
URL = reverse("analytics:health")

DSR = bom("日期,描述相符,服务态度,物流服务\n2026-11-01,4.8512,4.8,4.79\n2026-11-02,4.8510,4.81,4.79\n")


def test_typed_scores_replace_the_day_and_are_audited(shop, operator):
    services.record_scores(actor=operator, shop=shop, day=NOV1, description=D("4.85"), service=D("4.8"), shipping=None)
    row = services.record_scores(
        actor=operator, shop=shop, day=NOV1, description=D("4.86"), service=D("4.8"), shipping=D("4.79")
    )
    assert ShopScoreDay.objects.count() == 1
    assert (row.description, row.service, row.shipping, row.report) == (D("4.86"), D("4.8"), D("4.79"), "typed")
    entry = AuditEntry.objects.filter(action="analytics.record_scores").latest("pk")
    assert entry.before["description"] == "4.8500" and entry.after["description"] == "4.86"


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ((D("5.1"), None, None), "between 0 and 5"),
        ((None, None, None), "at least one score"),
        ((D("4.123456"), None, None), "at most 4 decimals"),
    ],
)
def test_scores_out_of_range_are_refused(shop, operator, scores, message):
    with pytest.raises(ValidationFailed, match=message):
        services.record_scores(
            actor=operator, shop=shop, day=NOV1, description=scores[0], service=scores[1], shipping=scores[2]
        )
    assert not ShopScoreDay.objects.exists()


def test_a_jd_shop_scores_out_of_ten(operator):
    jd = ShopFactory(code="jd01", channel=Channel.JD)
    row = services.record_scores(actor=operator, shop=jd, day=NOV1, description=D("9.71"), service=None, shipping=None)
    assert row.description == D("9.71")


def test_dsr_report_imports_through_the_service_family_and_replaces_a_typed_day(shop, operator):
    services.record_scores(actor=operator, shop=shop, day=NOV1, description=D("4.7"), service=None, shipping=None)
    report = report_imports.import_service(actor=operator, shop=shop, files=[(io.BytesIO(DSR), "dsr.csv")])
    assert report.ok, report.rejected
    assert [(f.kind, f.rows) for f in report.files] == [("dsr", 2)]
    assert list(
        ShopScoreDay.objects.order_by("day").values_list("day", "description", "service", "shipping", "report")
    ) == [
        (NOV1, D("4.8512"), D("4.8000"), D("4.7900"), "dsr"),
        (NOV2, D("4.8510"), D("4.8100"), D("4.7900"), "dsr"),
    ]
    days = selectors.scores(shop=shop, start=NOV1, end=NOV2)
    assert selectors.trend(days).change("description") == D("-0.0002")


def test_violations_count_points_until_an_appeal_wins(shop, operator):
    late = services.note_violation(
        actor=operator, shop=shop, noted_on=date(2026, 3, 2), rule="延迟发货", points=3, order_no="T1001"
    )
    fake = services.note_violation(
        actor=operator, shop=shop, noted_on=date(2026, 4, 1), rule="虚假交易", points=12, kind="fake"
    )
    services.note_violation(actor=operator, shop=shop, noted_on=date(2025, 12, 30), rule="延迟发货", points=3)
    rows = list(selectors.violations(shop=shop, year=2026))
    assert selectors.points(rows) == {"total": 15, "general": 3, "fake": 12}

    services.set_appeal(actor=operator, violation=fake, status=AppealStatus.UPHELD, note="聊天记录为证")
    rows = list(selectors.violations(shop=shop, year=2026))
    assert selectors.points(rows) == {"total": 3, "general": 3}
    fake.refresh_from_db()
    assert fake.note.endswith("聊天记录为证") and fake.decided
    assert late.counts
    assert AuditEntry.objects.filter(action="analytics.set_appeal", after__appeal_status="upheld").exists()


def test_appeals_due_nearest_first_and_missed_ones(shop, operator):
    now = datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI)
    base = {"actor": operator, "shop": shop, "rule": "描述不符", "points": 2}
    later = services.note_violation(noted_on=date(2026, 11, 9), appeal_deadline=now + timedelta(days=3), **base)
    sooner = services.note_violation(noted_on=date(2026, 11, 9), appeal_deadline=now + timedelta(hours=5), **base)
    missed = services.note_violation(noted_on=date(2026, 11, 1), appeal_deadline=now - timedelta(hours=1), **base)
    filed = services.note_violation(noted_on=date(2026, 11, 1), appeal_deadline=now + timedelta(hours=1), **base)
    services.set_appeal(actor=operator, violation=filed, status=AppealStatus.REJECTED)

    assert selectors.appeals_due(shop=shop, now=now) == [sooner, later]
    assert selectors.appeals_due(now=now, within=timedelta(days=1)) == [sooner]
    assert selectors.appeals_missed(shop=shop, now=now) == [missed]


def test_violation_input_is_checked(shop, operator):
    with pytest.raises(ValidationFailed, match="Name the rule"):
        services.note_violation(actor=operator, shop=shop, noted_on=NOV1, rule=" ", points=1)
    with pytest.raises(ValidationFailed, match="before the notice"):
        services.note_violation(
            actor=operator,
            shop=shop,
            noted_on=NOV2,
            rule="x",
            points=1,
            appeal_deadline=datetime(2026, 11, 1, 10, tzinfo=SHANGHAI),
        )
    assert not Violation.objects.exists()


def test_findings_are_followed_up_to_their_fix(shop, operator, users):
    finding = services.note_finding(
        actor=operator, shop=shop, found_on=NOV1, finding="3 个商品主图不合规", area="商品", follow_up=users["designer"]
    )
    assert selectors.open_findings() == [finding]
    with pytest.raises(ValidationFailed, match="what was done"):
        services.fix_finding(actor=operator, finding=finding, result="")
    services.fix_finding(actor=operator, finding=finding, result="主图已换", fixed_on=NOV2)
    assert selectors.open_findings(shop=shop) == []
    assert [f.result for f in selectors.fixed_findings(shop=shop, since=NOV1)] == ["主图已换"]
    with pytest.raises(ValidationFailed, match="was closed on 2026-11-02"):
        services.fix_finding(actor=operator, finding=finding, result="again")


def test_only_the_manager_and_operators_type(shop, users):
    with pytest.raises(PermissionDeniedError):
        services.note_finding(actor=users["service"], shop=shop, found_on=NOV1, finding="x")


# ----- the page ---------------------------------------------------------------------------------------------


def test_page_shows_the_shop_and_records_each_kind(shop, operator, users):
    client = login(Client(), operator)
    assert client.get(URL).status_code == 200
    today = timezone.localdate()
    response = client.post(
        reverse("analytics:health-scores"),
        {"shop_code": shop.code, "day": today.isoformat(), "description": "4.85", "service": "4.8", "shipping": ""},
    )
    assert response.status_code == 302
    deadline = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("analytics:health-violation-add"),
        {
            "shop_code": shop.code,
            "noted_on": today.isoformat(),
            "kind": "general",
            "rule": "延迟发货",
            "points": "3",
            "appeal_deadline": deadline,
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("analytics:health-finding-add"),
        {
            "shop_code": shop.code,
            "found_on": today.isoformat(),
            "finding": "详情页加载慢",
            "severity": "warning",
            "follow_up": users["designer"].pk,
        },
    )
    assert response.status_code == 302
    page = client.get(f"{URL}?shop={shop.code}").content.decode()
    assert ">4.85<" in page and "4.8500" not in page and "延迟发货" in page and "详情页加载慢" in page
    assert "Points that count this year: <strong>3</strong>" in page
    assert "left" in page  # the appeal's time left

    violation = Violation.objects.get()
    client.post(
        reverse("analytics:health-violation-appeal", args=[violation.pk]), {"status": "appealing", "note": "已提交"}
    )
    violation.refresh_from_db()
    assert violation.appeal_status == "appealing"
    finding = HealthFinding.objects.get()
    client.post(reverse("analytics:health-finding-fix", args=[finding.pk]), {"result": "图片压缩"})
    finding.refresh_from_db()
    assert finding.result == "图片压缩" and finding.fixed_on == today


def test_a_refused_form_keeps_what_was_typed(shop, operator):
    client = login(Client(), operator)
    response = client.post(
        reverse("analytics:health-scores"),
        {"shop_code": shop.code, "day": "2026-11-01", "description": "5.5", "service": "4.71", "shipping": ""},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "between 0 and 5" in page and 'value="4.71"' in page
    assert not ShopScoreDay.objects.exists()


def test_page_reads_for_everyone_but_only_keepers_type(shop, users):
    client = login(Client(), users["service"])
    page = client.get(URL).content.decode()
    assert 'id="scores-form"' not in page
    response = client.post(
        reverse("analytics:health-finding-add"),
        {"shop_code": shop.code, "found_on": "2026-11-01", "finding": "x", "severity": "notice"},
    )
    assert response.status_code == 403


def test_page_in_chinese(shop, operator):
    client = login(Client(), operator, language="zh-hans")
    assert client.get(URL).status_code == 200


def test_scores_and_violations_download_as_xlsx(shop, operator):
    from io import BytesIO

    from openpyxl import load_workbook

    services.record_scores(
        actor=operator, shop=shop, day=timezone.localdate(), description=D("4.85"), service=None, shipping=None
    )
    services.note_violation(actor=operator, shop=shop, noted_on=NOV1, rule="延迟发货", points=3)
    client = login(Client(), operator)
    book = load_workbook(BytesIO(client.get(f"{URL}?shop={shop.code}&export=scores").content))
    rows = list(book.active.values)
    assert rows[0][:2] == ("Day", "描述相符 (as described)") and rows[1][1] == 4.85
    book = load_workbook(BytesIO(client.get(f"{URL}?shop={shop.code}&export=violations").content))
    rows = list(book.active.values)
    assert rows[1][2:4] == ("延迟发货", 3)
