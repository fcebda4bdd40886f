from django.urls import path

from zhanggui.analytics import report_views, views

app_name = "analytics"
urlpatterns = [
    path("events/import/", views.events_import, name="events-import"),
    path("reports/import/", report_views.reports_import, name="reports-import"),
]
