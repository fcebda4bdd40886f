"""Django's ModelBackend, reading a person's roles (groups) and permissions in one query instead of two or three,
and the session's user with their profile (the page's language) in one.

Every page asks both: the header names the person's roles and draws the entries their permissions allow. The
ModelBackend reads user permissions and group permissions in two queries, and the roles came in a third. Here one
UNION ALL query reads (group, app, codename) rows for the person's groups (a group without permissions gives one
row with none) and their own permissions; the results are cached on the user object for the request, as the
ModelBackend caches its own (`_perm_cache`), so a change of roles shows from the next request on.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models import CharField, Value

GROUP_NAMES = "_zhanggui_group_names"


def load(user: Any) -> None:
    """Read and cache the user's group names and permissions (both as ModelBackend would give them)."""
    groups = Group.objects.filter(user=user).values_list(
        "name", "permissions__content_type__app_label", "permissions__codename"
    )
    own = Permission.objects.filter(user=user).values_list(
        Value("", output_field=CharField()), "content_type__app_label", "codename"
    )
    names: list[str] = []
    group_perms: set[str] = set()
    user_perms: set[str] = set()
    for name, app, codename in groups.order_by().union(own.order_by(), all=True):
        if name and name not in names:
            names.append(name)
        if app and codename:
            (group_perms if name else user_perms).add(f"{app}.{codename}")
    if user.is_superuser:
        everything = {
            f"{app}.{codename}"
            for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
        }
        user_perms = everything
    setattr(user, GROUP_NAMES, names)
    user._user_perm_cache = user_perms
    user._group_perm_cache = group_perms
    user._perm_cache = user_perms | group_perms


class RoleBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        """The session's user with their profile (the language every page reads) in the same query."""
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("profile").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def _cached(self, user_obj: Any, obj: Any, name: str) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            load(user_obj)
        return getattr(user_obj, name)

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return self._cached(user_obj, obj, "_user_perm_cache")

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return self._cached(user_obj, obj, "_group_perm_cache")

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return self._cached(user_obj, obj, "_perm_cache")


def group_names(user: Any) -> list[str]:
    """The user's group names, from the cache the backend filled (loading it when the request has not yet)."""
    names = getattr(user, GROUP_NAMES, None)
    if names is None:
        load(user)
        names = getattr(user, GROUP_NAMES)
    return list(names)
