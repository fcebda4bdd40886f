"""Change how the diagnosis judges a shop: a rule on or off and its threshold; the peers' averages it compares
with (both audited). And keep a run's findings for the morning page (store_findings)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from zhanggui.analytics.diagnosis import selectors
from zhanggui.analytics.diagnosis.rules import RULES, Finding
from zhanggui.analytics.models import DiagnosisFinding, DiagnosisRule, PeerBenchmark, PeerMetric
from zhanggui.catalog.models import Shop
from zhanggui.core import roles
from zhanggui.core.errors import ValidationFailed
from zhanggui.core.services import record_audit

#: Who tunes the diagnosis: the 店长 and 运营.
TUNE_DIAGNOSIS = roles.IMPORT_ORDERS
MAX_THRESHOLD = Decimal(1000)


@transaction.atomic
def set_rules(*, actor: Any, shop: Shop, settings: dict[str, tuple[bool, Decimal]]) -> int:
    """Store the shop's rules as given (key → (on, threshold)); returns how many changed. A setting equal to the
    default is stored all the same, so the page shows what the shop chose."""
    roles.require(actor, TUNE_DIAGNOSIS)
    changed = 0
    for key, (enabled, threshold) in settings.items():
        if key not in RULES:
            raise ValidationFailed(_("Unknown diagnosis rule %(key)s.") % {"key": key})
        if threshold <= 0 or threshold >= MAX_THRESHOLD:
            raise ValidationFailed(
                _("%(rule)s: the threshold must be above 0 and below %(max)s.")
                % {"rule": RULES[key].label, "max": MAX_THRESHOLD}
            )
        row = DiagnosisRule.objects.filter(shop=shop, key=key).first()
        before = (row.enabled, row.threshold) if row else (True, RULES[key].threshold)
        if before == (enabled, threshold):
            continue
        DiagnosisRule.objects.update_or_create(
            shop=shop, key=key, defaults={"enabled": enabled, "threshold": threshold}
        )
        record_audit(
            actor=actor,
            action="analytics.set_diagnosis_rule",
            obj=shop,
            before={"rule": key, "enabled": before[0], "threshold": str(before[1])},
            after={"rule": key, "enabled": enabled, "threshold": str(threshold)},
        )
        changed += 1
    return changed


@transaction.atomic
def record_peer(*, actor: Any, shop: Shop, month: date, metric: str, value: Decimal, source: str = "") -> PeerBenchmark:
    """The peers' average of a figure for a month, as the platform's page shows it (rates as fractions)."""
    roles.require(actor, TUNE_DIAGNOSIS)
    if metric not in PeerMetric.values:
        raise ValidationFailed(_("Unknown figure %(metric)s.") % {"metric": metric})
    if value < 0 or (metric in (PeerMetric.CONVERSION, PeerMetric.BOUNCE) and value > 1):
        raise ValidationFailed(_("A rate is between 0 %% and 100 %%."))
    row, _created = PeerBenchmark.objects.update_or_create(
        shop=shop,
        month=month.replace(day=1),
        metric=metric,
        defaults={"value": value, "source": source.strip() or "同行同层平均"},
    )
    record_audit(
        actor=actor,
        action="analytics.record_peer",
        obj=shop,
        after={"month": f"{row.month:%Y-%m}", "metric": metric, "value": str(value), "source": row.source},
    )
    return row


def store_findings(*, shop: Shop, last: date | None = None) -> list[Finding]:
    """Run the shop's diagnosis for the windows ending on `last` (its latest reported day by default) and keep
    the findings (DiagnosisFinding, replacing that day's), each sentence in every language of the desk; returns
    the findings in the current language."""
    last = last or selectors.last_day(shop)
    runs: dict[str, list[Finding]] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            runs[code] = selectors.diagnose(shop=shop, last=last)
    first = next(iter(runs.values()))
    with transaction.atomic():
        DiagnosisFinding.objects.filter(shop=shop, day=last).delete()
        DiagnosisFinding.objects.bulk_create(
            DiagnosisFinding(
                shop=shop,
                day=last,
                position=n,
                rule=finding.rule,
                severity=finding.severity,
                texts={code: found[n].text for code, found in runs.items()},
                link=finding.link,
            )
            for n, finding in enumerate(first)
        )
    return runs.get(translation.get_language() or "", first)
