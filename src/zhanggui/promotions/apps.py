from django.apps import AppConfig


class PromotionsConfig(AppConfig):
    name = "zhanggui.promotions"
    label = "promotions"
    verbose_name = "促销 Promotions"
