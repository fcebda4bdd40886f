"""Every input and output shape of the API has its own name: the OpenAPI document names its schemas after the
classes, so two apps' `ReviewOut` would share one entry and one of them would be described wrongly (the planning
review and the market's reviews once did)."""

from __future__ import annotations

from ninja import Schema

from zhanggui.api import api


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_no_two_api_schemas_share_a_name():
    api.get_openapi_schema()  # every router mounted, every schema imported
    ours = {c for c in _subclasses(Schema) if c.__module__.startswith("zhanggui.")}
    names: dict[str, set[str]] = {}
    for cls in ours:
        names.setdefault(cls.__name__, set()).add(f"{cls.__module__}.{cls.__qualname__}")
    assert {name: where for name, where in names.items() if len(where) > 1} == {}
