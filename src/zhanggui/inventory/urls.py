from django.urls import path

from zhanggui.inventory import views

app_name = "inventory"
urlpatterns = [
    path("", views.stock_list, name="stock-list"),
    path("purchases/", views.purchase_list, name="purchase-list"),
    path("purchases/<int:pk>/", views.purchase_detail, name="purchase-detail"),
    path("stocktakes/", views.stocktake_list, name="stocktake-list"),
    path("stocktakes/<int:pk>/", views.stocktake_detail, name="stocktake-detail"),
    path("alerts/", views.alert_list, name="alert-list"),
]
