"""Command-line arguments the import and export commands of every app share: a shop named by its code."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Shop
from zhanggui.core.commands import USAGE_ERROR


def shop_named(code: str) -> Shop:
    """The shop with this code; an unknown code stops the command (exit 2) naming the shops there are."""
    shop = Shop.objects.filter(code=code).first()
    if shop is None:
        known = ", ".join(Shop.objects.values_list("code", flat=True)) or "-"
        raise CommandError(
            _("No shop with code %(code)s (known shops: %(known)s).") % {"code": code, "known": known},
            returncode=USAGE_ERROR,
        )
    return shop
