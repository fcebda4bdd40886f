"""Repurchase (docs/members.md, "Repurchase"): people by the month of their first order, the share who ordered
again within 30, 90 and 180 days of it, and the time between orders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from statistics import median

from django.utils import timezone

from zhanggui.members import selectors

WINDOWS = (30, 90, 180)


@dataclass
class Cohort:
    month: str  # YYYY-MM, the desk's time zone
    people: int = 0
    mature: dict[int, int] = field(default_factory=dict)  # window → people whose first order is that old
    repeated: dict[int, int] = field(default_factory=dict)  # window → of those, who ordered again within it
    gaps: list[float] = field(default_factory=list)  # days between consecutive orders

    def rate(self, window: int) -> Decimal | None:
        """Percent to one decimal, half up; None while nobody of the cohort is `window` days past their first."""
        mature = self.mature.get(window, 0)
        if not mature:
            return None
        return (Decimal(100 * self.repeated.get(window, 0)) / mature).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def median_gap(self) -> Decimal | None:
        if not self.gaps:
            return None
        return Decimal(str(median(self.gaps))).quantize(Decimal("0.1"), ROUND_HALF_UP)


def cohort_table(now: datetime | None = None) -> tuple[list[Cohort], Cohort]:
    """The cohorts oldest first, and the total over all of them."""
    now = now or timezone.now()
    cohorts: dict[str, Cohort] = {}
    total = Cohort(month="")
    for orders in selectors.person_orders().values():
        if not orders:
            continue
        first = orders[0].paid_at
        month = timezone.localtime(first).strftime("%Y-%m")
        cohort = cohorts.setdefault(month, Cohort(month=month))
        for c in (cohort, total):
            c.people += 1
            c.gaps += [(b.paid_at - a.paid_at) / timedelta(days=1) for a, b in pairwise(orders)]
            for window in WINDOWS:
                if first + timedelta(days=window) <= now:
                    c.mature[window] = c.mature.get(window, 0) + 1
                    if len(orders) > 1 and orders[1].paid_at <= first + timedelta(days=window):
                        c.repeated[window] = c.repeated.get(window, 0) + 1
    return [cohorts[k] for k in sorted(cohorts)], total
