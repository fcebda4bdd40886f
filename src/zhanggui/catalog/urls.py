from django.urls import path

from zhanggui.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.product_list, name="product-list"),
    path("products/<int:pk>/", views.product_detail, name="product-detail"),
    path("skus/<int:pk>/", views.sku_detail, name="sku-detail"),
]
