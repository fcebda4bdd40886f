"""`zhanggui import-promotions` / `export-promotions`: all or nothing, every refused promotion named, a repeated
import changes nothing, export → import round-trips unchanged."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.core.models import AuditEntry
from zhanggui.promotions.models import Promotion
from zhanggui.promotions.offers import imports, services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def shop(db):
    return ShopFactory(code="tm")


def promo(code: str, **change) -> dict:
    """满300减30 on 2030-11-11; a change to None drops that key."""
    raw = {
        "id": code,
        "kind": "spend_save",
        "name": f"满300减30 {code}",
        "tiers": [["300", "30"]],
        "starts_at": "2030-11-11T00:00:00+08:00",
        "ends_at": "2030-11-12T00:00:00+08:00",
        **change,
    }
    return {k: v for k, v in raw.items() if v is not None}


def write(tmp_path, items, name: str = "promotions.json"):
    path = tmp_path / name
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return path


def run(command: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def snapshot() -> tuple:
    rows = Promotion.objects.order_by("pk").values_list("pk", "code", "spec", "state", "updated_at")
    return list(rows), AuditEntry.objects.count()


def test_import_creates_drafts_as_the_actor_and_a_second_import_changes_nothing(operator, shop, tmp_path):
    path = write(tmp_path, [promo("a"), promo("b", kind="discount", rate="8", tiers=None)])

    out, _err = run("import_promotions", "--shop", "tm", "--actor", "operator", str(path))
    assert out.strip() == "Imported: 2 new, 0 updated, 0 unchanged."
    assert list(Promotion.objects.order_by("code").values_list("code", "state", "created_by__username")) == [
        ("a", "draft", "operator"),
        ("b", "draft", "operator"),
    ]
    before = snapshot()
    out, _err = run("import_promotions", "--shop", "tm", str(path))
    assert out.strip() == "Imported: 0 new, 0 updated, 2 unchanged."
    assert snapshot() == before


def test_a_bad_file_writes_nothing_and_names_each_refused_promotion(operator, shop, tmp_path):
    services.submit_promotion(
        actor=operator,
        promotion=services.create_promotion(
            actor=operator, shop=shop, raw_spec=promo("live", starts_at=timezone.now().isoformat())
        ),
    )
    before = snapshot()
    live = Promotion.objects.get(code="live").spec
    path = write(
        tmp_path,
        [
            promo("ok"),
            promo("float", tiers=[["300", 30.5]]),
            {"kind": "discount", "rate": "8"},
            promo("ok"),
            {**live, "tiers": [["300", "50"]]},
        ],
    )
    with pytest.raises(CommandError, match=r"4 promotions refused: nothing was imported\.") as refused:
        run("import_promotions", "--shop", "tm", str(path))
    assert refused.value.returncode == 1
    assert snapshot() == before
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_promotions", "--shop", "tm", str(path), stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "Promotion 1 (float) refused: promotion float.tiers[0][1]: write amounts as strings or integers, not 30.5",
        "Promotion 2 (?) refused: promotion: needs an 'id'",
        "Promotion 3 (ok) refused: the id ok appears twice",
        f"Promotion 4 (live) refused: Promotion live has been running since "
        f"{timezone.localtime(Promotion.objects.get(code='live').starts_at):%Y-%m-%d %H:%M}: its prices and rules "
        "cannot change. Cancel it and create a new one.",
    ]


def test_an_import_updates_a_draft_with_the_same_code_and_audits_it(operator, shop, tmp_path):
    services.create_promotion(actor=operator, shop=shop, raw_spec=promo("a"))
    path = write(tmp_path, [promo("a", tiers=[["300", "40"]])])
    out, _err = run("import_promotions", "--shop", "tm", str(path))
    assert out.strip() == "Imported: 0 new, 1 updated, 0 unchanged."
    assert Promotion.objects.get().spec["tiers"] == [["300", "40"]]
    entry = AuditEntry.objects.get(action="promotion.update")
    assert (entry.actor.username, entry.before, entry.after) == (
        "system",
        {"tiers": [["300", "30"]]},
        {"tiers": [["300", "40"]]},
    )


def test_a_dry_run_reports_and_writes_nothing(shop, tmp_path):
    path = write(tmp_path, [promo("a")])
    out, _err = run("import_promotions", "--shop", "tm", "--dry-run", str(path))
    assert out.strip() == "Dry run, nothing written: 1 new, 0 updated, 0 unchanged."
    assert not Promotion.objects.exists()
    assert not AuditEntry.objects.exists()


def test_usage_errors(db, tmp_path):
    path = write(tmp_path, [promo("a")])
    for args, message in (
        (("--shop", "nowhere", str(path)), "No shop with code nowhere"),
        (("--actor", "nobody", str(path)), "No active user nobody."),
        ((str(tmp_path / "missing.json"),), "no such file"),
    ):
        with pytest.raises(CommandError, match=message) as refused:
            run("import_promotions", *args)
        assert refused.value.returncode == 2
    (tmp_path / "broken.json").write_text("[{", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        run("import_promotions", str(tmp_path / "broken.json"))


def test_export_then_import_round_trips_unchanged(operator, shop, tmp_path):
    services.create_promotion(actor=operator, shop=shop, raw_spec=promo("b", starts_at="2030-11-11T12:00:00+08:00"))
    services.submit_promotion(
        actor=operator, promotion=services.create_promotion(actor=operator, shop=shop, raw_spec=promo("a"))
    )
    services.cancel_promotion(
        actor=operator, promotion=services.create_promotion(actor=operator, shop=shop, raw_spec=promo("gone"))
    )
    services.create_promotion(actor=operator, shop=None, raw_spec=promo("everyone"))
    exported = tmp_path / "out.json"
    run("export_promotions", "--shop", "tm", "-o", str(exported))
    items = json.loads(exported.read_text(encoding="utf-8"))
    assert [item["id"] for item in items] == ["a", "b"]
    assert items[0] == {**promo("a")}
    stdout, _err = run("export_promotions")
    assert [item["id"] for item in json.loads(stdout)] == ["everyone"]

    before = snapshot()
    out, _err = run("import_promotions", "--shop", "tm", str(exported))
    assert out.strip() == "Imported: 0 new, 0 updated, 2 unchanged."
    assert snapshot() == before

    # Into another shop: the same promotions as drafts, exported again identically.
    ShopFactory(code="jd")
    run("import_promotions", "--shop", "jd", str(exported))
    again, _err = run("export_promotions", "--shop", "jd")
    assert json.loads(again) == items


def test_an_import_refuses_negative_amounts_names_that_are_not_text_and_names_the_field_too_long(operator, shop):
    """Issue 8 probes: a cut of −¥1 and 满300减−30 raise prices; a list as a name was stored as its repr; a
    refusal by the model did not say which field."""
    before = snapshot()
    report = imports.import_promotions(
        actor=operator,
        shop=shop,
        items=[
            promo("neg", kind="price_cut", amount="-1", tiers=None),
            promo("mj", tiers=[["300", "-30"]]),
            promo("named", name=["a list"]),
            promo("x" * 65),
            promo("long", name="长" * 101),
        ],
    )
    assert [(r.index, r.reason) for r in report.rejected] == [
        (0, "promotion neg.amount: must not be negative, got '-1'"),
        (1, "promotion mj.tiers[0][1]: must not be negative, got '-30'"),
        (2, "promotion named.name: a string, not ['a list']"),
        (3, "id: Ensure this value has at most 64 characters (it has 65)."),
        (4, "name: Ensure this value has at most 100 characters (it has 101)."),
    ]
    assert snapshot() == before


def test_the_calendar_refuses_dates_outside_the_years_it_keeps(operator, shop):
    from django.test import Client

    client = Client()
    client.force_login(operator)
    response = client.get("/api/v1/promotions/calendar?from=0001-01-01&to=0001-01-01&lang=en")
    assert response.status_code == 422
    assert response.json() == {"code": "validation_failed", "message": "Dates run from the year 1970 to 9998."}
