"""Background work of the members (docs/adr/0002-background-work.md), run by `zhanggui worker`: a shop's buyers
after each orders import, and every member nightly (points expiry, tiers over their moving windows)."""

from __future__ import annotations

from django_tasks import task

from zhanggui.catalog.models import Shop
from zhanggui.members import services


@task()
def sync_shop_members(shop_id: int) -> dict[str, int]:
    """The shop's buyers as members, their figures, points and tiers (after an orders import)."""
    shop = Shop.objects.filter(pk=shop_id).first()
    return services.sync_members(shop=shop) if shop else {}


@task()
def members_nightly() -> dict[str, int]:
    """Every member: figures, points earned and taken back, lots expired, tiers evaluated."""
    return services.nightly()


#: (cron expression, task) pairs `zhanggui worker` enqueues on (one entry a task): at 2:30, after the day.
PERIODIC_TASKS = (("30 2 * * *", members_nightly),)
