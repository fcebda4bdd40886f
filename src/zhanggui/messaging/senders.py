"""Senders: what delivers a buyer message. The setting ZHANGGUI_MESSAGE_SENDER names the class (a dotted path);
docs/messaging.md says how to write one for a platform.

A sender is a class with `send(message) -> None`: it returns when the message has reached the buyer and
raises (any exception) when it has not; the message is then `failed` with the exception's text and tried
again (services.MAX_ATTEMPTS in all). Its `outcome` says what a return means: `sent` for a sender that
reaches the platform, `stored` for one that only keeps the text (the default).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from zhanggui.messaging.models import MessageStatus

if TYPE_CHECKING:
    from zhanggui.messaging.models import OutboxMessage

DEFAULT_SENDER = "zhanggui.messaging.senders.StoreOnlySender"


class Sender:
    """The interface: subclass it (or write any class with `outcome` and `send`)."""

    #: The status a message takes when send() returns: sent (it reached the buyer) or stored.
    outcome: str = MessageStatus.SENT

    def send(self, message: OutboxMessage) -> None:
        raise NotImplementedError


class StoreOnlySender(Sender):
    """The default: delivers nothing. The message is stored and shown in Zhanggui (status "stored, not sent")
    for someone to copy into 千牛 or 京麦 by hand, until a sender for the platform is configured."""

    outcome = MessageStatus.STORED

    def send(self, message: OutboxMessage) -> None:
        return None


def sender_path() -> str:
    return getattr(settings, "ZHANGGUI_MESSAGE_SENDER", "") or DEFAULT_SENDER


def delivers() -> bool:
    """True when the configured sender reaches the buyer (its outcome is `sent`), read from the class without
    making one (a platform client may connect when made)."""
    try:
        return getattr(import_string(sender_path()), "outcome", None) == MessageStatus.SENT
    except ImportError:
        return False


def get_sender() -> Sender:
    """An instance of the configured sender; ImproperlyConfigured names what is wrong with the setting."""
    path = sender_path()
    try:
        found = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"ZHANGGUI_MESSAGE_SENDER={path!r} cannot be imported: {exc}") from exc
    try:
        sender = found()
    except TypeError as exc:
        raise ImproperlyConfigured(f"ZHANGGUI_MESSAGE_SENDER={path!r} is not a class made without arguments") from exc
    if not callable(getattr(sender, "send", None)):
        raise ImproperlyConfigured(f"ZHANGGUI_MESSAGE_SENDER={path!r} has no send(message) method")
    if getattr(sender, "outcome", None) not in (MessageStatus.SENT, MessageStatus.STORED):
        raise ImproperlyConfigured(f"ZHANGGUI_MESSAGE_SENDER={path!r}: its outcome must be 'sent' or 'stored'")
    return sender
