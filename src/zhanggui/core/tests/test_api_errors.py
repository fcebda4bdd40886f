"""Framework-level errors (a bad Host, an unknown path, a wrong method, a crash outside ninja, a worker timeout)
answer `{code, message}` JSON under /api/, and keep the HTML pages everywhere else."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from zhanggui.core.management.commands import serve
from zhanggui.core.services import create_api_token

pytestmark = pytest.mark.django_db


def assert_json_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response.content
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]


def assert_html(response, status: int) -> None:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")


def test_a_bad_host_on_the_api_is_a_json_400():
    assert_json_error(Client().get("/api/v1/catalog/shops", HTTP_HOST="evil.example"), 400, "invalid_host")
    assert_json_error(Client().post("/api/v1/inventory/moves", HTTP_HOST="evil.example"), 400, "invalid_host")


def test_a_bad_host_on_a_page_stays_html():
    assert_html(Client().get("/login/", HTTP_HOST="evil.example"), 400)


def test_an_unknown_api_version_is_a_json_404():
    assert_json_error(Client().get("/api/v2/catalog/shops"), 404, "not_found")
    assert_json_error(Client().get("/api/"), 404, "not_found")


def test_an_unknown_page_stays_html():
    assert_html(Client().get("/no-such-page/"), 404)


def test_a_method_the_endpoint_lacks_is_a_json_405(manager):
    _token, key = create_api_token(user=manager, name="t")
    response = Client().delete("/api/v1/catalog/shops", headers={"Authorization": f"Bearer {key}"})
    assert_json_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"


def test_debug_error_pages_become_json_on_the_api(settings):
    settings.DEBUG = True
    assert_json_error(Client().get("/api/v2/x"), 404, "not_found")
    assert_json_error(Client().get("/api/v1/catalog/shops", HTTP_HOST="evil.example"), 400, "invalid_host")


class Crash:
    """A middleware that fails before any view runs, as a broken database or cache would."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.GET.get("fail") == "forbidden":
            raise PermissionDenied
        if request.GET.get("fail") == "crash":
            raise RuntimeError("boom")
        return self.get_response(request)


@pytest.fixture
def crashing(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "zhanggui.core.tests.test_api_errors.Crash"]
    return Client(raise_request_exception=False)


def test_a_crash_outside_ninja_is_a_json_500_on_the_api(crashing):
    assert_json_error(crashing.get("/api/v1/catalog/shops?fail=crash"), 500, "server_error")
    assert_html(crashing.get("/login/?fail=crash"), 500)


def test_a_refusal_outside_ninja_is_a_json_403_on_the_api(crashing):
    assert_json_error(crashing.get("/api/v1/catalog/shops?fail=forbidden"), 403, "permission_denied")
    assert_html(crashing.get("/login/?fail=forbidden"), 403)


def test_a_worker_timeout_unwinds_the_request_into_a_json_503(manager, monkeypatch):
    """gunicorn's arbiter stops a worker past --timeout; our worker_abort hook makes the request in progress
    unwind (its transaction rolls back) and answer, instead of gunicorn's bare HTML 500."""
    from zhanggui.catalog import api as catalog_api

    options = serve.gunicorn_options(host="127.0.0.1", port=8000, workers=1, timeout=5)
    assert (options["timeout"], options["worker_abort"]) == (5, serve.abort_request)

    class Worker:
        beats = 0

        def notify(self):
            self.beats += 1

    worker = Worker()

    class SlowShops:
        def all(self):
            serve.abort_request(worker)  # what the SIGABRT handler calls in the middle of the request

    monkeypatch.setattr(catalog_api.Shop, "objects", SlowShops())
    _token, key = create_api_token(user=manager, name="t")
    response = Client().get("/api/v1/catalog/shops", headers={"Authorization": f"Bearer {key}"})
    assert_json_error(response, 503, "timeout")
    assert worker.beats == 1  # the arbiter waits another timeout before its SIGKILL: time to answer


def test_serve_takes_the_request_timeout_as_an_option(monkeypatch, db):
    from io import StringIO

    from django.core.management import call_command

    seen = {}
    monkeypatch.setattr(serve.DeskServer, "run", lambda self: seen.update(self.options))
    call_command("serve", "--timeout", "7", stdout=StringIO(), stderr=StringIO())
    assert (seen["timeout"], seen["worker_abort"], seen["worker_class"]) == (7, serve.abort_request, "sync")
