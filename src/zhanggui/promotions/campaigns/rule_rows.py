"""The campaign page's rules as rows of a form: a kind picked from the list and its numbers typed in the cells
(days, units, amount, 折 rates …), so a 运营 never writes JSON. The rows become the spec the API takes
(docs/campaigns.md); eligibility.parse_campaign still decides what is valid, and names the row that is not."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhanggui.promotions.campaigns.eligibility import MAX_DAYS, RULE_KINDS, RULE_LABELS, RULE_PARAMS

#: Empty rows offered under the campaign's rules (save, and three more appear).
EXTRA_ROWS = 3
MAX_ROWS = 40
PREFIX = "rule"
#: The number cells of a row, in the order they are shown; each kind uses some (RULE_PARAMS).
PARAMS = ("days", "units", "count", "amount", "min", "max", "min_rate", "max_rate")


class RuleRow(forms.Form):
    """One rule: its kind and the numbers that kind takes (the others are left empty and ignored)."""

    kind = forms.ChoiceField(
        label=_("Rule"),
        required=False,
        choices=[("", _("— none —")), *((kind, RULE_LABELS[kind]) for kind in RULE_KINDS)],
    )
    days = forms.IntegerField(label=_("Window (days)"), required=False, min_value=1, max_value=MAX_DAYS)
    units = forms.IntegerField(label=_("Units"), required=False, min_value=0)
    count = forms.IntegerField(label=_("Reviews"), required=False, min_value=0)
    amount = forms.DecimalField(label=_("Amount ¥"), required=False, min_value=0, decimal_places=2, max_digits=14)
    min = forms.IntegerField(label=_("Quantity from"), required=False, min_value=0)
    max = forms.IntegerField(label=_("Quantity to"), required=False, min_value=0)
    min_rate = forms.DecimalField(
        label=_("From 折"), required=False, min_value=0, max_value=10, decimal_places=3, max_digits=6
    )
    max_rate = forms.DecimalField(
        label=_("To 折"), required=False, min_value=0, max_value=10, decimal_places=3, max_digits=6
    )

    def rule(self) -> dict[str, Any] | None:
        """The rule as the spec writes it; None for a row left empty. Call after is_valid()."""
        kind = self.cleaned_data.get("kind")
        if not kind:
            return None
        required, optional = RULE_PARAMS[kind]
        out: dict[str, Any] = {"kind": kind}
        for name in PARAMS:
            value = self.cleaned_data.get(name)
            if name in required or (name in optional and value is not None):
                if value is None:
                    self.add_error(name, _("A “%(rule)s” rule needs this.") % {"rule": RULE_LABELS[kind]})
                    continue
                out[name] = format(value.normalize(), "f") if isinstance(value, Decimal) else value
        return out


def uses(kind: str) -> list[str]:
    """The cells a kind takes (the page hides the others)."""
    required, optional = RULE_PARAMS[kind]
    return [name for name in PARAMS if name in required | optional]


def bound(data: Mapping[str, Any]) -> list[RuleRow]:
    """The rows the page posted (`rule-rows` says how many); none when the post has no rows (the API, JSON)."""
    try:
        count = int(data.get(f"{PREFIX}-rows", 0))
    except (TypeError, ValueError):
        count = 0
    return [RuleRow(data, prefix=f"{PREFIX}-{i}") for i in range(max(0, min(count, MAX_ROWS)))]


def unbound(rules: Sequence[Mapping[str, Any]]) -> list[RuleRow]:
    """Rows showing a spec's rules, then EXTRA_ROWS empty ones."""
    rows = [RuleRow(initial=dict(rule), prefix=f"{PREFIX}-{i}") for i, rule in enumerate(rules)]
    return rows + [RuleRow(prefix=f"{PREFIX}-{len(rows) + i}") for i in range(EXTRA_ROWS)]


def rules_of(rows: Sequence[RuleRow]) -> list[dict[str, Any]] | None:
    """The rules of the filled rows (None when every row is empty: the page then uses the preset or the JSON);
    a row missing a number gets the error on that cell. Call once every row is_valid()."""
    rules = [rule for row in rows if (rule := row.rule()) is not None]
    return rules or None
