from django.urls import path

from zhanggui.analytics import views

app_name = "analytics"
urlpatterns = [
    path("events/import/", views.events_import, name="events-import"),
]
