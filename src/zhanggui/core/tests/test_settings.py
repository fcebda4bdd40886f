"""Deployment settings: the development secret key is refused where it would matter, HTTPS settings come from
the environment with local-desk defaults, and `zhanggui check --deploy` fails on the development key.

Each case imports zhanggui.settings in a fresh interpreter with exactly the environment given, so nothing of it
leaks into this process's settings or environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

SHOW = """
import json
from zhanggui import settings as s
print(json.dumps({
    "SECRET_KEY": s.SECRET_KEY, "DEBUG": s.DEBUG, "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE, "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT, "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "SECURE_HSTS_PRELOAD": s.SECURE_HSTS_PRELOAD,
    "SECURE_PROXY_SSL_HEADER": s.SECURE_PROXY_SSL_HEADER, "STATIC_ROOT": str(s.STATIC_ROOT),
}))
"""
DEV_KEY = "zhanggui-insecure-development-key-set-ZHANGGUI_SECRET_KEY"
REAL_KEY = "k" * 20 + "-a-long-random-string-from-secrets-token-urlsafe"


def load(tmp_path, **env: str) -> tuple[dict | None, str]:
    """Import the settings with only these ZHANGGUI_ variables set: (the settings, None) or (None, the error)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ZHANGGUI_") and k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", SHOW],
        env={**clean, "ZHANGGUI_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode:
        return None, result.stderr
    return json.loads(result.stdout), ""


def test_the_local_desk_starts_with_the_development_key_and_local_defaults(tmp_path):
    settings, _err = load(tmp_path)
    assert settings == {
        "SECRET_KEY": DEV_KEY,
        "DEBUG": False,
        "ALLOWED_HOSTS": ["127.0.0.1", "localhost", "[::1]", "testserver"],
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
        "SECURE_PROXY_SSL_HEADER": None,
        "STATIC_ROOT": str(tmp_path / "static"),
    }


@pytest.mark.parametrize("hosts", ["desk.example.com", "127.0.0.1,desk.example.com", "*", "192.168.1.20"])
def test_serving_another_host_without_a_secret_key_refuses_to_start(tmp_path, hosts):
    settings, err = load(tmp_path, ZHANGGUI_ALLOWED_HOSTS=hosts)
    assert settings is None
    assert "ImproperlyConfigured" in err
    assert "Set ZHANGGUI_SECRET_KEY" in err
    assert hosts.split(",")[-1] in err


def test_serving_another_host_with_a_secret_key_starts(tmp_path):
    settings, _err = load(tmp_path, ZHANGGUI_ALLOWED_HOSTS="desk.example.com", ZHANGGUI_SECRET_KEY=REAL_KEY)
    assert settings is not None
    assert (settings["SECRET_KEY"], settings["ALLOWED_HOSTS"]) == (REAL_KEY, ["desk.example.com"])


def test_local_host_names_and_debug_keep_the_development_key(tmp_path):
    local, _err = load(tmp_path, ZHANGGUI_ALLOWED_HOSTS="localhost,127.0.0.1,[::1],testserver,LOCALHOST")
    debug, _err = load(tmp_path, ZHANGGUI_ALLOWED_HOSTS="desk.example.com", ZHANGGUI_DEBUG="1")
    assert local is not None and local["SECRET_KEY"] == DEV_KEY
    assert debug is not None and debug["SECRET_KEY"] == DEV_KEY


def test_require_secret_refuses_the_development_key_even_on_localhost(tmp_path):
    settings, err = load(tmp_path, ZHANGGUI_REQUIRE_SECRET="1")
    assert settings is None
    assert "Set ZHANGGUI_SECRET_KEY" in err and "ZHANGGUI_REQUIRE_SECRET" in err


def test_https_settings_behind_a_proxy(tmp_path):
    settings, _err = load(
        tmp_path,
        ZHANGGUI_ALLOWED_HOSTS="desk.example.com",
        ZHANGGUI_SECRET_KEY=REAL_KEY,
        ZHANGGUI_SECURE_COOKIES="1",
        ZHANGGUI_SSL_REDIRECT="1",
        ZHANGGUI_HSTS_SECONDS="31536000",
        ZHANGGUI_HSTS_INCLUDE_SUBDOMAINS="1",
        ZHANGGUI_HSTS_PRELOAD="1",
        ZHANGGUI_PROXY_SSL_HEADER="X-Forwarded-Proto",
        ZHANGGUI_STATIC_ROOT=str(tmp_path / "www"),
    )
    assert settings is not None
    assert (settings["SESSION_COOKIE_SECURE"], settings["CSRF_COOKIE_SECURE"]) == (True, True)
    assert (settings["SECURE_SSL_REDIRECT"], settings["SECURE_HSTS_SECONDS"]) == (True, 31536000)
    assert (settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"], settings["SECURE_HSTS_PRELOAD"]) == (True, True)
    assert settings["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert settings["STATIC_ROOT"] == str(tmp_path / "www")


def test_a_proxy_header_with_its_own_value(tmp_path):
    settings, _err = load(tmp_path, ZHANGGUI_PROXY_SSL_HEADER="X-Forwarded-Ssl=on")
    assert settings is not None and settings["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_SSL", "on"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ZHANGGUI_HSTS_SECONDS", "a year"),
        ("ZHANGGUI_HSTS_SECONDS", "-1"),
        ("ZHANGGUI_SECURE_COOKIES", "maybe"),
        ("ZHANGGUI_PROXY_SSL_HEADER", "X Forwarded Proto"),
        ("ZHANGGUI_PROXY_SSL_HEADER", "X-Forwarded-Proto="),
    ],
)
def test_a_bad_value_stops_the_start_naming_the_variable(tmp_path, name, value):
    settings, err = load(tmp_path, **{name: value})
    assert settings is None
    assert "ImproperlyConfigured" in err and name in err


# ----- zhanggui check --deploy ------------------------------------------------------------------------------


def test_check_deploy_fails_on_the_development_key():
    with pytest.raises(SystemCheckError, match=r"zhanggui\.E001"):
        call_command("check", "--deploy")


def test_check_deploy_passes_the_key_check_with_a_real_key(settings):
    settings.SECRET_KEY = REAL_KEY
    call_command("check", "--deploy")  # warnings (HSTS, cookies) do not fail it; an error would raise


def test_plain_check_does_not_complain_about_the_key_on_the_desk():
    call_command("check")


def test_check_deploy_warns_of_an_ssl_redirect_without_the_proxy_header(settings, capsys):
    settings.SECRET_KEY = REAL_KEY
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = None
    call_command("check", "--deploy")
    assert "zhanggui.W001" in capsys.readouterr().err
