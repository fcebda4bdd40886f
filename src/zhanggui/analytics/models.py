"""Daily aggregates of the behaviour events (docs/metrics.md, "Behaviour events").

The raw events live in Parquet files (analytics.events), never in the database: pages and the API read these
rows, which an import replaces day by day (analytics.services). Each item's daily figures are a small Parquet
file beside the events (events.items_path), not rows here: thousands of items a day made the database inserts
cost more than computing them (docs/metrics.md, "Behaviour events"). A day's shop-level UV is its own distinct
count, not the sum of its sources' (a visitor who came through two sources is one visitor of the day).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

#: Conversion (paying buyers ÷ UV) is kept to 4 decimals, half up: 0.0123 reads 1.23 %.
RATE = Decimal("0.0001")


def percent(rate: Decimal) -> Decimal:
    """A rate as a percentage to two decimals (0.0123 → 1.23), for pages."""
    return (rate * 100).quantize(Decimal("0.01"))


def conversion(buyers: int, uv: int) -> Decimal:
    """Paying buyers ÷ UV, rounded half up to 4 decimals; 0 on a day without visitors."""
    if not uv:
        return Decimal("0.0000")
    return (Decimal(buyers) / Decimal(uv)).quantize(RATE, rounding=ROUND_HALF_UP)


class EventFigures(models.Model):
    """What every daily row counts: events by behaviour, distinct visitors (UV) and distinct paying buyers."""

    # No index of its own: each table's unique constraint begins with the shop.
    shop = models.ForeignKey(
        "catalog.Shop", on_delete=models.CASCADE, related_name="+", verbose_name=_("shop"), db_index=False
    )
    day = models.DateField(_("day"))
    pv = models.PositiveBigIntegerField(_("page views"), default=0)
    favs = models.PositiveBigIntegerField(_("favourites"), default=0)
    carts = models.PositiveBigIntegerField(_("add-to-carts"), default=0)
    buys = models.PositiveBigIntegerField(_("buy events"), default=0)
    uv = models.PositiveBigIntegerField(_("visitors (UV)"), default=0)
    buyers = models.PositiveBigIntegerField(_("paying buyers"), default=0)

    class Meta:
        abstract = True

    @property
    def conversion(self) -> Decimal:
        return conversion(self.buyers, self.uv)

    @property
    def conversion_percent(self) -> Decimal:
        return percent(self.conversion)


class EventDay(EventFigures):
    """A shop's day, all sources together."""

    class Meta:
        ordering = ["shop", "day"]
        verbose_name = _("event day")
        verbose_name_plural = _("event days")
        constraints = [models.UniqueConstraint(fields=["shop", "day"], name="analytics_eventday_unique")]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.day}"


class EventDaySource(EventFigures):
    """A shop's day from one traffic source ("" when the events named none)."""

    source = models.CharField(_("source"), max_length=32, blank=True, default="")

    class Meta:
        ordering = ["shop", "day", "source"]
        verbose_name = _("event day by source")
        verbose_name_plural = _("event days by source")
        constraints = [
            models.UniqueConstraint(fields=["shop", "day", "source"], name="analytics_eventdaysource_unique")
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.day} {self.source}"


# --------------------------------------------------------------------------------------------------------
# The platforms' daily reports (docs/metrics.md, "Traffic and ads imports")
# --------------------------------------------------------------------------------------------------------
# Figures as the platform's report gives them: counts are whole numbers, money is yuan to the fen, a rate is
# a fraction to 6 decimals (the file's "3.45%" is stored 0.034500). Every figure may be None: the report the
# row came from has no such column (unknown, not zero). An import replaces a day's rows of one report target
# (the shop's day, its items, its sources, or one ad channel) with the days the files hold
# (analytics.report_imports).


def _count(label: str) -> models.PositiveBigIntegerField:
    return models.PositiveBigIntegerField(label, null=True, blank=True)


def _money(label: str) -> models.DecimalField:
    return models.DecimalField(label, max_digits=14, decimal_places=2, null=True, blank=True)


def _rate(label: str) -> models.DecimalField:
    return models.DecimalField(label, max_digits=12, decimal_places=6, null=True, blank=True)


def ratio(part: int | Decimal | None, whole: int | Decimal | None, places: str = "0.0001") -> Decimal | None:
    """part ÷ whole rounded half up, None when either is unknown or the whole is 0 (no rate of nothing)."""
    if part is None or not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


class ReportDay(models.Model):
    """A shop's day in one of the platforms' reports; `report` is the kind of report that stored it."""

    # No index of its own: each table's unique constraint begins with the shop.
    shop = models.ForeignKey(
        "catalog.Shop", on_delete=models.CASCADE, related_name="+", verbose_name=_("shop"), db_index=False
    )
    day = models.DateField(_("day"))
    report = models.CharField(_("report"), max_length=16)

    class Meta:
        abstract = True


class ShopDayTraffic(ReportDay):
    """A shop's day as 生意参谋's or 京东商智's overview gives it (one row a day)."""

    visitors = _count(_("visitors (UV)"))
    mobile_visitors = _count(_("mobile visitors"))
    pv = _count(_("page views"))
    item_visitors = _count(_("item visitors"))
    item_pv = _count(_("item page views"))
    bounce_rate = _rate(_("bounce rate"))
    pv_per_visitor = models.DecimalField(
        _("page views per visitor"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    cart_buyers = _count(_("add-to-cart buyers"))
    cart_units = _count(_("add-to-cart units"))
    fav_buyers = _count(_("favourite buyers"))
    order_amount = _money(_("ordered amount"))
    order_buyers = _count(_("ordering buyers"))
    order_units = _count(_("ordered units"))
    order_conversion = _rate(_("order conversion"))
    paid_amount = _money(_("paid amount"))
    paying_buyers = _count(_("paying buyers"))
    paid_units = _count(_("paid units"))
    paid_orders = _count(_("paid sub-orders"))
    payment_conversion = _rate(_("payment conversion"))
    aov = _money(_("average order value"))
    uv_value = _money(_("UV value"))
    returning_visitors = _count(_("returning visitors"))
    new_visitors = _count(_("new visitors"))
    new_buyers = _count(_("new paying buyers"))
    returning_buyers = _count(_("returning paying buyers"))
    returning_buyer_amount = _money(_("paid by returning buyers"))
    affiliate_commission = _money(_("affiliate commission"))
    refund_amount = _money(_("refunded amount"))
    reviews = _count(_("reviews"))
    shop_followers = _count(_("shop followers"))

    class Meta:
        ordering = ["shop", "day"]
        verbose_name = _("shop traffic day")
        verbose_name_plural = _("shop traffic days")
        constraints = [models.UniqueConstraint(fields=["shop", "day"], name="analytics_shopdaytraffic_unique")]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.day}"


class ItemDayTraffic(ReportDay):
    """An item's (商品ID's) day from 生意参谋 商品排行 or 京东商智; `product` is the shop's product whose code
    (货号) is the row's item code, or whose SKU has it as 商家编码, when there is one."""

    item_id = models.CharField(_("item ID"), max_length=32)
    title = models.CharField(_("title"), max_length=200, blank=True)
    item_code = models.CharField(_("item code (货号)"), max_length=64, blank=True)
    status = models.CharField(_("item status"), max_length=32, blank=True)
    product = models.ForeignKey(
        "catalog.Product",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("product"),
    )
    visitors = _count(_("visitors (UV)"))
    pv = _count(_("page views"))
    bounce_rate = _rate(_("bounce rate"))
    fav_buyers = _count(_("favourite buyers"))
    cart_units = _count(_("add-to-cart units"))
    cart_buyers = _count(_("add-to-cart buyers"))
    order_buyers = _count(_("ordering buyers"))
    order_units = _count(_("ordered units"))
    order_amount = _money(_("ordered amount"))
    paying_buyers = _count(_("paying buyers"))
    paid_units = _count(_("paid units"))
    paid_amount = _money(_("paid amount"))
    payment_conversion = _rate(_("payment conversion"))
    refund_amount = _money(_("refunded amount"))
    search_visitors = _count(_("visitors from search"))

    class Meta:
        ordering = ["shop", "day", "item_id"]
        verbose_name = _("item traffic day")
        verbose_name_plural = _("item traffic days")
        constraints = [
            models.UniqueConstraint(fields=["shop", "day", "item_id"], name="analytics_itemdaytraffic_unique")
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.day} {self.item_id}"


class SourceDayTraffic(ReportDay):
    """A traffic source's day (流量来源): the carrier (流量载体: 无线端, PC端) and up to four levels of source as
    the report writes them ("" for a level it leaves empty)."""

    carrier = models.CharField(_("carrier"), max_length=32, blank=True)
    level1 = models.CharField(_("source"), max_length=64)
    level2 = models.CharField(_("source, level 2"), max_length=64, blank=True)
    level3 = models.CharField(_("source, level 3"), max_length=64, blank=True)
    level4 = models.CharField(_("source, level 4"), max_length=64, blank=True)
    visitors = _count(_("visitors (UV)"))
    new_visitors = _count(_("new visitors"))
    cart_buyers = _count(_("add-to-cart buyers"))
    paying_buyers = _count(_("paying buyers"))
    payment_conversion = _rate(_("payment conversion"))
    paid_amount = _money(_("paid amount"))
    aov = _money(_("average order value"))
    uv_value = _money(_("UV value"))

    class Meta:
        ordering = ["shop", "day", "carrier", "level1", "level2", "level3", "level4"]
        verbose_name = _("source traffic day")
        verbose_name_plural = _("source traffic days")
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "day", "carrier", "level1", "level2", "level3", "level4"],
                name="analytics_sourcedaytraffic_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.day} {self.level1}"

    @property
    def path(self) -> str:
        """The source's levels joined: '付费流量 › 直通车'."""
        return " › ".join(level for level in (self.level1, self.level2, self.level3, self.level4) if level)


class AdChannel(models.TextChoices):
    ZTC = "ztc", _("直通车 / 万相台")
    JD_EXPRESS = "jd_express", _("京东快车")
    DISPLAY = "display", _("引力魔方 / 钻展")
    AFFILIATE = "affiliate", _("淘宝客")


class AdDay(ReportDay):
    """One day of an ad plan (and unit or keyword, when the report is that fine) in one ad channel. For 淘宝客
    the cost is the commission paid (付款佣金支出). Attributed figures depend on the report's attribution window,
    kept in `attribution` when the file names it."""

    channel = models.CharField(_("ad channel"), max_length=16, choices=AdChannel.choices)
    scene = models.CharField(_("scene"), max_length=64, blank=True)
    plan_id = models.CharField(_("plan ID"), max_length=64, blank=True)
    plan = models.CharField(_("plan"), max_length=128, blank=True)
    unit = models.CharField(_("unit"), max_length=128, blank=True)
    keyword = models.CharField(_("keyword"), max_length=128, blank=True)
    attribution = models.CharField(_("attribution window"), max_length=32, blank=True)
    impressions = _count(_("impressions"))
    clicks = _count(_("clicks"))
    cost = _money(_("cost"))
    orders = _count(_("attributed orders"))
    gmv = _money(_("attributed GMV"))
    carts = _count(_("add-to-carts"))
    buyers = _count(_("paying buyers"))

    class Meta:
        ordering = ["shop", "day", "channel", "plan", "unit", "keyword"]
        verbose_name = _("ad day")
        verbose_name_plural = _("ad days")
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "day", "channel", "plan_id", "plan", "unit", "keyword", "attribution"],
                name="analytics_adday_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.day} {self.channel} {self.plan}"

    @property
    def roi(self) -> Decimal | None:
        """投入产出比: attributed GMV ÷ cost, 2 decimals half up."""
        return ratio(self.gmv, self.cost, "0.01")

    @property
    def ctr(self) -> Decimal | None:
        """Clicks ÷ impressions, a fraction to 4 decimals."""
        return ratio(self.clicks, self.impressions)

    @property
    def cpc(self) -> Decimal | None:
        """Cost per click, to the fen."""
        return ratio(self.cost, self.clicks, "0.01")


# --------------------------------------------------------------------------------------------------------
# Customer service (千牛/赤兔 客服绩效, 京东 咚咚): one row a day and agent
# --------------------------------------------------------------------------------------------------------


def _seconds(label: str) -> models.DecimalField:
    return models.DecimalField(label, max_digits=10, decimal_places=2, null=True, blank=True)


class ServiceDay(ReportDay):
    """One agent's day as the platform's customer-service report gives it. The inquiry conversion (询单转化率) is
    computed from the counts (inquiry_paid ÷ inquired), never read: a period's figure is Σ ÷ Σ. Response times
    are seconds, None for an agent who answered nobody that day."""

    agent = models.CharField(_("agent"), max_length=64)
    consulted = _count(_("consulted"))
    received = _count(_("received"))
    inquired = _count(_("inquired before ordering"))
    inquiry_paid = _count(_("inquired and paid"))
    sales = _money(_("sales"))
    units = _count(_("units sold"))
    first_response = _seconds(_("first response (s)"))
    avg_response = _seconds(_("average response (s)"))
    reply_rate = _rate(_("reply rate"))

    class Meta:
        ordering = ["shop", "day", "agent"]
        verbose_name = _("customer-service day")
        verbose_name_plural = _("customer-service days")
        constraints = [models.UniqueConstraint(fields=["shop", "day", "agent"], name="analytics_serviceday_unique")]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.day} {self.agent}"

    @property
    def inquiry_conversion(self) -> Decimal | None:
        """询单转化率: inquired and paid ÷ inquired, a fraction to 4 decimals."""
        return ratio(self.inquiry_paid, self.inquired)


# --------------------------------------------------------------------------------------------------------
# Store health: DSR scores by day, violations and their appeals, health-check findings (体检中心)
# --------------------------------------------------------------------------------------------------------


def _score(label: str) -> models.DecimalField:
    return models.DecimalField(label, max_digits=6, decimal_places=4, null=True, blank=True)


class ShopScoreDay(ReportDay):
    """A shop's scores as the platform showed them that day: Taobao/Tmall's DSR (描述相符, 服务态度, 物流服务 —
    each already the platform's 6-month mean, out of 5), JD's shop score (out of 10). Imported (`report` is the
    kind) or typed in (`report` = "typed")."""

    description = _score(_("item as described (描述相符)"))
    service = _score(_("service attitude (服务态度)"))
    shipping = _score(_("logistics (物流服务)"))

    class Meta:
        ordering = ["shop", "day"]
        verbose_name = _("shop score day")
        verbose_name_plural = _("shop score days")
        constraints = [models.UniqueConstraint(fields=["shop", "day"], name="analytics_shopscoreday_unique")]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.day} DSR"


class ViolationKind(models.TextChoices):
    GENERAL = "general", _("一般违规 (general)")
    SERIOUS = "serious", _("严重违规 (serious)")
    FAKE = "fake", _("虚假交易 (fake deals)")
    COUNTERFEIT = "counterfeit", _("售假 (counterfeit)")
    OTHER = "other", _("Other")


class AppealStatus(models.TextChoices):
    OPEN = "open", _("Not yet decided")
    APPEALING = "appealing", _("Appeal filed")
    UPHELD = "upheld", _("Appeal won: points withdrawn")
    REJECTED = "rejected", _("Appeal lost")
    ACCEPTED = "accepted", _("Not appealed")


class Violation(models.Model):
    """A platform's penalty on the shop (扣分): its points count against the shop until an appeal wins. The appeal
    deadline is the platform's (typically a few days from the notice); past it, an undecided violation stands."""

    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+", verbose_name=_("shop"))
    noted_on = models.DateField(_("notice date"))
    kind = models.CharField(_("kind"), max_length=16, choices=ViolationKind.choices, default=ViolationKind.GENERAL)
    rule = models.CharField(_("rule broken"), max_length=128)
    points = models.PositiveSmallIntegerField(_("points"), default=0)
    order_no = models.CharField(_("order number"), max_length=64, blank=True)
    appeal_deadline = models.DateTimeField(_("appeal deadline"), null=True, blank=True)
    appeal_status = models.CharField(
        _("appeal"), max_length=16, choices=AppealStatus.choices, default=AppealStatus.OPEN
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-noted_on", "-pk"]
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        indexes = [models.Index(fields=["shop", "noted_on"], name="analytics_violation_shop_day")]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.noted_on} {self.rule} −{self.points}"

    @property
    def counts(self) -> bool:
        """Whether its points count against the shop: all but a won appeal."""
        return self.appeal_status != AppealStatus.UPHELD

    @property
    def decided(self) -> bool:
        return self.appeal_status in (AppealStatus.UPHELD, AppealStatus.REJECTED, AppealStatus.ACCEPTED)


class FindingSeverity(models.TextChoices):
    NOTICE = "notice", _("Notice")
    WARNING = "warning", _("Warning")
    SERIOUS = "serious", _("Serious")


class HealthFinding(models.Model):
    """One finding of the platform's health check (体检中心) or of our own look at the shop, followed up until it
    is fixed: who follows it and what was done."""

    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+", verbose_name=_("shop"))
    found_on = models.DateField(_("found on"))
    area = models.CharField(_("area"), max_length=32, blank=True)
    finding = models.CharField(_("finding"), max_length=255)
    severity = models.CharField(
        _("severity"), max_length=16, choices=FindingSeverity.choices, default=FindingSeverity.WARNING
    )
    follow_up = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("follow-up person"),
    )
    fixed_on = models.DateField(_("fixed on"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["fixed_on", "-found_on", "-pk"]
        verbose_name = _("health-check finding")
        verbose_name_plural = _("health-check findings")
        indexes = [models.Index(fields=["shop", "found_on"], name="analytics_finding_shop_day")]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.found_on} {self.finding}"


# --------------------------------------------------------------------------------------------------------
# Diagnosis: the shop's own thresholds for each rule, and its peers' averages
# --------------------------------------------------------------------------------------------------------


class DiagnosisRule(models.Model):
    """A shop's setting of one diagnosis rule (analytics.diagnosis.rules.RULES): on or off, and its threshold
    in the rule's unit. A rule without a row runs with its default threshold."""

    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+", verbose_name=_("shop"))
    key = models.CharField(_("rule"), max_length=32)
    enabled = models.BooleanField(_("on"), default=True)
    threshold = models.DecimalField(_("threshold"), max_digits=10, decimal_places=4)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["shop", "key"]
        verbose_name = _("diagnosis rule")
        verbose_name_plural = _("diagnosis rules")
        constraints = [models.UniqueConstraint(fields=["shop", "key"], name="analytics_diagnosisrule_unique")]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.key} {self.threshold}"


class PeerMetric(models.TextChoices):
    CONVERSION = "conversion", _("Payment conversion")
    AOV = "aov", _("Average order value")
    BOUNCE = "bounce_rate", _("Bounce rate")
    UV_VALUE = "uv_value", _("UV value")


class PeerBenchmark(models.Model):
    """The peers' average of a figure for a month (生意参谋 同行同层平均 / 同行优秀, 京东商智 同行), typed in from the
    platform's page: what the diagnosis compares the shop with. Rates are fractions, money yuan."""

    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+", verbose_name=_("shop"))
    month = models.DateField(_("month"), help_text=_("The first day of the month"))
    metric = models.CharField(_("figure"), max_length=16, choices=PeerMetric.choices)
    value = models.DecimalField(_("peers' average"), max_digits=14, decimal_places=6)
    source = models.CharField(_("source"), max_length=64, blank=True, default="同行同层平均")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["shop", "-month", "metric"]
        verbose_name = _("peer benchmark")
        verbose_name_plural = _("peer benchmarks")
        constraints = [
            models.UniqueConstraint(fields=["shop", "month", "metric"], name="analytics_peerbenchmark_unique")
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.month:%Y-%m} {self.metric} {self.value}"


# --------------------------------------------------------------------------------------------------------
# What the profit figures need besides orders: the shop's costs and its monthly targets (docs/metrics.md)
# --------------------------------------------------------------------------------------------------------


class ShopCosts(models.Model):
    """What selling costs a shop beyond the goods: the platform's commission on revenue (a fraction, 0.05 is
    5 %) and what one parcel costs to ship (yuan). One row per shop; a shop without one costs nothing extra."""

    shop = models.OneToOneField("catalog.Shop", on_delete=models.CASCADE, related_name="+", verbose_name=_("shop"))
    commission_rate = models.DecimalField(
        _("commission rate"),
        max_digits=6,
        decimal_places=4,
        default=Decimal("0"),
        help_text=_("The platform's cut of revenue as a fraction: 0.05 is 5 %"),
    )
    shipping_per_parcel = models.DecimalField(
        _("shipping cost per parcel"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["shop"]
        verbose_name = _("shop costs")
        verbose_name_plural = _("shop costs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(commission_rate__gte=0, commission_rate__lt=1),
                name="analytics_shopcosts_rate_range",
            ),
            models.CheckConstraint(
                condition=models.Q(shipping_per_parcel__gte=0), name="analytics_shopcosts_shipping_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.commission_rate} {self.shipping_per_parcel}"


class MonthlyTarget(models.Model):
    """The GMV a shop means to reach in a month (the month is its first day)."""

    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+", verbose_name=_("shop"))
    month = models.DateField(_("month"), help_text=_("The first day of the month"))
    gmv_target = models.DecimalField(_("GMV target"), max_digits=14, decimal_places=2)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["shop", "-month"]
        verbose_name = _("monthly target")
        verbose_name_plural = _("monthly targets")
        constraints = [
            models.UniqueConstraint(fields=["shop", "month"], name="analytics_monthlytarget_unique"),
            models.CheckConstraint(condition=models.Q(gmv_target__gte=0), name="analytics_monthlytarget_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.month:%Y-%m} {self.gmv_target}"


class DiagnosisFinding(models.Model):
    """A finding of a shop's diagnosis as it was run for a day (the windows' last day), kept so the morning page
    reads it in one query instead of running every rule: written each morning by the worker
    (analytics.tasks.diagnose_shops) and whenever the diagnosis page is opened. `texts` holds the sentence in each
    of the desk's languages, made when it ran."""

    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+", verbose_name=_("shop"))
    day = models.DateField(_("day"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    rule = models.CharField(_("rule"), max_length=32)
    severity = models.CharField(_("severity"), max_length=16)
    texts = models.JSONField(_("texts"), default=dict)
    link = models.CharField(_("link"), max_length=300, blank=True)
    run_at = models.DateTimeField(_("run at"), auto_now_add=True)

    class Meta:
        ordering = ["shop", "-day", "position"]
        verbose_name = _("diagnosis finding")
        verbose_name_plural = _("diagnosis findings")
        indexes = [models.Index(fields=["shop", "day"], name="analytics_finding_day")]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.day} {self.rule}"

    def text(self, language: str) -> str:
        """The sentence in `language`, else in the first language it has."""
        return self.texts.get(language) or next(iter(self.texts.values()), "")
