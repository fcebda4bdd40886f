"""`{% load roles %}`: the permission matrix (core.roles) in templates, asked one way everywhere.

    {% if perms.catalog.change_price %}…{% endif %}    one capability: Django's `perms`, for buttons and cards
    {% if user|can_change:sku %}…{% endif %}          the user may change at least one field of the object
    {% for field in sku_form|locked_for:user %}       the form, with the fields the user may not change read-only

A form names the model whose field-by-field rules apply in `fields_of`. Read-only, not disabled: the browser
sends the value back unchanged, which the service accepts; a changed value is refused there (403) all the same.
"""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.utils.translation import gettext as _

from zhanggui.core import roles

register = template.Library()


@register.filter
def can_change(user: Any, obj: Any) -> bool:
    return len(roles.locked_fields(user, obj)) < len(roles.FIELD_CAPABILITIES[obj._meta.label])


@register.filter
def locked_for(form: forms.Form, user: Any) -> forms.Form:
    rules = roles.FIELD_CAPABILITIES[form.fields_of._meta.label]
    for name in roles.locked_fields(user, form.fields_of) & set(form.fields):
        field = form.fields[name]
        field.widget.attrs.update({"readonly": True, "aria-readonly": "true"})
        field.help_text = _("Read-only for you: it needs the right to %(what)s.") % {
            "what": roles.CAPABILITY_LABELS[rules[name]]
        }
    return form
