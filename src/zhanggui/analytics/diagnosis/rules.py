"""The diagnosis rules: each reads the shop's stored figures over a window and says, in plain words with its
numbers, what moved the wrong way (docs/metrics.md, "Diagnosis"). A rule has a default threshold in its unit;
each shop may switch it off or change the threshold (DiagnosisRule).

The windows end on the shop's latest reported day (yesterday at best: today's report is not out): "this week" is
the 7 days ending there, "last week" the 7 before, "30 days" the 30 ending there. Rates over a window are Σ ÷ Σ
(paying buyers ÷ visitors), never a mean of daily rates, except the bounce rate, which the platform itself
averages by day (PLATFORMS.md). A change in percent is (now − before) ÷ before × 100, to 0.1 % half up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanggui.aftersales.reports import selectors as aftersales_reports
from zhanggui.analytics.models import (
    AdChannel,
    AdDay,
    PeerBenchmark,
    PeerMetric,
    ServiceDay,
    ShopDayTraffic,
    ShopScoreDay,
    SourceDayTraffic,
)
from zhanggui.catalog.models import Shop

HUNDRED = Decimal(100)
TENTH = Decimal("0.1")
CENT = Decimal("0.01")
#: A source, plan or agent this small is not worth a finding (noise, not news).
MIN_SOURCE_VISITORS = 200
MIN_AD_COST = Decimal("100.00")
MIN_SKU_PAID = 5
MIN_SKU_REFUNDS = 2
MIN_INQUIRED = 20

WARNING, SERIOUS = "warning", "serious"


@dataclass
class Finding:
    """One thing the diagnosis found: its rule, how bad, the sentence, the numbers behind it, where to look."""

    rule: str
    severity: str
    text: str
    figures: list[tuple[str, str]] = field(default_factory=list)
    link: str = ""


@dataclass(frozen=True)
class Rule:
    key: str
    label: Promise
    explains: Promise  # what it checks; %(threshold)s is its threshold as shown
    threshold: Decimal  # the default
    unit: str  # "%" (a relative change or gap), "pp" (percentage points), "×" (a multiple), "" (a plain figure)
    check: Callable[[Context, Decimal], list[Finding]]


# --------------------------------------------------------------------------------------------------------
# The window and the figures the rules share
# --------------------------------------------------------------------------------------------------------


def _change(now: Decimal | int, before: Decimal | int) -> Decimal | None:
    """(now − before) ÷ before in percent, to 0.1 % half up; None when before is 0."""
    if not before:
        return None
    return (HUNDRED * (Decimal(now) - Decimal(before)) / Decimal(before)).quantize(TENTH, rounding=ROUND_HALF_UP)


def _pct(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{(rate * HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)}%"


def _score(value: Decimal) -> str:
    """4.70, 4.8512: two decimals at least, as the back-office shows scores."""
    places = max(2, -int(value.normalize().as_tuple().exponent))
    return f"{value:.{places}f}"


def _yuan(amount: Decimal) -> str:
    return f"¥{amount.quantize(CENT):,}"


def _link(name: str, **query: Any) -> str:
    try:
        url = reverse(name)
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode(query)}" if query else url


@dataclass
class Totals:
    visitors: int = 0
    buyers: int = 0
    paid: Decimal = Decimal("0.00")
    bounce_sum: Decimal = Decimal(0)
    bounce_days: int = 0

    @property
    def conversion(self) -> Decimal | None:
        return (Decimal(self.buyers) / self.visitors).quantize(Decimal("0.000001")) if self.visitors else None

    @property
    def bounce(self) -> Decimal | None:
        """The mean of the daily bounce rates (the platform's own way over several days)."""
        return (self.bounce_sum / self.bounce_days).quantize(Decimal("0.000001")) if self.bounce_days else None


class Context:
    """The shop and its windows, with each figure read once however many rules use it."""

    def __init__(self, shop: Shop, last: date) -> None:
        self.shop = shop
        self.last = last
        self.week = (last - timedelta(days=6), last)
        self.previous = (last - timedelta(days=13), last - timedelta(days=7))
        self.month = (last - timedelta(days=29), last)

    @cached_property
    def _weeks(self) -> tuple[Totals, Totals]:
        """This week's and last week's shop figures, read in one query."""
        now, before = Totals(), Totals()
        rows = ShopDayTraffic.objects.filter(shop=self.shop, day__range=(self.previous[0], self.last)).only(
            "day", "visitors", "paying_buyers", "paid_amount", "bounce_rate"
        )
        for row in rows:
            totals = now if row.day >= self.week[0] else before
            totals.visitors += row.visitors or 0
            totals.buyers += row.paying_buyers or 0
            totals.paid += row.paid_amount or 0
            if row.bounce_rate is not None:
                totals.bounce_sum += row.bounce_rate
                totals.bounce_days += 1
        return now, before

    @property
    def this_week(self) -> Totals:
        return self._weeks[0]

    @property
    def last_week(self) -> Totals:
        return self._weeks[1]

    @cached_property
    def sources(self) -> dict[str, tuple[int, int]]:
        """Each source (level 1 › level 2) with its visitors this week and last week."""
        by: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        rows = SourceDayTraffic.objects.filter(shop=self.shop, day__range=(self.previous[0], self.last))
        for day, level1, level2, visitors in rows.values_list("day", "level1", "level2", "visitors"):
            name = " › ".join(part for part in (level1, level2) if part)
            by[name][0 if day >= self.week[0] else 1] += visitors or 0
        return {name: (now, before) for name, (now, before) in by.items()}

    def peer(self, metric: str) -> PeerBenchmark | None:
        """The peers' figure of the latest month up to the window's end."""
        return (
            PeerBenchmark.objects.filter(shop=self.shop, metric=metric, month__lte=self.last).order_by("-month").first()
        )


# --------------------------------------------------------------------------------------------------------
# The rules
# --------------------------------------------------------------------------------------------------------


def _drop(ctx: Context, threshold: Decimal, now: int, before: int, what: str, rule: str, link: str) -> list[Finding]:
    change = _change(now, before)
    if change is None or -change < threshold:
        return []
    return [
        Finding(
            rule,
            SERIOUS if -change >= 2 * threshold else WARNING,
            _("%(what)s fell %(change)s%% on last week (%(before)s → %(now)s visitors).")
            % {"what": what, "change": -change, "before": f"{before:,}", "now": f"{now:,}"},
            [(_("This week"), f"{now:,}"), (_("Last week"), f"{before:,}")],
            link,
        )
    ]


def _uv_drop(ctx: Context, threshold: Decimal) -> list[Finding]:
    return _drop(
        ctx,
        threshold,
        ctx.this_week.visitors,
        ctx.last_week.visitors,
        _("The shop's visitors (访客数)"),
        "uv_drop",
        _link("analytics:reports-import", shop=ctx.shop.pk),
    )


def _source_drop(ctx: Context, threshold: Decimal) -> list[Finding]:
    found: list[Finding] = []
    for name, (now, before) in sorted(ctx.sources.items()):
        if before >= MIN_SOURCE_VISITORS:
            found += _drop(
                ctx, threshold, now, before, name, "source_drop", _link("analytics:reports-import", shop=ctx.shop.pk)
            )
    return found


def _conversion_drop(ctx: Context, threshold: Decimal) -> list[Finding]:
    now, before = ctx.this_week.conversion, ctx.last_week.conversion
    if now is None or not before:
        return []
    change = _change(now, before)
    if change is None or -change < threshold:
        return []
    return [
        Finding(
            "conversion_drop",
            SERIOUS if -change >= 2 * threshold else WARNING,
            _("Payment conversion (支付转化率) fell %(change)s%% on last week: %(before)s → %(now)s.")
            % {"change": -change, "before": _pct(before), "now": _pct(now)},
            [(_("This week"), _pct(now)), (_("Last week"), _pct(before))],
            _link("analytics:reports-import", shop=ctx.shop.pk),
        )
    ]


def _conversion_below_peer(ctx: Context, threshold: Decimal) -> list[Finding]:
    ours, peer = ctx.this_week.conversion, ctx.peer(PeerMetric.CONVERSION)
    if ours is None or peer is None or not peer.value:
        return []
    gap = -_change(ours, peer.value)  # type: ignore[operator]  # peer.value is not 0
    if gap < threshold:
        return []
    return [
        Finding(
            "conversion_below_peer",
            SERIOUS if gap >= 2 * threshold else WARNING,
            _("Payment conversion %(ours)s is %(gap)s%% below the peers' %(peer)s (%(source)s, %(month)s).")
            % {
                "ours": _pct(ours),
                "gap": gap,
                "peer": _pct(peer.value),
                "source": peer.source or _("peers"),
                "month": f"{peer.month:%Y-%m}",
            },
            [(_("This week"), _pct(ours)), (_("Peers"), _pct(peer.value))],
            _link("analytics:diagnosis", shop=ctx.shop.code) + "#peers",
        )
    ]


def _bounce_rise(ctx: Context, threshold: Decimal) -> list[Finding]:
    now, before = ctx.this_week.bounce, ctx.last_week.bounce
    if now is None or before is None:
        return []
    points = ((now - before) * HUNDRED).quantize(TENTH, rounding=ROUND_HALF_UP)
    if points < threshold:
        return []
    return [
        Finding(
            "bounce_rise",
            WARNING,
            _("Bounce rate (跳失率) rose %(points)s points on last week: %(before)s → %(now)s.")
            % {"points": points, "before": _pct(before), "now": _pct(now)},
            [(_("This week"), _pct(now)), (_("Last week"), _pct(before))],
            _link("analytics:reports-import", shop=ctx.shop.pk),
        )
    ]


def _ad_plan_roi(ctx: Context, threshold: Decimal) -> list[Finding]:
    plans: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    rows = AdDay.objects.filter(shop=ctx.shop, day__range=ctx.week).values_list("channel", "plan", "cost", "gmv")
    for channel, plan, cost, gmv in rows:
        totals = plans[(channel, plan)]
        totals[0] += cost or 0
        totals[1] += gmv or 0
    found = []
    for (channel, plan), (cost, gmv) in sorted(plans.items()):
        if cost < MIN_AD_COST:
            continue
        roi = (gmv / cost).quantize(CENT, rounding=ROUND_HALF_UP)
        if roi >= threshold:
            continue
        label = AdChannel(channel).label if channel in AdChannel.values else channel
        found.append(
            Finding(
                "ad_plan_roi",
                SERIOUS if roi < 1 else WARNING,
                _("%(channel)s plan %(plan)s: ROI %(roi)s < %(threshold)s this week (spent %(cost)s, sold %(gmv)s).")
                % {
                    "channel": label,
                    "plan": plan or _("(no plan)"),
                    "roi": roi,
                    "threshold": threshold,
                    "cost": _yuan(cost),
                    "gmv": _yuan(gmv),
                },
                [(_("Cost"), _yuan(cost)), (_("Attributed GMV"), _yuan(gmv)), ("ROI", str(roi))],
                _link("analytics:reports-import", shop=ctx.shop.pk),
            )
        )
    return found


def _sku_refund_rate(ctx: Context, threshold: Decimal) -> list[Finding]:
    period = aftersales_reports.Period(*ctx.month)
    table = aftersales_reports.refund_rate_by_sku(period, ctx.shop)
    shop_rate = table.total.rate if table.total is not None else None
    if not shop_rate:
        return []
    found = []
    for row in table.rows:
        if row.rate is None or row.paid < MIN_SKU_PAID or row.refunds < MIN_SKU_REFUNDS:
            continue
        if row.rate < shop_rate * threshold:
            continue
        found.append(
            Finding(
                "sku_refund_rate",
                SERIOUS if row.rate >= shop_rate * threshold * 2 else WARNING,
                _("SKU %(sku)s: refund rate %(rate)s%% over 30 days, the shop's %(shop)s%% (%(refunds)s of %(paid)s).")
                % {"sku": row.name, "rate": row.rate, "shop": shop_rate, "refunds": row.refunds, "paid": row.paid},
                [(_("SKU"), f"{row.rate}%"), (_("Shop"), f"{shop_rate}%")],
                _link("aftersales:reports", shop=ctx.shop.pk, date_from=ctx.month[0], date_to=ctx.month[1]),
            )
        )
    return found


SCORE_NAMES = (
    ("description", gettext_lazy("描述相符")),
    ("service", gettext_lazy("服务态度")),
    ("shipping", gettext_lazy("物流服务")),
)


def _score_drop(ctx: Context, threshold: Decimal) -> list[Finding]:
    rows = list(ShopScoreDay.objects.filter(shop=ctx.shop, day__range=ctx.month).order_by("day"))
    if len(rows) < 2:
        return []
    first, latest = rows[0], rows[-1]
    found = []
    for name, label in SCORE_NAMES:
        then, now = getattr(first, name), getattr(latest, name)
        if then is None or now is None or then - now < threshold:
            continue
        found.append(
            Finding(
                "score_drop",
                WARNING,
                _("%(score)s fell from %(then)s to %(now)s in 30 days (−%(drop)s).")
                % {"score": label, "then": _score(then), "now": _score(now), "drop": _score(then - now)},
                [(f"{first.day:%m-%d}", _score(then)), (f"{latest.day:%m-%d}", _score(now))],
                _link("analytics:health", shop=ctx.shop.code),
            )
        )
    return found


def _inquiry_gap(ctx: Context, threshold: Decimal) -> list[Finding]:
    agents: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    rows = ServiceDay.objects.filter(shop=ctx.shop, day__range=ctx.week).values_list(
        "agent", "inquired", "inquiry_paid"
    )
    for agent, inquired, paid in rows:
        agents[agent][0] += inquired or 0
        agents[agent][1] += paid or 0
    inquired_all = sum(a[0] for a in agents.values())
    if not inquired_all:
        return []
    shop_rate = Decimal(sum(a[1] for a in agents.values())) / inquired_all
    found = []
    for agent, (inquired, paid) in sorted(agents.items()):
        if inquired < MIN_INQUIRED:
            continue
        rate = Decimal(paid) / inquired
        gap = -_change(rate, shop_rate) if shop_rate else None  # type: ignore[operator]
        if gap is None or gap < threshold:
            continue
        found.append(
            Finding(
                "inquiry_gap",
                WARNING,
                _("Agent %(agent)s: inquiry conversion (询单转化率) %(rate)s this week, the shop's %(shop)s.")
                % {"agent": agent, "rate": _pct(rate), "shop": _pct(shop_rate)},
                [(_("Agent"), _pct(rate)), (_("Shop"), _pct(shop_rate))],
                _link("analytics:reports-import", shop=ctx.shop.pk),
            )
        )
    return found


RULES: dict[str, Rule] = {
    rule.key: rule
    for rule in (
        Rule(
            "uv_drop",
            gettext_lazy("Visitors fell"),
            gettext_lazy("The shop's visitors this week are %(threshold)s or more below last week's."),
            Decimal(15),
            "%",
            _uv_drop,
        ),
        Rule(
            "source_drop",
            gettext_lazy("A traffic source fell"),
            gettext_lazy(
                "A source (level 1 › level 2) with at least 200 visitors last week brought %(threshold)s or more fewer "
                "this week."
            ),
            Decimal(15),
            "%",
            _source_drop,
        ),
        Rule(
            "conversion_drop",
            gettext_lazy("Conversion fell"),
            gettext_lazy(
                "Payment conversion (paying buyers ÷ visitors) this week is %(threshold)s or more below last week's."
            ),
            Decimal(15),
            "%",
            _conversion_drop,
        ),
        Rule(
            "conversion_below_peer",
            gettext_lazy("Conversion below peers"),
            gettext_lazy("Payment conversion this week is %(threshold)s or more below the peers' average you entered."),
            Decimal(20),
            "%",
            _conversion_below_peer,
        ),
        Rule(
            "bounce_rise",
            gettext_lazy("Bounce rate rose"),
            gettext_lazy("The bounce rate this week (mean of the days) is %(threshold)s or more above last week's."),
            Decimal(5),
            "pp",
            _bounce_rise,
        ),
        Rule(
            "ad_plan_roi",
            gettext_lazy("An ad plan loses money"),
            gettext_lazy(
                "An ad plan that spent ¥100 or more this week returned less than %(threshold)s in attributed GMV "
                "per yuan."
            ),
            Decimal(1),
            "",
            _ad_plan_roi,
        ),
        Rule(
            "sku_refund_rate",
            gettext_lazy("A SKU is refunded often"),
            gettext_lazy(
                "A SKU with 5 or more sub-orders and 2 or more refunds in 30 days has a refund rate %(threshold)s the "
                "shop's or more."
            ),
            Decimal(2),
            "×",
            _sku_refund_rate,
        ),
        Rule(
            "score_drop",
            gettext_lazy("A shop score fell"),
            gettext_lazy("A DSR / shop score fell by %(threshold)s or more over 30 days."),
            Decimal("0.03"),
            "",
            _score_drop,
        ),
        Rule(
            "inquiry_gap",
            gettext_lazy("An agent converts fewer inquiries"),
            gettext_lazy(
                "An agent with 20 or more inquiries this week converts %(threshold)s or fewer of them than the shop "
                "does (relative)."
            ),
            Decimal(25),
            "%",
            _inquiry_gap,
        ),
    )
}


def shown(rule: Rule, threshold: Decimal) -> str:
    """A threshold as the page writes it: 15%, 5 points, 2×, 1."""
    value = threshold.normalize()
    text = f"{value:f}"
    if rule.unit == "%":
        return f"{text}%"
    if rule.unit == "pp":
        return _("%(n)s points") % {"n": text}
    if rule.unit == "×":
        return f"{text}×"
    return text
