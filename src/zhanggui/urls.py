from django.contrib import admin
from django.urls import include, path

from zhanggui.api import api
from zhanggui.core.media import media_file

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("zhanggui.core.urls")),
    path("catalog/", include("zhanggui.catalog.urls")),
    path("inventory/", include("zhanggui.inventory.urls")),
    path("orders/", include("zhanggui.orders.urls")),
    path("messages/", include("zhanggui.messaging.urls")),
    path("aftersales/", include("zhanggui.aftersales.urls")),
    path("promotions/", include("zhanggui.promotions.urls")),
    path("approvals/", include("zhanggui.approvals.urls")),
    path("analytics/", include("zhanggui.analytics.urls")),
    # Uploaded files, for logged-in people only (core.media); MEDIA_URL is "media/".
    path("media/<path:path>", media_file, name="media"),
]
