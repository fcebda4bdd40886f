"""The import of stored promotions (`zhanggui import-promotions`): all or nothing, every refusal named.

New codes become drafts through services.create_promotion, drafts with the same code are updated through
services.update_promotion, identical ones are skipped; so the rules and the audit rows are the services'.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Shop
from zhanggui.core import roles
from zhanggui.core.errors import DomainError
from zhanggui.promotions import spec
from zhanggui.promotions.models import Promotion
from zhanggui.promotions.offers.services import create_promotion, normalize_promotion_spec, update_promotion


@dataclass
class Rejected:
    index: int
    id: str
    reason: str


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    dry_run: bool = False

    @property
    def written(self) -> bool:
        """Whether the database changed: nothing is kept on a dry run or when any promotion was refused."""
        return not self.dry_run and not self.rejected and bool(self.created or self.updated)


class _RollBack(Exception):
    pass


def _import_one(*, actor: Any, shop: Shop | None, raw: Any, report: ImportReport) -> None:
    code = str(raw.get("id") or "").strip() if isinstance(raw, Mapping) else ""
    existing = Promotion.objects.filter(shop=shop, code=code).first() if code else None
    if existing is None:
        created = create_promotion(actor=actor, shop=shop, raw_spec=raw)
        report.created.append(created.code)
        return
    data, _parsed = normalize_promotion_spec(raw, code=existing.code)
    if data == existing.spec:
        report.unchanged.append(existing.code)
        return
    update_promotion(actor=actor, promotion=existing, raw_spec=raw)
    report.updated.append(existing.code)


# The model's fields by the spec key a person wrote them under.
_SPEC_KEYS = {"code": "id", "name": "name", "starts_at": "starts_at", "ends_at": "ends_at", "spec": "spec"}


def _field_messages(exc: ValidationError) -> str:
    """A model refusal with the spec key it is about: "id: Ensure this value has at most 64 characters"."""
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    return " ".join(
        f"{_SPEC_KEYS.get(name, name)}: {message}" if name != "__all__" else message
        for name, errors in exc.message_dict.items()
        for message in errors
    )


def import_promotions(*, actor: Any, shop: Shop | None, items: Any, dry_run: bool = False) -> ImportReport:
    """All or nothing: new codes become drafts, drafts with the same code are updated, identical ones skipped.

    Every promotion is tried (each in its own savepoint) so the report names all the refused ones, by index
    and id, with the reason; then the whole import is rolled back if any was refused or on a dry run.
    """
    roles.require(actor, roles.MANAGE_PROMOTIONS)
    rows = items.get("promotions") if isinstance(items, Mapping) else items
    if not isinstance(rows, list):
        raise spec.SpecError(_("promotions: a list (or an object with a 'promotions' list)"))
    report = ImportReport(dry_run=dry_run)
    seen: set[str] = set()
    try:
        with transaction.atomic():
            for index, raw in enumerate(rows):
                code = str(raw.get("id") or "").strip() if isinstance(raw, Mapping) else ""
                if code and code in seen:
                    report.rejected.append(Rejected(index, code, _("the id %(id)s appears twice") % {"id": code}))
                    continue
                seen.add(code)
                try:
                    with transaction.atomic():
                        _import_one(actor=actor, shop=shop, raw=raw, report=report)
                except DomainError as exc:
                    report.rejected.append(Rejected(index, code, exc.message))
                except ValidationError as exc:
                    report.rejected.append(Rejected(index, code, _field_messages(exc)))
            if report.rejected or dry_run:
                raise _RollBack
    except _RollBack:
        pass
    return report
