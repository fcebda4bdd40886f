"""Background work of analytics (docs/adr/0002-background-work.md), run by `zhanggui worker`: each morning every
shop's diagnosis is run and kept, so the 店长's morning page reads its findings in one query."""

from __future__ import annotations

from django_tasks import task

from zhanggui.analytics.diagnosis import services
from zhanggui.catalog.models import Shop


@task()
def diagnose_shops() -> dict[str, int]:
    """Run and keep every active shop's diagnosis for its latest reported day; the findings per shop code."""
    return {shop.code: len(services.store_findings(shop=shop)) for shop in Shop.objects.filter(is_active=True)}


#: (cron expression, task) pairs `zhanggui worker` enqueues on (one entry a task: the task names its job): at 9:00,
#: after the morning's reports are in, and again at noon for reports imported late.
PERIODIC_TASKS = (("0 9,12 * * *", diagnose_shops),)
