"""`zhanggui create-token USERNAME NAME`: make an API token and print its key once.

Only the key's SHA-256 is stored, so the printed key cannot be shown again; a lost key is revoked in the
admin and replaced by a new one. The token acts with its user's roles, no more.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhanggui.core.services import create_api_token


class Command(BaseCommand):
    help = "Create an API token for a user and print its key (shown once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", help="The user the token acts as")
        parser.add_argument("name", help="What the token is for, e.g. 'erp-sync'")

    def handle(self, *args, username: str, name: str, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user named %(user)s.") % {"user": username})
        if not user.is_active:
            raise CommandError(_("User %(user)s is not active.") % {"user": username})
        if not name.strip():
            raise CommandError(_("Give the token a name that says what it is for."))
        token, key = create_api_token(user=user, name=name.strip()[:100])
        self.stderr.write(
            _("Token %(name)s for %(user)s. Keep the key now, it is not shown again:")
            % {"name": token.name, "user": username}
        )
        self.stdout.write(key)
