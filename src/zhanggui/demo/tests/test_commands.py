"""The commands of the README's first run: setup-roles, compile-translations and serve."""

from __future__ import annotations

import gettext
import os
import socket
import subprocess
import sys
import time
import types
import urllib.request
from io import StringIO
from pathlib import Path

import polib
import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from zhanggui.core import roles
from zhanggui.core.management.commands import serve
from zhanggui.core.management.commands.compile_translations import locale_dirs


@pytest.fixture(autouse=True)
def english():
    """The assertions read the English messages; the commands speak the desk's language (zh-hans by default)."""
    with translation.override("en"):
        yield


# -- setup-roles ---------------------------------------------------------------------------------------------


def test_setup_roles_restores_a_group_edited_by_hand_and_prints_the_matrix(db):
    roles.ensure_roles()
    Group.objects.get(name=roles.WAREHOUSE).permissions.clear()
    out = StringIO()
    call_command("setup_roles", stdout=out)
    warehouse = Group.objects.get(name=roles.WAREHOUSE)
    held = {f"{p.content_type.app_label}.{p.codename}" for p in warehouse.permissions.all()}
    assert {roles.BOOK_STOCK, roles.MANAGE_PURCHASING} <= held
    assert roles.CHANGE_PRICE not in held
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 + len(roles.ROLES) + 1
    assert lines[1].startswith("Manager (店长)") and lines[1].count("✓") == len(roles.CAPABILITIES)  # every capability
    # 客服 holds four capabilities: reviewing orders, buyer messages, after-sales cases and members' records
    # (merges, consent: docs/permissions.md)
    assert any(line.startswith("Customer service (客服)") and line.count("✓") == 4 for line in lines)


# -- compile-translations ------------------------------------------------------------------------------------


def write_po(path: Path) -> None:
    catalog = polib.POFile()
    catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "zh_Hans"}
    catalog.append(polib.POEntry(msgid="Stock", msgstr="库存"))
    catalog.append(polib.POEntry(msgid="Shops", msgstr="店铺", flags=["fuzzy"]))
    path.parent.mkdir(parents=True)
    catalog.save(str(path))


def test_compile_translations_writes_a_mo_that_gettext_reads_without_fuzzy_entries(tmp_path):
    write_po(tmp_path / "zh_Hans" / "LC_MESSAGES" / "django.po")
    out = StringIO()
    call_command("compile_translations", str(tmp_path), stdout=out)
    mo = tmp_path / "zh_Hans" / "LC_MESSAGES" / "django.mo"
    with mo.open("rb") as fh:
        translations = gettext.GNUTranslations(fh)
    assert translations.gettext("Stock") == "库存"
    assert translations.gettext("Shops") == "Shops"
    assert "1 messages (1 fuzzy left out)" in out.getvalue()


def test_compile_translations_without_catalogs_says_so(tmp_path):
    out = StringIO()
    call_command("compile_translations", str(tmp_path), stdout=out)
    assert "no catalogs" in out.getvalue()
    assert not list(tmp_path.iterdir())


def test_compile_translations_looks_in_locale_paths_and_never_in_djangos_own(tmp_path):
    with override_settings(LOCALE_PATHS=[tmp_path]):
        dirs = locale_dirs()
    assert dirs[0] == tmp_path.resolve()
    assert not any("site-packages" in str(d) for d in dirs)


# -- serve ---------------------------------------------------------------------------------------------------


def test_serve_configures_gunicorn_with_two_workers_on_the_wsgi_app(monkeypatch):
    server = serve.DeskServer(serve.gunicorn_options(host="127.0.0.1", port=8123, workers=2))
    assert server.cfg.bind == ["127.0.0.1:8123"]
    assert server.cfg.workers == 2
    assert server.cfg.worker_class_str == "sync"
    wsgi = types.ModuleType("zhanggui.wsgi")  # the real one would build the app (and its middleware) here
    wsgi.application = object()
    monkeypatch.setitem(sys.modules, "zhanggui.wsgi", wsgi)
    assert server.load() is wsgi.application
    assert serve.gunicorn_options(host="::1", port=8000, workers=1)["bind"] == "[::1]:8000"


def test_serve_dev_uses_runserver(monkeypatch, db):
    calls = []
    monkeypatch.setattr(serve, "call_command", lambda *args: calls.append(args))
    call_command("serve", "--dev", "--port", "8124", stdout=StringIO(), stderr=StringIO())
    assert calls == [("runserver", "127.0.0.1:8124")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_runs_gunicorn_and_whitenoise_serves_the_stylesheet(tmp_path):
    port = free_port()
    env = {**os.environ, "ZHANGGUI_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "zhanggui", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/zhanggui/desk.css", timeout=2) as r:
                    status, content_type, body = r.status, r.headers["Content-Type"], r.read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode()
    assert status == 200
    assert content_type.startswith("text/css")
    assert body
    assert f"http://127.0.0.1:{port}/" in output  # in the desk's default language, so only the address
    assert "Booting worker" in output
    assert (tmp_path / "static").is_dir()


@pytest.mark.parametrize(("args", "message"), [(["--port", "0"], "port"), (["--workers", "0"], "worker")])
def test_serve_refuses_bad_options(args, message, db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("serve", *args)
