"""Shared by the tests that call every endpoint: a dataset built once per module, and "nothing changed".

`snapshot()` reads every row of every table of ours (the audit trail included) but a token's last use, which
every call with a token records; a refused call must leave it equal (`changed_tables` names what moved).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.db import connection, transaction

OUR_APPS = ("core", "catalog", "inventory", "orders", "messaging", "aftersales", "promotions", "analytics")


def snapshot() -> dict[str, list[tuple]]:
    rows = {}
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if model._meta.app_label not in OUR_APPS or model._meta.proxy:
                continue
            columns = [f.column for f in model._meta.concrete_fields if f.column != "last_used_at"]
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT {', '.join(connection.ops.quote_name(c) for c in columns)} FROM {table} ORDER BY 1")
            rows[model._meta.label] = cursor.fetchall()
    return rows


def changed_tables(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])


@contextmanager
def built_for_the_module(django_db_blocker: Any, build: Callable[[], Any]) -> Iterator[Any]:
    """`build()` once, inside a transaction rolled back after the module; each test (each example) runs in a
    savepoint of it. For a module-scoped fixture: `with built_for_the_module(django_db_blocker, f) as w: yield w`."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
