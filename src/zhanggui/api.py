"""The REST API under /api/v1/: one NinjaAPI, a router per app, JSON errors `{"code", "message"}`.

Authentication: `Authorization: Bearer zg_…` (or `X-Api-Token: zg_…`) with a token made by
`zhanggui create-token USER NAME`, or the desk's login session (writes then need the CSRF token in the
`X-CSRFToken` header, as any form post would). The permission rules are the services' own
(core.roles.require), so the API refuses exactly what the pages and the admin refuse.

Every error, whoever raises it, leaves as `{"code": ..., "message": ...}` (plus `details` when there are
some): 401 not_authenticated, 403 permission_denied, 404 not_found, 409 for conflicts with the stock
(insufficient_stock, over_receipt, invalid_state, ...), 422 invalid_input for a body or query that does not
validate (400 invalid_input when the body is not JSON at all), and 500 server_error.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyCookie, APIKeyHeader, HttpBearer
from ninja.utils import check_csrf

from zhanggui.core.errors import DomainError
from zhanggui.core.middleware import RequestTimeout
from zhanggui.core.models import ApiToken
from zhanggui.core.services import hash_token

logger = logging.getLogger(__name__)


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
    """The same token in `X-Api-Token`, for tools that cannot set an Authorization header."""

    param_name = "X-Api-Token"

    def authenticate(self, request, key: str | None):
        return TokenAuth().authenticate(request, key or "") if key else None


class SessionAuth(APIKeyCookie):
    """The desk's login session. Unlike ninja's django_auth, it looks for a logged-in user before the CSRF check:
    a request with no session is then a 401 (log in or send a token), not a misleading 403 csrf_failed."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key: str | None):
        if not request.user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check Failed")
        return request.user


api = NinjaAPI(
    title="Zhanggui 掌柜 API",
    version="1",
    description="Catalog and inventory of the Zhanggui desk. Errors are `{code, message}`; money is a string.",
    urls_namespace="api-v1",
    auth=[TokenAuth(), HeaderTokenAuth(), SessionAuth()],
    docs_url="/docs",
)


def error(request, status: int, code: str, message: str, details: object = None):
    body = {"code": code, "message": message}
    if details:
        body["details"] = details
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.http_status)


@api.exception_handler(AuthenticationError)
def auth_error(request, exc):
    return error(request, 401, "not_authenticated", _("Log in or send a valid API token."))


_HTTP_CODES = {
    400: "invalid_input",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    429: "throttled",
}


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    """ninja's own refusals (a failed CSRF check on a session write, throttling) in our shape."""
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    if exc.message == "CSRF check Failed":
        code, message = "csrf_failed", _("Send the CSRF token in the X-CSRFToken header, or use an API token.")
    elif exc.message == "Cannot parse request body":
        message = _("The request body is not valid JSON.")
    else:
        message = exc.message
    return error(request, exc.status_code, code, message)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    return error(request, 422, "invalid_input", _("The request is not valid."), exc.errors)


@api.exception_handler(DjangoValidationError)
def model_validation_error(request, exc: DjangoValidationError):
    """full_clean() in a service refused a value the schema let through (a duplicate code, ...)."""
    details = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return error(request, 422, "invalid_input", " ".join(exc.messages), details)


@api.exception_handler(ObjectDoesNotExist)
def not_found(request, exc):
    return error(request, 404, "not_found", str(exc) or _("Not found."))


@api.exception_handler(Http404)
def http404(request, exc):
    return error(request, 404, "not_found", str(exc) or _("Not found."))


@api.exception_handler(DjangoPermissionDenied)
def forbidden(request, exc):
    return error(request, 403, "permission_denied", str(exc) or _("You are not allowed to do this."))


@api.exception_handler(RequestTimeout)
def timeout(request, exc: RequestTimeout):
    logger.error("API request stopped after the server's timeout: %s %s", request.method, request.path)
    return error(request, 503, "timeout", str(exc))


@api.exception_handler(Exception)
def server_error(request, exc):
    """A bug: logged with its traceback, answered in the same JSON shape so clients need one parser."""
    logger.exception("API error on %s %s", request.method, request.path)
    return error(request, 500, "server_error", _("Something went wrong on our side; it has been logged."))


# Mounted after the app routers: any other path under /api/v1/ answers a JSON 404, not the HTML page.
fallback = Router(auth=None)


@fallback.api_operation(["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False)
def unknown_path(request, rest: str):
    return error(request, 404, "not_found", _("No such endpoint: %(path)s") % {"path": request.path})


def _mount() -> None:
    from zhanggui.aftersales.api import router as aftersales_router
    from zhanggui.aftersales.claims.api import router as claims_router
    from zhanggui.aftersales.reports.api import router as aftersales_reports_router
    from zhanggui.analytics.api import router as analytics_router
    from zhanggui.approvals.api import router as approvals_router
    from zhanggui.catalog.api import router as catalog_router
    from zhanggui.inventory.api import router as inventory_router
    from zhanggui.market.api import router as market_router
    from zhanggui.members.api import router as members_router
    from zhanggui.members.api_campaigns import router as member_campaigns_router
    from zhanggui.messaging.api import router as messaging_router
    from zhanggui.orders.api import router as orders_router
    from zhanggui.planning.api import router as planning_router
    from zhanggui.planning.budget_api import router as budget_router
    from zhanggui.planning.calendar_api import router as calendar_router
    from zhanggui.planning.review_api import router as review_router
    from zhanggui.promotions.campaigns.api import router as campaigns_router
    from zhanggui.promotions.campaigns.api import stored_router as stored_campaigns_router
    from zhanggui.promotions.flash.api import router as flash_sales_router
    from zhanggui.promotions.offers.api import router as promotions_router
    from zhanggui.promotions.pricing.api import router as pricing_router

    api.add_router("/catalog", catalog_router)
    api.add_router("/inventory", inventory_router)
    api.add_router("/orders", orders_router)
    api.add_router("/messages", messaging_router)  # the outbox and opt-outs of buyer messages
    api.add_router("/aftersales/claims", claims_router)  # carrier claims (快递理赔)
    api.add_router("/aftersales/reports", aftersales_reports_router)  # refund rates, cost, agents, net sales
    api.add_router("/aftersales", aftersales_router)  # refunds, returns, complaints: docs/aftersales.md
    api.add_router("/promotions", flash_sales_router)  # /promotions/flash-sales, /promotions/flash-purchases
    api.add_router("/promotions", promotions_router)
    api.add_router("/pricing", pricing_router)  # /pricing/quote, /pricing/what-if
    api.add_router("/campaigns/stored", stored_campaigns_router)
    api.add_router("/campaigns", campaigns_router)  # /campaigns/presets, /campaigns/check
    api.add_router("/approvals", approvals_router)  # price changes and promotions waiting for a manager
    api.add_router("/analytics", analytics_router)  # behaviour events and their daily figures: docs/metrics.md
    api.add_router("/planning/budgets", budget_router)  # ad budgets by tool and goal, spend against plan
    api.add_router("/planning/activities", calendar_router)  # the year's activity calendar
    api.add_router("/planning/reviews", review_router)  # 月度运营总结及计划表
    api.add_router("/planning", planning_router)  # yearly plans: docs/planning.md
    api.add_router("/market", market_router)  # keyword library and title studio: docs/market.md
    # campaigns and the points shop first: members' "/{member_id}" would take "/campaigns" and "/points-shop"
    api.add_router("/members", member_campaigns_router)
    api.add_router("/members", members_router)  # members, points, segments, repurchase: docs/members.md
    api.add_router("", fallback)


_mount()
