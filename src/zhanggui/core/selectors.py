from __future__ import annotations

from django.db.models import QuerySet

from zhanggui.core.models import AuditEntry


def audit_for(obj) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).select_related("actor")
