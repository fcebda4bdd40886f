"""What the `zhanggui` commands share: the exit status of wrong arguments, and the user a command acts as."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from zhanggui.core.services import system_user

#: Exit status of a command given wrong arguments (an unknown shop or user, no such file); 1 is a refusal.
USAGE_ERROR = 2


def acting_user(username: str | None) -> Any:
    """The active user named by `--actor` (their permissions apply, the records name them), else the system user."""
    if not username:
        return system_user()
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(_("No active user %(name)s.") % {"name": username}, returncode=USAGE_ERROR)
    return user
