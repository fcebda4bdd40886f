from django.urls import path

from zhanggui.orders import views, wave_urls

app_name = "orders"
urlpatterns = [
    path("", views.order_list, name="order-list"),
    path("batch/", views.order_batch, name="order-batch"),
    path("import/", views.order_import, name="order-import"),
    path("sla/", views.sla_board, name="sla-board"),
    path("desk-card/", views.desk_card, name="desk-card"),
    path("<int:pk>/", views.order_detail, name="order-detail"),
    path("<int:pk>/review/", views.order_review, name="order-review"),
    path("<int:pk>/allocate/", views.order_allocate, name="order-allocate"),
    path("<int:pk>/hold/", views.order_hold, name="order-hold"),
    path("<int:pk>/release/", views.order_release, name="order-release"),
    path("<int:pk>/merge/", views.order_merge, name="order-merge"),
    path("<int:pk>/unmerge/", views.order_unmerge, name="order-unmerge"),
    path("<int:pk>/split/", views.order_split, name="order-split"),
    path("<int:pk>/join/", views.order_join, name="order-join"),
    path("<int:pk>/cancel/", views.order_cancel, name="order-cancel"),
    path("<int:pk>/ship/", views.order_ship, name="order-ship"),
]
urlpatterns += wave_urls.urlpatterns  # waves, packing and shipping (orders/wave_views.py)
