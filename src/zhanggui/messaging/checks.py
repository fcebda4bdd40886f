"""The sender setting is checked when the desk or the worker starts, not at the first message."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured

from zhanggui.messaging.senders import get_sender


@register()
def check_sender(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        get_sender()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), hint="See docs/messaging.md, 'Plugging in a sender'.", id="zhanggui.E101")]
    return []
