"""Every desk page on the generated small demo shop (35 days of history) reads at most 10 queries; the full demo's
90 days are measured by demo/tests/test_demo.py."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from zhanggui.catalog.models import Shop
from zhanggui.core import roles
from zhanggui.core.tests.rows import built_for_the_module
from zhanggui.demo.catalog_plan import SMALL
from zhanggui.demo.generator import generate_demo
from zhanggui.desk import morning, services
from zhanggui.desk.models import DayCheck


@pytest.fixture(scope="module")
def _demo(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.test import override_settings

    quick = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=str(tmp_path_factory.mktemp("demo-media")),
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    )
    with quick, built_for_the_module(django_db_blocker, lambda: generate_demo(size=SMALL)) as built:
        yield built


@pytest.fixture
def demo(_demo, db):
    return _demo


def _warm(client, user) -> None:
    """The first visit of the day makes the sheet and runs the system's checks (writes); the pages measured are
    the visits after it, and one of each page fills the per-process caches (translations, templates)."""
    client.force_login(user)
    for shop in Shop.objects.all():
        client.get(reverse("desk-sheet") + f"?shop={shop.code}")


def _measured(client, url, assert_max) -> None:
    client.get(url)  # the per-process caches (translations, templates) are filled by a first visit
    with assert_max(10):
        response = client.get(url)
    assert response.status_code == 200, url


@pytest.mark.parametrize("role", roles.ROLES)
def test_each_roles_morning_and_its_cards_read_at_most_10_queries(demo, client, role, django_assert_max_num_queries):
    _warm(client, User.objects.get(username=role))
    _measured(client, reverse("home"), django_assert_max_num_queries)
    for name in morning.cards_for(role):
        _measured(client, reverse("desk-card", args=[name]), django_assert_max_num_queries)


@pytest.mark.parametrize("role", roles.ROLES)
def test_the_manager_sees_each_roles_morning_in_at_most_10_queries(demo, client, role, django_assert_max_num_queries):
    _warm(client, User.objects.get(username="manager"))
    _measured(client, reverse("home") + f"?role={role}", django_assert_max_num_queries)
    for name in morning.cards_for(role):
        _measured(client, reverse("desk-card", args=[name]) + f"?role={role}", django_assert_max_num_queries)


@pytest.mark.parametrize("username", ["manager", "service"])
def test_the_other_desk_pages_read_at_most_10_queries(demo, client, username, django_assert_max_num_queries):
    user = User.objects.get(username=username)
    _warm(client, user)
    row = DayCheck.objects.select_related("item__shop").first()
    task = services.create_task(actor=user, title="补货", role=roles.WAREHOUSE)
    shop = row.item.shop.code
    pages = [
        reverse("desk-checklist") + f"?shop={shop}",
        reverse("desk-sheet") + f"?shop={shop}",
        reverse("desk-tick", args=[row.pk]),
        reverse("desk-item-history", args=[row.item_id]),
        reverse("desk-task-list") + "?scope=all",
        reverse("desk-task-rows") + "?scope=all&status=any",
        reverse("desk-task-detail", args=[task.pk]),
        reverse("desk-shown") + f"?shop={shop}",
        reverse("desk-shown-rows") + f"?shop={shop}",
    ]
    if username == "manager":
        pages += [reverse("desk-template") + f"?shop={shop}", reverse("desk-item-edit", args=[row.item_id])]
    else:
        pages += [reverse("desk-task-new")]
    for url in pages:
        _measured(client, url, django_assert_max_num_queries)
