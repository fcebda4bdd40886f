"""Writes of the shared kernel: the audit trail, API tokens, user language."""

from __future__ import annotations

import hashlib
import secrets
from decimal import Decimal
from typing import Any

from django.db import models

from zhanggui.core.models import ApiToken, AuditEntry, UserProfile


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def record_audit(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEntry:
    """Write one audit row; call it inside the transaction of the change it describes."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        before={k: _jsonable(v) for k, v in (before or {}).items()},
        after={k: _jsonable(v) for k, v in (after or {}).items()},
        note=note[:255],
    )


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_token(*, user: Any, name: str) -> tuple[ApiToken, str]:
    """Return the token row and the clear key (shown once, never stored)."""
    key = "zg_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, key_hash=hash_token(key))
    return token, key


def set_user_language(*, user: Any, language: str) -> None:
    UserProfile.objects.update_or_create(user=user, defaults={"language": language})


SYSTEM_USERNAME = "system"


def system_user():
    """The actor of scripts, imports and the demo generator: a superuser that cannot log in."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_superuser": True, "is_staff": False, "is_active": True}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
