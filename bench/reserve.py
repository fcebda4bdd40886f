"""Reservation throughput on PostgreSQL: our service vs a raw conditional UPDATE through psycopg.

16 clients (threads, one connection each) reserve one unit at a time of the same SKU until it is sold out.
Ours: inventory.services.reserve(...) as an order would call it (permission check, warehouse choice by the
shop's priority, conditional UPDATE … RETURNING, INSERT of the reservation, listing sync at zero).
Raw: the same UPDATE … WHERE on_hand - reserved >= 1 and INSERT, hand-written with psycopg.
Prints both throughputs, then `ratio: <ours ÷ raw>` and `oversold: <units>` (must be 0).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/reserve.py [--units 6000]

The script creates (and drops first) a database named zhanggui_bench on that server.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg

CLIENTS = 16


def bench_db_url(server_url: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path="/zhanggui_bench"))


def recreate_database(server_url: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS zhanggui_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE zhanggui_bench")


def run_clients(work) -> tuple[float, int]:
    """Start CLIENTS threads at once; each calls work() until it returns False. Returns (seconds, successes)."""
    barrier = threading.Barrier(CLIENTS + 1)
    counts = [0] * CLIENTS
    errors: list[BaseException] = []

    def client(i: int) -> None:
        try:
            state = work.setup()
            barrier.wait()
            while work.step(state, i, counts[i]):
                counts[i] += 1
            work.teardown(state)
        except BaseException as exc:  # report, never hide
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return elapsed, sum(counts)


class Ours:
    def __init__(self, actor, shop, sku_id):
        self.actor, self.shop, self.sku_id = actor, shop, sku_id

    def setup(self):
        return None

    def step(self, state, i, k) -> bool:
        from zhanggui.inventory import services
        from zhanggui.inventory.errors import InsufficientStock

        try:
            services.reserve(actor=self.actor, reference=f"ours-{i}-{k}", lines={self.sku_id: 1}, shop=self.shop)
            return True
        except InsufficientStock:
            return False

    def teardown(self, state):
        from django.db import connection

        connection.close()


class Raw:
    def __init__(self, url, sku_id, warehouse_id, actor_id):
        self.url, self.sku_id, self.warehouse_id, self.actor_id = url, sku_id, warehouse_id, actor_id

    def setup(self):
        return psycopg.connect(self.url)

    def step(self, conn, i, k) -> bool:
        with conn.cursor() as cur:
            cur.execute(
                "UPDATE inventory_stockbalance SET reserved = reserved + 1 "
                "WHERE sku_id = %s AND warehouse_id = %s AND on_hand - reserved >= 1 RETURNING on_hand - reserved",
                (self.sku_id, self.warehouse_id),
            )
            if cur.fetchone() is None:
                conn.rollback()
                return False
            cur.execute(
                "INSERT INTO inventory_reservation (reference, sku_id, warehouse_id, quantity, status, actor_id, "
                "created_at) VALUES (%s, %s, %s, 1, 'active', %s, now())",
                (f"raw-{i}-{k}", self.sku_id, self.warehouse_id, self.actor_id),
            )
        conn.commit()
        return True

    def teardown(self, conn):
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=6000, help="units on hand to sell out in each run")
    args = parser.parse_args()
    server_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not server_url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/reserve.py needs PostgreSQL: set DATABASE_URL=postgres://user@host:5432/db")
    recreate_database(server_url)
    url = bench_db_url(server_url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhanggui.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from zhanggui.catalog.models import Channel, Product, Shop, Sku
    from zhanggui.core.services import system_user
    from zhanggui.inventory import services
    from zhanggui.inventory.models import MoveReason, Reservation, StockBalance, Warehouse

    actor = system_user()
    shop = Shop.objects.create(code="bench", name="bench", channel=Channel.TMALL)
    wh = Warehouse.objects.create(code="main", name="main", priority=1)
    product = Product.objects.create(shop=shop, code="P1", title="bench")
    ours_sku = Sku.objects.create(product=product, shop=shop, code="OURS", price="1.00")
    raw_sku = Sku.objects.create(product=product, shop=shop, code="RAW", price="1.00")
    for sku in (ours_sku, raw_sku):
        services.book_move(actor=actor, sku=sku, warehouse=wh, quantity=args.units, reason=MoveReason.PURCHASE_RECEIPT)
    from django.db import connection

    connection.close()

    ours_s, ours_n = run_clients(Ours(actor, shop, ours_sku.pk))
    raw_s, raw_n = run_clients(Raw(url, raw_sku.pk, wh.pk, actor.pk))

    oversold = 0
    for sku in (ours_sku, raw_sku):
        held = sum(Reservation.objects.filter(sku=sku).values_list("quantity", flat=True))
        on_hand = StockBalance.objects.get(sku=sku, warehouse=wh).on_hand
        oversold += max(0, held - on_hand)
    ours_rate, raw_rate = ours_n / ours_s, raw_n / raw_s
    print(f"clients: {CLIENTS}, units per run: {args.units}")
    print(f"ours (inventory.services.reserve): {ours_n} reservations in {ours_s:.2f} s = {ours_rate:,.0f}/s")
    print(f"raw (psycopg UPDATE … WHERE available >= 1): {raw_n} reservations in {raw_s:.2f} s = {raw_rate:,.0f}/s")
    print(f"ratio: {ours_rate / raw_rate:.2f}")
    print(f"oversold: {oversold}")
    if ours_n != args.units or raw_n != args.units:
        sys.exit(f"expected exactly {args.units} reservations in each run, got {ours_n} and {raw_n}")


if __name__ == "__main__":
    main()
