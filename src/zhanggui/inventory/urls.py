from django.urls import path

from zhanggui.inventory import views
from zhanggui.inventory.purchasing import views as purchasing
from zhanggui.inventory.stocktakes import views as stocktakes

app_name = "inventory"
urlpatterns = [
    path("", views.stock_list, name="stock-list"),
    path("batch/", views.stock_batch, name="stock-batch"),
    path("<int:pk>/location/", views.stock_location, name="stock-location"),
    path("locations/import/", views.location_import, name="location-import"),
    path("documents/<path:number>/", views.document, name="document"),
    path("purchases/", purchasing.purchase_list, name="purchase-list"),
    path("purchases/batch/", purchasing.purchase_batch, name="purchase-batch"),
    path("purchases/new/", purchasing.purchase_create, name="purchase-create"),
    path("purchases/from-alerts/", purchasing.purchase_from_alerts, name="purchase-from-alerts"),
    path("purchases/sku-search/", purchasing.purchase_sku_search, name="purchase-sku-search"),
    path("purchases/<int:pk>/", purchasing.purchase_detail, name="purchase-detail"),
    path("purchases/<int:pk>/receive/", purchasing.purchase_receive, name="purchase-receive"),
    path("purchases/<int:pk>/print/", purchasing.purchase_print, name="purchase-print"),
    path(
        "purchases/<int:pk>/receipts/<int:index>/print/",
        purchasing.purchase_receipt_print,
        name="purchase-receipt-print",
    ),
    path("purchases/<int:pk>/return/", purchasing.purchase_return, name="purchase-return"),
    path("purchases/<int:pk>/close/", purchasing.purchase_close, name="purchase-close"),
    path("purchases/<int:pk>/place/", purchasing.purchase_place, name="purchase-place"),
    path("stocktakes/", stocktakes.stocktake_list, name="stocktake-list"),
    path("stocktakes/batch/", stocktakes.stocktake_batch, name="stocktake-batch"),
    path("stocktakes/<int:pk>/", stocktakes.stocktake_detail, name="stocktake-detail"),
    path("stocktakes/<int:pk>/counts/", stocktakes.stocktake_counts, name="stocktake-counts"),
    path("stocktakes/<int:pk>/counts/<int:sku_id>/", stocktakes.stocktake_count_line, name="stocktake-count-line"),
    path("stocktakes/<int:pk>/add/", stocktakes.stocktake_add_line, name="stocktake-add-line"),
    path("stocktakes/<int:pk>/upload/", stocktakes.stocktake_upload, name="stocktake-upload"),
    path("stocktakes/<int:pk>/scan/", stocktakes.stocktake_scan, name="stocktake-scan"),
    path("stocktakes/<int:pk>/print/", stocktakes.stocktake_print, name="stocktake-print"),
    path("stocktakes/<int:pk>/book/", stocktakes.stocktake_book, name="stocktake-book"),
    path("stocktakes/<int:pk>/cancel/", stocktakes.stocktake_cancel, name="stocktake-cancel"),
    path("alerts/", views.alert_list, name="alert-list"),
]

# The stock forms of the catalog's SKU page (inventory.sku_panel), served under the catalog's URLs and names
# (/catalog/skus/<pk>/adjust/ is catalog:sku-adjust): zhanggui/urls.py adds them to the catalog namespace.
catalog_urlpatterns = [
    path("skus/<int:pk>/adjust/", views.sku_adjust, name="sku-adjust"),
    path("skus/<int:pk>/transfer/", views.sku_transfer, name="sku-transfer"),
]
