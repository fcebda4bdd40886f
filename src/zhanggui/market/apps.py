from django.apps import AppConfig


class MarketConfig(AppConfig):
    name = "zhanggui.market"
    label = "market"
    verbose_name = "市场 Market"
