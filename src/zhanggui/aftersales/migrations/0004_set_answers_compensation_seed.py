"""Seed the set answers (快捷回复), the compensation rules (补偿规则) and the role limits (docs/aftersales.md,
"Set answers" and "Compensation").

The rows are written out here, not imported from the app, so that this migration keeps meaning what it meant
when it ran. Every figure is an assumption for the manager to change on the rules pages: the platforms publish
no compensation table of their own, and each shop words its answers its own way.
"""

from decimal import Decimal

from django.db import migrations

# (reason or "" for any, kind or "" for any, title, text, position)
ANSWERS = [
    (
        "",
        "",
        "问候",
        "亲，您好，我是{shop}的客服，您的售后单{case_no}（订单{order_no}）我们已经收到，正在为您处理哦。",
        1,
    ),
    ("", "", "处理时限", "亲，您的售后我们会在{deadline}前处理完毕，请您耐心等待，有任何问题随时联系我们。", 2),
    (
        "size",
        "",
        "尺码不合适",
        "亲，很抱歉{sku}的尺码不合适给您带来不便。您可以申请退货或换货，寄回时请在包裹内留言订单号{order_no}，"
        "收到后我们第一时间为您处理。",
        10,
    ),
    (
        "quality",
        "",
        "质量问题",
        "亲，非常抱歉{sku}出现了质量问题！麻烦您拍几张问题部位的照片发给我们，核实后我们为您退款{amount}或补发，"
        "运费由我们承担。",
        10,
    ),
    (
        "wrong_item",
        "",
        "发错货",
        "亲，实在抱歉给您发错了商品！请您保持商品完好寄回，运费由我们承担，正确的{sku}会尽快为您补寄。",
        10,
    ),
    (
        "not_as_described",
        "",
        "与描述不符",
        "亲，抱歉商品和描述有出入，麻烦您说明一下具体哪里不符并附上照片，我们核实后会给您满意的答复。",
        10,
    ),
    (
        "late",
        "",
        "发货/物流慢",
        "亲，抱歉让您久等了！您的包裹物流单号是{tracking_no}，我们已经联系快递加急派送，给您带来不便深表歉意。",
        10,
    ),
    (
        "lost",
        "",
        "丢件/破损",
        "亲，很抱歉包裹出现了丢失或破损（单号{tracking_no}）。我们会为您补发或退款，同时向快递公司理赔，"
        "您不用承担任何损失。",
        10,
    ),
    (
        "changed_mind",
        "",
        "七天无理由",
        "亲，支持七天无理由退货哦。请您保持商品及吊牌完好寄回，寄出后把退货单号告诉我们，收到后为您退款{amount}。",
        10,
    ),
    (
        "changed_mind",
        "return_refund",
        "催退货单号",
        "亲，您的退货申请已同意，麻烦您寄回后尽快填写退货单号，我们收到包裹（单号{return_tracking_no}）后马上为您退款。",
        5,
    ),
    ("other", "", "其他问题", "亲，您的问题我们已经记录（售后单{case_no}），会尽快核实并回复您，请您稍等。", 10),
]

# (reason, responsibility or "" for any, offer, amount, when)
RULES = [
    ("size", "buyer", "coupon", "5.00", "尺码不合适，买家换货或退货：送 5 元店铺券留住回头客"),
    ("quality", "us", "partial_refund", "10.00", "轻微瑕疵，买家愿意留下商品：部分退款"),
    ("quality", "supplier", "partial_refund", "10.00", "供应商的质量问题，买家愿意留下：部分退款，再向供应商索赔"),
    ("quality", "", "reissue", "0.00", "缺件或配件损坏：补发缺的部分（金额填补发商品的价值）"),
    ("wrong_item", "us", "cash_back", "10.00", "发错货：退换之外返现 10 元红包致歉"),
    ("not_as_described", "us", "partial_refund", "15.00", "与描述不符，买家愿意留下：部分退款"),
    ("late", "us", "coupon", "10.00", "我们发货超时：送 10 元店铺券"),
    ("late", "carrier", "coupon", "5.00", "快递慢：送 5 元店铺券安抚"),
    ("lost", "carrier", "reissue", "0.00", "快递丢件或破损：先补发，再向快递理赔（金额填补发商品的价值）"),
    ("other", "", "coupon", "5.00", "其他情况的小额补偿：5 元店铺券"),
]

# The most one person of a role may offer on one case by themselves (a role without a row: nothing).
LIMITS = [("service", "20.00"), ("operator", "50.00"), ("manager", "200.00")]


def seed(apps, schema_editor):
    SetAnswer = apps.get_model("aftersales", "SetAnswer")
    CompensationRule = apps.get_model("aftersales", "CompensationRule")
    CompensationLimit = apps.get_model("aftersales", "CompensationLimit")
    for reason, kind, title, text, position in ANSWERS:
        SetAnswer.objects.get_or_create(
            reason=reason, kind=kind, title=title, defaults={"text": text, "position": position}
        )
    for reason, responsibility, offer, amount, when in RULES:
        CompensationRule.objects.get_or_create(
            reason=reason,
            responsibility=responsibility,
            offer=offer,
            defaults={"amount": Decimal(amount), "description": when},
        )
    for role, limit in LIMITS:
        CompensationLimit.objects.get_or_create(role=role, defaults={"limit": Decimal(limit)})


def unseed(apps, schema_editor):
    """Remove the seeded rows nobody changed since (a changed row is the manager's own now)."""
    SetAnswer = apps.get_model("aftersales", "SetAnswer")
    CompensationRule = apps.get_model("aftersales", "CompensationRule")
    CompensationLimit = apps.get_model("aftersales", "CompensationLimit")
    for reason, kind, title, _text, _position in ANSWERS:
        SetAnswer.objects.filter(reason=reason, kind=kind, title=title, updated_by=None).delete()
    for reason, responsibility, offer, _amount, _when in RULES:
        CompensationRule.objects.filter(
            reason=reason, responsibility=responsibility, offer=offer, updated_by=None
        ).delete()
    CompensationLimit.objects.filter(role__in=[role for role, _limit in LIMITS], updated_by=None).delete()


class Migration(migrations.Migration):
    dependencies = [("aftersales", "0003_returns_compensation_claims")]

    operations = [migrations.RunPython(seed, unseed)]
