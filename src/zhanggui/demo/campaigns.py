"""The demo's official campaigns (官方活动): what each demo shop plans to enter in the coming weeks.

Made through promotions.campaigns.services as the operator, from copies of the presets, so the audit trail is real:
天天特价 (apply within a week) and 淘金币 (within twelve days) ahead, and last month's 超优汇, over and archived
by the manager, for the list's archived switch.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from zhanggui.catalog.models import Shop
from zhanggui.core import roles


def _day(start: datetime, days: int, hour: int = 0) -> datetime:
    return start + timedelta(days=days, hours=hour)


def create_demo_campaigns(*, people: dict[str, Any], shops: Iterable[Shop]) -> list[Any]:
    from zhanggui.promotions.campaigns import services as campaigns
    from zhanggui.promotions.campaigns.presets import preset_ids_for

    operator, manager = people[roles.OPERATOR], people[roles.MANAGER]
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    # (preset, apply by, event start, event end in days from today, note, archived)
    plan = (
        ("tiantiantejia", (7, 18), 14, 17, "报名后等待小二审核；活动价不高于近30天最低价。", False),
        ("taojinbi", (12, 18), 21, 28, "金币抵扣比例按平台要求设置。", False),
        ("chaoyouhui", (-40, 18), -30, -25, "上月已参加。", True),
    )
    created = []
    for shop in shops:
        offered = preset_ids_for(shop.channel)  # 淘金币 and 天天特价 are Taobao/Tmall campaigns
        for preset, (apply_day, apply_hour), start, end, note, archived in plan:
            if preset not in offered:
                continue
            campaign = campaigns.create_campaign(
                actor=operator,
                shop=shop,
                preset=preset,
                apply_by=_day(midnight, apply_day, apply_hour),
                starts_at=_day(midnight, start),
                ends_at=_day(midnight, end),
                note=note,
            )
            if archived:
                campaign = campaigns.archive_campaign(actor=manager, campaign=campaign, note="活动已结束")
            created.append(campaign)
    return created
