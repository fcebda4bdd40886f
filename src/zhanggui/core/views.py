from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from zhanggui.core.middleware import SESSION_KEY, SUPPORTED
from zhanggui.core.models import AuditEntry
from zhanggui.core.services import set_user_language


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The desk's front page: today's stock worries at a glance."""
    from zhanggui.catalog.models import ListingStatus, Product, Sku
    from zhanggui.inventory.models import PurchaseOrder, PurchaseStatus
    from zhanggui.inventory.selectors import safety_stock_alerts

    alerts = safety_stock_alerts()
    context = {
        "products_listed": Product.objects.filter(listing_status=ListingStatus.LISTED).count(),
        "products_total": Product.objects.count(),
        "skus_total": Sku.objects.count(),
        "skus_out_of_stock": Sku.objects.filter(delist_reason="out_of_stock").count(),
        "alerts": alerts[:10],
        "alert_count": len(alerts),
        "open_purchase_orders": PurchaseOrder.objects.filter(
            status__in=[PurchaseStatus.ORDERED, PurchaseStatus.PARTIAL]
        ).count(),
    }
    return render(request, "core/home.html", context)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    if language in SUPPORTED:
        request.session[SESSION_KEY] = language
        if request.user.is_authenticated:
            set_user_language(user=request.user, language=language)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    entries = AuditEntry.objects.select_related("actor")
    if request.GET.get("type"):
        entries = entries.filter(object_type=request.GET["type"])
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_list.html", {"page": page})
