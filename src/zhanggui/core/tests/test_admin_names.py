"""The admin names every model of ours in the plural by its own words: without `verbose_name_plural` Django adds
an "s" to the translated name ("用户设置s")."""

from __future__ import annotations

from django.apps import apps

# Models still without a plural (none: add one here only with the reason it waits).
PENDING: set[str] = set()


def test_every_model_of_ours_names_its_plural():
    ours = [m for m in apps.get_models() if m.__module__.startswith("zhanggui.")]
    missing = {m._meta.label for m in ours if "verbose_name_plural" not in m._meta.original_attrs}
    assert missing == PENDING
