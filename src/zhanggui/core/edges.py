"""The web edge: what a person at the desk sees when a service refuses.

Services check permissions and business rules themselves; views only translate the exceptions, the same way
everywhere: a PermissionDeniedError becomes a 403 page (or a message in the flash area for htmx), any other
DomainError becomes an error on the form the person filled in, so nothing they typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from zhanggui.core import roles
from zhanggui.core.errors import DomainError, PermissionDeniedError

# A form sent back with errors: browsers show it like a 200, htmx swaps it (see the htmx-config in base.html).
FORM_ERROR = 422


def wants_fragment(request: HttpRequest) -> bool:
    """True for an htmx request that swaps part of a page (not a boosted link or a history restore)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page(
    request: HttpRequest,
    template: str,
    context: Mapping[str, Any],
    *,
    fragment: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the whole page, or only `fragment` when htmx asks for a part of it."""
    name = fragment if fragment and wants_fragment(request) else template
    response = render(request, name, context, status=status)
    if fragment:
        patch_vary_headers(response, ("HX-Request",))
    return response


def forbidden(request: HttpRequest, exc: PermissionDeniedError) -> HttpResponse:
    if wants_fragment(request):
        response = render(request, "core/_flash.html", {"flash_error": exc.message}, status=403)
        response["HX-Retarget"] = "#flash"
        response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "403.html", {"message": exc.message}, status=403)


def guarded(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer 403 whenever the view (or a service it calls) raises PermissionDeniedError."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDeniedError as exc:
            return forbidden(request, exc)

    return wrapper


def require(request: HttpRequest, permission: str) -> None:
    """Check before reading the form, so a refused POST is a 403 even when its input is also invalid."""
    roles.require(request.user, permission)


@dataclass
class Outcome:
    ok: bool = True
    error: DomainError | None = None


def _add_validation_error(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@contextmanager
def form_errors(form: forms.Form, *, fields: Mapping[type[DomainError], str] | None = None) -> Iterator[Outcome]:
    """Run a service call; a refusal becomes an error on `form` (on a field if `fields` maps its class).

    Permission errors pass through to `guarded`: a person without the right gets a 403, not a form error.
    """
    outcome = Outcome()
    try:
        yield outcome
    except PermissionDeniedError:
        raise
    except DomainError as exc:
        outcome.ok, outcome.error = False, exc
        field = next((name for kind, name in (fields or {}).items() if isinstance(exc, kind)), None)
        form.add_error(field, exc.message)
    except ValidationError as exc:
        outcome.ok = False
        _add_validation_error(form, exc)


@contextmanager
def message_errors(request: HttpRequest) -> Iterator[Outcome]:
    """Like form_errors for buttons without input (close, book, cancel): the refusal becomes a message."""
    outcome = Outcome()
    try:
        yield outcome
    except PermissionDeniedError:
        raise
    except DomainError as exc:
        outcome.ok, outcome.error = False, exc
        messages.error(request, exc.message)


def safe_next(request: HttpRequest, default: str) -> str:
    """The posted `next` (the page the person came from, its filters included) when it is on this site."""
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default
