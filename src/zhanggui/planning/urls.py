from django.urls import path

from zhanggui.planning import views

app_name = "planning"
urlpatterns = [
    path("", views.plan_page, name="plan"),
    path("create/", views.plan_create, name="plan-create"),
    path("<int:pk>/month/<int:month>/", views.month_save, name="month-save"),
    path("<int:pk>/approve/", views.plan_approve, name="plan-approve"),
]
