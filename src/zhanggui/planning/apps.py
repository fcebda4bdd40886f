from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "zhanggui.planning"
    label = "planning"
    verbose_name = "计划 Planning"
