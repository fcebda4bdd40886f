"""Language: `?lang=en` (remembered in the session), else the user's setting, else zh-hans; and JSON errors for
every refusal under /api/, even the ones Django or ninja answer before our API's handlers run."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils import translation
from django.utils.translation import gettext as _

SUPPORTED = {code for code, _name in settings.LANGUAGES}
SESSION_KEY = "zhanggui_language"


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = self._choose(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response

    def _choose(self, request) -> str:
        asked = request.GET.get("lang")
        if asked:
            asked = asked.lower()
            asked = {"zh": "zh-hans", "zh-cn": "zh-hans", "cn": "zh-hans"}.get(asked, asked)
            if asked in SUPPORTED:
                if hasattr(request, "session"):
                    request.session[SESSION_KEY] = asked
                return asked
        if hasattr(request, "session") and request.session.get(SESSION_KEY) in SUPPORTED:
            return request.session[SESSION_KEY]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            profile = getattr(user, "profile", None)
            if profile is not None and profile.language in SUPPORTED:
                return profile.language
        return settings.LANGUAGE_CODE


class RequestTimeout(Exception):
    """Raised into a request that ran past the server's timeout (see `zhanggui serve --timeout`)."""


API_PREFIX = "/api/"
_STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "throttled",
}
_KEPT_AWAY = {"content-type", "content-length"}


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIX) or path == API_PREFIX.rstrip("/")


def api_error_body(status: int) -> dict[str, str]:
    """The `{code, message}` of a refusal that came without one (a status is all we know of it)."""
    code = _STATUS_CODES.get(status, "server_error" if status >= 500 else "http_error")
    messages = {
        "bad_request": _("The request is not valid."),
        "not_authenticated": _("Log in or send a valid API token."),
        "permission_denied": _("You are not allowed to do this."),
        "not_found": _("Not found."),
        "method_not_allowed": _("This endpoint does not take that HTTP method."),
        "too_large": _("The request is too large."),
        "throttled": _("Too many requests; try again later."),
        "server_error": _("Something went wrong on our side; it has been logged."),
    }
    return {"code": code, "message": messages.get(code, _("The request was refused."))}


class ApiErrorMiddleware:
    """Outermost: turns an HTML error under /api/ into `{code, message}` JSON (a bad Host header, Django's 404
    and 500 pages, ninja's bare 405, the debug pages). Clients of the API then need one error parser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code < 400 or not is_api_path(request.path):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        body = api_error_body(response.status_code)
        if response.status_code == 400 and not self._host_is_allowed(request):
            body = {"code": "invalid_host", "message": _("This desk does not answer to that host name.")}
        replaced = JsonResponse(body, status=response.status_code, json_dumps_params={"ensure_ascii": False})
        for header, value in response.headers.items():
            if header.lower() not in _KEPT_AWAY:
                replaced.headers[header] = value
        replaced.cookies = response.cookies
        return replaced

    @staticmethod
    def _host_is_allowed(request: HttpRequest) -> bool:
        try:
            request.get_host()
        except DisallowedHost:
            return False
        return True


class QueryTextMiddleware:
    """Drops NUL from the query string's names and values before any view reads them.

    PostgreSQL refuses NUL in text, so `?q=%00` reaching a search or filter (a list page, the admin's search
    box, an API filter) would be a 500. Nobody types NUL on purpose; form bodies are refused by Django's own
    validator and JSON bodies by the fields (core.text).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "%00" in request.META.get("QUERY_STRING", ""):
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(key.replace("\x00", ""), [value.replace("\x00", "") for value in values])
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)
