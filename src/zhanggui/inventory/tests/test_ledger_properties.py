"""Property: any sequence of receipts, reservations, releases, issues, adjustments and stocktakes keeps
on hand = Σ ledger and reserved = Σ active reservations, never lets available go below 0, and matches a
plain in-memory model of what the stock should be."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhanggui.catalog.tests.factories import SkuFactory
from zhanggui.core.services import system_user
from zhanggui.inventory import services
from zhanggui.inventory.errors import InsufficientStock, ReservationNotFound, StockRuleBroken
from zhanggui.inventory.models import MoveReason, StockBalance
from zhanggui.inventory.stocktakes import services as stocktakes
from zhanggui.inventory.tests.factories import WarehouseFactory

SKUS, WAREHOUSES = 2, 2

op = st.one_of(
    st.tuples(st.just("receive"), st.integers(0, SKUS - 1), st.integers(0, WAREHOUSES - 1), st.integers(1, 20)),
    st.tuples(st.just("adjust"), st.integers(0, SKUS - 1), st.integers(0, WAREHOUSES - 1), st.integers(-15, 15)),
    st.tuples(st.just("reserve"), st.integers(0, SKUS - 1), st.integers(1, 12)),
    st.tuples(st.just("reserve2"), st.integers(1, 6), st.integers(1, 6)),
    st.tuples(st.just("release"), st.integers(0, 30)),
    st.tuples(st.just("issue"), st.integers(0, 30)),
    st.tuples(
        st.just("stocktake"), st.integers(0, WAREHOUSES - 1), st.lists(st.integers(0, 25), min_size=SKUS, max_size=SKUS)
    ),
)


class Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(op, min_size=1, max_size=25))
def test_any_sequence_keeps_the_ledger_and_never_oversells(ops):
    try:
        with transaction.atomic():
            run_sequence(ops)
            raise Rollback  # each example starts from an empty database
    except Rollback:
        pass


def run_sequence(ops):
    actor = system_user()
    warehouses = [WarehouseFactory(priority=i) for i in range(WAREHOUSES)]
    skus = [SkuFactory() for _ in range(SKUS)]
    on_hand: dict[tuple[int, int], int] = defaultdict(int)  # the model: (sku index, wh index) → units
    reserved: dict[tuple[int, int], int] = defaultdict(int)
    held: dict[str, list[tuple[int, int, int]]] = {}  # reference → [(sku idx, wh idx, qty)]
    wh_index = {w.pk: i for i, w in enumerate(warehouses)}
    sku_index = {s.pk: i for i, s in enumerate(skus)}

    for n, step in enumerate(ops):
        kind = step[0]
        try:
            if kind == "receive":
                _, s, w, q = step
                services.book_move(
                    actor=actor, sku=skus[s], warehouse=warehouses[w], quantity=q, reason=MoveReason.PURCHASE_RECEIPT
                )
                on_hand[s, w] += q
            elif kind == "adjust":
                _, s, w, q = step
                if q == 0:
                    continue
                ok = on_hand[s, w] + q >= reserved[s, w]
                try:
                    services.adjust_stock(
                        actor=actor, sku=skus[s], warehouse=warehouses[w], quantity=q, note="property"
                    )
                    assert ok, "an adjustment below reserved was accepted"
                    on_hand[s, w] += q
                except InsufficientStock:
                    assert not ok, "a valid adjustment was refused"
            elif kind in ("reserve", "reserve2"):
                lines = {skus[step[1]].pk: step[2]} if kind == "reserve" else {skus[0].pk: step[1], skus[1].pk: step[2]}
                ref = f"r{n}"
                try:
                    made = services.reserve(actor=actor, reference=ref, lines=lines)
                except InsufficientStock:
                    # Refused only if some line really could not be served by any single warehouse.
                    assert any(
                        all(on_hand[sku_index[sid], w] - reserved[sku_index[sid], w] < q for w in range(WAREHOUSES))
                        for sid, q in lines.items()
                    )
                    continue
                held[ref] = []
                for r in made:
                    key = (sku_index[r.sku_id], wh_index[r.warehouse_id])
                    assert on_hand[key] - reserved[key] >= r.quantity
                    reserved[key] += r.quantity
                    held[ref].append((*key, r.quantity))
            elif kind in ("release", "issue"):
                refs = sorted(held)
                if not refs:
                    continue
                ref = refs[step[1] % len(refs)]
                if kind == "release":
                    services.release(actor=actor, reference=ref)
                else:
                    services.issue_reserved(actor=actor, reference=ref)
                for s, w, q in held.pop(ref):
                    reserved[s, w] -= q
                    if kind == "issue":
                        on_hand[s, w] -= q
            elif kind == "stocktake":
                _, w, counts = step
                take = stocktakes.create_stocktake(actor=actor, warehouse=warehouses[w])
                stocktakes.enter_counts(
                    actor=actor, stocktake=take, counts={skus[s].pk: counts[s] for s in range(SKUS)}
                )
                ok = all(counts[s] >= reserved[s, w] for s in range(SKUS))
                try:
                    stocktakes.book_stocktake(actor=actor, stocktake=take)
                    assert ok, "a stocktake below reserved was booked"
                    for s in range(SKUS):
                        on_hand[s, w] = counts[s]
                except StockRuleBroken:
                    assert not ok, "a valid stocktake was refused"
        except ReservationNotFound:
            raise AssertionError("a held reservation was not found") from None

        assert services.check_ledger() == []
        for b in StockBalance.objects.all():
            key = (sku_index[b.sku_id], wh_index[b.warehouse_id])
            assert (b.on_hand, b.reserved) == (on_hand[key], reserved[key])
            assert b.available >= 0
