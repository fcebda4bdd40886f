"""{% audit_line entry as line %}: an audit entry in words (core/audit.py) for a page's history box."""

from __future__ import annotations

from django import template

from zhanggui.core.audit import AuditLine, describe
from zhanggui.core.models import AuditEntry

register = template.Library()


@register.simple_tag
def audit_line(entry: AuditEntry) -> AuditLine:
    return describe(entry)
