from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "zhanggui.analytics"
    label = "analytics"
    verbose_name = "数据 Analytics"
