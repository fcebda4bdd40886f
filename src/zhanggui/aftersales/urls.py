from django.urls import path

from zhanggui.aftersales import views
from zhanggui.aftersales.answers import views as answer_views
from zhanggui.aftersales.claims import views as claim_views
from zhanggui.aftersales.compensation import views as compensation_views
from zhanggui.aftersales.replacements import views as replacement_views
from zhanggui.aftersales.reports import views as report_views
from zhanggui.aftersales.returns import views as return_views

app_name = "aftersales"
urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("batch/", views.case_batch, name="case-batch"),
    path("import/", views.case_import, name="case-import"),
    path("claims/", claim_views.claim_list, name="claim-list"),
    path("claims/<int:pk>/settle/", claim_views.claim_settle, name="claim-settle"),
    path("reports/", report_views.report_page, name="reports"),
    path("rules/", views.rule_list, name="rule-list"),
    path("rules/<int:pk>/", views.rule_save, name="rule-save"),
    path("answers/", answer_views.answer_list, name="answer-list"),
    path("answers/new/", answer_views.answer_edit, name="answer-new"),
    path("answers/<int:pk>/", answer_views.answer_edit, name="answer-edit"),
    path("answers/<int:pk>/active/", answer_views.answer_active, name="answer-active"),
    path("compensation/", compensation_views.rule_list, name="compensation-rules"),
    path("compensation/rules/new/", compensation_views.rule_save, name="compensation-rule-new"),
    path("compensation/rules/<int:pk>/", compensation_views.rule_save, name="compensation-rule-save"),
    path("compensation/limits/<str:role>/", compensation_views.limit_save, name="compensation-limit-save"),
    path("compensations/<int:pk>/", compensation_views.offer_detail, name="compensation"),
    path("compensations/<int:pk>/cancel/", compensation_views.offer_cancel, name="compensation-cancel"),
    path("returns/", return_views.returns_page, name="returns"),
    path("open/<int:order_pk>/", views.case_open, name="case-open"),
    path("<int:pk>/", views.case_detail, name="case-detail"),
    path("<int:pk>/agree/", views.case_agree, name="case-agree"),
    path("<int:pk>/reject/", views.case_reject, name="case-reject"),
    path("<int:pk>/refund/", views.case_refund, name="case-refund"),
    path("<int:pk>/close/", views.case_close, name="case-close"),
    path("<int:pk>/reopen/", views.case_reopen, name="case-reopen"),
    path("<int:pk>/assign/", views.case_assign, name="case-assign"),
    path("<int:pk>/note/", views.case_note, name="case-note"),
    path("<int:pk>/return-sent/", return_views.case_return_sent, name="case-return-sent"),
    path("<int:pk>/claims/", claim_views.claim_file, name="claim-file"),
    path("<int:pk>/compensate/", compensation_views.case_offer, name="case-compensate"),
    path("<int:pk>/replacement/", replacement_views.case_replacement, name="case-replacement"),
]
