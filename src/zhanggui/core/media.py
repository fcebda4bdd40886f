"""Uploaded files (MEDIA_URL) for the people of the desk only.

Product pictures are a shop's unpublished work, so they are not served to everyone the way static files are
(django.views.static): this view asks for a login and streams the file from STORAGES["default"]. A deployment
that keeps the files on object storage links them from there (MEDIA_URL or the backend's own URLs) and never
reaches this view; docs/images.md.
"""

from __future__ import annotations

from pathlib import PurePath

from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

# The names hold a random part and never change once written, so a browser may keep them a while.
CACHE_SECONDS = 24 * 3600


@login_required
@require_safe
def media_file(request: HttpRequest, path: str) -> FileResponse:
    try:
        if not path or not default_storage.exists(path):
            raise Http404
        handle = default_storage.open(path, "rb")
    except (SuspiciousFileOperation, FileNotFoundError, IsADirectoryError, NotADirectoryError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, filename=PurePath(path).name)
    response["Cache-Control"] = f"private, max-age={CACHE_SECONDS}"
    # Opened on its own (not in an <img>), a file must not run as a page of this site.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    return response
