from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "zhanggui.desk"
    label = "desk"
    verbose_name = "工作台 Desk"

    def ready(self) -> None:
        # planning's monthly review reads the checklist's completion through its registry (planning may not
        # import desk, which sits above it in the layers).
        from zhanggui.desk.selectors import month_completion
        from zhanggui.planning.review import register_checklist_source

        register_checklist_source(month_completion)

        # Bad reviews become 客服 tasks after each review import (market may not import the desk).
        from zhanggui.desk.services import tasks_from_bad_reviews
        from zhanggui.market.reviews import register_review_hook

        register_review_hook(tasks_from_bad_reviews)
