from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "zhanggui.core"
    label = "core"
    verbose_name = "掌柜 core"

    def ready(self) -> None:
        from zhanggui.core import checks  # noqa: F401  (registers the deployment checks)
        from zhanggui.core.roles import ensure_roles_after_migrate

        # Permissions only exist after post_migrate has created them; the role groups follow right after.
        post_migrate.connect(ensure_roles_after_migrate, dispatch_uid="zhanggui-ensure-roles")
