"""Order import throughput on PostgreSQL: Zhanggui's importer vs a plain psycopg COPY of the same order lines.

Writes a Taobao export pair (订单报表 + 宝贝报表, GBK, as 千牛 writes them) of `--lines` order lines from a fixed
seed: 1–4 lines an order, mostly paid, some shipped / completed (their sale is booked: stock moves), unpaid
and closed; a shop with the SKUs the lines name, enough stock for most shipped orders (a few hold for short
stock). Then, in one run:

- ours: channels.orders.read_orders + orders.imports.import_orders, which reads, checks and stores the files as
  one stream (reading and parsing alone is timed apart, outside the ratio);
- COPY: the same lines (the columns an order line stores) into a plain table with psycopg COPY, one transaction;
- floor: the rows our first import wrote to the order tables (orders, lines, events) COPYed back by the database
  alone, binary, no Python a row, under another shop, their foreign keys checked, then rolled back: what the
  schema costs any importer, so `ceiling: <COPY ÷ floor>` is the highest ratio one could reach (a lower bound
  of the floor: the stock moves and reservations of the orders shipped on the platform are left out);
- memory: the peak resident memory the read + import adds, for 20,000 and for `--lines` lines (each in a
  child process, a fresh shop; the process's VmHWM after − before: it must stay flat, the files are streamed);
- re-import: the same files again must change nothing (every order unchanged, no row of any touched table
  added or changed);
- last, the line `ratio: <ours ÷ COPY>` (rows per second).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/import_orders.py [--lines 100000] [--seed 1]

The script creates (and drops first) a database named zhanggui_bench on that server.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

SKUS = 400
STATUSES = [  # (Taobao's words, share)
    ("买家已付款，等待卖家发货", 0.80),
    ("卖家已发货，等待买家确认", 0.06),
    ("交易成功", 0.04),
    ("等待买家付款", 0.05),
    ("交易关闭", 0.05),
]
SHIPPED_WORDS = {"卖家已发货，等待买家确认", "交易成功"}
ORDER_HEADER = [
    "订单编号", "买家会员名", "买家支付宝账号", "买家应付货款", "买家应付邮费", "总金额", "买家实际支付金额",
    "订单状态", "买家留言", "收货人姓名", "收货地址 ", "运送方式", "联系电话 ", "联系手机", "订单创建时间",
    "订单付款时间 ",
    "宝贝标题 ", "宝贝种类 ", "物流单号 ", "物流公司", "订单备注", "宝贝总数量", "店铺Id", "店铺名称",
]  # fmt: skip
LINE_HEADER = [
    "订单编号",
    "子订单编号",
    "标题 ",
    "价格",
    "购买数量",
    "外部系统编号",
    "商品属性",
    "备注",
    "订单状态",
    "商家编码 ",
]
PLACES = [
    "浙江省 杭州市 西湖区 文三路 90号",
    "北京 北京市 朝阳区 建国路 88号 SOHO现代城",
    "广东省 深圳市 南山区 科技园 1栋",
    "上海 上海市 徐汇区 漕溪北路 1号",
    "四川省 成都市 武侯区 天府大道 100号 3单元",
]
TITLES = ["羊毛大衣 女 冬", "保温杯 500ml", "羊绒围巾", "帆布袋", "纯棉T恤", "运动袜 5双装"]


def yuan(fen: int) -> str:
    text = f"{fen // 100}.{fen % 100:02d}"
    return f"{int(text.split('.')[0]):,}.{text.split('.')[1]}" if fen >= 100_000 else text


def sku_price(index: int) -> int:
    return 990 + (index * 7919) % 50_000  # fen


def generate(directory: Path, lines: int, seed: int) -> tuple[Path, Path, list[tuple], dict[str, int]]:
    """The pair of files; the lines as COPY rows; units the shipped orders take, by SKU code."""
    rng = random.Random(seed)
    orders_path, lines_path = directory / "ExportOrderList.csv", directory / "ExportOrderDetailList.csv"
    words = [word for word, _ in STATUSES]
    weights = [share for _, share in STATUSES]
    copy_rows: list[tuple] = []
    shipped_units: dict[str, int] = {}
    with (
        orders_path.open("w", encoding="gbk", newline="") as of,
        lines_path.open("w", encoding="gbk", newline="") as lf,
    ):
        orders_csv, lines_csv = csv.writer(of), csv.writer(lf)
        orders_csv.writerow(ORDER_HEADER)
        lines_csv.writerow(LINE_HEADER)
        written, n = 0, 0
        while written < lines:
            n += 1
            order_no = f"{2850011100000000000 + n}"
            status = rng.choices(words, weights)[0]
            count = min(rng.randint(1, 4), lines - written)
            goods = 0
            for k in range(1, count + 1):
                index = rng.randrange(SKUS)
                code, price, quantity = f"SKU-{index:04d}", sku_price(index), rng.randint(1, 3)
                title = rng.choice(TITLES)
                spec = f"颜色分类:{rng.choice(['灰色', '白', '红'])};尺码:{rng.choice('SML')}"
                goods += price * quantity
                sub = f"{order_no}{k:02d}"
                lines_csv.writerow([f'="{order_no}"', sub, title, yuan(price), quantity, "", spec, "", status, code])
                copy_rows.append((order_no, sub, code, title, spec, quantity, yuan(price).replace(",", "")))
                if status in SHIPPED_WORDS:
                    shipped_units[code] = shipped_units.get(code, 0) + quantity
            written += count
            shipping = rng.choice([0, 0, 800, 1000])
            discount = rng.choice([0, 0, 0, goods // 10])
            paid = goods - discount + shipping if status != "交易关闭" else 0
            unpaid = status in ("等待买家付款", "交易关闭")
            created = f"2026-11-{1 + n % 10:02d} {n % 24:02d}:{n % 60:02d}:{(n * 7) % 60:02d}"
            shipped = status in SHIPPED_WORDS
            orders_csv.writerow(
                [
                    f'="{order_no}"', f"tb_买家{n % 997}", "**", yuan(goods), yuan(shipping), yuan(goods + shipping),
                    yuan(paid), status, "周末别送" if n % 13 == 0 else "", f"收货人{n % 101}",
                    rng.choice(PLACES), "快递", "", f"'138{n % 100_000_000:08d}", created,
                    "" if unpaid else created, "", count, f"YT{n:013d}" if shipped else "",
                    "圆通速递" if shipped else "", "", count, "58800001", "掌柜小店",
                ]
            )  # fmt: skip
    return orders_path, lines_path, copy_rows, shipped_units


def bench_db_url(server_url: str) -> str:
    return urlunsplit(urlsplit(server_url)._replace(path="/zhanggui_bench"))


def recreate_database(server_url: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS zhanggui_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE zhanggui_bench")


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhanggui.settings")
    import django

    django.setup()


def make_shop(code: str, shipped_units: dict[str, int]):
    """A Taobao shop with every SKU the lines name; stock for the shipped orders, but 5 SKUs short."""
    from zhanggui.catalog.models import Channel, Product, Shop, Sku
    from zhanggui.core.services import system_user
    from zhanggui.inventory import services
    from zhanggui.inventory.models import MoveReason, Warehouse

    actor = system_user()
    shop = Shop.objects.create(code=code, name=code, channel=Channel.TAOBAO)
    wh, _ = Warehouse.objects.get_or_create(code="main", defaults={"name": "main", "priority": 1})
    product = Product.objects.create(shop=shop, code="P1", title="bench")
    skus = Sku.objects.bulk_create(
        Sku(product=product, shop=shop, code=f"SKU-{i:04d}", price=f"{sku_price(i) / 100:.2f}") for i in range(SKUS)
    )
    for sku in skus:
        units = shipped_units.get(sku.code, 0) + 50
        if sku.code in {f"SKU-{i:04d}" for i in range(5)}:
            units = 1  # short: the shipped orders of these hold
        services.book_move(actor=actor, sku=sku, warehouse=wh, quantity=units, reason=MoveReason.PURCHASE_RECEIPT)
    return actor, shop


def run_import(actor, shop, orders_path: Path, lines_path: Path):
    """Zhanggui's import of the pair: the report and the seconds it took (reading, checking, storing)."""
    from zhanggui.channels.orders import read_orders
    from zhanggui.orders.imports import import_orders

    started = time.perf_counter()
    result = read_orders([(orders_path, orders_path.name), (lines_path, lines_path.name)])
    report = import_orders(actor=actor, shop=shop, result=result)
    took = time.perf_counter() - started
    if not report.ok:
        sys.exit(f"the import refused rows: {report.rejected[:5]}")
    return report, took


def read_alone(orders_path: Path, lines_path: Path) -> float:
    """Seconds to read and parse the pair without storing it (the import reads as it stores: a streamed
    file has no separate read phase, so this is measured on its own, outside the ratio)."""
    from zhanggui.channels.orders import read_orders

    started = time.perf_counter()
    for _order in read_orders([(orders_path, orders_path.name), (lines_path, lines_path.name)]):
        pass
    return time.perf_counter() - started


def copy_baseline(url: str, rows: list[tuple]) -> float:
    """Seconds to COPY the lines into a plain table (like orders_orderline's columns), committed."""
    with psycopg.connect(url) as conn:
        conn.execute(
            "CREATE TABLE bench_copy_line (id bigserial PRIMARY KEY, order_no varchar(64), sub_order_id varchar(160), "
            "sku_code varchar(64), title varchar(200), spec varchar(200), quantity integer, unit_price numeric(14, 2))"
        )
        conn.commit()
        started = time.perf_counter()
        with (
            conn.cursor() as cur,
            cur.copy(
                "COPY bench_copy_line (order_no, sub_order_id, sku_code, title, spec, quantity, unit_price) FROM STDIN"
            ) as copy,
        ):
            for row in rows:
                copy.write_row(row)
        conn.commit()
        return time.perf_counter() - started


#: The order tables a first import writes, parents first; the columns naming an order.
FLOOR_TABLES = ("orders_order", "orders_orderline", "orders_orderevent")
FLOOR_ORDER_IDS = {"order_id", "merged_into_id", "split_from_id", "ships_in_id"}


def database_floor(url: str, shop_id: int) -> tuple[float, float, dict[str, int]]:
    """Seconds the database alone takes to write the shop's orders, lines and events again (in all, and the
    COPYs alone, before their foreign keys are checked), and the rows' counts.

    The rows are read back from the tables first (binary COPY), as a copy under a scratch shop with the ids
    moved past the largest, so no Python builds a row while the clock runs; the timing covers their binary
    COPY and the deferred foreign-key checks a commit would run, then everything is rolled back."""
    with psycopg.connect(url) as conn, conn.transaction(force_rollback=True):
        offset = conn.execute("SELECT max(id) + 1 FROM orders_order").fetchone()[0]
        scratch = conn.execute(
            "INSERT INTO catalog_shop (code, name, channel, warehouse_choice, is_active, stacking) "
            "SELECT 'floor', name, channel, warehouse_choice, is_active, stacking FROM catalog_shop WHERE id = %s "
            "RETURNING id",
            [shop_id],
        ).fetchone()[0]
        ours = f"SELECT id FROM orders_order WHERE shop_id = {int(shop_id)}"
        dumps: dict[str, tuple[list[str], bytes]] = {}
        counts: dict[str, int] = {}
        for table in FLOOR_TABLES:
            query = "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position"
            columns = [name for (name,) in conn.execute(query, [table])]
            own = conn.execute(f"SELECT max(id) + 1 FROM {table}").fetchone()[0]
            moved = {"id": f"id + {own}", "shop_id": f"{scratch}::bigint"}
            moved.update({c: f"{c} + {offset}" for c in FLOOR_ORDER_IDS})
            exprs = [moved.get(c, c) for c in columns]
            where = f"id IN ({ours})" if table == "orders_order" else f"order_id IN ({ours})"
            data = bytearray()
            with conn.cursor().copy(
                f"COPY (SELECT {', '.join(exprs)} FROM {table} WHERE {where}) TO STDOUT (FORMAT BINARY)"
            ) as copy:
                for block in copy:
                    data += block
            dumps[table] = (columns, bytes(data))
            counts[table] = conn.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0]
        started = time.perf_counter()
        for table, (columns, data) in dumps.items():
            with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.write(data)
        copied = time.perf_counter() - started
        conn.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the foreign-key checks the commit would run
        took = time.perf_counter() - started
    return took, copied, counts


def snapshot() -> dict[str, object]:
    """What a re-import must leave as it is: the count and newest change of every table an import writes."""
    from django.db import connection

    tables = [
        "orders_order", "orders_orderline", "orders_orderevent", "inventory_stockmove", "inventory_reservation",
        "inventory_stockbalance", "core_auditentry",
    ]  # fmt: skip
    found: dict[str, object] = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*), md5(string_agg(t::text, '|' ORDER BY t::text)) FROM {table} t")
            found[table] = cursor.fetchone()
    return found


def peak_rss_kib() -> int:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child_memory(args: argparse.Namespace) -> None:
    """In a child process: import the pair into a fresh shop; print the peak memory the read + import added."""
    setup_django(args.database_url)
    shipped = json.loads(Path(args.memory_child, "shipped.json").read_text())
    actor, shop = make_shop(f"mem{args.lines}", shipped)
    before = peak_rss_kib()
    run_import(
        actor,
        shop,
        Path(args.memory_child, "ExportOrderList.csv"),
        Path(args.memory_child, "ExportOrderDetailList.csv"),
    )
    print(json.dumps({"peak_kib": peak_rss_kib() - before}))


def memory_of(args: argparse.Namespace, lines: int, url: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        _o, _l, _rows, shipped = generate(Path(tmp), lines, args.seed)
        Path(tmp, "shipped.json").write_text(json.dumps(shipped))
        out = subprocess.run(
            [sys.executable, __file__, "--lines", str(lines), "--seed", str(args.seed), "--database-url", url,
             "--memory-child", tmp],
            capture_output=True, text=True,
        )  # fmt: skip
    if out.returncode:
        sys.exit(f"the memory run of {lines:,} lines failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])["peak_kib"] / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=100_000, help="order lines in the file pair (default 100,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server (any database on it); zhanggui_bench is created there",
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the memory runs")
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        return child_memory(args)
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/import_orders.py needs PostgreSQL: --database-url postgres://user@host:5432/db")
    recreate_database(args.database_url)
    url = bench_db_url(args.database_url)
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    with tempfile.TemporaryDirectory() as tmp:
        orders_path, lines_path, copy_rows, shipped = generate(Path(tmp), args.lines, args.seed)
        actor, shop = make_shop("bench", shipped)
        size = (orders_path.stat().st_size + lines_path.stat().st_size) / 2**20
        print(f"lines: {len(copy_rows):,} (seed {args.seed}), files: {size:.1f} MiB GBK")
        sys.stdout.flush()

        report, ours_s = run_import(actor, shop, orders_path, lines_path)
        copy_s = copy_baseline(url, copy_rows)
        ours_rate, copy_rate = report.lines / ours_s, len(copy_rows) / copy_s
        read_s = read_alone(orders_path, lines_path)
        print(
            f"ours: {report.lines:,} lines ({report.orders_created:,} orders, {report.held:,} on hold) in "
            f"{ours_s:.2f} s = {ours_rate:,.0f} lines/s  (reading and parsing alone, measured apart: {read_s:.2f} s)"
        )
        print(f"COPY: {len(copy_rows):,} lines in {copy_s:.2f} s = {copy_rate:,.0f} rows/s")
        floor_s, copied_s, counts = database_floor(url, shop.pk)
        print(
            f"floor: the database alone writing those {counts['orders_order']:,} orders, "
            f"{counts['orders_orderline']:,} lines and {counts['orders_orderevent']:,} events (binary COPY, no "
            f"Python) in {floor_s:.2f} s (COPY {copied_s:.2f} s, foreign-key checks {floor_s - copied_s:.2f} s) = "
            f"{report.lines / floor_s:,.0f} lines/s"
        )
        print(
            f"ceiling: COPY ÷ floor = {report.lines / floor_s / copy_rate:.2f} (no importer of this schema gets a "
            f"higher ratio); ours ÷ floor = {floor_s / ours_s:.2f}"
        )
        sys.stdout.flush()

        before = snapshot()
        again, again_s = run_import(actor, shop, orders_path, lines_path)
        unchanged = (again.orders_created, again.orders_updated, again.orders_unchanged) == (
            0,
            0,
            report.orders_created,
        )
        same = snapshot() == before
        print(
            f"re-import: {again.orders_unchanged:,} unchanged, {again.orders_created} created, "
            f"{again.orders_updated} updated in {again_s:.2f} s; tables unchanged: {'yes' if same else 'NO'}"
        )
        if not (unchanged and same):
            sys.exit("the re-import changed something")
    sys.stdout.flush()

    if not args.no_memory:
        from django.db import connection

        connection.close()
        for lines in sorted({20_000, args.lines}):
            print(f"peak memory of read + import, {lines:,} lines: {memory_of(args, lines, url):,.0f} MiB")
            sys.stdout.flush()
    print(f"ratio: {ours_rate / copy_rate:.2f}")


if __name__ == "__main__":
    main()
