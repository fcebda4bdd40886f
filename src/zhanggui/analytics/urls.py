from django.urls import path

from zhanggui.analytics import dashboard_views, report_views, views
from zhanggui.analytics.diagnosis import views as diagnosis_views
from zhanggui.analytics.health import views as health_views

app_name = "analytics"
urlpatterns = [
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("pnl/", dashboard_views.sku_pnl, name="sku-pnl"),
    path("items/", dashboard_views.items_page, name="items"),
    path("costs/", dashboard_views.costs_page, name="costs"),
    path("costs/<int:pk>/", dashboard_views.costs_save, name="costs-save"),
    path("costs/target/", dashboard_views.target_save, name="target-save"),
    path("plotly.min.js", dashboard_views.plotly_js, name="plotly-js"),
    path("events/import/", views.events_import, name="events-import"),
    path("reports/import/", report_views.reports_import, name="reports-import"),
    path("diagnosis/", diagnosis_views.diagnosis, name="diagnosis"),
    path("diagnosis/rules/", diagnosis_views.rules_save, name="diagnosis-rules"),
    path("diagnosis/peers/", diagnosis_views.peer_save, name="diagnosis-peer"),
    path("health/", health_views.health, name="health"),
    path("health/scores/", health_views.scores_record, name="health-scores"),
    path("health/violations/", health_views.violation_add, name="health-violation-add"),
    path("health/violations/<int:pk>/appeal/", health_views.violation_appeal, name="health-violation-appeal"),
    path("health/findings/", health_views.finding_add, name="health-finding-add"),
    path("health/findings/<int:pk>/fix/", health_views.finding_fix, name="health-finding-fix"),
]
