"""Buyer messages: each shop's templates, the outbox, and the buyers who asked not to be written to.

A message is made once per order and kind (UniqueConstraint), from the shop's template of that kind, when the
order ships or is delivered (messaging.hooks). Its status moves along `OutboxMessage.ALLOWED_TRANSITIONS`; a
sender (messaging.senders, setting ZHANGGUI_MESSAGE_SENDER) delivers it. The default sender delivers nothing:
the message is *stored*, shown in Zhanggui for a person to copy, never *sent*.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhanggui.catalog.models import Shop
from zhanggui.core.text import CleanCharField, CleanTextField
from zhanggui.orders.models import Order

#: A template's text, at most (platform chat windows take a few hundred characters comfortably).
BODY_MAX_LENGTH = 500


class MessageKind(models.TextChoices):
    SHIPPED = "shipped", _("Shipped notice")
    DELIVERY_REMINDER = "delivery_reminder", _("Delivery reminder")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    # What the default sender does: the text is in Zhanggui, the buyer has not received it.
    STORED = "stored", _("Stored, not sent")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")


K = MessageKind
M = MessageStatus

#: The text a shop starts with. Written to the buyers of Chinese platforms, so in Chinese whatever the desk's
#: language (not a gettext string: a buyer reads it, not the team).
DEFAULT_BODIES = {
    K.SHIPPED: "亲，您的订单 {order_no} 已发货，{carrier} 单号 {tracking_no}，请留意查收。",
    K.DELIVERY_REMINDER: "亲，您的包裹（{carrier} {tracking_no}）已送达，请及时签收查看；如有任何问题请随时联系我们。",
}


class MessageTemplate(models.Model):
    """A shop's text for one kind of message, with placeholders ({order_no}, …: messaging.rendering)."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="message_templates", verbose_name=_("shop"))
    kind = models.CharField(_("kind"), max_length=24, choices=MessageKind.choices)
    body = CleanTextField(_("text"), max_length=BODY_MAX_LENGTH)
    enabled = models.BooleanField(
        _("switched on"), default=True, help_text=_("Off: no message of this kind is made for the shop's orders.")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed by"),
    )
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        ordering = ["shop", "kind"]
        constraints = [models.UniqueConstraint(fields=["shop", "kind"], name="message_template_one_per_kind")]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")

    def __str__(self) -> str:
        return f"{self.shop_id}: {self.get_kind_display()}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from zhanggui.messaging.rendering import unknown_placeholder_error

        error = unknown_placeholder_error(self.body or "")
        if error:
            raise ValidationError({"body": error})


class OutboxMessage(models.Model):
    """One message to one buyer about one order: queued, then stored or sent by the sender, skipped (the
    buyer opted out, or the order names no buyer) or failed (tried again up to services.MAX_ATTEMPTS)."""

    ALLOWED_TRANSITIONS: dict[str, set[str]] = {
        M.QUEUED: {M.SENDING, M.SKIPPED},
        M.SENDING: {M.STORED, M.SENT, M.FAILED},
        M.FAILED: {M.SENDING, M.SKIPPED, M.QUEUED},  # queued again: a person asks for a new round of tries
        M.STORED: set(),
        M.SENT: set(),
        M.SKIPPED: set(),
    }

    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="outbox_messages", verbose_name=_("shop"))
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="buyer_messages", verbose_name=_("order"))
    buyer_nick = CleanCharField(_("buyer"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=MessageKind.choices)
    text = CleanTextField(_("text"))
    status = models.CharField(_("status"), max_length=12, choices=MessageStatus.choices, default=M.QUEUED)
    reason = CleanCharField(
        _("reason"), max_length=255, blank=True, help_text=_("Why it was skipped, or what the sender answered.")
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    attempted_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("stored or sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["order", "kind"], name="outbox_one_message_per_order_kind")]
        indexes = [models.Index(fields=["status", "attempted_at"], name="outbox_due")]
        verbose_name = _("buyer message")
        verbose_name_plural = _("buyer messages")
        permissions = [("manage_messages", "Manage buyer messages, their templates and opt-outs")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"


class BuyerOptOut(models.Model):
    """A buyer of a shop who asked not to get messages: their messages are made, then skipped with the reason."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="buyer_opt_outs", verbose_name=_("shop"))
    buyer_nick = CleanCharField(_("buyer"), max_length=100)
    note = CleanCharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("opted out on"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["shop", "buyer_nick"]
        constraints = [models.UniqueConstraint(fields=["shop", "buyer_nick"], name="buyer_opt_out_once_per_shop")]
        verbose_name = _("buyer opt-out")
        verbose_name_plural = _("buyer opt-outs")

    def __str__(self) -> str:
        return self.buyer_nick
