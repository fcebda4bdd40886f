"""Shared fixtures: one user per role (the fixed cast of every permission test), and the PostgreSQL gate."""

from __future__ import annotations

import os

import pytest

from zhanggui.core import roles


def _on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def pytest_collection_modifyitems(config, items):
    if _on_postgres():
        return
    skip = pytest.mark.skip(reason="PostgreSQL test: run with DATABASE_URL=postgres://... (bin/test does)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 takes ~0.2 s a user by design; tests make many users and do not test hashing strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username: str, role: str | None = None, **extra):
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(username=username, password="pw-" + username, **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def users(db) -> dict[str, object]:
    """A user for each role, named after it: users['manager'], users['warehouse'], ..."""
    roles.ensure_roles()
    return {role: make_user(role, role) for role in roles.ROLES}


@pytest.fixture
def manager(users):
    return users[roles.MANAGER]


@pytest.fixture
def warehouse_user(users):
    return users[roles.WAREHOUSE]


@pytest.fixture
def operator(users):
    return users[roles.OPERATOR]


@pytest.fixture
def system(db):
    from zhanggui.core.services import system_user

    return system_user()
