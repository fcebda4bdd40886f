"""The demo shop: the plan is deterministic and valid, the generated history is consistent, the command is
idempotent. One test generates the full-size shop (minutes on SQLite: every order goes through the orders'
services) to hold it to the issue's numbers."""

from __future__ import annotations

import time
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from zhanggui.catalog.models import BannedWord, Channel, Product, Shop, Sku
from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.catalog.titles import check_title
from zhanggui.core import roles
from zhanggui.core.models import AuditEntry
from zhanggui.demo.catalog_plan import (
    BANNED_WORDS,
    CHANNEL_BANNED_WORDS,
    FULL,
    SMALL,
    ProductPlan,
    ean13,
    plan_catalog,
)
from zhanggui.demo.generator import DEFAULT_SEED, demo_exists, generate_demo
from zhanggui.inventory.models import (
    PurchaseOrder,
    PurchaseStatus,
    Reservation,
    StockMove,
    Supplier,
    Warehouse,
)
from zhanggui.inventory.services import check_ledger


@pytest.fixture
def fast_hashing(settings):
    """The demo hashes one password; the default hasher is slow on purpose, tests need not be."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def fingerprint(plans: list[ProductPlan]) -> list[tuple]:
    return [
        (p.shop_code, p.code, p.title, p.role, [(s.code, s.barcode, s.spec, s.price, s.cost) for s in p.skus])
        for p in plans
    ]


def table_counts() -> dict[str, int]:
    models = [Shop, Product, Sku, BannedWord, Warehouse, Supplier, PurchaseOrder, StockMove, Reservation]
    counts = {m.__name__: m.objects.count() for m in models}
    counts.update(users=User.objects.count(), groups=Group.objects.count(), audit=AuditEntry.objects.count())
    return counts


@pytest.fixture(autouse=True)
def english():
    """The assertions read the English messages; the commands speak the desk's language (zh-hans by default)."""
    with translation.override("en"):
        yield


# -- the plan (no database) -------------------------------------------------------------------------------


def test_the_same_seed_plans_the_same_catalog_and_another_seed_a_different_one():
    assert fingerprint(plan_catalog(7)) == fingerprint(plan_catalog(7))
    assert [p.title for p in plan_catalog(7)] != [p.title for p in plan_catalog(8)]


def test_full_plan_has_the_issues_numbers_and_every_title_passes_its_channels_rules():
    plans = plan_catalog(DEFAULT_SEED, FULL)
    skus = [s for p in plans for s in p.skus]
    assert len(plans) >= 150
    assert len(skus) >= 400
    assert {p.channel for p in plans} == {Channel.TMALL, Channel.JD}
    for plan in plans:
        banned = BANNED_WORDS + CHANNEL_BANNED_WORDS[plan.channel]
        assert check_title(plan.title, plan.channel, banned) == [], plan.title
    assert len({(p.shop_code, p.title) for p in plans}) == len(plans)
    assert len({s.code for s in skus}) == len(skus)
    assert len({s.barcode for s in skus}) == len(skus)
    assert all(ean13(s.barcode[:12]) == s.barcode and s.barcode.startswith("69") for s in skus)
    for sku in skus:
        assert isinstance(sku.price, Decimal) and sku.price == sku.price.quantize(Decimal("0.01"))
        assert Decimal("0") < sku.cost < sku.price
        assert sku.safety_stock >= 3
    share = {role: sum(p.role == role for p in plans) / len(plans) for role in {p.role for p in plans}}
    assert set(share) == {"traffic", "profit", "campaign", "image"}
    assert max(share, key=share.get) == "profit"
    assert share["image"] < share["traffic"]


# -- the generated shop (small) ---------------------------------------------------------------------------


# -- the command --------------------------------------------------------------------------------------------


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_demo_command_is_idempotent_and_prints_the_logins(db, fast_hashing):
    first = run_demo("--size", "small", "--password", "shop-pass-123")
    assert "manager" in first and "王店长" in first and "shop-pass-123" in first
    before = table_counts()
    again = run_demo("--size", "small", "--password", "shop-pass-123")
    assert table_counts() == before
    assert "nothing generated" in again
    assert "shop-pass-123" in again
    # Asked with another password, it does not claim one it did not set.
    assert "zhanggui-demo" not in run_demo("--size", "small")


def test_demo_reset_generates_the_shop_again_from_the_new_seed(transactional_db, fast_hashing):
    """transactional_db: flush runs outside a test transaction, as it does for a person (PostgreSQL refuses
    TRUNCATE with pending deferred-constraint events inside one)."""
    run_demo("--size", "small")
    run_demo("--size", "small", "--reset", "--seed", "99")
    titles = list(Product.objects.order_by("shop__code", "code").values_list("title", flat=True))
    expected = sorted(plan_catalog(99, SMALL), key=lambda p: (p.shop_code, p.code))
    assert titles == [p.title for p in expected]
    assert check_ledger() == []
    from django.core.files.storage import default_storage

    from zhanggui.catalog.models import ProductImage

    kept = {name for p in ProductImage.objects.all() for name in (p.file.name, p.thumb_small, p.thumb_large)}
    stored = set()
    folders = ["catalog/products"]
    while folders:
        folder = folders.pop()
        if default_storage.exists(folder):
            subfolders, files = default_storage.listdir(folder)
            folders += [f"{folder}/{sub}" for sub in subfolders]
            stored |= {f"{folder}/{name}" for name in files}
    assert kept and stored == kept  # the first demo's pictures went with their rows: no file left behind


def test_demo_reset_refuses_a_database_with_other_shops(db, fast_hashing):
    ShopFactory(code="real-shop")
    with pytest.raises(CommandError, match="real-shop"):
        run_demo("--size", "small", "--reset")
    assert Shop.objects.filter(code="real-shop").exists()
    assert not demo_exists()


def test_demo_refuses_a_password_the_validators_reject(db):
    with pytest.raises(CommandError):
        run_demo("--size", "small", "--password", "short")
    assert not demo_exists()


# -- full size, once ----------------------------------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="the generator's numbers are the same on every database: checked once, on SQLite (a minute)",
)
def test_full_demo_meets_the_issues_numbers(db, fast_hashing, client, django_assert_max_num_queries):
    started = time.perf_counter()
    summary = generate_demo()
    seconds = time.perf_counter() - started
    print(f"full demo generated in {seconds:.1f} s: {summary}")

    assert summary.shops == 2
    assert summary.products >= 150
    assert summary.skus >= 400
    assert (summary.warehouses, summary.suppliers) == (2, 5)  # sellable warehouses
    assert Warehouse.objects.filter(sellable=False).exists()  # returns graded defective went somewhere
    assert summary.history_days >= 89
    assert summary.sale_issues_30d > 0
    assert summary.skus_low > 0 and summary.skus_out > 0
    assert summary.purchase_orders[PurchaseStatus.RECEIVED] > 0
    assert (
        summary.purchase_orders.get(PurchaseStatus.ORDERED, 0) + summary.purchase_orders.get(PurchaseStatus.PARTIAL, 0)
        > 0
    )
    assert check_ledger() == []
    stored = list(Product.objects.order_by("shop__code", "code").values_list("code", "title"))
    planned = sorted(plan_catalog(DEFAULT_SEED, FULL), key=lambda p: (p.shop_code, p.code))
    assert stored == [(p.code, p.title) for p in planned]
    assert Group.objects.get(name=roles.WAREHOUSE).user_set.filter(username="warehouse").exists()
    _desk_pages_within_ten_queries(client, django_assert_max_num_queries)


def _desk_pages_within_ten_queries(client, django_assert_max_num_queries) -> None:
    """Every role's morning page and cards on the full demo's 90 days (docs/desk.md): at most 10 queries each,
    the 店长's with each shop's diagnosis kept as the worker's morning run leaves it."""
    from django.urls import reverse

    from zhanggui.analytics.tasks import diagnose_shops
    from zhanggui.desk import morning

    assert all(count >= 0 for count in diagnose_shops.call().values())
    for role in roles.ROLES:
        client.force_login(User.objects.get(username=role))
        for shop in Shop.objects.all():
            client.get(reverse("desk-sheet") + f"?shop={shop.code}")  # the day's first visit writes the sheet
        urls = [reverse("home"), *(reverse("desk-card", args=[name]) for name in morning.cards_for(role))]
        for url in urls:
            client.get(url)  # per-process caches (templates, translations) filled by a first visit
            with django_assert_max_num_queries(10):
                assert client.get(url).status_code == 200, url
