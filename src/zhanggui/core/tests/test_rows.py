"""core.rows.update_rows: one prepared UPDATE for many rows writes each field type as the ORM would."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User

from zhanggui.core.models import AuditEntry
from zhanggui.core.rows import update_rows

pytestmark = pytest.mark.django_db


def entry(n: int) -> AuditEntry:
    return AuditEntry.objects.create(action=f"a{n}", object_type="t", object_id=str(n), after={"n": n})


def test_each_row_gets_its_own_values_of_every_field_type(django_assert_num_queries):
    rows = [entry(n) for n in range(3)]
    untouched = entry(9)
    user = User.objects.create_user("writer")
    moment = datetime(2026, 11, 11, 0, 3, 12, tzinfo=UTC)
    for n, row in enumerate(rows):
        row.action = f"changed-{n}"  # text
        row.after = {"n": n, "list": [1, "二"]}  # JSON
        row.at = moment.replace(second=n)  # a moment
        row.actor = user if n else None  # a foreign key, and a NULL
        row.note = "not written"  # a field not named stays as stored
    with django_assert_num_queries(1):
        update_rows(AuditEntry, rows, ["action", "after", "at", "actor"])
    stored = {e.pk: e for e in AuditEntry.objects.all()}
    for n, row in enumerate(rows):
        again = stored[row.pk]
        assert (again.action, again.after, again.at) == (f"changed-{n}", {"n": n, "list": [1, "二"]}, row.at)
        assert again.actor_id == (user.pk if n else None)
        assert again.note == ""
    assert stored[untouched.pk].action == "a9"


def test_nothing_to_write_asks_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        update_rows(AuditEntry, [], ["action"])


def test_a_name_the_model_does_not_store_is_refused():
    with pytest.raises(ValueError, match="no stored field"):
        update_rows(AuditEntry, [entry(1)], ["action", "nonsense"])
