"""The desk's writes: a shop's checklist template (made from the seed's worksheet on first use, edited by the
店长), each day's sheet, ticking an item, the system's checks, tasks, and the prices shown on pictures.

Who may do what: the 店长 edits the template and sees every task; anyone with a role ticks items and creates
tasks; a task is finished by its assignee, anyone of its role, its checker or the 店长.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Shop, Sku
from zhanggui.core import roles
from zhanggui.core.errors import PermissionDeniedError
from zhanggui.core.services import record_audit
from zhanggui.desk.checks import CHECKS
from zhanggui.desk.models import (
    CheckKey,
    ChecklistItem,
    DayCheck,
    Outcome,
    Section,
    ShownPrice,
    Task,
    TaskSource,
    TaskStatus,
)
from zhanggui.desk.selectors import user_roles
from zhanggui.promotions.models import Promotion

M, P, S = Section.MEETING, Section.PAGES, Section.SERVICE
#: The seed's daily worksheet (淘宝店铺每日运营工作表), section by section: (title, requirement, check key, role).
DEFAULT_ITEMS: list[tuple[str, str, str, str, str]] = [
    (M, "晨会数据准备", "晨会开始前准备好昨日的数据报表，包括销售报表及活动数据反馈", "", roles.OPERATOR),
    (M, "销售业绩回顾", "回顾昨日销售业绩及当月销售完成情况", "", roles.MANAGER),
    (M, "销售目标传达", "传达当日的销售目标，让每个客服都清楚知道", "", roles.MANAGER),
    (M, "店铺活动信息传达", "传达当天店铺的活动及主推商品，让客服关注主推商品的销售情况", "", roles.OPERATOR),
    (M, "促销及活动筹备", "平台活动报名与跟进；确认活动产品、页面设计与文案、赠品、优惠券", "", roles.OPERATOR),
    (
        P,
        "导航条检查",
        "核对导航条菜单及二级菜单内容是否准确，过期的导航信息是否已更换，链接是否准确",
        "",
        roles.DESIGNER,
    ),
    (
        P,
        "KV 及 Banner 检查",
        "图片和文字是否匹配，活动价格是否正确，活动是否在有效期内，链接是否准确",
        "",
        roles.DESIGNER,
    ),
    (P, "店铺公告检查", "公告是否准确，有无过期内容，及时更新", "", roles.COPYWRITER),
    (P, "首页橱窗商品丰满性检查", "有无下架商品造成排列空缺", "", roles.DESIGNER),
    (
        P,
        "促销商品图片价格与实际价格核对",
        "标有折扣价格的商品图片上的价格与现价是否相符",
        CheckKey.SHOWN_PRICES,
        roles.DESIGNER,
    ),
    (P, "商品上架分类检查", "商品上架的类目是否准确，调价后商品是否还在折扣类目中", "", roles.OPERATOR),
    (P, "活动结束后页面 100% 检查", "活动结束后页面上不再展示已结束的活动", CheckKey.ENDED_PROMOTIONS, roles.DESIGNER),
    (P, "单品页内容检查", "详情页的图片、文字、价格与库存信息是否准确", "", roles.COPYWRITER),
    (P, "同行竞争店铺首页内容监控", "了解对手的最新活动及新品上架动态", "", roles.OPERATOR),
    (S, "客服上线及离线情况检查", "每天 9 点起客服旺旺都处于在线状态，直至营业结束", "", roles.SERVICE),
    (S, "客服交接情况检查", "交接班的未完成事项已交接清楚", "", roles.SERVICE),
    (
        S,
        "店铺订单发货情况检查",
        "前一天付款订单已全部发货，异常或无货订单及时跟进",
        CheckKey.ORDERS_SHIPPED,
        roles.WAREHOUSE,
    ),
    (S, "投诉维权处理", "及时处理投诉维权，跟踪之前未处理完结的投诉维权", "", roles.SERVICE),
    (S, "退款订单处理", "及时处理退款需求，杜绝发生自动退款", CheckKey.CASES_DEADLINE, roles.SERVICE),
]


def is_manager(user: Any) -> bool:
    """The 店长: the one role holding MANAGE_SHOPS in core.roles' matrix. Asked as a capability, so the
    permission cache the header loads anyway answers it without a query of its own."""
    return roles.holds(user, roles.MANAGE_SHOPS)


def require_manager(user: Any) -> None:
    if not is_manager(user):
        raise PermissionDeniedError(
            _("Only the manager (店长) may change the checklist."), permission="desk.manage_checklist"
        )


def require_role(user: Any) -> None:
    if not (getattr(user, "is_superuser", False) or user_roles(user)):
        raise PermissionDeniedError(_("You need a role in the shop to do this."), permission="desk.use_desk")


# --------------------------------------------------------------------------------------------------------
# The template
# --------------------------------------------------------------------------------------------------------


def ensure_template(shop: Shop) -> bool:
    """Give the shop the worksheet's items on first use; True when it made them. Never again after: items the
    店长 removed stay removed."""
    if ChecklistItem.objects.filter(shop=shop).exists():
        return False
    position: dict[str, int] = {}
    items = []
    for section, title, req, key, role in DEFAULT_ITEMS:
        position[section] = position.get(section, 0) + 1  # numbered 1, 2, 3 … within each section
        items.append(
            ChecklistItem(
                shop=shop,
                section=section,
                position=position[section],
                title=title,
                requirement=req,
                check_key=key,
                role=role,
            )
        )
    ChecklistItem.objects.bulk_create(items)
    return True


def _clean_item(*, title: str, section: str, check_key: str, role: str) -> None:
    from django.core.exceptions import ValidationError

    errors = {}
    if not title.strip():
        errors["title"] = _("Give the item a name.")
    if section not in Section.values:
        errors["section"] = _("Choose a section.")
    if check_key and check_key not in CheckKey.values:
        errors["check_key"] = _("Choose a check from the list.")
    if role and role not in roles.ROLES:
        errors["role"] = _("Choose a role from the list.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_item(
    *, actor: Any, shop: Shop, section: str, title: str, requirement: str = "", check_key: str = "", role: str = ""
) -> ChecklistItem:
    """A new item at the end of its section; today's sheet gets it at once."""
    require_manager(actor)
    _clean_item(title=title, section=section, check_key=check_key, role=role)
    last = ChecklistItem.objects.filter(shop=shop, section=section).aggregate(n=Max("position"))["n"] or 0
    item = ChecklistItem.objects.create(
        shop=shop,
        section=section,
        position=last + 1,
        title=title.strip(),
        requirement=requirement,
        check_key=check_key,
        role=role,
    )
    record_audit(actor=actor, action="checklist_item.create", obj=item, after={"title": item.title, "shop": shop.code})
    return item


@transaction.atomic
def update_item(
    *, actor: Any, item: ChecklistItem, title: str, requirement: str, check_key: str, role: str
) -> ChecklistItem:
    require_manager(actor)
    _clean_item(title=title, section=item.section, check_key=check_key, role=role)
    fields = ("title", "requirement", "check_key", "role")
    before = {name: getattr(item, name) for name in fields}
    item.title, item.requirement, item.check_key, item.role = title.strip(), requirement, check_key, role
    item.save(update_fields=list(fields))
    after = {name: getattr(item, name) for name in fields}
    changed = [name for name in fields if before[name] != after[name]]
    if changed:
        record_audit(
            actor=actor,
            action="checklist_item.update",
            obj=item,
            before={n: before[n] for n in changed},
            after={n: after[n] for n in changed},
        )
    return item


@transaction.atomic
def remove_item(*, actor: Any, item: ChecklistItem) -> ChecklistItem:
    """Off the template; its past days keep their rows (and today's, if ticked already)."""
    require_manager(actor)
    item.is_active = False
    item.save(update_fields=["is_active"])
    record_audit(actor=actor, action="checklist_item.remove", obj=item, before={"is_active": True})
    DayCheck.objects.filter(item=item, outcome=Outcome.OPEN, checked_at__isnull=True).delete()
    return item


@transaction.atomic
def move_item(*, actor: Any, item: ChecklistItem, up: bool) -> ChecklistItem:
    """Swap with the neighbour above (or below) in its section; positions are renumbered 1, 2, 3 … first."""
    require_manager(actor)
    siblings = list(
        ChecklistItem.objects.select_for_update()
        .filter(shop=item.shop, section=item.section, is_active=True)
        .order_by("position", "id")
    )
    index = next(i for i, row in enumerate(siblings) if row.pk == item.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
    for n, row in enumerate(siblings, start=1):
        row.position = n
    ChecklistItem.objects.bulk_update(siblings, ["position"])
    return next(row for row in siblings if row.pk == item.pk)


# --------------------------------------------------------------------------------------------------------
# A day's sheet
# --------------------------------------------------------------------------------------------------------


def open_day(*, shop: Shop, day: date) -> int:
    """Give every item in use a row for the day (idempotent); how many rows it made. Two reads when the day is
    open already; the template is made on the shop's first use."""
    items = list(ChecklistItem.objects.filter(shop=shop, is_active=True).values_list("pk", flat=True))
    if not items and ensure_template(shop):
        items = list(ChecklistItem.objects.filter(shop=shop, is_active=True).values_list("pk", flat=True))
    have = set(DayCheck.objects.filter(item_id__in=items, day=day).values_list("item_id", flat=True))
    missing = [DayCheck(item_id=pk, day=day) for pk in items if pk not in have]
    if missing:
        DayCheck.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


@transaction.atomic
def run_checks(*, shop: Shop, now: datetime | None = None) -> list[DayCheck]:
    """Answer today's automatic items from the data; a failed one becomes a problem with its evidence, a passed
    one done. A person's own note and follow-up on the row are kept."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    open_day(shop=shop, day=day)
    rows = list(
        DayCheck.objects.select_related("item")
        .filter(item__shop=shop, item__is_active=True, day=day)
        .exclude(item__check_key="")
    )
    for row in rows:
        found = CHECKS[row.item.check_key](shop, now)
        row.outcome = Outcome.DONE if found.passed else Outcome.PROBLEM
        row.summary, row.evidence = found.summary[:255], found.evidence
        row.by_system, row.checker, row.checked_at = True, None, now
        row.save(update_fields=["outcome", "summary", "evidence", "by_system", "checker", "checked_at"])
    return rows


@dataclass
class Tick:
    outcome: str
    problem_note: str = ""
    follow_up: Any = None
    result: str = ""


@transaction.atomic
def tick(*, actor: Any, check: DayCheck, tick: Tick, now: datetime | None = None) -> DayCheck:
    """A person marks an item: who and when are recorded (检查人); a problem needs its note (问题记录)."""
    from django.core.exceptions import ValidationError

    require_role(actor)
    if tick.outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose done, problem or not done.")})
    if tick.outcome == Outcome.PROBLEM and not tick.problem_note.strip():
        raise ValidationError({"problem_note": _("Write down the problem.")})
    check.outcome = tick.outcome
    check.problem_note, check.follow_up, check.result = tick.problem_note, tick.follow_up, tick.result
    check.checker, check.checked_at, check.by_system = actor, now or timezone.now(), False
    check.save(update_fields=["outcome", "problem_note", "follow_up", "result", "checker", "checked_at", "by_system"])
    record_audit(actor=actor, action="day_check.tick", obj=check, after={"outcome": check.outcome})
    return check


# --------------------------------------------------------------------------------------------------------
# Tasks
# --------------------------------------------------------------------------------------------------------


@transaction.atomic
def create_task(
    *,
    actor: Any,
    title: str,
    shop: Shop | None = None,
    note: str = "",
    assignee: Any = None,
    role: str = "",
    due_at: datetime | None = None,
    checker: Any = None,
    source: str = TaskSource.HAND,
    day_check: DayCheck | None = None,
    alert_key: str = "",
    alert_url: str = "",
) -> Task:
    from django.core.exceptions import ValidationError

    require_role(actor)
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the task a title.")
    if assignee is None and not role:
        errors["assignee"] = _("Give the task to a person or to a role.")
    if role and role not in roles.ROLES:
        errors["role"] = _("Choose a role from the list.")
    if errors:
        raise ValidationError(errors)
    task = Task.objects.create(
        shop=shop,
        title=title.strip(),
        note=note,
        assignee=assignee,
        role=role,
        due_at=due_at,
        checker=checker,
        source=source,
        day_check=day_check,
        alert_key=alert_key,
        alert_url=alert_url,
        created_by=actor,
    )
    record_audit(actor=actor, action="task.create", obj=task, after={"source": source, "role": role})
    return task


def task_from_check(*, actor: Any, check: DayCheck, due_at: datetime | None = None) -> Task:
    """One click on a failed item: a task to the item's role (or the follow-up person), linked to it, with the
    finding as its note; a second click finds the open task already made."""
    existing = Task.objects.filter(day_check=check, status=TaskStatus.OPEN).first()
    if existing is not None:
        return existing
    item = check.item
    lines = [check.summary or check.problem_note, *(e.get("text", "") for e in check.evidence[:10])]
    return create_task(
        actor=actor,
        shop=item.shop,
        title=_("Fix: %(item)s (%(day)s)") % {"item": item.title, "day": check.day.isoformat()},
        note="\n".join(line for line in lines if line),
        assignee=check.follow_up,
        role="" if check.follow_up else (item.role or roles.MANAGER),
        due_at=due_at,
        checker=actor,
        source=TaskSource.CHECK,
        day_check=check,
    )


def task_from_safety_stock(*, actor: Any, sku: Sku, available: int, due_at: datetime | None = None) -> Task:
    """A safety-stock alert on the desk becomes a restock task for the warehouse (one open task per SKU)."""
    from django.urls import reverse

    key = f"safety_stock:{sku.pk}"
    existing = Task.objects.filter(alert_key=key, status=TaskStatus.OPEN).first()
    if existing is not None:
        return existing
    return create_task(
        actor=actor,
        shop=sku.shop,
        title=_("Restock %(sku)s (%(available)s left, safety stock %(safety)s)")
        % {"sku": sku.code, "available": available, "safety": sku.safety_stock},
        role=roles.WAREHOUSE,
        due_at=due_at,
        checker=actor,
        source=TaskSource.ALERT,
        alert_key=key,
        alert_url=reverse("catalog:sku-detail", args=[sku.pk]),
    )


def may_finish(user: Any, task: Task) -> bool:
    return (
        is_manager(user)
        or task.assignee_id == getattr(user, "pk", None)
        or task.checker_id == getattr(user, "pk", None)
        or (bool(task.role) and task.role in user_roles(user))
    )


@transaction.atomic
def finish_task(*, actor: Any, task: Task, result: str, cancel: bool = False) -> Task:
    if not may_finish(actor, task):
        raise PermissionDeniedError(
            _("Only the task's assignee, its role, its checker or the manager may close it."),
            permission="desk.finish_task",
        )
    task.status = TaskStatus.CANCELLED if cancel else TaskStatus.DONE
    task.result, task.done_by, task.done_at = result, actor, timezone.now()
    task.save(update_fields=["status", "result", "done_by", "done_at"])
    record_audit(actor=actor, action="task.close", obj=task, after={"status": task.status, "result": result})
    return task


# --------------------------------------------------------------------------------------------------------
# What the pictures show
# --------------------------------------------------------------------------------------------------------


@transaction.atomic
def record_shown(
    *,
    actor: Any,
    shop: Shop,
    place: str,
    sku: Sku | None = None,
    price: Decimal | None = None,
    promotion: Promotion | None = None,
    note: str = "",
) -> ShownPrice:
    from django.core.exceptions import ValidationError

    require_role(actor)
    if price is None and promotion is None:
        raise ValidationError({"price": _("Give the price shown, the promotion shown, or both.")})
    if price is not None and sku is None:
        raise ValidationError({"sku": _("Choose the SKU whose price is shown.")})
    if sku is not None and sku.shop_id != shop.pk:
        raise ValidationError({"sku": _("That SKU belongs to another shop.")})
    row = ShownPrice(shop=shop, place=place, sku=sku, price=price, promotion=promotion, note=note, recorded_by=actor)
    row.full_clean()
    row.save()
    record_audit(actor=actor, action="shown_price.record", obj=row, after={"price": price, "place": place})
    return row


@transaction.atomic
def take_down(*, actor: Any, shown: ShownPrice) -> ShownPrice:
    require_role(actor)
    shown.taken_down_at = timezone.now()
    shown.save(update_fields=["taken_down_at"])
    record_audit(actor=actor, action="shown_price.take_down", obj=shown)
    return shown


# --------------------------------------------------------------------------------------------------------
# Bad reviews → 客服 tasks (the desk hooks into market's review import: desk.apps)
# --------------------------------------------------------------------------------------------------------


def tasks_from_bad_reviews(actor: Any, now: datetime | None = None) -> list[Task]:
    """A 客服 task for each bad review that has none yet (any status: a finished task is not made again), due
    market.reviews.BAD_REVIEW_TASK_HOURS after the review's import. Called by the review import (desk.apps)."""
    from django.urls import reverse
    from django.utils.http import urlencode

    from zhanggui.market.reviews import bad_reviews_needing_task

    now = now or timezone.now()
    wanted = bad_reviews_needing_task(now=now)
    have = set(Task.objects.filter(alert_key__in=[b.key for b in wanted]).values_list("alert_key", flat=True))
    made = []
    for bad in wanted:
        if bad.key in have:
            continue
        review = bad.review
        item = review.product.code if review.product else review.item_id
        made.append(
            create_task(
                actor=actor,
                shop=review.shop,
                title=_("Bad review of %(item)s: %(text)s") % {"item": item, "text": review.text[:60] or "—"},
                note="\n".join(
                    line
                    for line in (review.text, review.buyer, review.order_no and f"#{review.order_no}", review.sku_text)
                    if line
                ),
                role=roles.SERVICE,
                due_at=bad.due_at,
                source=TaskSource.ALERT,
                alert_key=bad.key,
                alert_url=f"{reverse('market:reviews')}?{urlencode({'shop': review.shop.code, 'item': item})}",
            )
        )
    return made
