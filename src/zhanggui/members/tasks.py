"""Background work of the members (docs/adr/0002-background-work.md), run by `zhanggui worker`: a shop's buyers
after each orders import, and every member nightly (points expiry, tiers over their moving windows)."""

from __future__ import annotations

from django_tasks import task

from zhanggui.catalog.models import Shop
from zhanggui.members import forecast, services


@task()
def sync_shop_members(shop_id: int) -> dict[str, int]:
    """The shop's buyers as members, their figures, points and tiers (after an orders import)."""
    shop = Shop.objects.filter(pk=shop_id).first()
    return services.sync_members(shop=shop) if shop else {}


@task()
def members_nightly() -> dict[str, int]:
    """Every member: figures, points earned and taken back, lots expired, tiers evaluated."""
    return services.nightly()


@task()
def members_forecast() -> dict[str, int | bool]:
    """The repurchase model fitted again over every person and each one's forecast replaced (members/forecast.py)."""
    fit = forecast.refit()
    return {"people": fit.people, "repeat_buyers": fit.repeat_buyers, "fitted": fit.fitted}


#: (cron expression, task) pairs `zhanggui worker` enqueues on (one entry a task): at 2:30, after the day; the
#: repurchase model at 3:15, after the members' figures.
PERIODIC_TASKS = (("30 2 * * *", members_nightly), ("15 3 * * *", members_forecast))


@task()
def campaigns_deliver_deferred() -> dict[str, int]:
    """What campaigns' quiet hours held back, delivered once they end (members/campaigns.py)."""
    from zhanggui.members import campaigns

    return campaigns.deliver_deferred()


# Campaigns: hourly, at five past, the messages quiet hours deferred.
PERIODIC_TASKS = (*PERIODIC_TASKS, ("5 * * * *", campaigns_deliver_deferred))
