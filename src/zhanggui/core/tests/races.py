"""The race harness of the PostgreSQL concurrency tests: n threads, each on its own database connection, released
at the same instant (a barrier), each result or exception kept in its slot."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections


def race(n: int, work: Callable[[int], object]) -> list[object]:
    """Run `work(i)` in n threads at once; returns what each returned or raised."""
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()  # or the test database cannot be dropped at the end of the run

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
