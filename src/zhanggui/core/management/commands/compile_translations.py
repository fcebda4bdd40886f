"""`zhanggui compile-translations`: compile our .po catalogs into .mo with polib.

Django's `compilemessages` needs GNU gettext's `msgfmt`, which a fresh machine often lacks; polib writes the
same .mo format in pure Python. Only the project's own locale directories are compiled (settings.LOCALE_PATHS
and the locale/ of each Zhanggui app), never Django's or a third-party package's.
"""

from __future__ import annotations

from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

import zhanggui

PROJECT_ROOT = Path(zhanggui.__file__).resolve().parent


def locale_dirs() -> list[Path]:
    """The project's locale directories that exist, settings.LOCALE_PATHS first, without duplicates."""
    candidates = [Path(p) for p in settings.LOCALE_PATHS]
    for config in apps.get_app_configs():
        app_path = Path(config.path).resolve()
        if app_path == PROJECT_ROOT or PROJECT_ROOT in app_path.parents:
            candidates.append(app_path / "locale")
    seen: dict[Path, None] = {}
    for path in candidates:
        resolved = path.resolve()
        if resolved.is_dir():
            seen.setdefault(resolved, None)
    return list(seen)


def catalogs(dirs: list[Path]) -> list[Path]:
    return sorted(po for d in dirs for po in d.glob("*/LC_MESSAGES/*.po"))


def compile_catalog(po_path: Path) -> tuple[Path, int, int]:
    """Write the .mo next to the .po; returns (mo path, translated entries, fuzzy entries left out)."""
    try:
        catalog = polib.pofile(str(po_path))
    except (OSError, ValueError) as exc:
        raise CommandError(_("%(file)s cannot be read: %(error)s") % {"file": po_path, "error": exc}) from exc
    mo_path = po_path.with_suffix(".mo")
    catalog.save_as_mofile(str(mo_path))
    return mo_path, len(catalog.translated_entries()), len(catalog.fuzzy_entries())


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a str, translated once the language is known
        return _("Compile the project's .po files into .mo files (no GNU gettext needed).")

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "paths",
            nargs="*",
            help=_("Locale directories to compile instead of the project's own."),
        )

    def handle(self, *args, **options) -> None:
        dirs = [Path(p).resolve() for p in options["paths"]] or locale_dirs()
        found = catalogs(dirs)
        if not found:
            where = ", ".join(str(d) for d in dirs) or _("(no locale directories)")
            self.stdout.write(_("Nothing to compile: no catalogs (.po files) in %(where)s.") % {"where": where})
            return
        for po_path in found:
            mo_path, translated, fuzzy = compile_catalog(po_path)
            self.stdout.write(
                _("%(mo)s: %(translated)s messages (%(fuzzy)s fuzzy left out)")
                % {"mo": mo_path, "translated": translated, "fuzzy": fuzzy}
            )
