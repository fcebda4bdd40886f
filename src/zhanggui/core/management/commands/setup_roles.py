"""`zhanggui setup-roles`: create or update the six role groups from core.roles and print the matrix.

`migrate` already does this (post_migrate); the command is for after a permission change or a manual edit of
a group in the admin, and to show who may do what.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from zhanggui.core import roles

CAPABILITY_LABELS = {
    roles.CHANGE_PRICE: gettext_lazy("prices"),
    roles.CHANGE_COST: gettext_lazy("costs"),
    roles.APPROVE_PRICES: gettext_lazy("price approval"),
    roles.CHANGE_LISTING: gettext_lazy("listing"),
    roles.EDIT_CATALOG: gettext_lazy("catalog"),
    roles.EDIT_SKU_LOGISTICS: gettext_lazy("barcodes"),
    roles.MANAGE_SHOPS: gettext_lazy("shops"),
    roles.BOOK_STOCK: gettext_lazy("stock"),
    roles.MANAGE_PURCHASING: gettext_lazy("purchasing"),
    roles.MANAGE_PROMOTIONS: gettext_lazy("promotions"),
    roles.APPROVE_PROMOTIONS: gettext_lazy("approval"),
    roles.REVIEW_ORDERS: gettext_lazy("order review"),
    roles.FULFIL_ORDERS: gettext_lazy("fulfilment"),
    roles.IMPORT_ORDERS: gettext_lazy("order import"),
    roles.MANAGE_MESSAGES: gettext_lazy("buyer messages"),
    roles.HANDLE_CASES: gettext_lazy("after-sales"),
    roles.MANAGE_AFTERSALES_RULES: gettext_lazy("after-sales rules"),
    roles.APPROVE_COMPENSATION: gettext_lazy("compensation approval"),
    roles.MANAGE_MEMBERS: gettext_lazy("member records"),
    roles.MANAGE_LOYALTY: gettext_lazy("tiers and points"),
}


def role_matrix() -> list[list[str]]:
    """The rows of the printed matrix: header, then one row per role as the groups hold it now."""
    header = [
        pgettext("a person's role in the team", "role"),
        *(str(CAPABILITY_LABELS[c]) for c in roles.CAPABILITIES),
        _("members"),
    ]
    rows = [header]
    for group in Group.objects.filter(name__in=roles.ROLES).prefetch_related("permissions__content_type"):
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        marks = ["✓" if cap in held else "·" for cap in roles.CAPABILITIES]
        rows.append([str(roles.ROLE_LABELS[group.name]), *marks, str(group.user_set.count())])
    order = {str(roles.ROLE_LABELS[r]): i for i, r in enumerate(roles.ROLES)}
    rows[1:] = sorted(rows[1:], key=lambda row: order[row[0]])
    return rows


def _width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters are two wide."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a str, translated once the language is known
        return _("Create or update the role groups and their permissions, then print the matrix.")

    def handle(self, *args, **options) -> None:
        roles.ensure_roles()
        rows = role_matrix()
        widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            cells = [cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)]
            self.stdout.write("  ".join(cells).rstrip())
        self.stdout.write(
            _("Every role can also view everything. %(count)s role groups are up to date.") % {"count": len(rows) - 1}
        )
