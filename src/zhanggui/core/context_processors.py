from __future__ import annotations

from zhanggui.core.roles import ROLE_LABELS, roles_of


def desk(request):
    user = getattr(request, "user", None)
    roles = roles_of(user) if user is not None else []
    return {"user_roles": [ROLE_LABELS[r] for r in roles]}
