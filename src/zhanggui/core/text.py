"""Text that comes in from people, files and programs: one rule, applied on every way in (docs/text.md).

Two kinds of strings, two treatments:

- **Codes** — identifiers a person or a program matches on: SKU, product, shop, warehouse and supplier codes,
  barcodes, category names, document numbers, references, buyer ids. A code holding an invisible or control
  character is **refused** with an error naming the field: C0/C1 controls (NUL, TAB, newlines, DEL, ...),
  Unicode format characters (the bidi controls U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C; the
  zero-width U+200B–U+200D, U+2060, U+FEFF; the soft hyphen), the line and paragraph separators U+2028/U+2029,
  lone surrogates, and U+FFFD (the mark of text decoded with the wrong encoding). Refused rather than cleaned:
  two codes that look the same must be the same code, and a code changed behind the user's back would no
  longer match the platform's.
- **Free text** — titles, names, notes, descriptions, specs: **cleaned**, never refused, because text pasted
  from spreadsheets and chat tools carries stray invisible characters and nobody matches on them. Control
  characters are removed; multi-line text keeps newline and tab (CR LF and CR become LF, U+2028/U+2029 become
  LF); single-line text turns tab and line breaks into a space. Format characters (bidi controls, zero-width
  space, U+FEFF, ...) and lone surrogates are removed; the zero-width joiners U+200C/U+200D and the tag
  characters stay, because emoji sequences are made of them.

The rule lives in the model fields below (CodeField, CleanCharField, CleanTextField, StorableJSONField), so it
holds for the pages, the API, the imports, the admin and the services called from the CLI alike: a code is
checked by `full_clean()` and again when it is written (even by `bulk_create` or `QuerySet.update`); free
text is cleaned by `full_clean()` and again when it is written. PostgreSQL refuses NUL in text and no
database stores a lone surrogate, so no value that reaches the database can hold either: lookups with such a
code match nothing instead of failing.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

#: Format characters (category Cf) free text keeps: joiners and tags, the parts of emoji sequences.
_KEPT_FORMAT = frozenset({"\u200c", "\u200d", *(chr(c) for c in range(0xE0020, 0xE0080))})
#: Characters a code must not hold besides the categories below: the replacement character.
_REFUSED_IN_CODES = frozenset({"\ufffd"})
#: Unicode categories refused in codes: controls, format characters, surrogates, line/paragraph separators.
_CODE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_LINE_BREAKS = {"\r\n": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n", "\x85": "\n"}


def bad_code_character(value: str) -> tuple[int, str] | None:
    """The first character a code must not hold, as (position, character), or None when the code is fine."""
    for position, char in enumerate(value):
        if char in _REFUSED_IN_CODES or unicodedata.category(char) in _CODE_CATEGORIES:
            return position, char
    return None


def describe(char: str) -> str:
    """A character as a person can look it up: 'U+202E RIGHT-TO-LEFT OVERRIDE'."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}".strip()


def code_error(value: str, field: Any) -> ValidationError | None:
    """The error for a code holding an invisible or control character (naming the field), or None."""
    found = bad_code_character(value)
    if found is None:
        return None
    position, char = found
    return ValidationError(
        _(
            "%(field)s must not contain invisible or control characters: %(char)s at position %(position)s. "
            "Type the code again without it."
        ),
        code="bad_characters",
        params={"field": capfirst(field), "char": describe(char), "position": position + 1},
    )


def check_code(value: str, *, field: Any) -> str:
    """Return `value` if it is a valid code, otherwise raise ValidationError naming `field`."""
    error = code_error(value, field)
    if error is not None:
        raise error
    return value


def _remove_invisible(text: str, *, keep: str) -> str:
    out = []
    for char in text:
        if char in keep or char in _KEPT_FORMAT or unicodedata.category(char) not in ("Cc", "Cf", "Cs"):
            out.append(char)
    return "".join(out)


def clean_text(value: str) -> str:
    """Multi-line free text without control or format characters: newline and tab stay, CR LF becomes LF."""
    for old, new in _LINE_BREAKS.items():
        value = value.replace(old, new)
    return _remove_invisible(value, keep="\n\t")


def clean_line(value: str) -> str:
    """Single-line free text: as clean_text, and tab or a line break becomes a space."""
    for old in ("\r\n", "\r", "\n", "\t", "\u2028", "\u2029", "\x85", "\x0b", "\x0c"):
        value = value.replace(old, " ")
    return _remove_invisible(value, keep="")


def storable(value: str) -> str:
    """`value` with the characters no database can take (NUL, lone surrogates) replaced by U+FFFD.

    Used for lookups with a code: such a code was refused when written, so the lookup must match nothing.
    """
    if "\x00" not in value and not any("\ud800" <= c <= "\udfff" for c in value):
        return value
    return "".join("\ufffd" if c == "\x00" or "\ud800" <= c <= "\udfff" else c for c in value)


def clean_json(value: Any) -> Any:
    """A JSON value whose strings (keys too) hold no NUL and no lone surrogate, so any database stores it."""
    if isinstance(value, str):
        return "".join(c for c in value if c != "\x00" and not "\ud800" <= c <= "\udfff")
    if isinstance(value, dict):
        return {clean_json(k): clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(v) for v in value]
    return value


# --------------------------------------------------------------------------------------------------------
# Model fields
# --------------------------------------------------------------------------------------------------------


class CodeMixin:
    """A code: refused by full_clean() and again on every write; a lookup with NUL matches nothing."""

    def validate(self, value: Any, model_instance: Any) -> None:
        super().validate(value, model_instance)  # type: ignore[misc]
        if isinstance(value, str):
            check_code(value, field=self.verbose_name)  # type: ignore[attr-defined]

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        # Writes that skip full_clean() (bulk_create, QuerySet.update, a service that forgot) are refused too.
        if isinstance(value, str):
            error = code_error(value, self.verbose_name)  # type: ignore[attr-defined]
            if error is not None:
                raise ValidationError({self.name: [error]})  # type: ignore[attr-defined]
        return super().get_db_prep_save(value, connection)  # type: ignore[misc]

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)  # type: ignore[misc]
        return storable(value) if isinstance(value, str) else value


class CodeField(CodeMixin, models.CharField):
    pass


class SlugCodeField(CodeMixin, models.SlugField):
    pass


class _CleanMixin:
    """Free text: cleaned by full_clean() (to_python) and again on every write (pre_save, get_prep_value)."""

    clean_function = staticmethod(clean_line)

    def _clean(self, value: Any) -> Any:
        return self.clean_function(value) if isinstance(value, str) else value

    def to_python(self, value: Any) -> Any:
        return self._clean(super().to_python(value))  # type: ignore[misc]

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        value = super().pre_save(model_instance, add)  # type: ignore[misc]
        cleaned = self._clean(value)
        if cleaned != value:
            setattr(model_instance, self.attname, cleaned)  # type: ignore[attr-defined]
        return cleaned

    def get_prep_value(self, value: Any) -> Any:
        return self._clean(super().get_prep_value(value))  # type: ignore[misc]


class CleanCharField(_CleanMixin, models.CharField):
    """Single-line free text (a title, a note, a name)."""


class CleanTextField(_CleanMixin, models.TextField):
    """Multi-line free text (a description, a long note)."""

    clean_function = staticmethod(clean_text)


class StorableJSONField(models.JSONField):
    """JSON whose strings never hold NUL or a lone surrogate (PostgreSQL's jsonb refuses \\u0000).

    full_clean() refuses such a value (a promotion's scope must not silently change); a write that skips it
    (the audit trail) drops those characters. What a string inside may mean (a code in a promotion's scope)
    is checked by the JSON's own validator.
    """

    def validate(self, value: Any, model_instance: Any) -> None:
        super().validate(value, model_instance)
        if clean_json(value) != value:
            raise ValidationError(
                _("%(field)s must not contain NUL characters or broken (surrogate) characters."),
                code="bad_characters",
                params={"field": capfirst(self.verbose_name)},
            )

    def get_prep_value(self, value: Any) -> Any:
        return super().get_prep_value(clean_json(value))
