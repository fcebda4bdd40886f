"""The REST API under /api/v1/: one NinjaAPI, a router per app, JSON errors `{"code", "message"}`."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import APIKeyHeader, HttpBearer, django_auth

from zhanggui.core.errors import DomainError
from zhanggui.core.models import ApiToken
from zhanggui.core.services import hash_token


class TokenAuth(HttpBearer):
    """`Authorization: Bearer zg_…` — tokens are made with `zhanggui create-token USER NAME`."""

    def authenticate(self, request, token: str):
        row = ApiToken.objects.select_related("user").filter(key_hash=hash_token(token)).first()
        if row is None or not row.user.is_active:
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.user = row.user
        return row.user


class HeaderTokenAuth(APIKeyHeader):
    param_name = "X-Api-Token"

    def authenticate(self, request, key: str | None):
        return TokenAuth().authenticate(request, key or "")


api = NinjaAPI(
    title="Zhanggui 掌柜 API",
    version="1",
    urls_namespace="api-v1",
    auth=[TokenAuth(), HeaderTokenAuth(), django_auth],
    docs_url="/docs",
)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.http_status)


@api.exception_handler(AuthenticationError)
def auth_error(request, exc):
    return api.create_response(
        request, {"code": "not_authenticated", "message": "Log in or send a valid API token."}, status=401
    )


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    return api.create_response(
        request,
        {"code": "invalid_input", "message": "The request is not valid.", "details": exc.errors},
        status=422,
    )


@api.exception_handler(ObjectDoesNotExist)
def not_found(request, exc):
    return api.create_response(
        request, {"code": "not_found", "message": str(exc) or "Not found."}, status=404
    )


@api.exception_handler(Http404)
def http404(request, exc):
    return api.create_response(
        request, {"code": "not_found", "message": str(exc) or "Not found."}, status=404
    )


@api.exception_handler(DjangoPermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"code": "permission_denied", "message": str(exc)}, status=403)


def _mount() -> None:
    from zhanggui.catalog.api import router as catalog_router
    from zhanggui.inventory.api import router as inventory_router

    api.add_router("/catalog", catalog_router)
    api.add_router("/inventory", inventory_router)


_mount()
