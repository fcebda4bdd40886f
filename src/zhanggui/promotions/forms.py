"""Form pieces the promotion subjects' pages share: a textarea of JSON, and JSON as those textareas show it."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


def dumps(data: Any) -> str:
    """JSON as the pages' textareas show it: indented, Chinese as it is."""
    return json.dumps(data, ensure_ascii=False, indent=2)


class JsonField(forms.CharField):
    """A textarea of JSON; the parsed value goes to cleaned_data, the text stays in the form when it fails."""

    widget = forms.Textarea

    def __init__(self, *, expect: type, **kwargs: Any) -> None:
        self.expect = expect
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 14, "spellcheck": "false", "class": "code"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if not text:
            return None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("Not valid JSON: %(error)s (line %(line)s, column %(column)s)"),
                params={"error": exc.msg, "line": exc.lineno, "column": exc.colno},
            ) from None
        if not isinstance(data, self.expect):
            what = _("a JSON object {…}") if self.expect is dict else _("a JSON list […]")
            raise forms.ValidationError(_("Expected %(what)s."), params={"what": what})
        return data
