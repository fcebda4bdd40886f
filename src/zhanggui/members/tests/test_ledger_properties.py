"""Property: any sequence of earnings, spends, adjustments and expiries over a person of two merged members keeps
every member's balance equal to the sum of its moves and never below zero, and the person's balance equal to
a plain model of FIFO lots."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhanggui.members import points
from zhanggui.members.errors import NotEnoughPoints
from zhanggui.members.models import Member, PointsReason
from zhanggui.members.tests.conftest import at

op = st.one_of(
    st.tuples(st.just("earn"), st.integers(0, 1), st.integers(1, 300)),
    st.tuples(st.just("spend"), st.integers(1, 400)),
    st.tuples(st.just("refund"), st.integers(1, 400)),
    st.tuples(st.just("wait"), st.integers(1, 400)),  # days pass, then lots past their date expire
)


class Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(op, min_size=1, max_size=20))
def test_any_sequence_keeps_balance_equal_to_the_ledger_and_never_negative(ops):
    try:
        with transaction.atomic():
            run(ops)
            raise Rollback
    except Rollback:
        pass


def run(ops):
    root = Member.objects.create(name="root")
    other = Member.objects.create(name="other", merged_into=root)
    members = [root, other]
    ids = [root.pk, other.pk]
    now = at("2026-01-01")
    lots: list[list] = []  # the model: [expires_at, left]
    for n, step in enumerate(ops):
        if step[0] == "earn":
            points.book(member=members[step[1]], points=step[2], reason=PointsReason.EARN, key=f"e{n}", at=now)
            lots.append([now + timedelta(days=points.POINTS_LIFE_DAYS), step[2]])
        elif step[0] == "wait":
            now += timedelta(days=step[1])
            points.expire(member_ids=ids, now=now)
        else:
            for lot in lots:
                if lot[0] <= now:
                    lot[1] = 0
            held = sum(left for _e, left in lots)
            wanted = step[1]
            try:
                taken = points.use(
                    member_ids=ids,
                    points=wanted,
                    reason=PointsReason.SPEND,
                    key=f"s{n}",
                    at=now,
                    partial=step[0] == "refund",
                )
                assert taken == min(wanted, held)
            except NotEnoughPoints:
                assert wanted > held and step[0] == "spend"
                taken = 0
            for lot in sorted(lots, key=lambda lot: lot[0]):
                use = min(taken, lot[1])
                lot[1] -= use
                taken -= use
        for lot in lots:
            if lot[0] <= now:
                lot[1] = 0 if step[0] == "wait" else lot[1]
        for m in Member.objects.filter(pk__in=ids):
            assert m.points == (m.points_moves.aggregate(s=Sum("points"))["s"] or 0)
            assert m.points >= 0
        if step[0] == "wait":
            assert sum(Member.objects.filter(pk__in=ids).values_list("points", flat=True)) == sum(
                left for _e, left in lots
            )
