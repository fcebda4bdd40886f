from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "zhanggui.desk"
    label = "desk"
    verbose_name = "工作台 Desk"
