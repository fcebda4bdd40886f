"""Seed the deadline rules, one clock per channel and situation (docs/aftersales.md, "Deadlines").

The rows are written out here, not imported from the app, so that this migration keeps meaning what it meant
when it ran. Taobao and Tmall: the refund timers of ../shared/docs/PLATFORMS.md ("Rules: refund timers").
JD and Pinduoduo: PLATFORMS.md gives no timers of their own; Taobao's are used and marked as assumptions for
the manager to check. The web store: our own targets (nothing happens by itself), the returned parcel from
the consumer law's 7 days.
"""

from django.db import migrations

TAOBAO_SOURCE = "淘宝/天猫 退款超时规则, PLATFORMS.md (Rules: refund timers)"
OWN_TARGET = "Assumption: our own target, no platform timer"
LIKE_TAOBAO = "Assumption: Taobao's timer; PLATFORMS.md gives none for this channel: check its 售后 rules"

# (situation, hours, on_expiry) as the Taobao rules state them; "other" is our own target everywhere.
TIMERS = [
    ("refund_unshipped", 48, "auto_refund"),
    ("refund_shipped", 120, "auto_agree"),
    ("return_refund", 120, "auto_agree"),
    ("return_tracking", 168, "auto_close"),
    ("return_receipt", 240, "auto_refund"),
]
OTHER = ("other", 48, "nothing")


def rows():
    for channel in ("taobao", "tmall"):
        for situation, hours, outcome in TIMERS:
            yield channel, situation, hours, outcome, "platform", TAOBAO_SOURCE
        yield channel, *OTHER, "assumption", OWN_TARGET
    for channel in ("jd", "pdd"):
        for situation, hours, outcome in TIMERS:
            yield channel, situation, hours, outcome, "assumption", LIKE_TAOBAO
        yield channel, *OTHER, "assumption", OWN_TARGET
    for situation, hours, _outcome in TIMERS:
        if situation == "return_receipt":
            law = "消费者权益保护法 §25: refund within 7 days of receiving the return (counted here from its sending)"
            yield "web", situation, 168, "nothing", "law", law
        else:
            yield "web", situation, hours, "nothing", "assumption", OWN_TARGET
    yield "web", *OTHER, "assumption", OWN_TARGET


def seed(apps, schema_editor):
    DeadlineRule = apps.get_model("aftersales", "DeadlineRule")
    for channel, situation, hours, outcome, basis, source in rows():
        DeadlineRule.objects.get_or_create(
            channel=channel,
            situation=situation,
            defaults={"hours": hours, "on_expiry": outcome, "basis": basis, "source": source},
        )


def unseed(apps, schema_editor):
    apps.get_model("aftersales", "DeadlineRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("aftersales", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
