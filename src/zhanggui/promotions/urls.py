from django.urls import path

from zhanggui.promotions import campaign_views, views

app_name = "promotions"
urlpatterns = [
    path("", views.promotion_list, name="promotion-list"),
    path("calendar/", views.promotion_calendar, name="calendar"),
    path("new/", views.promotion_new, name="promotion-new"),
    path("preview/", views.promotion_preview, name="preview"),
    path("what-if/", views.promotion_what_if, name="what-if"),
    path("eligibility/", views.eligibility, name="eligibility"),
    path("campaigns/", campaign_views.campaign_list, name="campaign-list"),
    path("campaigns/new/", campaign_views.campaign_new, name="campaign-new"),
    path("campaigns/<int:pk>/", campaign_views.campaign_detail, name="campaign-detail"),
    path("campaigns/<int:pk>/archive/", campaign_views.campaign_archive, name="campaign-archive"),
    path("campaigns/<int:pk>/restore/", campaign_views.campaign_restore, name="campaign-restore"),
    path("campaigns/<int:pk>/check/", campaign_views.campaign_check, name="campaign-check"),
    path("<int:pk>/", views.promotion_detail, name="promotion-detail"),
    path("<int:pk>/submit/", views.promotion_submit, name="promotion-submit"),
    path("<int:pk>/approve/", views.promotion_approve, name="promotion-approve"),
    path("<int:pk>/cancel/", views.promotion_cancel, name="promotion-cancel"),
    path("<int:pk>/what-if/", views.promotion_what_if, name="promotion-what-if"),
]
