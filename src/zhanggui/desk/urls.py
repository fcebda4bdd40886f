from django.urls import path

from zhanggui.desk import views

# No namespace: "home" is the name the login redirect, the header and the 403 page have always used; the desk's
# other pages are named desk-….
urlpatterns = [
    path("", views.home, name="home"),
    path("desk/cards/<str:name>/", views.morning_card, name="desk-card"),
    path("desk/stock/", views.stock, name="desk-stock"),
    path("desk/checklist/", views.checklist, name="desk-checklist"),
    path("desk/checklist/sheet/", views.checklist_sheet, name="desk-sheet"),
    path("desk/checklist/check-again/", views.check_again, name="desk-check-again"),
    path("desk/checklist/rows/<int:pk>/", views.tick, name="desk-tick"),
    path("desk/checklist/rows/<int:pk>/task/", views.task_from_check, name="desk-task-from-check"),
    path("desk/checklist/items/", views.template, name="desk-template"),
    path("desk/checklist/items/<int:pk>/", views.item_history, name="desk-item-history"),
    path("desk/checklist/items/<int:pk>/edit/", views.item_edit, name="desk-item-edit"),
    path("desk/checklist/items/<int:pk>/<str:action>/", views.item_action, name="desk-item-action"),
    path("desk/tasks/", views.task_list, name="desk-task-list"),
    path("desk/tasks/rows/", views.task_rows, name="desk-task-rows"),
    path("desk/tasks/new/", views.task_new, name="desk-task-new"),
    path("desk/tasks/<int:pk>/", views.task_detail, name="desk-task-detail"),
    path("desk/tasks/from-alert/<int:sku_pk>/", views.task_from_alert, name="desk-task-from-alert"),
    path("desk/shown/", views.shown_list, name="desk-shown"),
    path("desk/shown/rows/", views.shown_rows, name="desk-shown-rows"),
    path("desk/shown/<int:pk>/take-down/", views.shown_take_down, name="desk-shown-take-down"),
]
