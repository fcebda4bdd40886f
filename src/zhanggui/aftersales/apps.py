from django.apps import AppConfig


class AftersalesConfig(AppConfig):
    name = "zhanggui.aftersales"
    label = "aftersales"
    verbose_name = "售后 After-sales"

    def ready(self) -> None:
        from zhanggui.core.audit import link_objects

        link_objects("aftersales.aftersalecase", "aftersales:case-detail")
        link_objects("aftersales.compensation", "aftersales:compensation")
