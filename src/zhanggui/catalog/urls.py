from django.urls import path

from zhanggui.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.product_list, name="product-list"),
    path("products/<int:pk>/", views.product_detail, name="product-detail"),
    path("products/<int:pk>/edit/", views.product_edit, name="product-edit"),
    path("products/<int:pk>/listing/", views.product_listing, name="product-listing"),
    path("skus/<int:pk>/", views.sku_detail, name="sku-detail"),
    path("skus/<int:pk>/price/", views.sku_price, name="sku-price"),
    path("skus/<int:pk>/edit/", views.sku_edit, name="sku-edit"),
    path("skus/<int:pk>/listing/", views.sku_listing, name="sku-listing"),
    path("skus/<int:pk>/adjust/", views.sku_adjust, name="sku-adjust"),
    path("skus/<int:pk>/transfer/", views.sku_transfer, name="sku-transfer"),
]
