"""A shop's yearly plan (docs/planning.md): the year's GMV target broken into months, kept in versions.

A plan is one version of one shop's year. The highest version is the one being edited; an approved version is
never changed again (a change to it starts the next version, a copy). Each month holds its GMV target and the
driver tree's figures (UV × conversion × AOV); the year and the quarters are sums of the months, never stored.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Basis(models.TextChoices):
    LAST_YEAR = "last_year", _("last year's monthly shape")
    TEMPLATE = "template", _("the seasonality template")


class Plan(models.Model):
    """One version of a shop's plan for a year."""

    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+", verbose_name=_("shop"))
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    basis = models.CharField(_("broken down by"), max_length=16, choices=Basis.choices, default=Basis.TEMPLATE)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["shop", "year", "version"]
        verbose_name = _("yearly plan")
        verbose_name_plural = _("yearly plans")
        constraints = [
            models.UniqueConstraint(fields=["shop", "year", "version"], name="planning_plan_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.year} v{self.version}"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class PlanMonth(models.Model):
    """A month of a plan: its GMV target and its driver tree (any of UV, conversion, AOV may be unset)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="months", verbose_name=_("plan"))
    month = models.PositiveSmallIntegerField(_("month"))
    gmv_target = models.DecimalField(_("GMV target"), max_digits=14, decimal_places=2, default=Decimal(0))
    uv = models.PositiveIntegerField(_("UV"), null=True, blank=True)
    conversion = models.DecimalField(_("conversion"), max_digits=6, decimal_places=4, null=True, blank=True)
    aov = models.DecimalField(_("AOV"), max_digits=12, decimal_places=2, null=True, blank=True)
    locked = models.BooleanField(_("locked"), default=False, help_text=_("A rebalance leaves a locked month alone"))

    class Meta:
        ordering = ["plan", "month"]
        verbose_name = _("plan month")
        verbose_name_plural = _("plan months")
        constraints = [
            models.UniqueConstraint(fields=["plan", "month"], name="planning_planmonth_unique"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="planning_planmonth_month"),
            models.CheckConstraint(condition=models.Q(gmv_target__gte=0), name="planning_planmonth_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.month:02d} {self.gmv_target}"


class Dimension(models.TextChoices):
    CATEGORY = "category", _("category")
    ROLE = "role", _("product role")


class PlanShare(models.Model):
    """A quarter's slice of the plan by category or by product role (引流款/利润款/活动款/形象款): its GMV, its
    units and, for roles, its SKU count. A quarter's slices of one dimension add up to the quarter's target."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="shares", verbose_name=_("plan"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    dimension = models.CharField(_("split by"), max_length=16, choices=Dimension.choices)
    key = models.CharField(_("key"), max_length=64, help_text=_("The category's id or the product role's code"))
    label = models.CharField(_("name"), max_length=128)
    amount = models.DecimalField(_("GMV target"), max_digits=14, decimal_places=2, default=Decimal(0))
    quantity = models.PositiveIntegerField(_("units"), default=0)
    sku_count = models.PositiveIntegerField(_("SKUs"), null=True, blank=True)
    locked = models.BooleanField(_("locked"), default=False)

    class Meta:
        ordering = ["plan", "dimension", "quarter", "key"]
        verbose_name = _("plan share")
        verbose_name_plural = _("plan shares")
        constraints = [
            models.UniqueConstraint(fields=["plan", "quarter", "dimension", "key"], name="planning_planshare_unique"),
            models.CheckConstraint(condition=models.Q(quarter__gte=1, quarter__lte=4), name="planning_share_quarter"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="planning_share_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} Q{self.quarter} {self.dimension} {self.key} {self.amount}"


class BudgetMode(models.TextChoices):
    SHARE = "share", _("a share of the GMV target")
    AMOUNT = "amount", _("an amount")


class AdGoal(models.TextChoices):
    SALES = "sales", _("sales (成交)")
    EXPOSURE = "exposure", _("exposure (曝光/拉新)")


class AdBudget(models.Model):
    """A month's ad budget of a plan: a share of the month's GMV target or an amount."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="ad_budgets", verbose_name=_("plan"))
    month = models.PositiveSmallIntegerField(_("month"))
    mode = models.CharField(_("set as"), max_length=8, choices=BudgetMode.choices, default=BudgetMode.SHARE)
    share = models.DecimalField(
        _("share of GMV"), max_digits=6, decimal_places=4, null=True, blank=True, help_text=_("0.0800 is 8 %")
    )
    amount = models.DecimalField(_("budget"), max_digits=14, decimal_places=2, default=Decimal(0))

    class Meta:
        ordering = ["plan", "month"]
        verbose_name = _("ad budget")
        verbose_name_plural = _("ad budgets")
        constraints = [
            models.UniqueConstraint(fields=["plan", "month"], name="planning_adbudget_unique"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="planning_adbudget_month"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="planning_adbudget_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.month:02d} {self.amount}"


class AdBudgetLine(models.Model):
    """One ad tool's part of a month's budget, for one goal, with the ROI expected of it."""

    budget = models.ForeignKey(AdBudget, on_delete=models.CASCADE, related_name="lines", verbose_name=_("ad budget"))
    channel = models.CharField(_("ad tool"), max_length=16)  # analytics.AdChannel
    goal = models.CharField(_("goal"), max_length=16, choices=AdGoal.choices, default=AdGoal.SALES)
    share = models.DecimalField(_("share of the budget"), max_digits=6, decimal_places=4, default=Decimal(0))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=Decimal(0))
    expected_roi = models.DecimalField(_("expected ROI"), max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["budget", "channel", "goal"]
        verbose_name = _("ad budget line")
        verbose_name_plural = _("ad budget lines")
        constraints = [
            models.UniqueConstraint(fields=["budget", "channel", "goal"], name="planning_adbudgetline_unique"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="planning_adbudgetline_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.budget_id} {self.channel} {self.goal} {self.amount}"


class ActivityKind(models.TextChoices):
    PLATFORM = "platform", _("platform event")
    OWN = "own", _("the shop's own activity")


class PlanActivity(models.Model):
    """A line on the year's activity calendar: a platform event (年货节, 38, 618, 99, 双11, 双12) or the shop's own
    activity, with its GMV target; its result is read from the actuals once it has run."""

    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+", verbose_name=_("shop"))
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices, default=ActivityKind.OWN)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    gmv_target = models.DecimalField(_("GMV target"), max_digits=14, decimal_places=2, null=True, blank=True)
    promotion = models.ForeignKey(
        "promotions.Promotion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("promotion"),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["shop", "starts_on", "name"]
        verbose_name = _("planned activity")
        verbose_name_plural = _("planned activities")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="planning_activity_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.name} {self.starts_on}"


class MonthlyReview(models.Model):
    """月度运营总结及计划表: a shop's month reviewed. The figures are generated from the actuals (and kept as they
    were when the review is closed); the text sections are typed by the team."""

    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+", verbose_name=_("shop"))
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    went_well = models.TextField(_("what went well"), blank=True)
    problems = models.TextField(_("problems"), blank=True)
    next_targets = models.TextField(_("next month's targets"), blank=True)
    next_activities = models.TextField(_("next month's activities"), blank=True)
    next_budget = models.TextField(_("next month's budget"), blank=True)
    figures = models.JSONField(_("figures as closed"), default=dict, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["shop", "-year", "-month"]
        verbose_name = _("monthly review")
        verbose_name_plural = _("monthly reviews")
        constraints = [
            models.UniqueConstraint(fields=["shop", "year", "month"], name="planning_review_unique"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="planning_review_month"),
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.year}-{self.month:02d}"
