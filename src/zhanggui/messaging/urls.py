from django.urls import path

from zhanggui.messaging import views

app_name = "messaging"
urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("batch/", views.outbox_batch, name="outbox-batch"),
    path("templates/", views.template_editor, name="templates"),
    path("templates/<int:shop_id>/<str:kind>/", views.template_save, name="template-save"),
    path("templates/<int:shop_id>/<str:kind>/preview/", views.template_preview, name="template-preview"),
    path("opt-outs/", views.opt_out_list, name="opt-outs"),
    path("opt-outs/<int:pk>/remove/", views.opt_out_remove, name="opt-out-remove"),
]
