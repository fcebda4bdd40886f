from __future__ import annotations

from functools import partial

from zhanggui.core.nav import nav_for
from zhanggui.core.roles import ROLE_LABELS, roles_of


def desk(request):
    user = getattr(request, "user", None)
    roles = roles_of(user) if user is not None else []
    # A callable: the template calls it where base.html draws the header, so an htmx fragment pays nothing.
    return {"user_roles": [ROLE_LABELS[r] for r in roles], "nav": partial(nav_for, request)}
