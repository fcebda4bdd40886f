"""The official campaigns list as core.listing declares it: columns, sorting, the event-start range, export.

Its default order is the one the desk has always shown (selectors.shop_campaigns): the nearest date that matters
first (the registration deadline, the start, the end), then the undated campaigns, then the ended ones, the most
recent first. Here it is written for the database (`with_phase_order`), so that it pages and exports like every
other sort, and it is what sorting by the status column gives.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db.models import (
    Case,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhanggui.catalog.models import Shop
from zhanggui.core.listing import Column, ListSpec
from zhanggui.promotions.campaigns import selectors
from zhanggui.promotions.campaigns.presets import PRESETS
from zhanggui.promotions.models import OfficialCampaign

PHASE_LABELS = {
    selectors.OPEN: _("Registration open"),
    selectors.CLOSED: _("Registration closed"),
    selectors.RUNNING: _("Running"),
    selectors.ENDED: _("Ended"),
    selectors.UNDATED: _("No dates yet"),
}
# Stands for "no date ahead" in the nearest-date comparison (SQLite's MIN of values is NULL when one is NULL).
_NEVER = datetime(9998, 12, 31, tzinfo=UTC)


def with_phase_order(rows: QuerySet[OfficialCampaign]) -> QuerySet[OfficialCampaign]:
    """The rows with the keys of the upcoming-first order (selectors._upcoming_first) as the database sorts them:
    `phase_group` (0 a date ahead, 1 undated, 2 ended), `phase_next` (the nearest date ahead) and
    `phase_ended_ago` (how long ago it ended: the most recent first)."""
    now = timezone.now()
    at = Value(now, output_field=DateTimeField())
    ended = Q(ends_at__isnull=False, ends_at__lte=now)

    def ahead(field: str) -> Case:
        return Case(When(**{f"{field}__gt": now}, then=F(field)), default=Value(_NEVER), output_field=DateTimeField())

    return rows.annotate(
        phase_group=Case(
            When(ended, then=Value(2)),
            When(Q(apply_by__gt=now) | Q(starts_at__gt=now) | Q(ends_at__gt=now), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        phase_next=Least(ahead("apply_by"), ahead("starts_at"), ahead("ends_at")),
        phase_ended_ago=Case(
            When(ended, then=ExpressionWrapper(at - F("ends_at"), output_field=DurationField())),
            default=None,
            output_field=DurationField(),
        ),
    )


def campaign_rows(*, shop: Shop | None = None, include_archived: bool = False) -> QuerySet[OfficialCampaign]:
    """A shop's campaigns (or every shop's) for the list, archived ones only when asked for, with the keys of the
    upcoming-first order (the same rows as selectors.shop_campaigns, as a queryset to page and export)."""
    rows = OfficialCampaign.objects.select_related("shop", "created_by")
    if shop is not None:
        rows = rows.filter(shop=shop)
    if not include_archived:
        rows = rows.filter(is_archived=False)
    return with_phase_order(rows)


def preset_name(campaign: OfficialCampaign) -> str:
    return PRESETS[campaign.preset]["name"] if campaign.preset in PRESETS else ""


def phase_label(campaign: OfficialCampaign) -> str:
    """Where it stands now, and whether it is archived (the list shows that as a badge by its name)."""
    label = str(PHASE_LABELS[selectors.phase(campaign, timezone.now())])
    return f"{label} ({gettext('Archived')})" if campaign.is_archived else label


CAMPAIGNS = ListSpec(
    name="campaigns",
    columns=(
        Column("name", _("Name"), "name", lambda c: c.name),
        Column("code", _("Code"), "code", lambda c: c.code),
        Column("shop", _("Shop"), "shop__name", lambda c: c.shop.name),
        Column("preset", _("Preset"), "preset", preset_name),
        Column("apply_by", _("Apply by"), "apply_by", lambda c: c.apply_by, numeric=True),
        Column("starts", _("Event starts"), "starts_at", lambda c: c.starts_at, numeric=True),
        Column("ends", _("Event ends"), "ends_at", lambda c: c.ends_at, numeric=True),
        Column(
            "phase",
            _("Status"),
            ("phase_group", "phase_next", "phase_ended_ago", "shop__code", "code"),
            phase_label,
        ),
        Column("check", ""),  # the "Check SKUs" button
    ),
    default_sort="phase",
    date_field="starts_at",
    date_label=_("Event starts"),
)
