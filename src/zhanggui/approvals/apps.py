from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "zhanggui.approvals"
    label = "approvals"
    verbose_name = "审批 Approvals"
