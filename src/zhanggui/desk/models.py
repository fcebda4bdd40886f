"""The daily desk's own data: each shop's checklist (the seed's 淘宝店铺每日运营工作表) and its rows by day, the
tasks people give each other, and what the shop's pictures and pages show (prices, promotions), which the
system checks against the pricing engine.

A checklist item is never deleted once used: removing it switches it off, so its past days keep their rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhanggui.catalog.models import Shop, Sku
from zhanggui.core import roles
from zhanggui.core.text import CleanCharField, CleanTextField
from zhanggui.promotions.models import Promotion

ROLE_CHOICES = [(key, label) for key, label in roles.ROLE_LABELS.items()]


class Section(models.TextChoices):
    MEETING = "meeting", _("Morning meeting (晨会)")
    PAGES = "pages", _("Page checks (页面检查)")
    SERVICE = "service", _("Service checks (客服检查)")


class CheckKey(models.TextChoices):
    """The checks the system can answer from the data (desk.checks); an item with one is ticked by the desk."""

    ORDERS_SHIPPED = "orders_shipped", _("Every order paid before yesterday's cut-off has shipped")
    CASES_DEADLINE = "cases_deadline", _("No after-sales case within 12 h of its deadline")
    SHOWN_PRICES = "shown_prices", _("Prices shown on pictures are what the pricing engine charges now")
    ENDED_PROMOTIONS = "ended_promotions", _("No ended promotion is still shown")


class Outcome(models.TextChoices):
    OPEN = "open", _("Not checked yet")
    DONE = "done", _("Done")
    PROBLEM = "problem", _("Problem")
    NOT_DONE = "not_done", _("Not done")


class ChecklistItem(models.Model):
    """One line of a shop's daily checklist template (检查项目 with its 要求)."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="checklist_items", verbose_name=_("shop"))
    section = models.CharField(_("section"), max_length=10, choices=Section.choices)
    position = models.PositiveIntegerField(_("position"), default=0)
    title = CleanCharField(_("item"), max_length=100)
    requirement = CleanTextField(_("requirement"), blank=True)
    check_key = models.CharField(_("checked by the system"), max_length=20, choices=CheckKey.choices, blank=True)
    role = models.CharField(_("for role"), max_length=12, choices=ROLE_CHOICES, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["shop", "section", "position", "id"]
        indexes = [models.Index(fields=["shop", "is_active", "section", "position"], name="desk_item_sheet")]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return self.title


class DayCheck(models.Model):
    """One item on one day: 检查人, 完成情况, 问题记录, 跟进人, 处理结果; the system's evidence when automatic."""

    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="days", verbose_name=_("item"))
    day = models.DateField(_("day"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("checked by"),
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    by_system = models.BooleanField(_("checked by the system"), default=False)
    problem_note = CleanTextField(_("problem"), blank=True)
    follow_up = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("follow-up by"),
    )
    result = CleanTextField(_("result"), blank=True)
    summary = CleanCharField(_("finding"), max_length=255, blank=True)
    # [{"text": "...", "url": "/orders/12/"}]: what the system found, each with a link to it.
    evidence = models.JSONField(_("evidence"), default=list, blank=True)

    class Meta:
        ordering = ["-day", "item"]
        constraints = [models.UniqueConstraint(fields=["item", "day"], name="desk_day_check_unique")]
        verbose_name = _("day's check")
        verbose_name_plural = _("days' checks")

    def __str__(self) -> str:
        return f"{self.day} {self.item_id}: {self.outcome}"


class TaskStatus(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class TaskSource(models.TextChoices):
    HAND = "hand", _("By hand")
    CHECK = "check", _("From a failed check")
    ALERT = "alert", _("From an alert")


class Task(models.Model):
    """Work given to a person or to a role (anyone of it may do it), with a due time and a checker who looks
    at the result. Overdue is not stored: open and past its due time (`is_overdue_at`)."""

    shop = models.ForeignKey(
        Shop, null=True, blank=True, on_delete=models.CASCADE, related_name="desk_tasks", verbose_name=_("shop")
    )
    title = CleanCharField(_("task"), max_length=200)
    note = CleanTextField(_("note"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="desk_tasks",
        verbose_name=_("assigned to"),
    )
    role = models.CharField(_("or to role"), max_length=12, choices=ROLE_CHOICES, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("checked by"),
    )
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    result = CleanTextField(_("result"), blank=True)
    source = models.CharField(_("from"), max_length=8, choices=TaskSource.choices, default=TaskSource.HAND)
    day_check = models.ForeignKey(
        DayCheck, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks", verbose_name=_("check")
    )
    # What alert the task came from, e.g. "safety_stock:<sku id>": the desk offers no second task for it.
    alert_key = models.CharField(_("alert"), max_length=64, blank=True)
    alert_url = models.CharField(_("alert link"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        ordering = [models.F("due_at").asc(nulls_last=True), "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(assignee__isnull=False) | ~Q(role=""), name="desk_task_has_assignee_or_role"
            ),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="desk_task_open")]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.title

    def is_overdue_at(self, now) -> bool:  # type: ignore[no-untyped-def]
        return self.status == TaskStatus.OPEN and self.due_at is not None and self.due_at < now

    @property
    def is_overdue(self) -> bool:
        return self.is_overdue_at(timezone.now())


class Place(models.TextChoices):
    MAIN_IMAGE = "main_image", _("Main image (主图)")
    BANNER = "banner", _("Banner")
    KV = "kv", _("Key visual (KV)")
    HOME = "home", _("Shop home page (首页)")
    DETAIL = "detail", _("Detail page (详情页)")


class ShownPrice(models.Model):
    """What a picture or a page shows (a price drawn on a picture, a promotion on a banner): the 美工 writes it
    down when the picture goes up and marks it taken down when it comes off. The system compares each one still
    up with the pricing engine (the price a buyer pays now) and with the promotion's window."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="shown_prices", verbose_name=_("shop"))
    place = models.CharField(_("where"), max_length=12, choices=Place.choices)
    sku = models.ForeignKey(
        Sku, null=True, blank=True, on_delete=models.CASCADE, related_name="shown_prices", verbose_name=_("SKU")
    )
    price = models.DecimalField(_("price shown"), max_digits=14, decimal_places=2, null=True, blank=True)
    promotion = models.ForeignKey(
        Promotion,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="shown_on",
        verbose_name=_("promotion shown"),
    )
    note = CleanCharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    taken_down_at = models.DateTimeField(_("taken down at"), null=True, blank=True)

    class Meta:
        ordering = ["shop", "-recorded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__isnull=True) | Q(price__gte=0), name="desk_shown_price_ge_0"),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(sku__isnull=False), name="desk_shown_price_needs_sku"
            ),
        ]
        verbose_name = _("price or promotion shown")
        verbose_name_plural = _("prices and promotions shown")

    def __str__(self) -> str:
        return f"{self.get_place_display()}: {self.sku_id} {self.price} {self.promotion_id}"
