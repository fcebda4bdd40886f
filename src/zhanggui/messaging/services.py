"""Writes of the buyer messages: queue a message for an order, send what is due, retry, templates, opt-outs.

Queuing and sending are the system's, not a person's: an order shipped or delivered (messaging.hooks) queues
its message through a task, and `send_pending` (every minute, messaging.tasks) hands queued and failed ones to
the sender. A person's changes (templates, opt-outs, a retry) need `messaging.manage_messages` (客服 and the
manager) and are written to the audit trail.

Sending claims a message with one conditional UPDATE (queued/failed → sending) before the sender is called
and records the outcome after, outside any transaction: two workers never send the same message, and a slow
platform never holds a lock. A send that never reported back (its worker stopped) is marked failed after
SENDING_LEASE and tried again: at least once, never silently lost.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Shop
from zhanggui.core import roles
from zhanggui.core.errors import ValidationFailed
from zhanggui.core.services import record_audit
from zhanggui.core.text import clean_line
from zhanggui.messaging import rendering, selectors
from zhanggui.messaging.errors import AlreadyOptedOut, InvalidMessageState, UnknownPlaceholder
from zhanggui.messaging.models import (
    BuyerOptOut,
    MessageKind,
    MessageStatus,
    MessageTemplate,
    OutboxMessage,
)
from zhanggui.messaging.senders import Sender, get_sender
from zhanggui.orders.models import SHIPPED_STATUSES, Order, OrderStatus

logger = logging.getLogger(__name__)

M = MessageStatus
#: Tries of one message before it stays failed (a person may ask for another round: `retry`).
MAX_ATTEMPTS = 3
#: A failed message is tried again this long after its last try.
RETRY_AFTER = timedelta(minutes=5)
#: A message still "sending" this long after its try: its worker stopped; it is failed and tried again.
SENDING_LEASE = timedelta(minutes=15)
#: At most this many messages a sweep.
BATCH = 500
#: The order statuses in which each kind of message has something to say.
DUE_IN: dict[str, tuple[str, ...]] = {
    MessageKind.SHIPPED: tuple(SHIPPED_STATUSES),
    MessageKind.DELIVERY_REMINDER: (OrderStatus.DELIVERED, OrderStatus.COMPLETED),
}
REASON_LENGTH = OutboxMessage._meta.get_field("reason").max_length or 255


def _clip(text: str) -> str:
    text = clean_line(text).strip()
    return text if len(text) <= REASON_LENGTH else text[: REASON_LENGTH - 1] + "…"


def _opted_out_reason(opt_out: BuyerOptOut) -> str:
    if opt_out.note:
        return _clip(_("the buyer opted out: %(note)s") % {"note": opt_out.note})
    return _("the buyer opted out")


# --------------------------------------------------------------------------------------------------------
# Templates
# --------------------------------------------------------------------------------------------------------


def ensure_templates(shop: Shop) -> dict[str, MessageTemplate]:
    """The shop's templates by kind, the missing ones stored with the default text (on)."""
    found = {t.kind: t for t in MessageTemplate.objects.filter(shop=shop)}
    for kind in MessageKind.values:
        if kind not in found:
            default = selectors.template_for(shop, kind)
            found[kind], _created = MessageTemplate.objects.get_or_create(
                shop=shop, kind=kind, defaults={"body": default.body, "enabled": True}
            )
    return found


def check_body(body: str) -> str:
    """The text as stored (cleaned, trimmed); raises UnknownPlaceholder or ValidationFailed (empty)."""
    body = body.strip()
    if not body:
        raise ValidationFailed(_("Write the message's text."))
    error = rendering.unknown_placeholder_error(body)
    if error:
        raise UnknownPlaceholder(error, unknown=rendering.unknown_placeholders(body))
    return body


@transaction.atomic
def save_template(*, actor: Any, shop: Shop, kind: str, body: str, enabled: bool) -> MessageTemplate:
    """Store the shop's text for one kind of message (and whether it is on); later messages use it."""
    roles.require(actor, roles.MANAGE_MESSAGES)
    if kind not in MessageKind.values:
        raise ValidationFailed(_("Unknown kind of message: %(kind)s.") % {"kind": kind})
    body = check_body(body)
    template = MessageTemplate.objects.select_for_update().filter(shop=shop, kind=kind).first()
    before = {"body": template.body, "enabled": template.enabled} if template else {}
    template = template or MessageTemplate(shop=shop, kind=kind)
    template.body, template.enabled = body, enabled
    template.updated_by = actor if getattr(actor, "pk", None) else None
    template.updated_at = timezone.now()
    template.full_clean()
    template.save()
    after = {"body": template.body, "enabled": template.enabled}
    if before != after:
        action = "message_template.update" if before else "message_template.create"
        record_audit(actor=actor, action=action, obj=template, before=before, after=after)
    return template


# --------------------------------------------------------------------------------------------------------
# Queuing
# --------------------------------------------------------------------------------------------------------


def queue_for_order(*, order: Order, kind: str) -> OutboxMessage | None:
    """The order's message of this kind, queued once: called again, it returns the same message.

    Rendered from the shop's template (the default text when the shop has none). None when nothing is to be
    said: the template is off, or the order has not reached the step (a shipped notice for an order not
    shipped). A buyer who opted out, or an order without a buyer, gets the message skipped, with the reason.
    """
    if kind not in MessageKind.values:
        raise ValidationFailed(_("Unknown kind of message: %(kind)s.") % {"kind": kind})
    existing = OutboxMessage.objects.filter(order=order, kind=kind).first()
    if existing is not None:
        return existing
    if order.status not in DUE_IN[kind]:
        return None
    template = ensure_templates(order.shop)[kind]
    if not template.enabled:
        return None
    nick = order.buyer_nick.strip()
    status, reason = M.QUEUED, ""
    opt_out = selectors.opt_out_of(order.shop_id, nick) if nick else None
    if not nick:
        status, reason = M.SKIPPED, _("the order names no buyer to write to")
    elif opt_out is not None:
        status, reason = M.SKIPPED, _opted_out_reason(opt_out)
    message = OutboxMessage(
        shop=order.shop,
        order=order,
        buyer_nick=nick,
        kind=kind,
        text=rendering.render(template.body, rendering.order_values(order)),
        status=status,
        reason=reason,
    )
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:  # queued meanwhile by another worker: theirs is the one
        return OutboxMessage.objects.get(order=order, kind=kind)
    return message


# --------------------------------------------------------------------------------------------------------
# Sending
# --------------------------------------------------------------------------------------------------------


def send_message(*, message: OutboxMessage, sender: Sender | None = None, now: datetime | None = None) -> str:
    """Hand one queued or failed message to the sender; returns its new status, or "" when it was not this
    call's to send (done already, being sent by another worker, out of tries)."""
    now = now or timezone.now()
    sender = sender or get_sender()
    open_rows = OutboxMessage.objects.filter(pk=message.pk, status__in=(M.QUEUED, M.FAILED))
    opt_out = selectors.opt_out_of(message.shop_id, message.buyer_nick)
    if opt_out is not None:  # opted out after the message was queued
        return M.SKIPPED if open_rows.update(status=M.SKIPPED, reason=_opted_out_reason(opt_out)) else ""
    claimed = open_rows.filter(attempts__lt=MAX_ATTEMPTS).update(
        status=M.SENDING, attempts=F("attempts") + 1, attempted_at=now
    )
    if not claimed:
        return ""
    message.refresh_from_db()
    outcome: str
    try:
        sender.send(message)
    except Exception as exc:  # whatever a platform's client raises: the message waits for its next try
        logger.warning("Buyer message %s not sent: %s", message.pk, exc, exc_info=True)
        outcome, reason, sent_at = M.FAILED, _clip(f"{type(exc).__name__}: {exc}"), None
    else:
        outcome, reason, sent_at = str(sender.outcome), "", timezone.now()
    OutboxMessage.objects.filter(pk=message.pk, status=M.SENDING).update(status=outcome, reason=reason, sent_at=sent_at)
    return outcome


def due_messages(now: datetime) -> Q:
    """Queued messages, and failed ones with tries left whose last try is RETRY_AFTER old."""
    retry = Q(status=M.FAILED, attempts__lt=MAX_ATTEMPTS, attempted_at__lte=now - RETRY_AFTER)
    return Q(status=M.QUEUED) | retry


def send_pending(*, now: datetime | None = None) -> dict[str, int]:
    """The sweep: sends that never reported back are failed; then every due message goes to the sender, the
    oldest first. Returns how many ended in each status (and how many were found stuck in sending)."""
    now = now or timezone.now()
    stuck = OutboxMessage.objects.filter(status=M.SENDING, attempted_at__lt=now - SENDING_LEASE).update(
        status=M.FAILED, reason=_("its worker stopped while sending: it may or may not have reached the buyer")
    )
    due = list(OutboxMessage.objects.filter(due_messages(now)).order_by("id")[:BATCH])
    counts: Counter[str] = Counter()
    if due:
        sender = get_sender()
        for message in due:
            counts[send_message(message=message, sender=sender, now=now)] += 1
    return {
        **{status: counts[status] for status in (M.STORED, M.SENT, M.FAILED, M.SKIPPED)},
        "stuck": stuck,
    }


@transaction.atomic
def retry(*, actor: Any, message: OutboxMessage) -> OutboxMessage:
    """A failed message gets a new round of tries (the next sweep, within a minute, sends it)."""
    roles.require(actor, roles.MANAGE_MESSAGES)
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if M.QUEUED not in OutboxMessage.ALLOWED_TRANSITIONS[message.status]:
        raise InvalidMessageState(
            _("Only a failed message can be tried again; this one is %(status)s.")
            % {"status": str(M(message.status).label).lower()},
            status=message.status,
        )
    before = {"status": message.status, "attempts": message.attempts}
    message.status, message.attempts, message.reason = M.QUEUED, 0, ""
    message.save(update_fields=["status", "attempts", "reason"])
    record_audit(actor=actor, action="outbox_message.retry", obj=message, before=before, after={"status": M.QUEUED})
    return message


# --------------------------------------------------------------------------------------------------------
# Opt-outs
# --------------------------------------------------------------------------------------------------------


@transaction.atomic
def opt_out(*, actor: Any, shop: Shop, buyer_nick: str, note: str = "") -> BuyerOptOut:
    """The buyer gets no more messages from the shop: their queued and failed ones are skipped now, later
    ones are made skipped."""
    roles.require(actor, roles.MANAGE_MESSAGES)
    nick = clean_line(buyer_nick).strip()
    if not nick:
        raise ValidationFailed(_("Give the buyer's nick, as the platform shows it."))
    existing = selectors.opt_out_of(shop.pk, nick)
    if existing is not None:
        raise AlreadyOptedOut(
            _("%(buyer)s has opted out already (since %(since)s).")
            % {"buyer": nick, "since": timezone.localtime(existing.created_at).strftime("%Y-%m-%d")}
        )
    row = BuyerOptOut(shop=shop, buyer_nick=nick, note=note, created_by=actor if getattr(actor, "pk", None) else None)
    row.full_clean()
    row.save()
    OutboxMessage.objects.filter(shop=shop, buyer_nick=nick, status__in=(M.QUEUED, M.FAILED)).update(
        status=M.SKIPPED, reason=_opted_out_reason(row)
    )
    record_audit(
        actor=actor, action="buyer_opt_out.create", obj=row, after={"buyer_nick": row.buyer_nick, "note": row.note}
    )
    return row


@transaction.atomic
def opt_in(*, actor: Any, opt_out: BuyerOptOut) -> None:
    """The buyer may be written to again (messages skipped meanwhile stay skipped)."""
    roles.require(actor, roles.MANAGE_MESSAGES)
    record_audit(
        actor=actor,
        action="buyer_opt_out.cancel",
        obj=opt_out,
        before={"buyer_nick": opt_out.buyer_nick, "note": opt_out.note},
    )
    opt_out.delete()
