"""Reading the JSON files the promotion commands take, with errors a person can act on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def read_json(path: Path) -> Any:
    """The file's JSON (a UTF-8 BOM is fine); CommandError 2 when it is missing, 1 when it is not JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise CommandError(_("%(file)s: no such file") % {"file": path}, returncode=2) from None
    except json.JSONDecodeError as exc:
        raise CommandError(
            _("%(file)s: not valid JSON (line %(line)s: %(error)s)")
            % {"file": path, "line": exc.lineno, "error": exc.msg},
            returncode=1,
        ) from None
