"""`zhanggui import-orders` and `export-orders`: exit statuses, the --json shape, the short table, and an export
that imports back with no change (through the real reader of our own format)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from zhanggui.channels import records
from zhanggui.channels.records import RowError
from zhanggui.orders import imports, services
from zhanggui.orders.models import Order
from zhanggui.orders.tests.factories import later, parse_result, parsed_line, parsed_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def upload(tmp_path, monkeypatch):
    """A file on disk whose reading gives the parsed orders (the readers are tested in channels/)."""
    seen: list[tuple[list[str], str | None]] = []

    def give(*orders, errors=()):
        path = tmp_path / "ExportOrderList.csv"
        path.write_text("订单编号\n", encoding="utf-8")

        def read(files, platform=None):
            seen.append(([name for _file, name in files], platform))
            return parse_result(*orders, errors=tuple(errors))

        monkeypatch.setattr(imports, "read_orders", read)
        return str(path)

    give.seen = seen
    return give


def test_import_prints_a_short_table_and_exits_0(shop, stocked, upload):
    stocked("TEE-M", 5)
    path = upload(parsed_order("T1", parsed_line("TEE-M", 2)), parsed_order("T2", parsed_line("NEW", 1)))
    code, out, err = run("import_orders", "--shop", "tb01", "--platform", "taobao", path)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Imported into shop tb01.",
        "  orders created         2",
        "  orders updated         0",
        "  orders unchanged       0",
        "  orders on hold         1",
        "  lines                  2",
        "  units                  3",
        "  paid              297.00",
    ]
    assert upload.seen == [(["ExportOrderList.csv"], "taobao")]
    assert Order.objects.count() == 2


def test_import_json_has_the_issue_shape(shop, upload):
    path = upload(parsed_order("T1", parsed_line("TEE-M", 2)))
    code, out, _err = run("import_orders", "--shop", "tb01", "--json", path)
    assert code == 0
    assert json.loads(out) == {
        "orders_created": 1,
        "orders_updated": 0,
        "orders_unchanged": 0,
        "lines": 1,
        "units": 2,
        "paid_total": "198.00",
        "held": 1,
        "rejected": [],
    }
    assert upload.seen[-1][1] is None  # no --platform: the reader finds it from the headers


def test_a_rejected_row_exits_1_and_stores_nothing(shop, upload):
    error = RowError("ExportOrderList.csv", 3, "订单编号", "empty")
    path = upload(parsed_order("T1"), errors=[error])
    code, out, _err = run("import_orders", "--shop", "tb01", "--json", path)
    assert code == 1
    assert json.loads(out)["rejected"] == [
        {"file": "ExportOrderList.csv", "line": 3, "column": "订单编号", "reason": "empty"}
    ]
    code, out, err = run("import_orders", "--shop", "tb01", path)
    assert (code, out) == (1, "")
    assert err.splitlines() == ["1 rows rejected; nothing was stored.", "ExportOrderList.csv:3 订单编号: empty"]
    assert Order.objects.count() == 0


def test_a_dry_run_stores_nothing(shop, upload):
    path = upload(parsed_order("T1"))
    code, out, _err = run("import_orders", "--shop", "tb01", "--dry-run", path)
    assert code == 0
    assert out.splitlines()[0] == "Checked for shop tb01 (dry run: nothing was stored)."
    assert Order.objects.count() == 0


def test_wrong_arguments_exit_2(shop, upload, tmp_path):
    path = upload(parsed_order("T1"))
    with pytest.raises(Exception) as refused:
        call_command("import_orders", "--shop", "nope", path)
    assert getattr(refused.value, "returncode", None) == 2
    with pytest.raises(Exception) as refused:
        call_command("import_orders", "--shop", "tb01", str(tmp_path / "missing.csv"))
    assert getattr(refused.value, "returncode", None) == 2
    with pytest.raises(Exception) as refused:
        call_command("import_orders", "--shop", "tb01", "--actor", "ghost", path)
    assert getattr(refused.value, "returncode", None) == 2


def test_an_unreadable_file_exits_1_with_the_reason(shop, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("名称,数量\n茶杯,1\n", encoding="utf-8")
    code, out, err = run("import_orders", "--shop", "tb01", "--json", str(path))
    assert code == 1
    assert json.loads(out)["error"]["code"] == "unknown_platform"
    assert err.startswith("Refused: orders.csv is not an order export we can read")


def test_acting_as_a_user_without_the_import_capability_is_refused(shop, users, upload):
    path = upload(parsed_order("T1"))
    code, _out, err = run("import_orders", "--shop", "tb01", "--actor", "warehouse", path)
    assert code == 1
    assert "You are not allowed to import orders" in err
    assert Order.objects.count() == 0


# ----- export, and back -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_an_export_imports_back_with_no_change(shop, stocked, manager, tmp_path, suffix):
    stocked("TEE-M", 10), stocked("CAP", 10)
    orders = [
        parsed_order(
            "1234567890123456789",
            parsed_line("TEE-M", 2, discount="10.00"),
            parsed_line("CAP", 1, "39.90", sub_order_id="0098765"),
            shipping_fee="8.00",
            buyer_note="=请尽快发货\n谢谢",
            seller_note="送小样",
            receiver_phone="0571-88886666",
        ),
        parsed_order("T2", parsed_line("NEW", 1)),
        parsed_order("T3", status=records.UNPAID),
        parsed_order("T4", parsed_line("TEE-M", 1)),
    ]
    imports.import_orders(actor=manager, shop=shop, result=parse_result(*orders))
    services.ship(actor=manager, order=Order.objects.get(platform_order_no="T4"), carrier="顺丰", tracking_no="SF001")
    imports.import_orders(actor=manager, shop=shop, result=parse_result(later(orders[0], status=records.CLOSED)))
    path = tmp_path / f"orders.{suffix}"

    code, out, _err = run("export_orders", "--shop", "tb01", "-o", str(path))
    assert (code, out) == (0, f"5 rows written to {path}.\n")

    code, out, err = run("import_orders", "--shop", "tb01", "--json", str(path))
    assert (code, err) == (0, "")
    assert json.loads(out) | {"paid_total": None} == {
        "orders_created": 0,
        "orders_updated": 0,
        "orders_unchanged": 4,
        "lines": 5,
        "units": 6,
        "paid_total": None,
        "held": 1,
        "rejected": [],
    }


def test_export_filters_by_status_and_day(shop, manager):
    imports.import_orders(
        actor=manager, shop=shop, result=parse_result(parsed_order("T1"), parsed_order("T2", status=records.UNPAID))
    )
    code, out, _err = run("export_orders", "--shop", "tb01", "--status", "unpaid")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][:3] == ["order_no", "sub_order_id", "status"]
    assert [row[:3] for row in rows[1:]] == [['="T2"', '="T2:TEE-M"', "unpaid"]]
    code, out, _err = run("export_orders", "--shop", "tb01", "--from", "2026-06-18", "--to", "2026-06-18")
    assert [row[0] for row in csv.reader(io.StringIO(out))][1:] == ['="T1"']
    code, out, _err = run("export_orders", "--shop", "tb01", "--from", "2026-06-19")
    assert len(out.splitlines()) == 1


@pytest.mark.parametrize(
    "args",
    [["--shop", "nope"], ["--shop", "tb01", "--status", "lost"], ["--shop", "tb01", "--from", "18/6"]],
)
def test_export_wrong_arguments_exit_2(shop, args):
    with pytest.raises(Exception) as refused:
        call_command("export_orders", *args, stdout=io.StringIO())
    assert getattr(refused.value, "returncode", None) == 2


def test_an_xlsx_export_needs_a_file(shop, tmp_path):
    with pytest.raises(Exception) as refused:
        call_command("export_orders", "--shop", "tb01", "--format", "xlsx", stdout=io.StringIO())
    assert getattr(refused.value, "returncode", None) == 2
    assert not list(Path(tmp_path).iterdir())
