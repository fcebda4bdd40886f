"""The desk's pages: the morning page of each role (the front page), the daily checklist with its template and
history, the tasks, the prices shown on pictures, and the stock overview. Views parse, call one service, render."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.catalog.models import Shop
from zhanggui.core import roles
from zhanggui.core.edges import FORM_ERROR, form_errors, guarded, message_errors, safe_next
from zhanggui.desk import morning, selectors, services
from zhanggui.desk.forms import FinishForm, ItemForm, ShownForm, TaskForm, TickForm
from zhanggui.desk.models import ChecklistItem, DayCheck, Section, ShownPrice, Task, TaskStatus
from zhanggui.inventory.selectors import available_by_sku


def _role_of(request: HttpRequest) -> str:
    """The morning shown: the person's first role; a 店长 may ask for any role's (?role=)."""
    mine = selectors.user_roles(request.user)
    asked = request.GET.get("role", "")
    if asked in roles.ROLES and (roles.MANAGER in mine or request.user.is_superuser):
        return asked
    return mine[0] if mine else roles.MANAGER


def _fragment(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """A part of a page for htmx, rendered without the context processors: the header's figures (roles, nav,
    the approvals badge) are the page's, not the part's, so a part costs only its own queries."""
    context = {**context, "csrf_token": get_token(request), "request": request, "user": request.user}
    return HttpResponse(render_to_string(template, context), status=status)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The morning of the person's role; the 店长 switches between the roles' mornings with the tabs. The cards
    load themselves (htmx), each in its own request."""
    role = _role_of(request)
    return render(
        request,
        "desk/home.html",
        {
            "role": role,
            "role_label": roles.ROLE_LABELS[role],
            "role_tabs": list(roles.ROLE_LABELS.items()) if services.is_manager(request.user) else [],
            "main_cards": morning.cards_for(role)[:-1],
        },
    )


@login_required
def morning_card(request: HttpRequest, name: str) -> HttpResponse:
    if name not in (*morning.CARDS, "mine"):
        raise Http404
    role = _role_of(request)
    if name != "mine" and name not in morning.cards_for(role):
        raise Http404
    now = timezone.now()
    own = role in selectors.user_roles(request.user)
    context = morning.card(name, role=role, user=request.user if own else None, now=now)
    return _fragment(request, f"desk/morning/_{name}.html", {**context, "now": now, "role": role})


@login_required
def stock(request: HttpRequest) -> HttpResponse:
    """Today's stock worries at a glance (the desk's former front page)."""
    return render(request, "desk/stock.html", selectors.today())


# --------------------------------------------------------------------------------------------------------
# The checklist
# --------------------------------------------------------------------------------------------------------


def _day(request: HttpRequest) -> date:
    try:
        return date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return timezone.localdate()


def _sheet_day(request: HttpRequest) -> tuple[date, date]:
    today = timezone.localdate()
    return min(_day(request), today), today


@login_required
def checklist(request: HttpRequest) -> HttpResponse:
    """A shop's sheet for a day (today by default); the rows load themselves (the sheet part below)."""
    shops = selectors.shops()
    shop = selectors.shop_for(request.GET.get("shop"), shops)
    if shop is None:
        raise Http404(_("No shop yet."))
    day, today = _sheet_day(request)
    return render(
        request,
        "desk/checklist.html",
        {
            "shop": shop,
            "shops": shops,
            "day": day,
            "is_today": day == today,
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1) if day < today else None,
            "is_manager": services.is_manager(request.user),
        },
    )


@login_required
def checklist_sheet(request: HttpRequest) -> HttpResponse:
    """The sheet's rows by section. Today's rows are made on the first visit of the day, and today's automatic
    items answered then (the first visit writes; every later one only reads)."""
    shop = get_object_or_404(Shop, code=request.GET.get("shop", ""))
    day, today = _sheet_day(request)
    if day == today:
        services.open_day(shop=shop, day=day)
    rows = selectors.sheet(shop=shop, day=day)
    if day == today and selectors.needs_system_run(rows):
        services.run_checks(shop=shop)
        rows = selectors.sheet(shop=shop, day=day)
    return _fragment(
        request,
        "desk/_sheet.html",
        {
            "shop": shop,
            "day": day,
            "is_today": day == today,
            "sections": [(Section(key).label, rows[key]) for key in Section.values],
            "counts": selectors.sheet_counts(rows),
        },
    )


@login_required
@guarded
@require_POST
def check_again(request: HttpRequest) -> HttpResponse:
    shop = selectors.shop_for(request.POST.get("shop"), selectors.shops())
    if shop is not None:
        services.require_role(request.user)
        services.run_checks(shop=shop)
        messages.success(request, _("The system checked its items again."))
    return redirect(f"{reverse('desk-checklist')}?shop={shop.code if shop else ''}")


@login_required
@guarded
def tick(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the row's form opens in place (GET) and is saved in place (POST), with the person and the time."""
    row = get_object_or_404(DayCheck.objects.select_related("item__shop", "checker", "follow_up"), pk=pk)
    if request.method != "POST":
        initial = {
            "outcome": row.outcome if row.outcome != "open" else "done",
            "problem_note": row.problem_note,
            "follow_up": row.follow_up_id,
            "result": row.result,
        }
        form = TickForm(initial=initial)
        return _fragment(request, "desk/_row.html", {"row": row, "form": form, "editing": True})
    form = TickForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with form_errors(form) as outcome:
            services.tick(
                actor=request.user,
                check=row,
                tick=services.Tick(data["outcome"], data["problem_note"], data["follow_up"], data["result"]),
            )
        if outcome.ok:
            if not request.htmx:
                return redirect(f"{reverse('desk-checklist')}?shop={row.item.shop.code}&day={row.day}")
            fresh = selectors.day_check(pk)
            counts = selectors.day_counts(shop=fresh.item.shop, day=fresh.day)
            return _fragment(request, "desk/_ticked.html", {"row": fresh, "editing": False, "counts": counts})
    return _fragment(request, "desk/_row.html", {"row": row, "form": form, "editing": True}, status=FORM_ERROR)


@login_required
def item_history(request: HttpRequest, pk: int) -> HttpResponse:
    """An item's past days, the newest first (the item read with its rows: one query when it has any)."""
    rows = selectors.item_history(pk)
    item = rows[0].item if rows else get_object_or_404(ChecklistItem.objects.select_related("shop"), pk=pk)
    return render(request, "desk/item_history.html", {"item": item, "rows": rows})


@login_required
@guarded
def template(request: HttpRequest) -> HttpResponse:
    """The 店长 edits the shop's checklist: add, rename, give to a role, move up and down, remove."""
    services.require_manager(request.user)
    code = request.GET.get("shop") or request.POST.get("shop") or ""
    items = selectors.template_items(code)
    if items is None:
        shop = get_object_or_404(Shop, code=code) if code else Shop.objects.order_by("code").first()
        if shop is None:
            raise Http404(_("No shop yet."))
        services.ensure_template(shop)
        items = selectors.template_items(shop.code) or (shop, {key: [] for key in Section.values})
    shop, by_section = items
    form = ItemForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form) as outcome:
            services.add_item(actor=request.user, shop=shop, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, _("Item added."))
            return redirect(f"{reverse('desk-template')}?shop={shop.code}")
    return render(
        request,
        "desk/template.html",
        {
            "shop": shop,
            "form": form,
            "sections": [(Section(key).label, by_section[key]) for key in Section.values],
        },
        status=FORM_ERROR if form.errors else 200,
    )


@login_required
@guarded
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    services.require_manager(request.user)
    item = get_object_or_404(ChecklistItem.objects.select_related("shop"), pk=pk)
    initial = {k: getattr(item, k) for k in ("section", "title", "requirement", "check_key", "role")}
    form = ItemForm(request.POST if request.method == "POST" else None, initial=initial)
    form.fields["section"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with form_errors(form) as outcome:
            services.update_item(
                actor=request.user,
                item=item,
                title=data["title"],
                requirement=data["requirement"],
                check_key=data["check_key"],
                role=data["role"],
            )
        if outcome.ok:
            messages.success(request, _("Item saved."))
            return redirect(f"{reverse('desk-template')}?shop={item.shop.code}")
    return render(
        request, "desk/item_edit.html", {"item": item, "form": form}, status=FORM_ERROR if form.errors else 200
    )


@login_required
@guarded
@require_POST
def item_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    item = get_object_or_404(ChecklistItem.objects.select_related("shop"), pk=pk)
    with message_errors(request):
        if action == "remove":
            services.remove_item(actor=request.user, item=item)
            messages.success(request, _("Item removed; its past days are kept."))
        elif action in ("up", "down"):
            services.move_item(actor=request.user, item=item, up=action == "up")
        else:
            raise Http404
    return redirect(f"{reverse('desk-template')}?shop={item.shop.code}")


# --------------------------------------------------------------------------------------------------------
# Tasks
# --------------------------------------------------------------------------------------------------------


def _task_filters(request: HttpRequest, is_manager: bool) -> tuple[str, str]:
    scope = request.GET.get("scope", selectors.MINE)
    if scope not in (selectors.MINE, selectors.ROLE, selectors.ALL) or (scope == selectors.ALL and not is_manager):
        scope = selectors.MINE
    status = request.GET.get("status", TaskStatus.OPEN)
    if status not in (*TaskStatus.values, "any"):
        status = TaskStatus.OPEN
    return scope, status


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    """Mine, my role's, or everyone's (the 店长); the rows load themselves (task_rows)."""
    is_manager = services.is_manager(request.user)
    scope, status = _task_filters(request, is_manager)
    return render(
        request,
        "desk/task_list.html",
        {"scope": scope, "status": status, "is_manager": is_manager, "statuses": TaskStatus.choices},
    )


@login_required
def task_rows(request: HttpRequest) -> HttpResponse:
    mine = selectors.user_roles(request.user)
    scope, status = _task_filters(request, roles.MANAGER in mine or request.user.is_superuser)
    rows = list(selectors.tasks_for(request.user, scope=scope, status="" if status == "any" else status)[:200])
    now = timezone.now()
    for task in rows:
        task.overdue = task.is_overdue_at(now)
    return _fragment(request, "desk/_task_rows.html", {"tasks": rows, "overdue_count": sum(t.overdue for t in rows)})


@login_required
@guarded
def task_new(request: HttpRequest) -> HttpResponse:
    form = TaskForm(request.POST if request.method == "POST" else None, people=list(selectors.people()))
    if request.method == "POST" and form.is_valid():
        with form_errors(form) as outcome:
            task = services.create_task(actor=request.user, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, _("Task created."))
            return redirect("desk-task-detail", pk=task.pk)
    return render(request, "desk/task_form.html", {"form": form}, status=FORM_ERROR if form.errors else 200)


@login_required
@guarded
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(
        Task.objects.select_related("shop", "assignee", "checker", "created_by", "done_by", "day_check__item"), pk=pk
    )
    form = FinishForm(request.POST if request.method == "POST" else None, initial={"result": task.result})
    if request.method == "POST" and form.is_valid():
        with form_errors(form) as outcome:
            services.finish_task(
                actor=request.user, task=task, result=form.cleaned_data["result"], cancel="cancel" in request.POST
            )
        if outcome.ok:
            messages.success(request, _("Task closed."))
            return redirect("desk-task-detail", pk=task.pk)
    return render(
        request,
        "desk/task_detail.html",
        {"task": task, "form": form, "may_finish": services.may_finish(request.user, task)},
        status=FORM_ERROR if form.errors else 200,
    )


@login_required
@guarded
@require_POST
def task_from_check(request: HttpRequest, pk: int) -> HttpResponse:
    """One click on a failed item: a task linked to it (the open one, when made already)."""
    row = get_object_or_404(DayCheck.objects.select_related("item__shop", "follow_up"), pk=pk)
    task = services.task_from_check(actor=request.user, check=row)
    messages.success(request, _("Task created from the check."))
    return redirect("desk-task-detail", pk=task.pk)


@login_required
@guarded
@require_POST
def task_from_alert(request: HttpRequest, sku_pk: int) -> HttpResponse:
    """A safety-stock alert becomes a restock task for the warehouse."""
    from zhanggui.catalog.models import Sku

    sku = get_object_or_404(Sku.objects.select_related("shop"), pk=sku_pk)
    available = available_by_sku([sku.pk])[sku.pk]
    task = services.task_from_safety_stock(actor=request.user, sku=sku, available=available)
    messages.success(request, _("Task created from the alert."))
    return redirect("desk-task-detail", pk=task.pk)


# --------------------------------------------------------------------------------------------------------
# What the pictures show
# --------------------------------------------------------------------------------------------------------


@login_required
def shown_list(request: HttpRequest) -> HttpResponse:
    """Prices and promotions on the shop's pictures and pages: written down when they go up, the system checks
    them every morning against the engine and the promotions' windows. The list and its form load as a part."""
    shops = selectors.shops()
    shop = selectors.shop_for(request.GET.get("shop"), shops)
    if shop is None:
        raise Http404(_("No shop yet."))
    return render(request, "desk/shown.html", {"shop": shop, "shops": shops})


@login_required
@guarded
def shown_rows(request: HttpRequest) -> HttpResponse:
    """The list and the form (htmx): a saved row comes back in the list, a refused one with its errors."""
    shop = get_object_or_404(Shop, code=request.GET.get("shop") or request.POST.get("shop") or "")
    form = ShownForm(request.POST if request.method == "POST" else None, shop=shop)
    saved = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with form_errors(form) as outcome:
            services.record_shown(
                actor=request.user,
                shop=shop,
                place=data["place"],
                sku=data["sku_code"],
                price=data["price"],
                promotion=data["promotion"],
                note=data["note"],
            )
        if outcome.ok:
            saved, form = True, ShownForm(shop=shop)
    rows = list(
        ShownPrice.objects.filter(shop=shop, taken_down_at__isnull=True).select_related(
            "sku", "promotion", "recorded_by"
        )
    )
    return _fragment(
        request,
        "desk/_shown_rows.html",
        {"shop": shop, "form": form, "rows": rows, "saved": saved},
        status=FORM_ERROR if form.errors else 200,
    )


@login_required
@guarded
@require_POST
def shown_take_down(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(ShownPrice.objects.select_related("shop"), pk=pk)
    services.take_down(actor=request.user, shown=row)
    messages.success(request, _("Marked as taken down."))
    return redirect(safe_next(request, f"{reverse('desk-shown')}?shop={row.shop.code}"))
