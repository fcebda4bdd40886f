"""What the one-shop analytics pages (diagnosis, store health) share: the shop a request names."""

from __future__ import annotations

from django.http import HttpRequest

from zhanggui.catalog.models import Shop


def shop_asked(request: HttpRequest) -> Shop | None:
    """The shop of `?shop=` (a page) or of the form's `shop_code` (a post); the first shop by code without one."""
    code = request.GET.get("shop") or request.POST.get("shop_code")
    shops = Shop.objects.order_by("code")
    return shops.filter(code=code).first() if code else shops.first()
