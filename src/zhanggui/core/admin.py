"""Admin of the shared kernel, and the base classes the other apps' admins build on.

The admin enforces the same permission matrix as the pages and the API (core.roles): add and change follow a
capability (change price, book stock, ...) rather than Django's per-model permissions, rows that only services
may write are read-only for everyone, and saves go through the services so the audit trail records them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from zhanggui.core.errors import DomainError, PermissionDeniedError
from zhanggui.core.models import ApiToken, AuditEntry, UserProfile


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by services (ledger, balances, reservations, audit): nobody adds, edits or deletes
    them here, not even a superuser, because a hand edit would break the ledger or falsify the history."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CapabilityAdmin(admin.ModelAdmin):
    """Add and change are allowed to users holding any of `edit_capabilities` (names from core.roles).

    Delete keeps Django's own rule (the model's delete permission, which no role holds): only a superuser.
    """

    edit_capabilities: tuple[str, ...] = ()

    def can(self, request: HttpRequest, *capabilities: str) -> bool:
        return any(request.user.has_perm(c) for c in capabilities)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.can(request, *self.edit_capabilities)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.can(request, *self.edit_capabilities)


class ServiceErrorsMixin:
    """Turn a domain error raised by a service during a save into a message instead of a server error.

    The admin wraps the save in a transaction, so by the time we catch the error nothing was written.
    A refusal of the permission check is a 403, like on the pages and in the API.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_repr", "note")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "object_id", "note", "actor__username")
    list_select_related = ("actor",)
    date_hierarchy = "at"
    fields = ("at", "actor", "action", "object_type", "object_id", "object_repr", "before", "after", "note")
    readonly_fields = fields


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are listed and revoked here, never made here: the key is shown once by `create-token`.

    Each user sees and revokes only their own tokens; a superuser sees all of them. The hash stays hidden.
    """

    list_display = ("name", "user", "created_at", "last_used_at")
    list_filter = ("user",)
    search_fields = ("name", "user__username")
    list_select_related = ("user",)
    fields = ("user", "name", "created_at", "last_used_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(user=request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return request.user.is_active
        return request.user.is_superuser or obj.user_id == request.user.pk


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "language")
    list_filter = ("language",)
    search_fields = ("user__username",)
    list_select_related = ("user",)


admin.site.site_header = _("Zhanggui 掌柜 administration")
admin.site.site_title = _("Zhanggui admin")
