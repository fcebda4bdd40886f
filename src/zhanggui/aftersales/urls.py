from django.urls import path

from zhanggui.aftersales import views

app_name = "aftersales"
urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("batch/", views.case_batch, name="case-batch"),
    path("import/", views.case_import, name="case-import"),
    path("rules/", views.rule_list, name="rule-list"),
    path("rules/<int:pk>/", views.rule_save, name="rule-save"),
    path("open/<int:order_pk>/", views.case_open, name="case-open"),
    path("<int:pk>/", views.case_detail, name="case-detail"),
    path("<int:pk>/agree/", views.case_agree, name="case-agree"),
    path("<int:pk>/reject/", views.case_reject, name="case-reject"),
    path("<int:pk>/refund/", views.case_refund, name="case-refund"),
    path("<int:pk>/close/", views.case_close, name="case-close"),
    path("<int:pk>/reopen/", views.case_reopen, name="case-reopen"),
    path("<int:pk>/assign/", views.case_assign, name="case-assign"),
    path("<int:pk>/note/", views.case_note, name="case-note"),
]
