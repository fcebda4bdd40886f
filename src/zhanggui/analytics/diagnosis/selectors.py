"""Run the diagnosis for a shop: every rule it has on, with its threshold, over the windows ending on its latest
reported day. The desk's morning page for the 店长 reads `diagnose`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from zhanggui.analytics.diagnosis.rules import RULES, SERIOUS, Context, Finding, Rule
from zhanggui.analytics.models import DiagnosisFinding, DiagnosisRule, PeerBenchmark, ShopDayTraffic
from zhanggui.catalog.models import Shop


@dataclass
class RuleSetting:
    rule: Rule
    enabled: bool
    threshold: Decimal
    changed: bool  # differs from the default


def last_day(shop: Shop, today: date | None = None) -> date:
    """The latest day the shop's overview report has, up to yesterday; yesterday when it has none."""
    yesterday = (today or timezone.localdate()) - timedelta(days=1)
    latest = (
        ShopDayTraffic.objects.filter(shop=shop, day__lte=yesterday)
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )
    return latest or yesterday


def settings_for(shop: Shop) -> list[RuleSetting]:
    stored = {row.key: row for row in DiagnosisRule.objects.filter(shop=shop)}
    out = []
    for key, rule in RULES.items():
        row = stored.get(key)
        enabled = row.enabled if row else True
        threshold = row.threshold if row else rule.threshold
        out.append(
            RuleSetting(rule, enabled, threshold, changed=bool(row) and (not enabled or threshold != rule.threshold))
        )
    return out


def diagnose(*, shop: Shop, last: date | None = None) -> list[Finding]:
    """Every finding of the shop's rules that are on, the serious ones first, then in the rules' order."""
    ctx = Context(shop, last or last_day(shop))
    found: list[Finding] = []
    for setting in settings_for(shop):
        if setting.enabled:
            found += setting.rule.check(ctx, setting.threshold)
    order = list(RULES)
    return sorted(found, key=lambda f: (f.severity != SERIOUS, order.index(f.rule)))


def peers(shop: Shop) -> list[PeerBenchmark]:
    return list(PeerBenchmark.objects.filter(shop=shop).order_by("-month", "metric")[:24])


def stored(*, since: date) -> dict[Shop, list[DiagnosisFinding]]:
    """Each shop's findings of its latest stored run on or after `since` (one query), serious ones first as run."""
    latest: dict[Shop, list[DiagnosisFinding]] = {}
    days: dict[int, date] = {}
    rows = (
        DiagnosisFinding.objects.filter(day__gte=since)
        .select_related("shop")
        .order_by("shop__code", "-day", "position")
    )
    for row in rows:
        day = days.setdefault(row.shop_id, row.day)
        if row.day == day:
            latest.setdefault(row.shop, []).append(row)
    return latest
