from django.urls import path

from zhanggui.members import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("sync/", views.sync, name="sync"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/consent/", views.member_consent, name="consent"),
    path("<int:pk>/merge/", views.member_merge, name="merge"),
    path("<int:pk>/unmerge/", views.member_unmerge, name="unmerge"),
    path("<int:pk>/points/", views.member_points, name="points"),
    path("segments/", views.segment_builder, name="segments"),
    path("segments/<int:pk>/", views.segment_open, name="segment"),
    path("segments/<int:pk>/delete/", views.segment_delete, name="segment-delete"),
    path("cohorts/", views.cohort_table, name="cohorts"),
    path("tiers/", views.tiers, name="tiers"),
]
