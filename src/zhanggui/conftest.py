"""Shared fixtures: one user per role (the fixed cast of every permission test), and the PostgreSQL gate."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from zhanggui.core import roles


def _on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def pytest_collection_modifyitems(config, items):
    if _on_postgres():
        return
    skip = pytest.mark.skip(reason="PostgreSQL test: run with DATABASE_URL=postgres://... (bin/test does)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On SQLite the test database is a file (in /dev/shm when there is one, so as fast as memory), never
    ":memory:". An in-memory database is one connection that the test and every request thread of a live server
    share, and two threads inside it at once can deadlock while one holds the GIL: a query calling one of
    Django's Python functions (date truncation, regexp) waits for the GIL inside SQLite, while the other thread,
    holding the GIL, waits for the connection's mutex to read a row. Nothing runs after that, not even a timeout,
    and a browser test stalled two whole CI runs so. With a file each thread opens its own connection."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.sqlite3":
        yield
        return
    shm = Path("/dev/shm")  # a container's is often 64 MiB: the full demo's database needs more
    roomy = shm.is_dir() and shutil.disk_usage(shm).free >= 2 * 2**30
    folder = Path(tempfile.mkdtemp(prefix="zhanggui-tests-", dir=shm if roomy else None))
    db.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")
    yield
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 takes ~0.2 s a user by design; tests make many users and do not test hashing strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files (product images, the demo's pictures) go to the test's own directory, never ./var."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ZHANGGUI_EVENTS_DIR = tmp_path / "events"  # behaviour events' Parquet files (analytics)


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Enqueued tasks run at once, in the test (a test of the worker itself sets the database backend)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def make_user(username: str, role: str | None = None, **extra):
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(username=username, password="pw-" + username, **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def users(db) -> dict[str, object]:
    """A user for each role, named after it: users['manager'], users['warehouse'], ..."""
    roles.ensure_roles()
    return {role: make_user(role, role) for role in roles.ROLES}


@pytest.fixture
def manager(users):
    return users[roles.MANAGER]


@pytest.fixture
def warehouse_user(users):
    return users[roles.WAREHOUSE]


@pytest.fixture
def operator(users):
    return users[roles.OPERATOR]


@pytest.fixture
def system(db):
    from zhanggui.core.services import system_user

    return system_user()


@pytest.fixture
def page(monkeypatch, live_server):
    """A Chromium page (Debian's chromium through Playwright) for tests against the live server."""
    from zhanggui.core.tests.browser import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium fonts-noto-cjk)")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own database reads are still
    # plain synchronous calls, between the browser's requests.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
        context.set_default_timeout(15_000)
        yield context.new_page()
        context.close()
        browser.close()
        # The test's own queries ran while Playwright's loop was running, on connections of their own context;
        # close them, or the PostgreSQL test database cannot be dropped at the end of the run.
        connections.close_all()
