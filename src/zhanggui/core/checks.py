"""System checks of `zhanggui check --deploy`: what Django's own deployment checks cannot know about us."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

DEVELOPMENT_KEY_IN_USE = Error(
    "The desk signs sessions and CSRF tokens with the public development secret key.",
    hint="Set ZHANGGUI_SECRET_KEY to a long random string (README, Deployment).",
    id="zhanggui.E001",
)
REDIRECT_WITHOUT_PROXY_HEADER = Warning(
    "ZHANGGUI_SSL_REDIRECT is on but ZHANGGUI_PROXY_SSL_HEADER is not set: behind an HTTPS proxy every request "
    "looks like plain HTTP to the desk and is redirected forever.",
    hint="Set ZHANGGUI_PROXY_SSL_HEADER=X-Forwarded-Proto and make the proxy set that header (README, Deployment).",
    id="zhanggui.W001",
)


@register(Tags.security, deploy=True)
def check_secret_key(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    return [DEVELOPMENT_KEY_IN_USE] if settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY else []


@register(Tags.security, deploy=True)
def check_ssl_redirect(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.SECURE_SSL_REDIRECT and not settings.SECURE_PROXY_SSL_HEADER:
        return [REDIRECT_WITHOUT_PROXY_HEADER]
    return []
