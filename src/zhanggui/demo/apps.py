from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "zhanggui.demo"
    label = "demo"
    verbose_name = "Demo shop"
