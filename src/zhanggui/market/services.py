"""Writes of the market: a product's new title from the studio (through the catalog's service, with a
TitleChange row and an audit entry), the shop's dictionary words, a rank typed by hand, the shop's alert
setting, the competitors watched."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.catalog import services as catalog_services
from zhanggui.catalog.models import Product, Shop
from zhanggui.catalog.titles import normalize_title
from zhanggui.core import roles
from zhanggui.core.services import record_audit
from zhanggui.market import selectors
from zhanggui.market.errors import CompetitorRejected, ObservationRejected, TitleNotSaved
from zhanggui.market.keywords import normalize_keyword
from zhanggui.market.models import (
    CompetitorItem,
    CompetitorShop,
    Device,
    Keyword,
    MarketSettings,
    RankObservation,
    ShopWord,
    ShopWordKind,
    TitleChange,
)
from zhanggui.market.titles import banned_in
from zhanggui.market.watch_imports import IMPORT_WATCH, match_item

#: Titles and the shop's dictionary are edited by whoever edits products (店长, 运营, 美工, 文案).
EDIT_TITLES = roles.EDIT_CATALOG
WORD_MAX = 32
#: The days an observation may be dated: the platforms' tools keep no older figures, and none from the future.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


@transaction.atomic
def save_title(*, actor: Any, product: Product, title: str, reason: str = "") -> TitleChange:
    """Give the product a new title: refused with banned words (the studio's list, not only the catalog's) or
    when it is the same; the catalog checks the platform's length and saves it; the change is recorded."""
    roles.require(actor, EDIT_TITLES)
    product = Product.objects.select_for_update().select_related("shop").get(pk=product.pk)
    new = normalize_title(title)
    old = product.title
    if new == old:
        raise TitleNotSaved(_("The new title is the same as the current one."))
    found = banned_in(new, selectors.banned_words(shop=product.shop))
    if found:
        raise TitleNotSaved(_("The title contains banned words: %(words)s") % {"words": "、".join(found)})
    catalog_services.update_product(actor=actor, product=product, title=new)
    change = TitleChange(
        product=product,
        old_title=old,
        new_title=product.title,
        changed_at=timezone.now(),
        changed_by=actor if getattr(actor, "pk", None) else None,
        reason=reason.strip()[:200],
    )
    change.full_clean()
    change.save()
    record_audit(
        actor=actor,
        action="market.title_change",
        obj=product,
        before={"title": old},
        after={"title": product.title, "reason": change.reason},
    )
    return change


def add_shop_words(*, actor: Any, shop: Shop, kind: str, words: Iterable[str]) -> int:
    """Add words to the shop's dictionary (to keep whole, or banned); words already there are skipped. Returns
    how many were added."""
    roles.require(actor, EDIT_TITLES)
    if kind not in ShopWordKind.values:
        raise TitleNotSaved(_("Unknown kind of word %(kind)s.") % {"kind": kind})
    added = []
    with transaction.atomic():
        for word in dict.fromkeys(w.strip() for w in words):
            if not word:
                continue
            if len(word) > WORD_MAX:
                raise TitleNotSaved(_("%(word)s is longer than %(max)s characters.") % {"word": word, "max": WORD_MAX})
            _obj, created = ShopWord.objects.get_or_create(shop=shop, word=word, kind=kind)
            if created:
                added.append(word)
        if added:
            record_audit(actor=actor, action="market.shop_words_add", obj=shop, after={"kind": kind, "words": added})
    return len(added)


def remove_shop_word(*, actor: Any, word: ShopWord) -> None:
    roles.require(actor, EDIT_TITLES)
    with transaction.atomic():
        record_audit(
            actor=actor, action="market.shop_words_remove", obj=word.shop, before={"kind": word.kind, "word": word.word}
        )
        word.delete()


# --------------------------------------------------------------------------------------------------------
# Rank tracking and competitor watch (docs/market.md)
# --------------------------------------------------------------------------------------------------------


@transaction.atomic
def record_observation(
    *, actor: Any, shop: Shop, keyword: str, item_id: str, device: str, day: date, position: int | None
) -> RankObservation:
    """A position typed by hand (someone searched and counted): stored, or the day's observation corrected.
    The item is matched to our product or a competitor's item as an import does."""
    roles.require(actor, IMPORT_WATCH)
    text = normalize_keyword(keyword)
    item_id = item_id.strip()
    if not text or not item_id:
        raise ObservationRejected(_("Type the keyword and the item ID."))
    if device not in Device.values:
        raise ObservationRejected(_("Unknown device %(device)s.") % {"device": device})
    if position is not None and position < 1:
        raise ObservationRejected(_("A position starts at 1; leave it empty when the item was not found."))
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ObservationRejected(
            _("The day must be between %(first)s and %(last)s.") % {"first": FIRST_DAY, "last": LAST_DAY}
        )
    word, _created = Keyword.objects.get_or_create(text=text)
    product, competitor_item = match_item(shop=shop, item_id=item_id, until=day)
    row, _new = RankObservation.objects.update_or_create(
        shop=shop,
        keyword=word,
        item_id=item_id,
        device=device,
        day=day,
        defaults={
            "position": position,
            "product_id": product,
            "competitor_item_id": competitor_item,
            "source": "typed",
        },
    )
    record_audit(
        actor=actor,
        action="market.record_rank",
        obj=shop,
        after={"keyword": text, "item_id": item_id, "device": device, "day": day.isoformat(), "position": position},
    )
    return row


def set_rank_drop_alert(*, actor: Any, shop: Shop, places: int) -> MarketSettings:
    """The shop's N: an alert when one of its items drops more than N places."""
    roles.require(actor, IMPORT_WATCH)
    if not 1 <= places <= 1000:
        raise ObservationRejected(_("Give a number of places from 1 to 1000."))
    with transaction.atomic():
        settings, _created = MarketSettings.objects.select_for_update().get_or_create(shop=shop)
        before = settings.rank_drop_alert
        settings.rank_drop_alert = places
        settings.save(update_fields=["rank_drop_alert"])
        record_audit(
            actor=actor, action="market.rank_drop_alert", obj=shop, before={"places": before}, after={"places": places}
        )
    return settings


def add_competitor_shop(*, actor: Any, name: str, platform: str, url: str = "", note: str = "") -> CompetitorShop:
    roles.require(actor, IMPORT_WATCH)
    name = " ".join(name.split())
    if CompetitorShop.objects.filter(platform=platform, name=name).exists():
        raise CompetitorRejected(_("%(name)s is already watched.") % {"name": name})
    shop = CompetitorShop(name=name, platform=platform, url=url, note=note)
    shop.full_clean()
    shop.save()
    record_audit(actor=actor, action="market.add_competitor_shop", obj=shop, after={"name": name, "platform": platform})
    return shop


def add_competitor_item(
    *, actor: Any, competitor: CompetitorShop, item_id: str, title: str = "", url: str = ""
) -> CompetitorItem:
    roles.require(actor, IMPORT_WATCH)
    item_id = item_id.strip()
    if CompetitorItem.objects.filter(competitor=competitor, item_id=item_id).exists():
        raise CompetitorRejected(_("The item %(item)s is already watched.") % {"item": item_id})
    item = CompetitorItem(competitor=competitor, item_id=item_id, title=title, url=url)
    item.full_clean()
    item.save()
    # Observations of that item ID that were nobody's are now this competitor's.
    RankObservation.objects.filter(item_id=item_id, product__isnull=True, competitor_item__isnull=True).update(
        competitor_item=item
    )
    record_audit(actor=actor, action="market.add_competitor_item", obj=competitor, after={"item_id": item_id})
    return item
