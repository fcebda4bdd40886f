"""URLs of the wave, packing and shipping pages; included by orders/urls.py under its `orders` namespace
(the names start with wave-, packing, ship-, tracking-)."""

from django.urls import path

from zhanggui.orders import wave_views as views

urlpatterns = [
    path("waves/", views.wave_list, name="wave-list"),
    path("waves/cutoffs/", views.wave_cutoffs, name="wave-cutoffs"),
    path("waves/<int:pk>/", views.wave_detail, name="wave-detail"),
    path("waves/<int:pk>/start/", views.wave_start, name="wave-start"),
    path("waves/<int:pk>/pick-list/", views.wave_pick_print, name="wave-pick-print"),
    path("waves/<int:pk>/pick-list.xlsx", views.wave_pick_xlsx, name="wave-pick-xlsx"),
    path("packing/", views.packing_find, name="packing-find"),
    path("packing/<int:pk>/", views.packing_screen, name="packing"),
    path("packing/<int:pk>/scan/", views.packing_scan, name="packing-scan"),
    path("packing/<int:pk>/reset/", views.packing_reset, name="packing-reset"),
    path("packing/<int:pk>/ship/", views.packing_ship, name="packing-ship"),
    path("shipping/upload/", views.ship_upload, name="ship-upload"),
    path("shipping/tracking/", views.tracking_export, name="tracking-export"),
]
