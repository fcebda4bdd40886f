"""`zhanggui demo`: migrate, create the role groups and, once, the generated demo shop; then print the logins.

Idempotent because the README's first command runs it every time: when the demo shop is already there it
only prints the logins. `--reset` wipes the database first (refused when it holds shops that are not the demo).
"""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhanggui.core import roles
from zhanggui.demo.catalog_plan import SIZES
from zhanggui.demo.generator import (
    DEFAULT_PASSWORD,
    DEFAULT_SEED,
    DEMO_URL,
    DEMO_USERS,
    DemoRefused,
    DemoSummary,
    demo_exists,
    generate_demo,
    reset_database,
)
from zhanggui.inventory.models import PurchaseStatus


def _ensure_sqlite_dir() -> None:
    """A fresh machine has no data directory yet; SQLite creates the file but not its folder."""
    database = settings.DATABASES["default"]
    name = str(database.get("NAME") or "")
    if (
        database["ENGINE"].endswith("sqlite3")
        and name
        and not name.startswith(":memory:")
        and "mode=memory" not in name
    ):
        Path(name).parent.mkdir(parents=True, exist_ok=True)


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a str, translated once the language is known
        return _(
            "Create the database, the role groups and the generated demo shop (idempotent), then print the logins."
        )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=_("Random seed (same seed, same shop)."))
        parser.add_argument(
            "--reset",
            action="store_true",
            help=_("Wipe the whole database and generate the demo again."),
        )
        parser.add_argument(
            "--password",
            default=None,
            help=_("Password of the demo logins (default: %(default_password)s).")
            % {"default_password": DEFAULT_PASSWORD},
        )
        parser.add_argument(
            "--size",
            choices=sorted(SIZES),
            default="full",
            help=_("full: 160 products, 90 days; small: a quick shop for trying things."),
        )

    def handle(self, *args, **options) -> None:
        password = options["password"] or DEFAULT_PASSWORD
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        _ensure_sqlite_dir()
        call_command("migrate", interactive=False, verbosity=max(0, options["verbosity"] - 1))
        roles.ensure_roles()
        if options["reset"]:
            try:
                reset_database()
            except DemoRefused as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(_("Database wiped."))
        if demo_exists():
            self.stdout.write(_("The demo shop is already in this database: nothing generated."))
            self._print_logins(password, created=False)
            return
        started = time.perf_counter()
        try:
            summary = generate_demo(seed=options["seed"], size=SIZES[options["size"]], password=password)
        except DemoRefused as exc:
            raise CommandError(exc.message) from exc
        self._print_summary(summary, time.perf_counter() - started)
        self._print_logins(password, created=True)

    def _print_summary(self, summary: DemoSummary, seconds: float) -> None:
        statuses = ", ".join(
            f"{PurchaseStatus(status).label} {count}" for status, count in summary.purchase_orders.items()
        )
        lines = [
            _("Demo shop generated in %(seconds).1f s (seed %(seed)s):") % {"seconds": seconds, "seed": summary.seed},
            _("  %(shops)s shops, %(products)s products (%(listed)s on sale), %(skus)s SKUs")
            % {
                "shops": summary.shops,
                "products": summary.products,
                "listed": summary.listed_products,
                "skus": summary.skus,
            },
            _("  %(warehouses)s warehouses, %(suppliers)s suppliers, purchase orders: %(statuses)s")
            % {"warehouses": summary.warehouses, "suppliers": summary.suppliers, "statuses": statuses},
            _("  %(moves)s stock moves over %(days)s days, %(issues)s sale issues in the last 30 days")
            % {"moves": summary.stock_moves, "days": summary.history_days, "issues": summary.sale_issues_30d},
            _("  %(low)s SKUs at or under safety stock, %(out)s with nothing available")
            % {"low": summary.skus_low, "out": summary.skus_out},
        ]
        self.stdout.write("\n".join(lines))

    def _print_logins(self, password: str, *, created: bool) -> None:
        User = get_user_model()
        users = {u.username: u for u in User.objects.filter(username__in=[u for u, *_r in DEMO_USERS])}
        manager = users.get(DEMO_USERS[0][0])
        # Checking one hash is enough to know whether the password we would print is still the right one.
        known = created or (manager is not None and manager.check_password(password))
        shown = password if known else _("(the one chosen when the demo was created)")
        self.stdout.write("")
        self.stdout.write(_("Open %(url)s and log in as one of:") % {"url": DEMO_URL})
        for username, role, display in DEMO_USERS:
            if username in users:
                self.stdout.write(f"  {username:<12}{display:<5}  {roles.ROLE_LABELS[role]}")
        self.stdout.write(_("Password: %(password)s") % {"password": shown})
        self.stdout.write(_("Start the desk with: zhanggui serve"))
