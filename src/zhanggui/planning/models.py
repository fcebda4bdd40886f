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
