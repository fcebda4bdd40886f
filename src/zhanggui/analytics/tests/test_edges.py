"""The edges of the event import: `zhanggui import-events` (exit statuses, --json), the upload page and the API
(import, and the daily figures it made)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from zhanggui.analytics.models import EventDay
from zhanggui.analytics.tests.conftest import DAY1, EVENTS, at, csv_text
from zhanggui.core.services import create_api_token
from zhanggui.core.tests.pages import login

pytestmark = pytest.mark.django_db

BAD_LINE = (1, 10, 100, "click", at(DAY1, 9), "", "")
CLICK = "unknown behavior_type click (pv, fav, cart or buy)"


def run(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


# ----- the command ------------------------------------------------------------------------------------------


def test_command_json_has_the_issue_shape(shop, write):
    code, out, _err = run("import_events", "--shop", "tb01", "--json", str(write("events.csv", csv_text(EVENTS))))
    assert code == 0
    assert json.loads(out) == {
        "shop": "tb01",
        "files": ["events.csv"],
        "rows": 13,
        "events_added": 13,
        "days": ["2026-06-01", "2026-06-02"],
        "days_recomputed": ["2026-06-01", "2026-06-02"],
        "rejected_rows": 0,
        "rejected": [],
    }
    code, out, _err = run("import_events", "--shop", "tb01", "--json", str(write("events.csv", csv_text(EVENTS))))
    assert (code, json.loads(out)["days_recomputed"], json.loads(out)["events_added"]) == (0, [], 0)


def test_command_rejected_rows_exit_1_and_store_nothing(shop, write):
    good, bad = write("good.csv", csv_text(EVENTS)), write("bad.csv", csv_text([EVENTS[0], BAD_LINE]))
    code, out, _err = run("import_events", "--shop", "tb01", "--json", str(good), str(bad))
    assert code == 1
    assert json.loads(out)["rejected"] == [{"file": "bad.csv", "line": 2, "column": "behavior_type", "reason": CLICK}]
    assert not EventDay.objects.exists()
    code, out, err = run("import_events", "--shop", "tb01", str(bad))
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "1 rows rejected; nothing was stored.",
        "bad.csv:2 behavior_type: unknown behavior_type click (pv, fav, cart or buy)",
    ]


def test_command_plain_summary(shop, write):
    code, out, _err = run("import_events", "--shop", "tb01", str(write("events.csv", csv_text(EVENTS))))
    assert code == 0
    assert out.splitlines() == [
        "Imported into shop tb01.",
        "Rows: 13, new events: 13.",
        "Days in the files: 2 (2026-06-01 … 2026-06-02); recomputed: 2 (2026-06-01 … 2026-06-02).",
    ]


def test_command_wrong_arguments_exit_2(shop, write, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as unknown_shop:
        call_command("import_events", "--shop", "nope", str(write("e.csv", csv_text(EVENTS))))
    with pytest.raises(CommandError) as missing:
        call_command("import_events", "--shop", "tb01", str(tmp_path / "missing.csv"))
    assert (unknown_shop.value.returncode, missing.value.returncode) == (2, 2)


# ----- the page ---------------------------------------------------------------------------------------------

URL = reverse("analytics:events-import")


def upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"))


def test_page_imports_and_shows_the_days_made(shop, operator):
    client = login(Client(), operator)
    assert client.get(URL).status_code == 200
    response = client.post(URL, {"shop": shop.pk, "file": upload("events.csv", csv_text(EVENTS))})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="report-rows">13<' in page and 'id="report-recomputed">2<' in page
    assert "2026-06-01" in page and "66.67 %" in page  # the first day: 2 buyers of 3 visitors
    assert EventDay.objects.count() == 2


def test_page_lists_the_refused_rows_and_stores_nothing(shop, operator):
    client = login(Client(), operator)
    response = client.post(URL, {"shop": shop.pk, "file": upload("bad.csv", csv_text([EVENTS[0], BAD_LINE]))})
    assert response.status_code == 422
    page = response.content.decode()
    assert "1 row refused: nothing was stored" in page
    assert "unknown behavior_type click" in page
    assert not EventDay.objects.exists()


def test_page_refuses_a_role_that_does_not_import(shop, users):
    client = login(Client(), users["service"])
    assert "Your role does not import events" in client.get(URL).content.decode()
    response = client.post(URL, {"shop": shop.pk, "file": upload("events.csv", csv_text(EVENTS))})
    assert response.status_code == 403
    assert not EventDay.objects.exists()


def test_page_in_chinese(shop, operator):
    client = login(Client(), operator, language="zh-hans")
    assert client.get(URL).status_code == 200


# ----- the API ----------------------------------------------------------------------------------------------


def api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {create_api_token(user=user, name='test')[1]}"})


def test_api_imports_then_reads_the_daily_figures(shop, operator, users):
    client = api(operator)
    response = client.post(
        "/api/v1/analytics/events/import", {"shop": "tb01", "file": upload("events.csv", csv_text(EVENTS))}
    )
    assert response.status_code == 200, response.content
    assert response.json()["days_recomputed"] == ["2026-06-01", "2026-06-02"]

    daily = api(users["warehouse"]).get("/api/v1/analytics/events/daily?shop=tb01&from=2026-06-01&to=2026-06-01")
    assert daily.status_code == 200
    assert daily.json() == {
        "shop": "tb01",
        "days": [
            {
                "day": "2026-06-01", "pv": 6, "favs": 1, "carts": 1, "buys": 2, "uv": 3, "buyers": 2,
                "conversion": "0.6667",
                "sources": [
                    {"source": "ad", "pv": 3, "favs": 1, "carts": 0, "buys": 1, "uv": 3, "buyers": 1,
                     "conversion": "0.3333"},
                    {"source": "search", "pv": 3, "favs": 0, "carts": 1, "buys": 1, "uv": 2, "buyers": 1,
                     "conversion": "0.5000"},
                ],
            }
        ],
    }  # fmt: skip


def test_api_refused_rows_are_a_422_with_the_report(shop, operator):
    response = api(operator).post(
        "/api/v1/analytics/events/import?lang=en", {"shop": "tb01", "file": upload("bad.csv", csv_text([BAD_LINE]))}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "import_rejected"
    assert body["details"]["rejected"] == [{"file": "bad.csv", "line": 1, "column": "behavior_type", "reason": CLICK}]
    assert not EventDay.objects.exists()


def test_api_import_needs_the_import_capability(shop, users):
    response = api(users["designer"]).post(
        "/api/v1/analytics/events/import", {"shop": "tb01", "file": upload("events.csv", csv_text(EVENTS))}
    )
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert not EventDay.objects.exists()


@pytest.mark.parametrize(
    ("query", "status"),
    [("from=2026-06-02&to=2026-06-01", 422), ("from=2025-01-01&to=2026-06-01", 422), ("from=x&to=2026-06-01", 422)],
)
def test_api_daily_refuses_a_bad_range(shop, operator, query, status):
    response = api(operator).get(f"/api/v1/analytics/events/daily?shop=tb01&{query}")
    assert response.status_code == status
    assert response.json()["code"] in {"validation_failed", "invalid_input"}


def test_api_daily_of_an_unknown_shop_is_a_404(shop, operator):
    response = api(operator).get("/api/v1/analytics/events/daily?shop=nope&from=2026-06-01&to=2026-06-01")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
