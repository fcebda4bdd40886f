"""Language: `?lang=en` (remembered in the session), else the user's setting, else zh-hans."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

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
