from django.apps import AppConfig


class PromotionsConfig(AppConfig):
    name = "zhanggui.promotions"
    label = "promotions"
    verbose_name = "促销 Promotions"

    def ready(self) -> None:
        from zhanggui.core.audit import link_objects

        link_objects("promotions.promotion", "promotions:promotion-detail")
        link_objects("promotions.officialcampaign", "promotions:campaign-detail")
