"""The demo's customers and their orders, planned without touching the database.

The generator sells through orders (issue #9): each simulated day has `planned_orders` orders (a weekend lift
and a 双11-like peak), paid over the day as shoppers really pay (evenings busy, the peak's midnight rush). They
are written as the platforms' exports would give them (channels.records.ParsedOrder), so the generator stores
them with orders.imports.import_orders like any upload, and the orders' own services move the stock.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from zhanggui.channels import records
from zhanggui.channels.records import ParsedLine, ParsedOrder

WEEKEND_LIFT = 1.2
# The big sale: the day itself, and the evenings around it (预售尾款 the night before, the late buyers after).
PEAK_LIFT = {-1: 1.5, 0: 4.0, 1: 1.3}
# Recent 大促 days (month, day), the last one within the history gets the peak: 双11 first, else the others.
PROMOTION_DAYS = ((11, 11), (6, 18), (12, 12), (3, 8))
# Share of the day's payments in each hour (Beijing time): quiet nights, busy lunch and evenings.
HOURLY = (3, 1.5, 0.8, 0.4, 0.3, 0.3, 0.5, 1, 2, 3.5, 4.5, 5, 4.5, 4, 4, 4, 4, 4, 4, 5, 6.5, 7.5, 7, 5)
PEAK_HOURLY = (40, 12, 3, 1, 0.5, 0.5, 0.5, 1, 2, 3.5, 4.5, 5, 4.5, 4, 4, 4, 4, 4, 4, 5, 6.5, 7.5, 8, 9)
UNITS_PER_ORDER = 1.6  # lines × quantity, on average (see `lines_and_quantities`)

PROVINCES: tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...] = (
    ("浙江省", (("杭州市", ("西湖区", "余杭区", "拱墅区", "滨江区")), ("宁波市", ("鄞州区", "海曙区")))),
    ("广东省", (("广州市", ("天河区", "海珠区", "番禺区")), ("深圳市", ("南山区", "福田区", "宝安区")))),
    ("上海市", (("上海市", ("浦东新区", "徐汇区", "闵行区", "静安区")),)),
    ("北京市", (("北京市", ("朝阳区", "海淀区", "丰台区")),)),
    ("江苏省", (("南京市", ("鼓楼区", "江宁区")), ("苏州市", ("姑苏区", "吴中区")))),
    ("四川省", (("成都市", ("武侯区", "锦江区", "双流区")),)),
    ("湖北省", (("武汉市", ("洪山区", "江汉区", "武昌区")),)),
    ("山东省", (("青岛市", ("市南区", "黄岛区")), ("济南市", ("历下区", "槐荫区")))),
    ("福建省", (("厦门市", ("思明区", "湖里区")), ("福州市", ("鼓楼区", "仓山区")))),
    ("河南省", (("郑州市", ("金水区", "二七区")),)),
    ("湖南省", (("长沙市", ("岳麓区", "雨花区")),)),
    ("陕西省", (("西安市", ("雁塔区", "碑林区")),)),
    ("天津市", (("天津市", ("和平区", "南开区")),)),
    ("安徽省", (("合肥市", ("蜀山区", "包河区")),)),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超")
GIVEN += ("秀英", "婷婷", "晨", "欣怡", "子轩", "浩然", "雨桐", "思琪", "俊杰", "佳怡", "志强", "梓涵")
STREETS = ("文三路", "建国路", "中山路", "人民路", "解放路", "长江路", "南京路", "和平路", "科技路", "学院路")
ESTATES = ("阳光花园", "金色家园", "滨江国际", "万科城", "绿城桂花园", "碧桂园", "保利香槟", "华润置地")
NICK_WORDS = ("小鱼", "阿狸", "柠檬", "木子", "晴天", "糖豆", "橙子", "布丁", "星星", "豆豆", "云朵", "麦兜")
PHONE_PREFIXES = ("138", "139", "136", "158", "188", "186", "135", "177", "151", "199")
TMALL_CARRIERS = ("中通快递", "圆通速递", "韵达快递")
STATUS_TEXT = {
    records.TAOBAO: {
        records.PAID: "买家已付款，等待卖家发货",
        records.SHIPPED: "卖家已发货，等待买家确认",
        records.COMPLETED: "交易成功",
        records.CLOSED: "交易关闭",
    },
    records.JD: {
        records.PAID: "等待出库",
        records.SHIPPED: "等待确认收货",
        records.COMPLETED: "完成",
        records.CLOSED: "已取消",
    },
}
SHOP_DISCOUNTS = (Decimal("5"), Decimal("10"), Decimal("20"))


def peak_day(start: date, days: int) -> int:
    """The simulated day of the big sale: the last 双11 in the history, else the latest other 大促 day."""
    for month, day in PROMOTION_DAYS:
        hits = [d for d in range(1, days) if (start + timedelta(days=d)).timetuple()[1:3] == (month, day)]
        if hits:
            return hits[-1]
    return max(1, days - 20)


def planned_orders(orders_per_day: int, start: date, days: int) -> dict[int, int]:
    """How many orders are paid on each simulated day (1 … days-1; day 0 opens the shop, today is partial)."""
    peak = peak_day(start, days)
    plan = {}
    for day in range(1, days):
        lift = WEEKEND_LIFT if (start + timedelta(days=day)).weekday() >= 5 else 1.0
        plan[day] = max(1, round(orders_per_day * lift * PEAK_LIFT.get(day - peak, 1.0)))
    return plan


def paid_moments(rng: random.Random, midnight: datetime, count: int, *, peak: bool = False) -> list[datetime]:
    """`count` payment moments over the day that starts at `midnight`, in time order."""
    hours = rng.choices(range(24), weights=PEAK_HOURLY if peak else HOURLY, k=count)
    return sorted(midnight + timedelta(hours=h, seconds=rng.randrange(3600)) for h in hours)


@dataclass(frozen=True)
class Customer:
    buyer_nick: str
    receiver_name: str
    receiver_phone: str
    province: str
    city: str
    district: str
    address: str


def customer(rng: random.Random, platform: str) -> Customer:
    province, cities = rng.choice(PROVINCES)
    city, districts = rng.choice(cities)
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    if platform == records.JD:
        nick = f"jd_{rng.getrandbits(40):010x}"
    else:
        nick = f"{rng.choice(NICK_WORDS)}{rng.choice(('', '_', '酱'))}{rng.randint(1, 9999)}"
    address = (
        f"{rng.choice(STREETS)}{rng.randint(1, 999)}号{rng.choice(ESTATES)}"
        f"{rng.randint(1, 30)}幢{rng.randint(1, 3)}单元{rng.randint(1, 32)}0{rng.randint(1, 4)}室"
    )
    phone = f"{rng.choice(PHONE_PREFIXES)}{rng.randrange(10**8):08d}"
    return Customer(nick, name, phone, province, city, rng.choice(districts), address)


def lines_and_quantities(rng: random.Random) -> list[int]:
    """The quantity of each line of one order: mostly one line of one unit."""
    lines = rng.choices((1, 2, 3), weights=(80, 17, 3))[0]
    return [rng.choices((1, 2, 3), weights=(78, 18, 4))[0] for _ in range(lines)]


@dataclass(frozen=True)
class LineWish:
    """A line before it is priced: the 商家编码 as the platform holds it, what it shows, how many."""

    sku_code: str
    title: str
    spec: str
    quantity: int
    price: Decimal


def parsed_order(
    rng: random.Random,
    *,
    platform: str,
    order_no: str,
    paid_at: datetime,
    wishes: list[LineWish],
    who: Customer,
) -> ParsedOrder:
    """A paid order as the platform's export writes it: list prices, now and then a shop discount (包邮)."""
    discount_first = Decimal("0")
    first = wishes[0].price * wishes[0].quantity
    if rng.random() < 0.08:
        discount_first = min(rng.choice(SHOP_DISCOUNTS), (first / 5).quantize(Decimal("1")))
    lines = []
    for position, wish in enumerate(wishes, 1):
        discount = discount_first if position == 1 else Decimal("0")
        amount = wish.price * wish.quantity
        lines.append(
            ParsedLine(
                sub_order_id=f"{order_no}{position:02d}" if platform == records.TAOBAO else "",
                sku_code=wish.sku_code,
                title=wish.title,
                spec=wish.spec,
                quantity=wish.quantity,
                unit_price=wish.price,
                discount=discount,
                paid=amount - discount,
            )
        )
    return ParsedOrder(
        platform=platform,
        order_no=order_no,
        status=records.PAID,
        status_text=STATUS_TEXT[platform][records.PAID],
        buyer_nick=who.buyer_nick,
        receiver_name=who.receiver_name,
        receiver_phone=who.receiver_phone,
        province=who.province,
        city=who.city,
        district=who.district,
        address=who.address,
        created_at=paid_at - timedelta(seconds=rng.randint(20, 900)),
        paid_at=paid_at,
        ship_by=None,
        shipped_at=None,
        shipping_fee=Decimal("0.00"),
        paid_total=sum((line.paid for line in lines), Decimal("0.00")),
        buyer_note="",
        seller_note="",
        carrier="",
        tracking_no="",
        lines=tuple(lines),
        file=f"demo-{platform}-{paid_at:%Y%m%d}.csv",
    )


def as_status(order: ParsedOrder, status: str, **changes: object) -> ParsedOrder:
    """The same order in a later export, the platform's status moved on."""
    return replace(order, status=status, status_text=STATUS_TEXT[order.platform][status], **changes)


def tracking(rng: random.Random, platform: str) -> tuple[str, str]:
    if platform == records.JD:
        return "京东物流", f"JDVA{rng.randrange(10**11):011d}"
    return rng.choice(TMALL_CARRIERS), f"7{rng.randrange(10**13):013d}"
