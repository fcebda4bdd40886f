"""Errors of official campaigns: a stable code for machines, a translated message for people."""

from __future__ import annotations

from zhanggui.core.errors import DomainError, ValidationFailed
from zhanggui.promotions.common import CodeTaken


class CampaignSpecError(ValidationFailed):
    """A campaign's spec or an offer line does not parse; the message names the field."""

    code = "invalid_campaign_spec"


class CampaignCodeTaken(CodeTaken):
    """Another campaign of the same shop already uses this code (the spec's id)."""

    code = "campaign_code_taken"


class InvalidCampaign(ValidationFailed):
    """A value around the spec is refused: an unknown preset, a date without a zone, an event ending first."""

    code = "invalid_campaign"


class CampaignArchived(DomainError):
    """An archived campaign keeps its rules as they were; restore it to change them."""

    code = "campaign_archived"
    http_status = 409
