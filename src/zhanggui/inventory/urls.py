from django.urls import path

from zhanggui.inventory import views

app_name = "inventory"
urlpatterns = [
    path("", views.stock_list, name="stock-list"),
    path("documents/<path:number>/", views.document, name="document"),
    path("purchases/", views.purchase_list, name="purchase-list"),
    path("purchases/new/", views.purchase_create, name="purchase-create"),
    path("purchases/<int:pk>/", views.purchase_detail, name="purchase-detail"),
    path("purchases/<int:pk>/receive/", views.purchase_receive, name="purchase-receive"),
    path("purchases/<int:pk>/return/", views.purchase_return, name="purchase-return"),
    path("purchases/<int:pk>/close/", views.purchase_close, name="purchase-close"),
    path("purchases/<int:pk>/place/", views.purchase_place, name="purchase-place"),
    path("stocktakes/", views.stocktake_list, name="stocktake-list"),
    path("stocktakes/<int:pk>/", views.stocktake_detail, name="stocktake-detail"),
    path("stocktakes/<int:pk>/counts/", views.stocktake_counts, name="stocktake-counts"),
    path("stocktakes/<int:pk>/counts/<int:sku_id>/", views.stocktake_count_line, name="stocktake-count-line"),
    path("stocktakes/<int:pk>/add/", views.stocktake_add_line, name="stocktake-add-line"),
    path("stocktakes/<int:pk>/upload/", views.stocktake_upload, name="stocktake-upload"),
    path("stocktakes/<int:pk>/book/", views.stocktake_book, name="stocktake-book"),
    path("stocktakes/<int:pk>/cancel/", views.stocktake_cancel, name="stocktake-cancel"),
    path("alerts/", views.alert_list, name="alert-list"),
]
