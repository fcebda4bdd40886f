"""Forms of the shared pages: the audit trail's filters."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from zhanggui.core.audit import VERBS, object_types
from zhanggui.core.models import AuditEntry
from zhanggui.core.text import clean_line


class AuditFilterForm(forms.Form):
    """Filters by action, person, object type and object (code or name); the date range is the list's."""

    q = forms.CharField(
        label=_("Object"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Code or name"), "type": "search"}),
    )
    type = forms.ChoiceField(label=_("Object type"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.ModelChoiceField(label=_("Who"), queryset=get_user_model().objects.none(), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("Any object")), *object_types()]
        self.fields["action"].choices = [("", _("Any action")), *((verb, label) for verb, label in VERBS.items())]
        people = get_user_model().objects.filter(pk__in=AuditEntry.objects.values("actor")).order_by("username")
        actor = self.fields["actor"]
        assert isinstance(actor, forms.ModelChoiceField)
        actor.queryset = people
        actor.empty_label = _("Anyone")

    def entries(self) -> QuerySet[AuditEntry]:
        """The filtered entries; a filter that does not parse is ignored, never an error page."""
        data: dict = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
        entries = AuditEntry.objects.select_related("actor")
        if data.get("type"):
            entries = entries.filter(object_type=data["type"])
        if data.get("action"):
            entries = entries.filter(action__endswith="." + data["action"])
        if data.get("actor"):
            entries = entries.filter(actor=data["actor"])
        q = clean_line(data.get("q") or "").strip()
        if q:
            entries = entries.filter(Q(object_repr__icontains=q) | Q(object_id=q))
        return entries
