"""Shared by the browser tests: Debian's chromium driven by Playwright (see ARCHITECTURE.md, "Testing in a real
browser"); Playwright never downloads a browser of its own here. The `page` fixture is in src/zhanggui/conftest.py.
"""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def log_in(page, base_url: str, username: str) -> None:
    """Log in through the login page as one of the conftest users (password "pw-<username>")."""
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"pw-{username}")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")
