from django.urls import path

from zhanggui.planning import budget_views, calendar_views, review_views, share_views, views

app_name = "planning"
urlpatterns = [
    path("", views.plan_page, name="plan"),
    path("create/", views.plan_create, name="plan-create"),
    path("<int:pk>/month/<int:month>/", views.month_save, name="month-save"),
    path("<int:pk>/approve/", views.plan_approve, name="plan-approve"),
    # each quarter by category and product role
    path("shares/", share_views.shares_page, name="shares"),
    path("<int:pk>/shares/split/", share_views.shares_build, name="shares-build"),
    path("<int:pk>/shares/<str:dimension>/<str:key>/", share_views.share_row_save, name="share-save"),
    # the monthly review (月度运营总结及计划表)
    path("review/", review_views.review_page, name="review"),
    path("review/save/", review_views.review_save, name="review-save"),
    path("review/close/", review_views.review_close, name="review-close"),
    path("review/xlsx/", review_views.review_xlsx, name="review-xlsx"),
    path("review/pdf/", review_views.review_pdf, name="review-pdf"),
    # the ad budget and the activity calendar
    path("budget/", budget_views.budget_page, name="budget"),
    path("budget/<int:pk>/month/<int:month>/", budget_views.budget_save, name="budget-save"),
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    path("calendar/platform-events/", calendar_views.seed_events, name="calendar-seed"),
    path("calendar/add/", calendar_views.activity_add, name="calendar-add"),
    path("calendar/<int:pk>/", calendar_views.activity_save, name="calendar-save"),
    path("calendar/<int:pk>/delete/", calendar_views.activity_delete, name="calendar-delete"),
]
