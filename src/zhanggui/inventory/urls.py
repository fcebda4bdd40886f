from django.urls import path

from zhanggui.inventory import views

app_name = "inventory"
urlpatterns = [
    path("", views.stock_list, name="stock-list"),
    path("batch/", views.stock_batch, name="stock-batch"),
    path("documents/<path:number>/", views.document, name="document"),
    path("purchases/", views.purchase_list, name="purchase-list"),
    path("purchases/batch/", views.purchase_batch, name="purchase-batch"),
    path("purchases/new/", views.purchase_create, name="purchase-create"),
    path("purchases/from-alerts/", views.purchase_from_alerts, name="purchase-from-alerts"),
    path("purchases/sku-search/", views.purchase_sku_search, name="purchase-sku-search"),
    path("purchases/<int:pk>/", views.purchase_detail, name="purchase-detail"),
    path("purchases/<int:pk>/receive/", views.purchase_receive, name="purchase-receive"),
    path("purchases/<int:pk>/print/", views.purchase_print, name="purchase-print"),
    path("purchases/<int:pk>/receipts/<int:index>/print/", views.purchase_receipt_print, name="purchase-receipt-print"),
    path("purchases/<int:pk>/return/", views.purchase_return, name="purchase-return"),
    path("purchases/<int:pk>/close/", views.purchase_close, name="purchase-close"),
    path("purchases/<int:pk>/place/", views.purchase_place, name="purchase-place"),
    path("stocktakes/", views.stocktake_list, name="stocktake-list"),
    path("stocktakes/batch/", views.stocktake_batch, name="stocktake-batch"),
    path("stocktakes/<int:pk>/", views.stocktake_detail, name="stocktake-detail"),
    path("stocktakes/<int:pk>/counts/", views.stocktake_counts, name="stocktake-counts"),
    path("stocktakes/<int:pk>/counts/<int:sku_id>/", views.stocktake_count_line, name="stocktake-count-line"),
    path("stocktakes/<int:pk>/add/", views.stocktake_add_line, name="stocktake-add-line"),
    path("stocktakes/<int:pk>/upload/", views.stocktake_upload, name="stocktake-upload"),
    path("stocktakes/<int:pk>/scan/", views.stocktake_scan, name="stocktake-scan"),
    path("stocktakes/<int:pk>/print/", views.stocktake_print, name="stocktake-print"),
    path("stocktakes/<int:pk>/book/", views.stocktake_book, name="stocktake-book"),
    path("stocktakes/<int:pk>/cancel/", views.stocktake_cancel, name="stocktake-cancel"),
    path("alerts/", views.alert_list, name="alert-list"),
]
