"""Helpers for tests of the desk's pages with Django's test client."""

from __future__ import annotations


def login(client, user, language: str = "en"):
    """Logged in, pages in `language` (English by default; the desk's default is zh-hans) so that messages can
    be compared."""
    client.force_login(user)
    session = client.session
    session["zhanggui_language"] = language
    session.save()
    return client
