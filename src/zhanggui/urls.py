from django.contrib import admin
from django.urls import include, path

from zhanggui.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("zhanggui.core.urls")),
    path("catalog/", include("zhanggui.catalog.urls")),
    path("inventory/", include("zhanggui.inventory.urls")),
    path("promotions/", include("zhanggui.promotions.urls")),
]
