"""`zhanggui check-ledger`: verify that every cached balance equals its ledger; exit 1 on any drift."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Sku
from zhanggui.inventory import services
from zhanggui.inventory.models import StockBalance, Warehouse


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # translated when --help runs, not at import
        return _(
            "Check that on hand equals the sum of the stock ledger and reserved equals the active reservations, "
            "for every SKU in every warehouse. Prints each difference; changes nothing. Run it from cron: the "
            "exit status is 1 when anything drifted."
        )

    def add_arguments(self, parser: Any) -> None:
        parser.epilog = _("Exit status: 0 no drift; 1 at least one balance differs from its ledger.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stderr.style_func = None
        drifts = services.check_ledger()
        if not drifts:
            self.stdout.write(_("ledger OK: %(count)s balances checked") % {"count": StockBalance.objects.count()})
            return
        skus = dict(Sku.objects.filter(pk__in={d.sku_id for d in drifts}).values_list("pk", "code"))
        warehouses = dict(Warehouse.objects.filter(pk__in={d.warehouse_id for d in drifts}).values_list("pk", "code"))
        what = {"on_hand": _("on hand"), "reserved": _("reserved")}
        for drift in drifts:
            self.stderr.write(
                _("%(sku)s @ %(warehouse)s: %(what)s is %(cached)s, the ledger says %(ledger)s")
                % {
                    "sku": skus.get(drift.sku_id, f"#{drift.sku_id}"),
                    "warehouse": warehouses.get(drift.warehouse_id, f"#{drift.warehouse_id}"),
                    "what": what.get(drift.what, drift.what),
                    "cached": drift.cached,
                    "ledger": drift.ledger,
                }
            )
        self.stderr.write(_("ledger drift: %(count)s differences found") % {"count": len(drifts)})
        raise SystemExit(1)
