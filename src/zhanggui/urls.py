from django.contrib import admin
from django.urls import include, path

from zhanggui.api import api
from zhanggui.catalog import urls as catalog_urls
from zhanggui.core.media import media_file
from zhanggui.inventory import urls as inventory_urls

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("zhanggui.desk.urls")),
    path("", include("zhanggui.core.urls")),
    # The catalog's pages and, under its names, the SKU page's stock forms that inventory books (the catalog
    # sits below inventory and may not import it, so they meet here).
    path("catalog/", include((catalog_urls.urlpatterns + inventory_urls.catalog_urlpatterns, "catalog"))),
    path("inventory/", include("zhanggui.inventory.urls")),
    path("orders/", include("zhanggui.orders.urls")),
    path("messages/", include("zhanggui.messaging.urls")),
    path("aftersales/", include("zhanggui.aftersales.urls")),
    path("promotions/", include("zhanggui.promotions.urls")),
    path("approvals/", include("zhanggui.approvals.urls")),
    path("analytics/", include("zhanggui.analytics.urls")),
    path("planning/", include("zhanggui.planning.urls")),
    path("market/", include("zhanggui.market.urls")),
    path("members/", include("zhanggui.members.urls")),  # members, segments, repurchase: docs/members.md
    # Uploaded files, for logged-in people only (core.media); MEDIA_URL is "media/".
    path("media/<path:path>", media_file, name="media"),
]
