from django.urls import path

from zhanggui.members import views, views_campaigns

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
    path("campaigns/", views_campaigns.campaign_list, name="campaigns"),
    path("campaigns/new/", views_campaigns.campaign_builder, name="campaign-new"),
    path("campaigns/<int:pk>/", views_campaigns.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/edit/", views_campaigns.campaign_builder, name="campaign-edit"),
    path("campaigns/<int:pk>/test/", views_campaigns.campaign_test, name="campaign-test"),
    path("campaigns/<int:pk>/send/", views_campaigns.campaign_send, name="campaign-send"),
    path("points-shop/", views_campaigns.points_shop_page, name="points-shop"),
]
