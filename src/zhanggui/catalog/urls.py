from django.urls import path

from zhanggui.catalog import views

app_name = "catalog"
# The SKU page's stock forms (catalog:sku-adjust, catalog:sku-transfer) are inventory's views: zhanggui/urls.py
# adds inventory.urls.catalog_urlpatterns to this namespace, since the catalog may not import inventory.
urlpatterns = [
    path("", views.product_list, name="product-list"),
    path("products/batch/", views.product_batch, name="product-batch"),
    path("products/<int:pk>/", views.product_detail, name="product-detail"),
    path("products/<int:pk>/edit/", views.product_edit, name="product-edit"),
    path("products/<int:pk>/listing/", views.product_listing, name="product-listing"),
    path("products/<int:pk>/images/", views.product_images, name="product-images"),
    path("images/<int:pk>/main/", views.image_main, name="image-main"),
    path("images/<int:pk>/move/", views.image_move, name="image-move"),
    path("images/<int:pk>/sku/", views.image_sku, name="image-sku"),
    path("images/<int:pk>/delete/", views.image_delete, name="image-delete"),
    path("skus/<int:pk>/", views.sku_detail, name="sku-detail"),
    path("skus/<int:pk>/price/", views.sku_price, name="sku-price"),
    path("skus/<int:pk>/edit/", views.sku_edit, name="sku-edit"),
    path("skus/<int:pk>/listing/", views.sku_listing, name="sku-listing"),
]
