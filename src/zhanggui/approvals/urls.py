from django.urls import path

from zhanggui.approvals import views
from zhanggui.approvals.selectors import COMPENSATIONS, PRICES, PROMOTIONS

app_name = "approvals"
urlpatterns = [
    path("", views.approval_list, name="list"),
    path("prices/<int:pk>/", views.price_change_detail, name="price-change"),
    path("prices/<int:pk>/decide/", views.decide, {"kind": PRICES}, name="price-change-decide"),
    path("promotions/<int:pk>/", views.promotion_detail, name="promotion"),
    path("promotions/<int:pk>/decide/", views.decide, {"kind": PROMOTIONS}, name="promotion-decide"),
    path("compensations/<int:pk>/", views.compensation_detail, name="compensation"),
    path("compensations/<int:pk>/decide/", views.decide, {"kind": COMPENSATIONS}, name="compensation-decide"),
]
